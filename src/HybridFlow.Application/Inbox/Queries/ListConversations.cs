using System.Globalization;
using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using HybridFlow.Domain.Inbox;
using MediatR;

namespace HybridFlow.Application.Inbox.Queries;

/// <summary>
/// GET /api/inbox/conversations: the conversations the caller sees, newest activity first. <c>assigned_to</c> is me,
/// unassigned or a user id; <c>q</c> matches the contact name, the phone digits and the message texts. <c>ids</c>
/// (comma-separated, at most <see cref="InboxLimits.IdsMax"/>) answers which of those conversations belong in the list
/// with these filters, all on one page: the live list asks it instead of judging the filters itself.
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record ListConversationsQuery(
    string? Status, string? AssignedTo, string? Tag, string? Q, int Page = 1, int PageSize = Paging.DefaultPageSize, long? TenantId = null,
    string? Ids = null)
    : IRequest<PagedResult<ConversationDto>>;

public sealed class ListConversationsQueryValidator : AbstractValidator<ListConversationsQuery>
{
    public ListConversationsQueryValidator()
    {
        RuleFor(q => q.Status).Must(s => s is null || ConversationStatusFilterNames.Names.Contains(s))
            .WithMessage($"status must be one of: {string.Join(", ", ConversationStatusFilterNames.Names)}.").OverridePropertyName("status");
        RuleFor(q => q.AssignedTo).Must(a => a is null || a is AssignedToNames.Me or AssignedToNames.Unassigned || ParsePositiveId(a) is not null)
            .WithMessage("assigned_to must be me, unassigned or a user id.").OverridePropertyName("assigned_to");
        RuleFor(q => q.Tag).Must(t => t is null || ConversationTags.TryNormalize(t) is not null)
            .WithMessage($"tag must have 1-{ConversationTags.MaxLength} characters.").OverridePropertyName("tag");
        RuleFor(q => q.Q).MaximumLength(InboxLimits.SearchMax).OverridePropertyName("q");
        RuleFor(q => q.TenantId).GreaterThan(0).When(q => q.TenantId is not null).OverridePropertyName("tenant_id");
        RuleFor(q => q.Page).InclusiveBetween(1, Paging.MaxPage).OverridePropertyName("page");
        RuleFor(q => q.PageSize).InclusiveBetween(1, Paging.MaxPageSize).OverridePropertyName("page_size");
        RuleFor(q => q.Ids).Must(ids => ids is null || ParseIds(ids) is not null)
            .WithMessage($"ids must be 1 to {InboxLimits.IdsMax} conversation ids, separated by commas.").OverridePropertyName("ids");
    }

    /// <summary>The distinct ids of a comma-separated list, or null when one is not a positive id or there are too many.</summary>
    public static IReadOnlyList<long>? ParseIds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > InboxLimits.IdsMax) return null;
        var ids = new List<long>(parts.Length);
        foreach (var part in parts)
        {
            if (ParsePositiveId(part) is not { } id) return null;
            if (!ids.Contains(id)) ids.Add(id);
        }
        return ids;
    }

    public static long? ParsePositiveId(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
}

public sealed class ListConversationsQueryHandler : IRequestHandler<ListConversationsQuery, PagedResult<ConversationDto>>
{
    private readonly ConversationAccess _access;
    private readonly IInboxQueries _inbox;
    private readonly ITenantStore _tenants;

    public ListConversationsQueryHandler(ConversationAccess access, IInboxQueries inbox, ITenantStore tenants)
    {
        _access = access;
        _inbox = inbox;
        _tenants = tenants;
    }

    public async Task<PagedResult<ConversationDto>> Handle(ListConversationsQuery query, CancellationToken ct)
    {
        var scope = _access.Scope(query.TenantId);
        // A mistyped tenant_id says so instead of looking like a tenant without chats.
        if (query.TenantId is { } requested && await _tenants.FindAsync(requested, ct) is null) throw new NotFoundException("Tenant", requested);

        long? assignee = null;
        if (query.AssignedTo == AssignedToNames.Me)
            assignee = _access.UserId ?? throw new RequestValidationException("assigned_to", "assigned_to=me needs a person logged in; an API key is nobody.");
        else if (query.AssignedTo is not (null or AssignedToNames.Unassigned))
            assignee = ListConversationsQueryValidator.ParsePositiveId(query.AssignedTo);

        var filter = new ConversationListFilter(
            ConversationStatusFilterNames.Parse(query.Status), assignee, query.AssignedTo == AssignedToNames.Unassigned,
            query.Tag is null ? null : ConversationTags.TryNormalize(query.Tag), string.IsNullOrWhiteSpace(query.Q) ? null : query.Q.Trim(),
            query.Ids is null ? null : ListConversationsQueryValidator.ParseIds(query.Ids));
        // The ids of a batch fit on the one page they are answered on.
        var (page, pageSize) = filter.SessionIds is { } ids ? (1, ids.Count) : (query.Page, query.PageSize);
        try
        {
            var (items, total) = await _inbox.ListAsync(scope, filter, page, pageSize, ct);
            return new PagedResult<ConversationDto>(items, page, pageSize, total);
        }
        catch (QueryTimedOutException) when (filter.Search is not null)
        {
            // A broad or very short q over a large inbox: the caller's input, so a 400 that says what to change.
            throw new RequestValidationException("q", "The search took too long; narrow the search (a longer word, a name or part of a number).");
        }
    }
}
