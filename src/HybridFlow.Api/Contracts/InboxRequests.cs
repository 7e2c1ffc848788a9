using System.Text.Json.Serialization;
using HybridFlow.Application.Common.Models;

namespace HybridFlow.Api.Contracts;

/// <summary>POST /api/inbox/conversations/{session_id}/messages: <c>text</c> 1-4096 characters, sent to the customer as the logged-in person.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SendInboxMessageRequest(string? Text);

/// <summary>
/// POST /api/inbox/conversations/{session_id}/template: an approved WhatsApp template by <c>name</c> and <c>language</c>
/// (e.g. pt_BR), <c>variables</c> the texts of its body's <c>{{1}}</c>, <c>{{2}}</c>, … in order.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SendInboxTemplateRequest(string? Name, string? Language, IReadOnlyList<string?>? Variables);

/// <summary>POST /api/inbox/conversations/{session_id}/notes: <c>text</c> 1-4096 characters, for colleagues only.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AddNoteRequest(string? Text);

/// <summary>PATCH /api/inbox/conversations/{session_id}: send only the fields to change.</summary>
/// <param name="AssigneeUserId">A user of the conversation's tenant, or null to unassign. An agent may only take an unassigned conversation or give back their own.</param>
/// <param name="Tags">Replaces the tags: at most 20, each 1-32 characters; lower-cased, trimmed and de-duplicated. null or [] clears them.</param>
/// <param name="Status">open or resolved. A new customer message reopens a resolved conversation by itself.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateConversationRequest(
    [property: Clearable] Optional<long?> AssigneeUserId,
    [property: Clearable] Optional<IReadOnlyList<string>?> Tags,
    Optional<string?> Status);

/// <summary>PATCH /api/inbox/conversations/{session_id}/contact: send only the fields to change.</summary>
/// <param name="Name">The customer's name for the business, shown instead of WhatsApp's (1-100 characters); null gives WhatsApp's back.</param>
/// <param name="Notes">Notes about the customer (at most 4000 characters); null or empty clears them.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateContactRequest(
    [property: Clearable] Optional<string?> Name,
    [property: Clearable] Optional<string?> Notes);
