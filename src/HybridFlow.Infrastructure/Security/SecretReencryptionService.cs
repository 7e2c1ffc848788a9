using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HybridFlow.Infrastructure.Security;

/// <summary>
/// At startup, encrypts legacy plain-text secrets and re-encrypts values under previous keys with the current one,
/// so a key rotation is: set the new key, keep the old one in SECRETS_ENCRYPTION_PREVIOUS_KEYS, restart, drop the old key.
/// </summary>
public sealed class SecretReencryptionService : IHostedService
{
    /// <summary>Table and columns that hold secrets.</summary>
    public static readonly IReadOnlyList<(string Table, string Column)> SecretColumns =
    [
        ("instances", "evo_api_key"),
        ("instances", "webhook_secret"),
        ("tenants", "workflow_secret"),
        ("tenants", "llm_api_key"),
    ];

    private readonly NpgsqlDataSource _db;
    private readonly SecretProtector _protector;
    private readonly ILogger<SecretReencryptionService> _logger;

    public SecretReencryptionService(NpgsqlDataSource db, SecretProtector protector, ILogger<SecretReencryptionService> logger)
    {
        _db = db;
        _protector = protector;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var rewritten = 0;
        await using var connection = await _db.OpenConnectionAsync(cancellationToken);
        foreach (var (table, column) in SecretColumns)
        {
            var stale = new List<(long Id, string Value)>();
            await using (var select = new NpgsqlCommand($"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL", connection))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken))
                    if (!_protector.IsCurrent(reader.GetString(1))) stale.Add((reader.GetInt64(0), reader.GetString(1)));

            foreach (var (id, value) in stale)
            {
                string? plaintext;
                try
                {
                    plaintext = _protector.Unprotect(value);
                }
                catch (Application.Common.Exceptions.ServiceUnavailableException)
                {
                    _logger.LogError("{table}.{column} of row {id} is encrypted under a key this process does not have; left as is", table, column, id);
                    continue;
                }

                // Optimistic: only if nobody changed the value meanwhile (another replica doing the same).
                await using var update = new NpgsqlCommand($"UPDATE {table} SET {column} = $1 WHERE id = $2 AND {column} = $3", connection);
                update.Parameters.AddWithValue(_protector.Protect(plaintext)!);
                update.Parameters.AddWithValue(id);
                update.Parameters.AddWithValue(value);
                rewritten += await update.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        if (rewritten > 0) _logger.LogInformation("Re-encrypted {count} stored secrets under the current key", rewritten);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
