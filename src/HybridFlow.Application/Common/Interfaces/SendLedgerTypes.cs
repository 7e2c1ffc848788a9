using HybridFlow.Domain.Replies;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>A send whose outcome needs proof, taken by a resolver until <see cref="ClaimedUntil"/> (which fences it).</summary>
public sealed record UnresolvedSend(
    long SendId,
    ReplyJobKind Kind,
    DateTimeOffset ClaimedUntil,
    InstanceContext Instance,
    string ChatId,
    string Text,
    /// <summary>Set when the echo came: that alone proves the send.</summary>
    string? EchoProviderMessageId,
    /// <summary>The send is not older than this (Evolution's clock may differ a little).</summary>
    DateTimeOffset NotBefore,
    /// <summary>Provider ids of the chat's recent messages we know: Evolution's record must show them to prove an absence.</summary>
    IReadOnlyList<string> KnownMessageIds,
    string? CorrelationId,
    /// <summary>The job's part in flight (zero-based), whose text <see cref="Text"/> is.</summary>
    int Part = 0);
