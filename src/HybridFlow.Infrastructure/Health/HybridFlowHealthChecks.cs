using HealthChecks.NpgSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace HybridFlow.Infrastructure.Health;

/// <summary>The checks behind /health: the database, the LLM provider and the global workflow target, in that order.</summary>
public static class HybridFlowHealthChecks
{
    public const string Database = "database";
    public const string Llm = "llm";
    public const string Workflow = "workflow";

    /// <summary>Key in <see cref="HealthCheckResult.Data"/> of a status the three health states do not name.</summary>
    public const string StatusKey = "status";
    public const string DisabledStatus = "disabled";

    /// <summary>Switched off on purpose: healthy, reported as "disabled".</summary>
    public static HealthCheckResult Disabled(string description) =>
        HealthCheckResult.Healthy(description, new Dictionary<string, object> { [StatusKey] = DisabledStatus });

    public static IHealthChecksBuilder AddHybridFlowHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks()
            // The package's check on the app's own data source (the overload taking a data-source factory has no way to
            // word the healthy answer).
            .Add(new HealthCheckRegistration(Database, sp => new NpgSqlHealthCheck(new NpgSqlHealthCheckOptions(sp.GetRequiredService<NpgsqlDataSource>())
            {
                CommandText = Persistence.Postgres.MigrationRunner.AppliedCountSql,
                HealthCheckResultBuilder = applied => HealthCheckResult.Healthy($"{applied} migrations applied"),
            }), HealthStatus.Unhealthy, tags: null, timeout: TimeSpan.FromSeconds(3)))
            .AddCheck<LlmHealthCheck>(Llm)
            .AddCheck<WorkflowHealthCheck>(Workflow);
}
