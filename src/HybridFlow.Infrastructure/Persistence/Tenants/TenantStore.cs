using HybridFlow.Infrastructure.Persistence.ReadModels;
using HybridFlow.Application.Tenants;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Persistence.Tenants;

internal sealed class TenantStore : ITenantStore
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
        row.WorkflowSecret = _secrets.Protect(t.WorkflowSecret, TenantSecrets.Context("workflow_secret", row.Id));
        row.LlmApiKey = _secrets.Protect(t.LlmApiKey, TenantSecrets.Context("llm_api_key", row.Id));
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
            ? _secrets.Protect(patch.WorkflowSecret.Value, TenantSecrets.Context("workflow_secret", row.Id))
            : _secrets.Rebind(row.WorkflowSecret, TenantSecrets.Context("workflow_secret", row.Id));
        if (!patch.Conversation.IsEmpty)
            row.Conversation = ConversationSettingsJson.Serialize(patch.Conversation.ApplyTo(ConversationSettingsJson.Deserialize(row.Conversation)));
        row.LlmApiKey = patch.LlmApiKey.HasValue
            ? _secrets.Protect(patch.LlmApiKey.Value, TenantSecrets.Context("llm_api_key", row.Id))
            : _secrets.Rebind(row.LlmApiKey, TenantSecrets.Context("llm_api_key", row.Id));
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
        t.Id, t.Name, t.SystemPrompt, t.LlmProvider, t.LlmModel, t.ReplyMode, t.WorkflowUrl, _secrets.Mask(t.WorkflowSecret, TenantSecrets.Context("workflow_secret", t.Id)),
        t.ResumeAfterMinutes, t.DebounceSeconds,
        t.HistoryMessages, t.ExternalSendsPause, t.CreatedAt, t.UpdatedAt)
    {
        LlmApiKey = _secrets.Mask(t.LlmApiKey, TenantSecrets.Context("llm_api_key", t.Id)),
        LlmBaseUrl = t.LlmBaseUrl,
        NotifyUrl = t.NotifyUrl,
        MonthlyTokenBudget = t.MonthlyTokenBudget,
    }.WithConversation(ConversationSettingsJson.Deserialize(t.Conversation));
}
