using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Instances;
using HybridFlow.Application.Sessions;
using HybridFlow.Application.Tenants;
using HybridFlow.Infrastructure.Evolution;
using HybridFlow.Infrastructure.Health;
using HybridFlow.Infrastructure.Hosting;
using HybridFlow.Infrastructure.Llm;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Persistence;
using HybridFlow.Infrastructure.Persistence.ApiKeys;
using HybridFlow.Infrastructure.Persistence.ChatTransactions;
using HybridFlow.Infrastructure.Persistence.Inbox;
using HybridFlow.Infrastructure.Persistence.Instances;
using HybridFlow.Infrastructure.Persistence.LlmUsage;
using HybridFlow.Infrastructure.Persistence.Messages;
using HybridFlow.Infrastructure.Persistence.Notify;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReadModels;
using HybridFlow.Infrastructure.Persistence.ReplyJobs;
using HybridFlow.Infrastructure.Persistence.Sessions;
using HybridFlow.Infrastructure.Persistence.Tenants;
using HybridFlow.Infrastructure.Persistence.Timeline;
using HybridFlow.Infrastructure.Replies;
using HybridFlow.Infrastructure.Security;
using HybridFlow.Infrastructure.Settings;
using HybridFlow.Infrastructure.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HybridFlow.Infrastructure;

public static class DependencyInjection
{
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        DapperSetup.Apply();
        // Settings are bound on first use and checked when the host starts (a bad value stops it, naming the variable);
        // HostSettings are what this composition needs at once (docs/ARCHITECTURE.md section 6).
        var host = HostSettings.Read(configuration);
        services.AddSettings<EnvironmentSettings>(configuration);
        services.AddSettings<SecretKeySettings>(configuration);
        services.AddSettings<SharedSecretSettings>(configuration);
        services.AddSettings<MetaCloudEnvironmentSettings>(configuration);
        services.AddSingleton(sp => sp.Settings<MetaCloudEnvironmentSettings>().MetaCloud());
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().Prices());
        services.AddSingleton<IValidateOptions<SharedSecretSettings>>(sp => new SharedSecretSettings.StrongInProduction(sp.GetService<IHostEnvironment>()));
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().HybridFlow());
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().Workers());
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().Evolution());
        services.AddSingleton(sp => sp.Settings<SecretKeySettings>().SecretProtector());
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().Workflow());
        services.AddSingleton(host.Operations());
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().Outbound());
        services.AddSingleton<OutboundAddressGuard>();
        services.AddSingleton<IOutboundAddressPolicy>(sp => sp.GetRequiredService<OutboundAddressGuard>());
        services.AddSingleton(TimeProvider.System);

        services.AddMetrics();
        services.AddSingleton<HybridFlowMetrics>();
        services.AddSingleton<IHybridFlowMetrics>(sp => sp.GetRequiredService<HybridFlowMetrics>());
        services.AddSingleton<ReplyQueueProbe>();
        services.AddSingleton(sp => new PrometheusMeterBridge(sp.GetRequiredService<HybridFlowMetrics>(), sp.GetRequiredService<ReplyQueueProbe>().ReadAsync));
        services.AddHostedService<MetricsCollectionStartup>();
        // The API host replaces this with the request's X-Correlation-Id.
        services.TryAddSingleton<ICorrelationContext, NoCorrelationContext>();

        var connectionString = host.DatabaseConnectionString();
        services.AddSingleton(_ => PostgresDataSources.Build(connectionString));
        services.AddSingleton(_ => new WebhookDataSource(PostgresDataSources.BuildForWebhooks(connectionString)));
        services.AddSingleton<InstanceCache>();
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().SharedTransactions());
        services.AddSingleton<SharedChatTransactions>();
        services.AddDbContext<HybridFlowDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<MigrationRunner>();
        if (host.Migrate) services.AddHostedService<MigrationHostedService>();
        services.AddHostedService<Security.SecretReencryptionService>();
        Identity.OperatorIdentityServiceCollectionExtensions.AddOperatorIdentity(services, host);
        services.AddDataProtectionKeysInPostgres();

        services.AddScoped<IChatUnitOfWork, ChatUnitOfWork>();
        services.AddScoped<IReplyJobStore, ReplyJobStore>();
        services.AddScoped<IMessageReceiptStore, MessageReceiptStore>();
        services.AddScoped<IMediaMessageStore, MediaMessageStore>();
        services.AddScoped<IServiceWindowQueries, ServiceWindowQueries>();
        services.AddScoped<IInstanceDirectory, InstanceDirectory>();
        services.AddSingleton<ISendProofStore, Persistence.SendProofs.SendProofStore>();
        services.AddScoped<ITenantStore, TenantStore>();
        services.AddScoped<IInstanceStore, InstanceStore>();
        services.AddSingleton<HybridFlow.Application.Instances.IInstanceConnectionStore, Persistence.Instances.InstanceConnectionStore>();
        services.AddScoped<ISessionQueries, SessionQueries>();
        services.AddScoped<HybridFlow.Application.Timeline.ITimelineQueries, TimelineQueries>();
        services.AddScoped<HybridFlow.Application.ApiKeys.IApiKeyStore, ApiKeyStore>();
        services.AddScoped<ITenantStatsQueries, TenantStatsQueries>();
        services.AddScoped<HybridFlow.Application.Stats.Export.IConversationExportQueries, ConversationExportQueries>();
        services.AddScoped<HybridFlow.Application.Inbox.Contacts.IContactQueries, ContactQueries>();
        services.AddScoped<HybridFlow.Application.Inbox.Contacts.IContactStore, Persistence.Contacts.ContactStore>();
        services.AddScoped<IInboxQueries, InboxQueries>();
        services.AddScoped<IInboxStore, InboxStore>();
        services.AddSingleton<ILlmUsageLedger, LlmUsageLedger>();
        services.AddScoped<ISavedReplyStore, Persistence.SavedReplies.SavedReplyStore>();
        services.AddScoped<IReplyPreviewSource, Persistence.ReadModels.ReplyPreviewQueries>();
        services.AddHybridFlowHealthChecks();

        // The Evolution HttpClients, one per trust (OutboundHttp). Each call gets its instance's base address and apikey
        // (EvolutionApiFactory.For); the pipeline's per-attempt timeouts replace HttpClient.Timeout.
        services.AddOutboundHttpClients(EvolutionApiFactory.HttpClientName, OutboundHttp.EvolutionAnswerLimit, EvolutionApiFactory.PooledConnectionIdleTimeout);
        services.AddSingleton<EvolutionApiFactory>();
        services.AddSingleton<EvolutionClient>();
        services.AddSingleton<EvolutionMediaClient>();
        // The Graph API's base URL is the platform's (META_GRAPH_URL): no tenant sets it, so no address guard (ADR-015).
        services.AddHttpClient(MetaCloud.GraphApiFactory.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => OutboundHttp.NewSocketsHandler(pooledConnectionIdleTimeout: MetaCloud.GraphApiFactory.PooledConnectionIdleTimeout))
            .AddHttpMessageHandler(() => new OutboundHttp.AnswerLimitHandler(MetaCloud.GraphApiFactory.AnswerLimit))
            .AddHttpMessageHandler(() => new OutboundHttp.RedirectRefusalHandler());
        services.AddSingleton<MetaCloud.GraphApiFactory>();
        services.AddSingleton<MetaCloud.MetaCloudClient>();
        // The channel port routes each call by the instance's provider (ADR-015).
        services.AddSingleton<MetaCloud.WhatsAppChannelRouter>();
        services.AddOutboundHttpClients(MetaCloud.MetaTemplateCatalog.HttpClientName, MetaCloud.MetaTemplateCatalog.AnswerLimit);
        services.AddSingleton<Application.Templates.IMessageTemplateCatalog, MetaCloud.MetaTemplateCatalog>();
        services.AddSingleton<IWhatsAppGateway>(sp => sp.GetRequiredService<MetaCloud.WhatsAppChannelRouter>());
        services.AddSingleton<IWhatsAppMediaGateway>(sp => sp.GetRequiredService<MetaCloud.WhatsAppChannelRouter>());
        services.AddSingleton<IMediaCapabilities, Llm.MediaCapabilities>();
        services.AddSingleton<IEvolutionAdmin, EvolutionAdminClient>();
        // The workflow's answer body is never read: no cap.
        services.AddOutboundHttpClients(WorkflowDispatcher.HttpClientName, answerLimit: null);
        services.AddSingleton<WorkflowDispatcher>();
        services.AddSingleton<IWorkflowDispatcher>(sp => sp.GetRequiredService<WorkflowDispatcher>());
        // The notify_url POSTs share the workflow events' client, guard and signing.
        services.AddSingleton<ISignedEventSender>(sp => sp.GetRequiredService<WorkflowDispatcher>());
        services.AddScoped<INotifyOutbox, NotifyOutbox>();
        services.AddLlmProviders(configuration);
        // Every model call is timed, counted and stamped with the job's correlation id, whichever provider answers it;
        // around that, the throttle caps calls per provider and model and holds everyone back while a provider rate limits.
        services.AddSingleton<MeteredReplyGenerator>();
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().LlmAccounts());
        services.AddSingleton<LlmAccountStatus>();
        services.Replace(ServiceDescriptor.Singleton<IReplyGenerator, ThrottledReplyGenerator>());

        services.AddSingleton<ReplyWorkerSignal>();
        services.AddSingleton<IReplyWorkerSignal>(sp => sp.GetRequiredService<ReplyWorkerSignal>());
        services.AddHostedService<ReplyDispatcher>();
        services.AddHostedService<AutoResumeSweepService>();
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().SendResolution());
        services.AddHostedService<SendResolutionService>();
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().NotifyDelivery());
        services.AddHostedService<NotifyDeliveryService>();

        // The inbox's realtime feed: each process reads inbox_events every INBOX_POLL_MS and fans out to its open streams.
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().InboxStream());
        services.AddSingleton(sp => sp.Settings<EnvironmentSettings>().InboxQueries());
        services.AddSingleton<InboxEventStore>();
        services.AddSingleton<InboxEventQueries>();
        services.AddSingleton<Realtime.InboxEventFeed>();
        services.AddSingleton<IInboxEventFeed>(sp => sp.GetRequiredService<Realtime.InboxEventFeed>());
        services.AddSingleton<IInboxStreamSlots, Realtime.InboxStreamSlots>();
        services.AddSingleton(_ => new InboxPollerDataSource(connectionString));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<Realtime.InboxEventPoller>(sp,
            new InboxEventQueries(sp.GetRequiredService<InboxPollerDataSource>().Source)));
        services.AddHostedService(sp => sp.GetRequiredService<Realtime.InboxEventPoller>());
        return services;
    }
}
