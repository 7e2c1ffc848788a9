using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Application.Common.Security;

/// <summary>
/// The save-time half of the outbound rule. A URL saved by the platform admin is trusted and stored as such;
/// one saved with a tenant key must pass <see cref="IOutboundAddressPolicy"/> and is stored untrusted, so the
/// connect-time guard checks it again on every new connection (DNS rebinding).
/// </summary>
public static class OutboundUrls
{
    /// <summary>
    /// Checks <paramref name="url"/> for <paramref name="field"/> (a 400 naming the field when refused) and answers whether
    /// it is trusted. A new tenant-settable URL is one call of this in its handler plus its <c>*_trusted</c> column.
    /// </summary>
    public static async Task<bool> AdmitAsync(this IOutboundAddressPolicy policy, ICurrentCaller caller, string field, string? url, CancellationToken ct)
    {
        if (caller.Role == CallerRole.PlatformAdmin) return true;
        if (string.IsNullOrWhiteSpace(url)) return false;
        if (await policy.RefusalAsync(url.Trim(), ct) is { } refusal)
            throw new RequestValidationException(field, $"{field} {refusal}");
        return false;
    }
}
