namespace HybridFlow.Infrastructure.Persistence.Instances;

/// <summary>The SQL of instances that other owners' statements take, so that the table is spelled only here (ADR-014).</summary>
internal static class InstanceSql
{
    /// <summary>Joins the instance <paramref name="instanceId"/> (an SQL expression) as <c>i</c>.</summary>
    public static string JoinInstance(string instanceId) => $"JOIN instances i ON i.id = {instanceId}";
}
