using System.Xml.Linq;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HybridFlow.Infrastructure.Security;

/// <summary>
/// At startup, encrypts legacy plain-text secrets and re-encrypts values under previous keys (or unbound, v1) with the current one, bound to their row,
/// so a key rotation is: set the new key, keep the old one in SECRETS_ENCRYPTION_PREVIOUS_KEYS, restart, drop the old key.
/// Data Protection's keys (the login cookie's and the CSRF tokens') are re-encrypted too, so logins outlive the rotation.
/// </summary>
internal sealed class SecretReencryptionService : IHostedService
{
    /// <summary>Table, column and the row key each secret is bound to (see <see cref="SecretProtector.Context"/>).</summary>
    public static readonly IReadOnlyList<(string Table, string Column, string RowKey)> SecretColumns =
    [
        ("instances", "evo_api_key", "id"),
        ("instances", "webhook_secret", "id"),
        ("instances", "meta_access_token", "id"),
        ("instances", "meta_app_secret", "id"),
        ("instances", "meta_verify_token", "id"),
        ("instances", "evo_global_api_key", "id"),
        ("tenants", "workflow_secret", "id"),
        ("tenants", "llm_api_key", "id"),
        ("notify_deliveries", "signing_secret", "delivery_id"),
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
        foreach (var (table, column, rowKey) in SecretColumns)
        {
            // Legacy plain text, v1 (unbound) and values under previous keys: all rewritten as v2, bound to their row.
            var stale = new List<(long Id, string RowKey, string Value)>();
            await using (var select = new NpgsqlCommand($"SELECT id, {rowKey}::text AS row_key, {column} AS value FROM {table} WHERE {column} IS NOT NULL", connection))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken))
                    if (reader.GetString(reader.GetOrdinal("value")) is var value && !_protector.IsCurrent(value))
                        stale.Add((reader.GetInt64(reader.GetOrdinal("id")), reader.GetString(reader.GetOrdinal("row_key")), value));

            foreach (var (id, key, value) in stale)
            {
                var context = SecretProtector.Context(table, column, key);
                string? plaintext;
                try
                {
                    if (!_protector.TryUnprotect(value, context, out plaintext))
                    {
                        _logger.LogError("{context} does not decrypt for its row (copied from elsewhere or damaged); left as is, it must be entered again", context);
                        continue;
                    }
                }
                catch (Application.Common.Exceptions.ServiceUnavailableException)
                {
                    _logger.LogError("{context} is encrypted under a key this process does not have; left as is", context);
                    continue;
                }

                // Optimistic: only if nobody changed the value meanwhile (another replica doing the same).
                await using var update = new NpgsqlCommand($"UPDATE {table} SET {column} = $1 WHERE id = $2 AND {column} = $3", connection);
                update.Parameters.AddWithValue(_protector.Protect(plaintext, context)!);
                update.Parameters.AddWithValue(id);
                update.Parameters.AddWithValue(value);
                rewritten += await update.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        rewritten += await ReencryptDataProtectionKeysAsync(connection, cancellationToken);
        if (rewritten > 0) _logger.LogInformation("Re-encrypted {count} stored secrets under the current key", rewritten);
    }

    /// <summary>Each key's XML holds its secret as one <c>value</c> element that <see cref="SecretXmlEncryptor"/> wrote.</summary>
    private async Task<int> ReencryptDataProtectionKeysAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var stale = new List<(long Id, string Xml)>();
        await using (var select = new NpgsqlCommand("SELECT id, xml FROM data_protection_keys", connection))
        await using (var reader = await select.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                stale.Add((reader.GetInt64(reader.GetOrdinal("id")), reader.GetString(reader.GetOrdinal("xml"))));

        var rewritten = 0;
        foreach (var (id, xml) in stale)
        {
            var element = XElement.Parse(xml);
            var values = element.Descendants(SecretXmlEncryptor.ValueElement)
                .Where(v => v.Parent?.Name.LocalName == SecretXmlEncryptor.EncryptedKeyElement && !_protector.IsCurrent(v.Value)).ToList();
            if (values.Count == 0) continue;
            try
            {
                foreach (var value in values)
                    value.Value = _protector.Protect(_protector.Unprotect(value.Value, SecretXmlEncryptor.Context), SecretXmlEncryptor.Context)!;
            }
            catch (Application.Common.Exceptions.ServiceUnavailableException)
            {
                _logger.LogError("Data Protection key row {id} is encrypted under a key this process does not have; left as is", id);
                continue;
            }
            await using var update = new NpgsqlCommand("UPDATE data_protection_keys SET xml = $1 WHERE id = $2 AND xml = $3", connection);
            update.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
            update.Parameters.AddWithValue(id);
            update.Parameters.AddWithValue(xml);
            rewritten += await update.ExecuteNonQueryAsync(ct);
        }
        return rewritten;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
