using FluentValidation;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Inbox.Contacts;

/// <summary>
/// The contact panel of a conversation: who the customer is to the business. <c>name</c> is the name a person gave
/// them, else WhatsApp's (<c>whatsapp_name</c>); <c>conversations</c> counts the tenant's chats with this customer
/// (one per WhatsApp number they wrote to), <c>first_seen_at</c> the first of them.
/// </summary>
public sealed record ContactDto(
    long SessionId,
    string ChatId,
    string? Phone,
    string Channel,
    string InstanceName,
    string? Name,
    string? WhatsappName,
    bool NameSetByPerson,
    IReadOnlyList<string> Tags,
    DateTimeOffset? FirstSeenAt,
    long Conversations,
    string? Notes,
    DateTimeOffset? UpdatedAt,
    string? UpdatedBy);

/// <summary>What a person stored about a customer (nulls when nobody did), WhatsApp's name, and the customer's history with the tenant.</summary>
public sealed record StoredContact(
    string? DisplayName, string? Notes, DateTimeOffset? UpdatedAt, string? UpdatedBy, string? WhatsappName, DateTimeOffset? FirstSeenAt, long Conversations);

public interface IContactQueries
{
    /// <summary>The contact of the conversation <paramref name="sessionId"/> (its tenant and chat).</summary>
    Task<StoredContact> FindAsync(long sessionId, CancellationToken ct);
}

public interface IContactStore
{
    /// <summary>Sets the fields given (null clears one); creates the contact's row on its first edit.</summary>
    Task SaveAsync(long tenantId, string chatId, Optional<string?> displayName, Optional<string?> notes, DateTimeOffset now, long? userId, CancellationToken ct);
}

[RequiresRole(CallerRole.Agent)]
public sealed record GetContactQuery(long SessionId) : IRequest<ContactDto>;

/// <summary>PATCH …/contact: <c>name</c> (null gives WhatsApp's name back) and <c>notes</c>, each only when sent.</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record UpdateContactCommand(long SessionId, Optional<string?> Name, Optional<string?> Notes) : IRequest<ContactDto>;

public static class ContactLimits
{
    public const int NameLength = 100;
    public const int NotesLength = 4000;
}

public sealed class UpdateContactCommandValidator : AbstractValidator<UpdateContactCommand>
{
    public UpdateContactCommandValidator()
    {
        RuleFor(c => c.SessionId).GreaterThan(0).OverridePropertyName("session_id");
        RuleFor(c => c.Name.Value).Must(n => n!.Trim().Length is > 0 and <= ContactLimits.NameLength && !n.Any(char.IsControl))
            .WithMessage($"name has 1-{ContactLimits.NameLength} characters and no control characters; null gives back WhatsApp's name.")
            .When(c => c.Name is { HasValue: true, Value: not null }).OverridePropertyName("name");
        RuleFor(c => c.Notes.Value).Must(n => n!.Length <= ContactLimits.NotesLength)
            .WithMessage($"notes have at most {ContactLimits.NotesLength} characters.")
            .When(c => c.Notes is { HasValue: true, Value: not null }).OverridePropertyName("notes");
    }
}

public sealed class ContactHandlers(ConversationAccess access, IContactQueries queries, IContactStore contacts, TimeProvider time)
    : IRequestHandler<GetContactQuery, ContactDto>, IRequestHandler<UpdateContactCommand, ContactDto>
{
    public async Task<ContactDto> Handle(GetContactQuery query, CancellationToken ct) =>
        await ReadAsync(await access.RequireVisibleAsync(query.SessionId, ct), ct);

    public async Task<ContactDto> Handle(UpdateContactCommand command, CancellationToken ct)
    {
        var conversation = await access.RequireVisibleAsync(command.SessionId, ct);
        var name = command.Name.HasValue ? Optional<string?>.Of(command.Name.Value?.Trim()) : default;
        var notes = command.Notes.HasValue ? Optional<string?>.Of(string.IsNullOrWhiteSpace(command.Notes.Value) ? null : command.Notes.Value) : default;
        await contacts.SaveAsync(conversation.TenantId, conversation.ChatId, name, notes, time.GetUtcNow(), access.UserId, ct);
        return await ReadAsync(conversation, ct);
    }

    /// <summary>The contact of a conversation the caller was already shown to see.</summary>
    private async Task<ContactDto> ReadAsync(ConversationDto conversation, CancellationToken ct)
    {
        var stored = await queries.FindAsync(conversation.SessionId, ct);
        return new ContactDto(conversation.SessionId, conversation.ChatId, conversation.Phone, conversation.Channel, conversation.InstanceName,
            stored.DisplayName ?? stored.WhatsappName, stored.WhatsappName, stored.DisplayName is not null, conversation.Tags,
            stored.FirstSeenAt, stored.Conversations, stored.Notes, stored.UpdatedAt, stored.UpdatedBy);
    }
}
