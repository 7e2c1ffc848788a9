using System.Data.Common;
using Dapper;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Chats;
using HybridFlow.Domain.Tenants;
using HybridFlow.Infrastructure.Persistence.Tenants;

namespace HybridFlow.Infrastructure.Persistence.Instances;

/// <summary>
/// An instance with its tenant's policy, read by column name: <see cref="Select"/> needs the instance as <c>i</c> and its
/// tenant as <c>t</c> (the read models join them), and its names do not clash with the columns of sessions or reply_jobs, so a query may select them beside those.
/// </summary>
internal static class InstanceColumns
{
    public const string Select =
        "i.id AS instance_id, i.instance_name, i.evo_server_url, i.evo_server_url_trusted, i.evo_api_key, i.webhook_secret, " +
        "i.provider AS instance_provider, i.meta_phone_number_id, i.meta_waba_id, i.meta_access_token, i.meta_app_secret, i.meta_verify_token, " +
        PolicySelect;

    /// <summary>The tenant's half of <see cref="Select"/>: its policy, for <see cref="Policy"/>.</summary>
    public const string PolicySelect =
        "t.id AS policy_tenant_id, t.reply_mode, t.resume_after_minutes, t.debounce_seconds, t.history_messages, t.external_sends_pause, " +
        "t.conversation::text AS conversation, t.llm_api_key, t.llm_base_url, t.llm_base_url_trusted, t.notify_url, t.notify_url_trusted, " +
        "t.workflow_secret";

    /// <summary>The row of <see cref="Select"/>; its properties match the column names (DapperSetup).</summary>
    internal sealed class Row
    {
        public long InstanceId { get; init; }
        public string InstanceName { get; init; } = "";
        public string? EvoServerUrl { get; init; }
        public bool EvoServerUrlTrusted { get; init; }
        public string? EvoApiKey { get; init; }
        public string? WebhookSecret { get; init; }
        public string InstanceProvider { get; init; } = ChannelProviders.EvolutionName;
        public string? MetaPhoneNumberId { get; init; }
        public string? MetaWabaId { get; init; }
        public string? MetaAccessToken { get; init; }
        public string? MetaAppSecret { get; init; }
        public string? MetaVerifyToken { get; init; }
        public long PolicyTenantId { get; init; }
        public string ReplyMode { get; init; } = "";
        public int ResumeAfterMinutes { get; init; }
        public int DebounceSeconds { get; init; }
        public int HistoryMessages { get; init; }
        public bool ExternalSendsPause { get; init; }
        public string? Conversation { get; init; }
        public string? LlmApiKey { get; init; }
        public string? LlmBaseUrl { get; init; }
        public bool LlmBaseUrlTrusted { get; init; }
        public string? NotifyUrl { get; init; }
        public bool NotifyUrlTrusted { get; init; }
        public string? WorkflowSecret { get; init; }
    }

    /// <summary>Reads <see cref="Select"/> by name from the current row of a reader that may hold other columns too.</summary>
    public static InstanceContext Read(DbDataReader reader, Security.SecretProtector secrets) => ToContext(reader.GetRowParser<Row>()(reader), secrets);

    /// <summary><see cref="Read"/> for every row of one result: the columns are looked up once.</summary>
    public static Func<DbDataReader, InstanceContext> Reader(DbDataReader reader, Security.SecretProtector secrets)
    {
        var parse = reader.GetRowParser<Row>();
        return row => ToContext(parse(row), secrets);
    }

    public static InstanceContext ToContext(Row r, Security.SecretProtector secrets)
    {
        var policy = Policy(r, secrets);
        var provider = ChannelProviders.Parse(r.InstanceProvider);
        var metaCloud = provider != ChannelProvider.MetaCloud || r.MetaPhoneNumberId is null ? null
            : new MetaCloudAccount(r.MetaPhoneNumberId, r.MetaWabaId,
                secrets.Unprotect(r.MetaAccessToken, InstanceSecrets.Context("meta_access_token", r.InstanceId)),
                secrets.Unprotect(r.MetaAppSecret, InstanceSecrets.Context("meta_app_secret", r.InstanceId)),
                secrets.Unprotect(r.MetaVerifyToken, InstanceSecrets.Context("meta_verify_token", r.InstanceId)));
        return new InstanceContext(r.InstanceId, r.InstanceName, r.EvoServerUrl ?? "",
            secrets.Unprotect(r.EvoApiKey, InstanceSecrets.Context("evo_api_key", r.InstanceId)),
            secrets.Unprotect(r.WebhookSecret, InstanceSecrets.Context("webhook_secret", r.InstanceId)), policy, r.EvoServerUrlTrusted,
            provider, metaCloud);
    }

    /// <summary>The tenant's policy from the <c>t.</c> columns of <see cref="Select"/> (the preview reads them alone).</summary>
    public static TenantPolicy Policy(Row r, Security.SecretProtector secrets)
    {
        var llmApiKey = secrets.Unprotect(r.LlmApiKey, TenantSecrets.Context("llm_api_key", r.PolicyTenantId));
        return new TenantPolicy(r.PolicyTenantId, ReplyModeNames.Parse(r.ReplyMode), TimeSpan.FromMinutes(r.ResumeAfterMinutes),
            TimeSpan.FromSeconds(r.DebounceSeconds), r.HistoryMessages, r.ExternalSendsPause)
        {
            Conversation = ConversationSettingsJson.Deserialize(r.Conversation),
            LlmCredentials = llmApiKey is null && r.LlmBaseUrl is null ? null : new LlmCredentials(llmApiKey, r.LlmBaseUrl, r.LlmBaseUrlTrusted),
            Notify = r.NotifyUrl is null ? null
                : new NotifyTarget(r.NotifyUrl, secrets.Unprotect(r.WorkflowSecret, TenantSecrets.Context("workflow_secret", r.PolicyTenantId)), r.NotifyUrlTrusted),
        };
    }
}

/// <summary>The associated data of an instance's secret column: bound to the instance's row.</summary>
internal static class InstanceSecrets
{
    public static string Context(string column, long instanceId) => Security.SecretProtector.Context("instances", column, instanceId);
}
