using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Instances;
using HybridFlow.Domain.Chats;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReadModels;
using HybridFlow.Infrastructure.Persistence.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Instances;

internal sealed class InstanceStore : IInstanceStore
{
    private readonly HybridFlowDbContext _db;
    private readonly InstanceCache _cache;
    private readonly StoredSecrets _secrets;

    public InstanceStore(HybridFlowDbContext db, InstanceCache cache, Security.SecretProtector secrets, ILogger<InstanceStore> logger)
    {
        _db = db;
        _cache = cache;
        _secrets = new StoredSecrets(secrets, logger);
    }

    public async Task<InstanceDto?> CreateAsync(NewInstance i, DateTimeOffset now, CancellationToken ct)
    {
        var row = new InstanceRow
        {
            TenantId = i.TenantId, InstanceName = i.InstanceName, Provider = i.Provider.Name(), EvoServerUrl = i.EvoServerUrl,
            EvoServerUrlTrusted = i.EvoServerUrlTrusted, MetaPhoneNumberId = i.MetaCloud?.PhoneNumberId, MetaWabaId = i.MetaCloud?.WabaId,
            CreatedAt = now, UpdatedAt = now,
        };
        // The secrets are bound to the row's id, which exists only after the insert: both writes in one transaction.
        await using var tx = await _db.Database.BeginTransactionAsync(ct);
        _db.Instances.Add(row);
        try
        {
            await _db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique)
        {
            if (unique.ConstraintName == MetaPhoneNumberIdKey) throw new ConflictException(InstanceConflicts.MetaPhoneNumberTaken);
            return null;
        }
        row.EvoApiKey = _secrets.Protect(i.EvoApiKey, InstanceSecrets.Context("evo_api_key", row.Id));
        row.WebhookSecret = _secrets.Protect(i.WebhookSecret, InstanceSecrets.Context("webhook_secret", row.Id));
        row.MetaAccessToken = _secrets.Protect(i.MetaCloud?.AccessToken, InstanceSecrets.Context("meta_access_token", row.Id));
        row.MetaAppSecret = _secrets.Protect(i.MetaCloud?.AppSecret, InstanceSecrets.Context("meta_app_secret", row.Id));
        row.MetaVerifyToken = _secrets.Protect(i.MetaCloud?.VerifyToken, InstanceSecrets.Context("meta_verify_token", row.Id));
        row.EvoGlobalApiKey = _secrets.Protect(i.EvoGlobalApiKey, InstanceSecrets.Context("evo_global_api_key", row.Id));
        await _db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ToDto(row);
    }

    public async Task<IReadOnlyList<InstanceDto>> ListAsync(long? tenantId, CancellationToken ct)
    {
        var rows = await _db.Instances.AsNoTracking()
            .Where(i => tenantId == null || i.TenantId == tenantId)
            .OrderBy(i => i.Id)
            .ToListAsync(ct);
        return rows.Select(ToDto).ToList();
    }

    public async Task<InstanceDto?> FindAsync(string instanceName, CancellationToken ct)
    {
        var row = await _db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.InstanceName == instanceName, ct);
        return row is null ? null : ToDto(row);
    }

    public async Task<InstanceDto?> UpdateAsync(string instanceName, InstancePatch patch, DateTimeOffset now, CancellationToken ct)
    {
        var row = await _db.Instances.FirstOrDefaultAsync(i => i.InstanceName == instanceName, ct);
        if (row is null) return null;
        if (patch.EvoServerUrl.HasValue)
        {
            row.EvoServerUrl = patch.EvoServerUrl.Value;
            row.EvoServerUrlTrusted = patch.EvoServerUrlTrusted;
        }
        // Instance names never change (the name is the key here), and the secrets are bound to the row's id.
        row.EvoApiKey = patch.EvoApiKey.HasValue
            ? _secrets.Protect(patch.EvoApiKey.Value, InstanceSecrets.Context("evo_api_key", row.Id))
            : _secrets.Rebind(row.EvoApiKey, InstanceSecrets.Context("evo_api_key", row.Id));
        row.WebhookSecret = patch.WebhookSecret.HasValue
            ? _secrets.Protect(patch.WebhookSecret.Value, InstanceSecrets.Context("webhook_secret", row.Id))
            : _secrets.Rebind(row.WebhookSecret, InstanceSecrets.Context("webhook_secret", row.Id));
        if (patch.MetaPhoneNumberId.HasValue) row.MetaPhoneNumberId = patch.MetaPhoneNumberId.Value;
        if (patch.MetaWabaId.HasValue) row.MetaWabaId = patch.MetaWabaId.Value;
        row.MetaAccessToken = Secret(row.MetaAccessToken, patch.MetaAccessToken.HasValue, patch.MetaAccessToken.Value, "meta_access_token", row.Id);
        row.MetaAppSecret = Secret(row.MetaAppSecret, patch.MetaAppSecret.HasValue, patch.MetaAppSecret.Value, "meta_app_secret", row.Id);
        row.MetaVerifyToken = Secret(row.MetaVerifyToken, patch.MetaVerifyToken.HasValue, patch.MetaVerifyToken.Value, "meta_verify_token", row.Id);
        row.EvoGlobalApiKey = Secret(row.EvoGlobalApiKey, patch.EvoGlobalApiKey.HasValue, patch.EvoGlobalApiKey.Value, "evo_global_api_key", row.Id);
        row.UpdatedAt = now;
        try
        {
            await _db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: MetaPhoneNumberIdKey })
        {
            throw new ConflictException(InstanceConflicts.MetaPhoneNumberTaken);
        }
        _cache.Clear();
        return ToDto(row);
    }

    public async Task<bool> DeleteAsync(string instanceName, CancellationToken ct)
    {
        var deleted = await _db.Instances.Where(i => i.InstanceName == instanceName).ExecuteDeleteAsync(ct) > 0;
        _cache.Clear();
        return deleted;
    }

    public async Task<string?> FindEvolutionGlobalKeyAsync(string instanceName, CancellationToken ct)
    {
        var row = await _db.Instances.AsNoTracking().Where(i => i.InstanceName == instanceName)
            .Select(i => new { i.Id, i.EvoGlobalApiKey }).FirstOrDefaultAsync(ct);
        return row?.EvoGlobalApiKey is null ? null : _secrets.Unprotect(row.EvoGlobalApiKey, InstanceSecrets.Context("evo_global_api_key", row.Id));
    }

    private const string MetaPhoneNumberIdKey = "instances_meta_phone_number_id_key";

    private string? Secret(string? stored, bool set, string? value, string column, long id) =>
        set ? _secrets.Protect(value, InstanceSecrets.Context(column, id)) : _secrets.Rebind(stored, InstanceSecrets.Context(column, id));

    private InstanceDto ToDto(InstanceRow i) => new(
        i.Id, i.TenantId, i.InstanceName, i.Provider, i.EvoServerUrl,
        _secrets.Mask(i.EvoApiKey, InstanceSecrets.Context("evo_api_key", i.Id)), _secrets.Mask(i.WebhookSecret, InstanceSecrets.Context("webhook_secret", i.Id)),
        i.CreatedAt, i.UpdatedAt, i.MetaPhoneNumberId, i.MetaWabaId,
        _secrets.Mask(i.MetaAccessToken, InstanceSecrets.Context("meta_access_token", i.Id)),
        _secrets.Mask(i.MetaAppSecret, InstanceSecrets.Context("meta_app_secret", i.Id)),
        _secrets.Mask(i.MetaVerifyToken, InstanceSecrets.Context("meta_verify_token", i.Id)),
        EvoGlobalApiKeySet: i.EvoGlobalApiKey is not null);
}
