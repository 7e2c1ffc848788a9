using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Instances;
using HybridFlow.Application.Sessions;
using HybridFlow.Application.Tenants;
using HybridFlow.Domain.Replies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence;

public sealed class TenantStore : ITenantStore
{
    private readonly HybridFlowDbContext _db;
    private readonly InstanceCache _instanceCache;
    private readonly StoredSecrets _secrets;

    public TenantStore(HybridFlowDbContext db, InstanceCache instanceCache, Security.SecretProtector secrets, ILogger<TenantStore> logger)
    {
        _db = db;
        _instanceCache = instanceCache;
        _secrets = new StoredSecrets(secrets, logger);
    }

    public async Task<TenantDto> CreateAsync(NewTenant t, DateTimeOffset now, CancellationToken ct)
    {
        var row = new TenantRow
        {
            Name = t.Name, SystemPrompt = t.SystemPrompt, LlmProvider = t.LlmProvider, LlmModel = t.LlmModel, ReplyMode = t.ReplyMode,
            WorkflowUrl = t.WorkflowUrl, WorkflowUrlTrusted = t.WorkflowUrlTrusted,
            ResumeAfterMinutes = t.ResumeAfterMinutes, DebounceSeconds = t.DebounceSeconds, HistoryMessages = t.HistoryMessages,
            ExternalSendsPause = t.ExternalSendsPause, CreatedAt = now, UpdatedAt = now,
            Conversation = ConversationSettingsJson.Serialize(t.Conversation),
            LlmBaseUrl = t.LlmBaseUrl, LlmBaseUrlTrusted = t.LlmBaseUrlTrusted, NotifyUrl = t.NotifyUrl, NotifyUrlTrusted = t.NotifyUrlTrusted,
            MonthlyTokenBudget = t.MonthlyTokenBudget,
        };
        // The secrets are bound to the row's id, which exists only after the insert: both writes in one transaction.
        await using var tx = await _db.Database.BeginTransactionAsync(ct);
        _db.Tenants.Add(row);
        await _db.SaveChangesAsync(ct);
        row.WorkflowSecret = _secrets.Protect(t.WorkflowSecret, SecretContexts.TenantSecret("workflow_secret", row.Id));
        row.LlmApiKey = _secrets.Protect(t.LlmApiKey, SecretContexts.TenantSecret("llm_api_key", row.Id));
        await _db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return ToDto(row);
    }

    public async Task<TenantDto?> FindAsync(long id, CancellationToken ct) =>
        await _db.Tenants.AsNoTracking().Where(t => t.Id == id).FirstOrDefaultAsync(ct) is { } row ? ToDto(row) : null;

    public async Task<(IReadOnlyList<TenantDto> Items, long Total)> ListAsync(long? onlyTenant, int page, int pageSize, CancellationToken ct)
    {
        var tenants = _db.Tenants.AsNoTracking().Where(t => onlyTenant == null || t.Id == onlyTenant);
        var total = await tenants.LongCountAsync(ct);
        var rows = await tenants.OrderBy(t => t.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return (rows.Select(ToDto).ToList(), total);
    }

    public async Task<TenantDto?> UpdateAsync(long id, TenantPatch patch, DateTimeOffset now, CancellationToken ct)
    {
        // Locked, so that two PATCHes of different conversation settings both land (they share one jsonb column).
        await using var tx = await _db.Database.BeginTransactionAsync(ct);
        var row = await _db.Tenants.FromSql($"SELECT * FROM tenants WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (row is null) return null;
        if (patch.Name.HasValue) row.Name = patch.Name.Value;
        if (patch.SystemPrompt.HasValue) row.SystemPrompt = patch.SystemPrompt.Value;
        if (patch.LlmProvider.HasValue) row.LlmProvider = patch.LlmProvider.Value;
        if (patch.LlmModel.HasValue) row.LlmModel = patch.LlmModel.Value;
        if (patch.ReplyMode.HasValue) row.ReplyMode = patch.ReplyMode.Value;
        if (patch.ResumeAfterMinutes.HasValue) row.ResumeAfterMinutes = patch.ResumeAfterMinutes.Value;
        if (patch.DebounceSeconds.HasValue) row.DebounceSeconds = patch.DebounceSeconds.Value;
        if (patch.HistoryMessages.HasValue) row.HistoryMessages = patch.HistoryMessages.Value;
        if (patch.ExternalSendsPause.HasValue) row.ExternalSendsPause = patch.ExternalSendsPause.Value;
        if (patch.WorkflowUrl.HasValue)
        {
            row.WorkflowUrl = patch.WorkflowUrl.Value;
            row.WorkflowUrlTrusted = patch.WorkflowUrlTrusted;
        }
        row.WorkflowSecret = patch.WorkflowSecret.HasValue
            ? _secrets.Protect(patch.WorkflowSecret.Value, SecretContexts.TenantSecret("workflow_secret", row.Id))
            : _secrets.Rebind(row.WorkflowSecret, SecretContexts.TenantSecret("workflow_secret", row.Id));
        if (!patch.Conversation.IsEmpty)
            row.Conversation = ConversationSettingsJson.Serialize(patch.Conversation.ApplyTo(ConversationSettingsJson.Deserialize(row.Conversation)));
        row.LlmApiKey = patch.LlmApiKey.HasValue
            ? _secrets.Protect(patch.LlmApiKey.Value, SecretContexts.TenantSecret("llm_api_key", row.Id))
            : _secrets.Rebind(row.LlmApiKey, SecretContexts.TenantSecret("llm_api_key", row.Id));
        if (patch.LlmBaseUrl.HasValue)
        {
            row.LlmBaseUrl = patch.LlmBaseUrl.Value;
            row.LlmBaseUrlTrusted = patch.LlmBaseUrlTrusted;
        }
        if (patch.NotifyUrl.HasValue)
        {
            row.NotifyUrl = patch.NotifyUrl.Value;
            row.NotifyUrlTrusted = patch.NotifyUrlTrusted;
        }
        if (patch.MonthlyTokenBudget.HasValue) row.MonthlyTokenBudget = patch.MonthlyTokenBudget.Value;
        row.UpdatedAt = now;
        await _db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        _instanceCache.Clear(); // cached instances carry the tenant's policy
        return ToDto(row);
    }

    public async Task<bool> DeleteAsync(long id, CancellationToken ct)
    {
        var deleted = await _db.Tenants.Where(t => t.Id == id).ExecuteDeleteAsync(ct) > 0;
        _instanceCache.Clear();
        return deleted;
    }

    private TenantDto ToDto(TenantRow t) => new TenantDto(
        t.Id, t.Name, t.SystemPrompt, t.LlmProvider, t.LlmModel, t.ReplyMode, t.WorkflowUrl, _secrets.Mask(t.WorkflowSecret, SecretContexts.TenantSecret("workflow_secret", t.Id)),
        t.ResumeAfterMinutes, t.DebounceSeconds,
        t.HistoryMessages, t.ExternalSendsPause, t.CreatedAt, t.UpdatedAt)
    {
        LlmApiKey = _secrets.Mask(t.LlmApiKey, SecretContexts.TenantSecret("llm_api_key", t.Id)),
        LlmBaseUrl = t.LlmBaseUrl,
        NotifyUrl = t.NotifyUrl,
        MonthlyTokenBudget = t.MonthlyTokenBudget,
    }.WithConversation(ConversationSettingsJson.Deserialize(t.Conversation));
}

public sealed class InstanceStore : IInstanceStore
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
            TenantId = i.TenantId, InstanceName = i.InstanceName, EvoServerUrl = i.EvoServerUrl, EvoServerUrlTrusted = i.EvoServerUrlTrusted,
            CreatedAt = now, UpdatedAt = now,
        };
        // The secrets are bound to the row's id, which exists only after the insert: both writes in one transaction.
        await using var tx = await _db.Database.BeginTransactionAsync(ct);
        _db.Instances.Add(row);
        try
        {
            await _db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return null;
        }
        row.EvoApiKey = _secrets.Protect(i.EvoApiKey, SecretContexts.InstanceSecret("evo_api_key", row.Id));
        row.WebhookSecret = _secrets.Protect(i.WebhookSecret, SecretContexts.InstanceSecret("webhook_secret", row.Id));
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
            ? _secrets.Protect(patch.EvoApiKey.Value, SecretContexts.InstanceSecret("evo_api_key", row.Id))
            : _secrets.Rebind(row.EvoApiKey, SecretContexts.InstanceSecret("evo_api_key", row.Id));
        row.WebhookSecret = patch.WebhookSecret.HasValue
            ? _secrets.Protect(patch.WebhookSecret.Value, SecretContexts.InstanceSecret("webhook_secret", row.Id))
            : _secrets.Rebind(row.WebhookSecret, SecretContexts.InstanceSecret("webhook_secret", row.Id));
        row.UpdatedAt = now;
        await _db.SaveChangesAsync(ct);
        _cache.Clear();
        return ToDto(row);
    }

    public async Task<bool> DeleteAsync(string instanceName, CancellationToken ct)
    {
        var deleted = await _db.Instances.Where(i => i.InstanceName == instanceName).ExecuteDeleteAsync(ct) > 0;
        _cache.Clear();
        return deleted;
    }

    private InstanceDto ToDto(InstanceRow i) => new(
        i.Id, i.TenantId, i.InstanceName, i.Provider, i.EvoServerUrl,
        _secrets.Mask(i.EvoApiKey, SecretContexts.InstanceSecret("evo_api_key", i.Id)), _secrets.Mask(i.WebhookSecret, SecretContexts.InstanceSecret("webhook_secret", i.Id)),
        i.CreatedAt, i.UpdatedAt);
}

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

public sealed class SessionQueries : ISessionQueries
{
    private readonly HybridFlowDbContext _db;

    public SessionQueries(HybridFlowDbContext db) => _db = db;

    public Task<SessionDto?> FindAsync(SessionLocator locator, CancellationToken ct)
    {
        var needsAttention = ReplyJobNames.NeedsAttention;
        var query = _db.Sessions.AsNoTracking();
        query = locator.SessionId is { } id
            ? query.Where(s => s.Id == id && (locator.TenantId == null || s.TenantId == locator.TenantId))
            : query.Where(s => s.Instance!.InstanceName == locator.InstanceName && s.ChatId == locator.ChatId
                               && (locator.TenantId == null || s.TenantId == locator.TenantId));
        return query.Select(s => new SessionDto(
                s.Id, s.TenantId, s.Instance!.InstanceName, s.ChatId, s.IsPaused, s.PauseReason, s.PausedUntil,
                s.LastMessageAt, s.LastHumanAt, s.CreatedAt, s.UpdatedAt,
                s.NeedsAttention || _db.ReplyJobs.Any(j => j.SessionId == s.Id && j.Status == needsAttention)))
            .FirstOrDefaultAsync(ct);
    }

    public async Task<(IReadOnlyList<SessionDto> Items, long Total)> ListAsync(
        long? tenantId, SessionFilter filter, int page, int pageSize, CancellationToken ct, string? pauseReason = null)
    {
        var needsAttention = ReplyJobNames.NeedsAttention;
        var query = _db.Sessions.AsNoTracking().Where(s => tenantId == null || s.TenantId == tenantId);
        query = filter switch
        {
            SessionFilter.Active => query.Where(s => !s.IsPaused),
            SessionFilter.Paused => query.Where(s => s.IsPaused),
            SessionFilter.NeedsAttention => query.Where(s => s.NeedsAttention || _db.ReplyJobs.Any(j => j.SessionId == s.Id && j.Status == needsAttention)),
            _ => query,
        };
        if (pauseReason is not null) query = query.Where(s => s.IsPaused && s.PauseReason == pauseReason);
        var total = await query.LongCountAsync(ct);
        var items = await query
            .OrderByDescending(s => s.LastMessageAt ?? s.CreatedAt).ThenByDescending(s => s.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(s => new SessionDto(
                s.Id, s.TenantId, s.Instance!.InstanceName, s.ChatId, s.IsPaused, s.PauseReason, s.PausedUntil,
                s.LastMessageAt, s.LastHumanAt, s.CreatedAt, s.UpdatedAt,
                s.NeedsAttention || _db.ReplyJobs.Any(j => j.SessionId == s.Id && j.Status == needsAttention)))
            .ToListAsync(ct);
        return (items, total);
    }
}
