namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// Which addresses the server may be told to call (SSRF protection). A URL set with a tenant key may not reach
/// loopback, link-local, private, CGNAT, multicast or metadata addresses; the host is resolved when the URL is saved,
/// and again when it is connected to.
/// </summary>
public interface IOutboundAddressPolicy
{
    /// <summary>Null when <paramref name="url"/> may be called for a tenant; otherwise why not (no resolved address in it).</summary>
    Task<string?> RefusalAsync(string url, CancellationToken ct);
}
