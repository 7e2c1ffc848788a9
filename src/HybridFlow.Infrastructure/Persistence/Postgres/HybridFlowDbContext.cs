using HybridFlow.Infrastructure.Persistence.ApiKeys;
using HybridFlow.Infrastructure.Persistence.Instances;
using HybridFlow.Infrastructure.Persistence.Tenants;
using Microsoft.EntityFrameworkCore;

namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>EF Core for the admin surface's plain reads and writes; the webhook and outbox paths are SQL (ChatUnitOfWork, ReplyJobStore).</summary>
internal sealed class HybridFlowDbContext : DbContext
{
    public HybridFlowDbContext(DbContextOptions<HybridFlowDbContext> options) : base(options)
    {
    }

    public DbSet<TenantRow> Tenants => Set<TenantRow>();
    public DbSet<InstanceRow> Instances => Set<InstanceRow>();
    public DbSet<ApiKeyRow> ApiKeys => Set<ApiKeyRow>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<TenantRow>(e =>
        {
            e.ToTable("tenants");
            e.HasKey(t => t.Id);
            e.Property(t => t.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(t => t.Name).HasColumnName("name");
            e.Property(t => t.SystemPrompt).HasColumnName("system_prompt");
            e.Property(t => t.LlmProvider).HasColumnName("llm_provider");
            e.Property(t => t.LlmModel).HasColumnName("llm_model");
            e.Property(t => t.ReplyMode).HasColumnName("reply_mode");
            e.Property(t => t.WorkflowUrl).HasColumnName("workflow_url");
            e.Property(t => t.WorkflowUrlTrusted).HasColumnName("workflow_url_trusted");
            e.Property(t => t.WorkflowSecret).HasColumnName("workflow_secret");
            e.Property(t => t.ResumeAfterMinutes).HasColumnName("resume_after_minutes");
            e.Property(t => t.DebounceSeconds).HasColumnName("debounce_seconds");
            e.Property(t => t.HistoryMessages).HasColumnName("history_messages");
            e.Property(t => t.ExternalSendsPause).HasColumnName("external_sends_pause");
            e.Property(t => t.Conversation).HasColumnName("conversation").HasColumnType("jsonb");
            e.Property(t => t.LlmApiKey).HasColumnName("llm_api_key");
            e.Property(t => t.LlmBaseUrl).HasColumnName("llm_base_url");
            e.Property(t => t.LlmBaseUrlTrusted).HasColumnName("llm_base_url_trusted");
            e.Property(t => t.NotifyUrl).HasColumnName("notify_url");
            e.Property(t => t.NotifyUrlTrusted).HasColumnName("notify_url_trusted");
            e.Property(t => t.MonthlyTokenBudget).HasColumnName("monthly_token_budget");
            e.Property(t => t.CreatedAt).HasColumnName("created_at");
            e.Property(t => t.UpdatedAt).HasColumnName("updated_at");
        });
        b.Entity<InstanceRow>(e =>
        {
            e.ToTable("instances");
            e.HasKey(i => i.Id);
            e.Property(i => i.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(i => i.TenantId).HasColumnName("tenant_id");
            e.Property(i => i.InstanceName).HasColumnName("instance_name");
            e.Property(i => i.Provider).HasColumnName("provider");
            e.Property(i => i.EvoServerUrl).HasColumnName("evo_server_url");
            e.Property(i => i.EvoServerUrlTrusted).HasColumnName("evo_server_url_trusted");
            e.Property(i => i.EvoApiKey).HasColumnName("evo_api_key");
            e.Property(i => i.WebhookSecret).HasColumnName("webhook_secret");
            e.Property(i => i.MetaPhoneNumberId).HasColumnName("meta_phone_number_id");
            e.Property(i => i.MetaWabaId).HasColumnName("meta_waba_id");
            e.Property(i => i.MetaAccessToken).HasColumnName("meta_access_token");
            e.Property(i => i.MetaAppSecret).HasColumnName("meta_app_secret");
            e.Property(i => i.MetaVerifyToken).HasColumnName("meta_verify_token");
            e.Property(i => i.EvoGlobalApiKey).HasColumnName("evo_global_api_key");
            e.Property(i => i.CreatedAt).HasColumnName("created_at");
            e.Property(i => i.UpdatedAt).HasColumnName("updated_at");
            e.HasIndex(i => i.InstanceName).IsUnique();
        });
        b.Entity<ApiKeyRow>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(k => k.Id);
            e.Property(k => k.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(k => k.TenantId).HasColumnName("tenant_id");
            e.Property(k => k.Role).HasColumnName("role");
            e.Property(k => k.Name).HasColumnName("name");
            e.Property(k => k.KeyHash).HasColumnName("key_hash");
            e.Property(k => k.CreatedAt).HasColumnName("created_at");
            e.Property(k => k.RevokedAt).HasColumnName("revoked_at");
            e.Property(k => k.CreatedByUserId).HasColumnName("created_by_user_id");
            e.Property(k => k.CreatedByKeyId).HasColumnName("created_by_key_id");
            e.Property(k => k.ActsForUserId).HasColumnName("acts_for_user_id");
        });
    }
}
