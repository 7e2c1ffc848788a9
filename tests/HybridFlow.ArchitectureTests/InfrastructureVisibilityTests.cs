using System.Reflection;

namespace HybridFlow.ArchitectureTests;

/// <summary>
/// Infrastructure's types are internal unless the composition root (HybridFlow.Api and the DI extension methods it
/// calls) needs them; the tests see the internals (InternalsVisibleTo).
/// </summary>
public sealed class InfrastructureVisibilityTests
{
    private static readonly Assembly Infrastructure = typeof(HybridFlow.Infrastructure.DependencyInjection).Assembly;

    /// <summary>What Program.cs and the Api's setup use: the registrations, the settings read while composing, and what the endpoints resolve.</summary>
    private static readonly string[] NeededByTheCompositionRoot =
    [
        "HybridFlow.Infrastructure.DependencyInjection",
        "HybridFlow.Infrastructure.OperationsOptions",
        "HybridFlow.Infrastructure.Settings.HostSettings",
        "HybridFlow.Infrastructure.Settings.TrustedProxies",
        "HybridFlow.Infrastructure.Health.HybridFlowHealthChecks",
        "HybridFlow.Infrastructure.Observability.PrometheusMeterBridge",
        "HybridFlow.Infrastructure.Realtime.InboxStreamOptions",
    ];

    /// <summary>NUnit runs only public fixtures, and the model clients' contract fixtures are generic over these.</summary>
    private static readonly string[] PublicForTheContractFixtures =
    [
        "HybridFlow.Infrastructure.Llm.OpenAiReplyGenerator",
        "HybridFlow.Infrastructure.Llm.AnthropicReplyGenerator",
    ];

    [Test]
    public void InfrastructureTypes_AreInternal_UnlessTheCompositionRootNeedsThem()
    {
        var visible = Infrastructure.GetExportedTypes().Select(Outermost).Select(t => t.FullName!).Distinct().ToList();

        Assert.That(visible.Except([.. NeededByTheCompositionRoot, .. PublicForTheContractFixtures]), Is.Empty,
            "public, but the composition root does not need it: make it internal");
        Assert.That(NeededByTheCompositionRoot.Except(visible), Is.Empty, "listed as needed, but not public (or gone): update the list");
    }

    /// <summary>Guards the guard: the rule sees internal types as internal.</summary>
    [Test]
    public void TheRule_SeesInternalTypes()
    {
        var internals = Infrastructure.GetTypes().Where(t => !t.IsNested && !t.IsPublic).Select(t => t.FullName).ToList();
        Assert.That(internals, Does.Contain("HybridFlow.Infrastructure.Settings.EnvironmentSettings"));
    }

    private static Type Outermost(Type type) => type.DeclaringType is { } outer ? Outermost(outer) : type;
}
