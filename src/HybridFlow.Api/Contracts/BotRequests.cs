using System.Text.Json.Serialization;
using HybridFlow.Application.Replies.Commands;

namespace HybridFlow.Api.Contracts;

/// <summary>POST /api/tenants/{id}/preview-reply: what the bot would answer; nothing is sent and no conversation is written.</summary>
/// <param name="Text">The customer's new message (1-4096 characters).</param>
/// <param name="History">Earlier lines, oldest first (at most 50): role customer, bot or person, and text.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PreviewReplyRequest(string? Text, IReadOnlyList<PreviewTurnRequest?>? History = null)
{
    public PreviewReplyCommand ToCommand(long tenantId) =>
        new(tenantId, Text, History?.Select(t => t is null ? null : new PreviewTurn(t.Role, t.Text)).ToList());
}

/// <summary>One earlier line of the conversation being tried.</summary>
/// <param name="Role">customer, bot or person.</param>
/// <param name="Text">What was written.</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PreviewTurnRequest(string? Role, string? Text);

/// <summary>
/// POST /api/tenants/{id}/saved-replies, and PATCH (send only what changes). The text may hold {{contact_name}} and
/// {{agent_name}}, filled in when an agent picks the reply in the composer.
/// </summary>
/// <param name="Shortcut">1-32 lower-case letters, digits, '-' or '_'; unique in the tenant; typed after "/" in the composer.</param>
/// <param name="Text">The reply (1-4096 characters).</param>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SavedReplyRequest(string? Shortcut = null, string? Text = null);
