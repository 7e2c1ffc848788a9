using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Tenants;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Instances;

/// <summary>An instance with its tenant's policy, as the hot paths read it (moved out of SqlMapping as it was).</summary>
internal static class InstanceReader
{
    /// <summary>An instance with its tenant's policy; needs <c>instances i JOIN tenants t</c>.</summary>
    public const string InstanceColumns =
        "i.id, i.instance_name, i.evo_server_url, i.evo_api_key, i.webhook_secret, " +
        "t.id, t.reply_mode, t.resume_after_minutes, t.debounce_seconds, t.history_messages, t.external_sends_pause, i.evo_server_url_trusted, " +
        "t.conversation::text, t.llm_api_key, t.llm_base_url, t.llm_base_url_trusted, t.notify_url, t.notify_url_trusted, t.workflow_secret";

    /// <summary>Reads <see cref="InstanceColumns"/> starting at <paramref name="o"/>.</summary>
    public static InstanceContext ReadInstance(NpgsqlDataReader r, int o, Security.SecretProtector secrets)
    {
        var instanceId = r.GetInt64(o);
        var tenantId = r.GetInt64(o + 5);
        var llmApiKey = secrets.Unprotect(r.IsDBNull(o + 13) ? null : r.GetString(o + 13), SecretContexts.TenantSecret("llm_api_key", tenantId));
        var llmBaseUrl = r.IsDBNull(o + 14) ? null : r.GetString(o + 14);
        var notifyUrl = r.IsDBNull(o + 16) ? null : r.GetString(o + 16);
        var policy = new TenantPolicy(tenantId, ReplyModeNames.Parse(r.GetString(o + 6)), TimeSpan.FromMinutes(r.GetInt32(o + 7)),
            TimeSpan.FromSeconds(r.GetInt32(o + 8)), r.GetInt32(o + 9), r.GetBoolean(o + 10))
        {
            Conversation = ConversationSettingsJson.Deserialize(r.GetString(o + 12)),
            LlmCredentials = llmApiKey is null && llmBaseUrl is null ? null : new LlmCredentials(llmApiKey, llmBaseUrl, r.GetBoolean(o + 15)),
            Notify = notifyUrl is null ? null
                : new NotifyTarget(notifyUrl, secrets.Unprotect(r.IsDBNull(o + 18) ? null : r.GetString(o + 18), SecretContexts.TenantSecret("workflow_secret", tenantId)), r.GetBoolean(o + 17)),
        };
        return new InstanceContext(instanceId, r.GetString(o + 1), r.GetString(o + 2),
            secrets.Unprotect(r.IsDBNull(o + 3) ? null : r.GetString(o + 3), SecretContexts.InstanceSecret("evo_api_key", instanceId)),
            secrets.Unprotect(r.IsDBNull(o + 4) ? null : r.GetString(o + 4), SecretContexts.InstanceSecret("webhook_secret", instanceId)), policy,
            r.GetBoolean(o + 11));
    }
}
