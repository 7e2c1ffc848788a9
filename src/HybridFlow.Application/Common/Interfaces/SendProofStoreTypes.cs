namespace HybridFlow.Application.Common.Interfaces;

/// <summary>A status that carried a send's callback data: the message's wamid, the status name (sent, delivered...) and when it arrived.</summary>
public sealed record SendProof(long InstanceId, string CallbackData, string ProviderMessageId, string Status, DateTimeOffset ReceivedAt);
