using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>A media file as Evolution hands it over (decoded from its base64).</summary>
public sealed record MediaContent(string MimeType, byte[] Data, string? FileName = null);

public sealed record TranscriptionRequest(MediaContent Audio, string? Model, LlmCredentials? Credentials, string? CorrelationId = null);

public sealed record Transcript(string Text);
