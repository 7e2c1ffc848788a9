using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Messages.Commands;
using HybridFlow.Application.Templates;
using MediatR;

namespace HybridFlow.Application.Inbox.Commands;

/// <summary>
/// POST /api/inbox/conversations/{session_id}/template: the logged-in person sends one of the instance's approved
/// WhatsApp templates, <c>variables</c> filling its body's <c>{{1}}</c>, <c>{{2}}</c>, …. What WhatsApp allows once the
/// 24-hour window is closed. Otherwise it is an inbox send like any other: the same send protocol, recorded as that
/// person's message (the body filled in), a takeover.
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record SendInboxTemplateCommand(long SessionId, string? Name, string? Language, IReadOnlyList<string?>? Variables)
    : IRequest<InboxMessageSentDto>;

public sealed class SendInboxTemplateCommandValidator : AbstractValidator<SendInboxTemplateCommand>
{
    public SendInboxTemplateCommandValidator()
    {
        RuleFor(c => c.SessionId).GreaterThan(0).OverridePropertyName("session_id");
        RuleFor(c => c.Name)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("name is required: the template's name.")
            .MaximumLength(MessageTemplates.NameMax)
            .Matches(MessageTemplates.Name()).WithMessage("name must be a template name: lowercase letters, digits and underscores.")
            .OverridePropertyName("name");
        RuleFor(c => c.Language)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("language is required: the template's language code, e.g. pt_BR.")
            .MaximumLength(MessageTemplates.LanguageMax)
            .Matches(MessageTemplates.Language()).WithMessage("language must be a language code such as en, en_US or pt_BR.")
            .OverridePropertyName("language");
        RuleFor(c => c.Variables)
            .Must(v => v is null || v.Count <= MessageTemplates.VariablesMax)
            .WithMessage($"variables may hold at most {MessageTemplates.VariablesMax} values.")
            .OverridePropertyName("variables");
        RuleForEach(c => c.Variables)
            .Must(v => MessageTemplates.VariableProblem(v) is null)
            .WithMessage((_, v) => $"each variable {MessageTemplates.VariableProblem(v)}.")
            .OverridePropertyName("variables");
    }
}

public sealed class SendInboxTemplateCommandHandler : IRequestHandler<SendInboxTemplateCommand, InboxMessageSentDto>
{
    private readonly InboxSends _sends;
    private readonly IInstanceDirectory _instances;
    private readonly IMessageTemplateCatalog _catalog;

    public SendInboxTemplateCommandHandler(InboxSends sends, IInstanceDirectory instances, IMessageTemplateCatalog catalog)
    {
        _sends = sends;
        _instances = instances;
        _catalog = catalog;
    }

    public async Task<InboxMessageSentDto> Handle(SendInboxTemplateCommand c, CancellationToken ct)
    {
        var variables = (c.Variables ?? []).Select(v => v!.Trim()).ToList();
        // Found and filled in by the check, which runs on the visible conversation before the send is built.
        (MessageTemplateDto Template, string Text)? found = null;
        return await _sends.SendAsync(c.SessionId,
            (conversation, sender) => new SendMessageCommand(conversation.InstanceName, conversation.ChatId, null, found!.Value.Text, SendAsNames.Agent)
            {
                SentBy = sender,
                Template = new OutgoingTemplate(found.Value.Template.Name, found.Value.Template.Language, variables),
            },
            ct,
            check: async conversation =>
            {
                var template = await FindTemplateAsync(conversation, c.Name!, c.Language!, variables.Count, ct);
                var text = MessageTemplates.Fill(template.Body, variables);
                if (text.Length > MessageLimits.TextMax)
                    throw new RequestValidationException("variables", $"The template's text filled in would be longer than {MessageLimits.TextMax} characters.");
                found = (template, text);
            });
    }

    /// <summary>The approved template by name and language, taking exactly <paramref name="variableCount"/> variables; else 400.</summary>
    private async Task<MessageTemplateDto> FindTemplateAsync(
        ConversationDto conversation, string name, string language, int variableCount, CancellationToken ct)
    {
        var instance = await _instances.FindByNameAsync(conversation.InstanceName, fresh: false, ct)
                       ?? throw new NotFoundException("Conversation", conversation.SessionId);
        MessageTemplateDto? Find(IReadOnlyList<MessageTemplateDto> list) =>
            list.FirstOrDefault(t => t.Name == name && t.Language == language);
        // One approved since the list was cached is looked for once more, from the Graph API.
        var template = Find(await MessageTemplateSource.ApprovedAsync(_catalog, instance, refresh: false, ct))
                       ?? Find(await MessageTemplateSource.ApprovedAsync(_catalog, instance, refresh: true, ct))
                       ?? throw new RequestValidationException("name", $"The instance has no approved template '{name}' in language '{language}'.");
        if (template.VariableCount != variableCount)
            throw new RequestValidationException("variables",
                $"The template '{name}' takes {template.VariableCount} variable(s); {variableCount} given.");
        return template;
    }
}
