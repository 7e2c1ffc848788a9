using HybridFlow.Application.Instances;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>The admin stores' view of stored secrets: encrypted and bound to their row, shown masked.</summary>
internal sealed class StoredSecrets
{
    private readonly Security.SecretProtector _protector;
    private readonly ILogger _logger;

    public StoredSecrets(Security.SecretProtector protector, ILogger logger)
    {
        _protector = protector;
        _logger = logger;
    }

    public string? Protect(string? plaintext, string context) => _protector.Protect(plaintext, context);

    /// <summary>The secret in clear, for a call that needs it; null when it does not decrypt for its row (it must be entered again).</summary>
    public string? Unprotect(string? stored, string context) =>
        _protector.TryUnprotect(stored, context, out var plaintext) ? plaintext : null;

    /// <summary>An unchanged secret in an older form (plain text, unbound v1, a previous key) is rewritten bound on the next write.</summary>
    public string? Rebind(string? stored, string context) =>
        _protector.IsCurrent(stored) || !_protector.TryUnprotect(stored, context, out var plaintext) ? stored : _protector.Protect(plaintext, context);

    /// <summary>
    /// The masked secret; one that does not decrypt for its row (copied from another row or damaged) shows as
    /// <see cref="SecretMask.Unreadable"/> so the page still lists it and the operator knows to enter it again.
    /// </summary>
    public string? Mask(string? stored, string context)
    {
        if (_protector.TryUnprotect(stored, context, out var plaintext)) return SecretMask.Mask(plaintext);
        _logger.LogError("The stored secret {context} does not decrypt for its row (copied from elsewhere or damaged); it must be entered again", context);
        return SecretMask.Unreadable;
    }
}
