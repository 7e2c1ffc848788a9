using System.Reflection;
using HybridFlow.Api.Controllers;
using HybridFlow.Application;
using HybridFlow.Domain.Sessions;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using NetArchTest.Rules;

namespace HybridFlow.ArchitectureTests;

/// <summary>Dependencies point inward only (docs/ARCHITECTURE.md section 1), checked on the compiled assemblies.</summary>
public sealed class LayerTests
{
    private static readonly Assembly Domain = typeof(ChatSession).Assembly;
    private static readonly Assembly Application = ApplicationAssembly.Assembly;
    private static readonly Assembly Infrastructure = typeof(HybridFlow.Infrastructure.DependencyInjection).Assembly;
    private static readonly Assembly Api = typeof(WebhooksController).Assembly;

    /// <summary>Types of EF Core's relational layer that live in the root namespace; the rest are in the namespaces below.</summary>
    private static readonly string[] RelationalEfCore =
    [
        "Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions",
        "Microsoft.EntityFrameworkCore.RelationalQueryableExtensions",
        "Microsoft.EntityFrameworkCore.RelationalEntityTypeBuilderExtensions",
        "Microsoft.EntityFrameworkCore.RelationalPropertyBuilderExtensions",
        "Microsoft.EntityFrameworkCore.Storage",
        "Microsoft.EntityFrameworkCore.Migrations",
        "Microsoft.EntityFrameworkCore.Metadata.Builders.TableBuilder",
    ];

    private static void AssertPasses(TestResult result, string rule) =>
        Assert.That(result.IsSuccessful, Is.True, $"{rule}; offending types: {string.Join(", ", result.FailingTypeNames ?? [])}");

    [Test]
    public void Domain_ReferencesNoAssemblyButTheBaseLibrary()
    {
        var references = Domain.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.That(references, Is.Not.Empty);
        Assert.That(references.Where(n => n != "System" && !n.StartsWith("System.", StringComparison.Ordinal) && n != "netstandard"), Is.Empty);
        AssertPasses(Types.InAssembly(Domain).ShouldNot()
            .HaveDependencyOnAny("HybridFlow.Application", "HybridFlow.Infrastructure", "HybridFlow.Api", "MediatR", "FluentValidation", "Microsoft")
            .GetResult(), "the Domain depends on nothing outside itself");
    }

    [Test]
    public void Application_DoesNotSeeNpgsql_AspNet_HttpClient_OrRelationalEfCore()
    {
        string[] forbidden = ["Npgsql", "Microsoft.AspNetCore", "System.Net.Http", "HybridFlow.Infrastructure", "HybridFlow.Api", .. RelationalEfCore];

        AssertPasses(Types.InAssembly(Application).ShouldNot().HaveDependencyOnAny(forbidden).GetResult(),
            "Application reaches outer layers only through its ports");
        Assert.That(Application.GetReferencedAssemblies().Select(a => a.Name!),
            Has.None.StartsWith("Npgsql").And.None.StartsWith("Microsoft.AspNetCore")
                .And.None.EqualTo("Microsoft.EntityFrameworkCore.Relational").And.None.EqualTo("System.Net.Http"));
    }

    [Test]
    public void Infrastructure_DoesNotDependOnTheApi() =>
        AssertPasses(Types.InAssembly(Infrastructure).ShouldNot().HaveDependencyOn("HybridFlow.Api").GetResult(),
            "Infrastructure does not reach outward");

    [Test]
    public void Controllers_DependOnNoPortStoreOrClient()
    {
        var ports = Application.GetTypes()
            .Where(t => t.IsInterface && t.Namespace == "HybridFlow.Application.Common.Interfaces")
            .Select(t => t.FullName!)
            .ToArray();
        Assert.That(ports, Is.Not.Empty);
        string[] forbidden =
        [
            "HybridFlow.Infrastructure", "Microsoft.EntityFrameworkCore", "Npgsql", "System.Net.Http",
            "System.IServiceProvider", "Microsoft.Extensions.DependencyInjection", .. ports,
        ];

        AssertPasses(Types.InAssembly(Api).That().Inherit(typeof(ControllerBase)).ShouldNot().HaveDependencyOnAny(forbidden).GetResult(),
            "controllers only send MediatR requests");
    }

    [Test]
    public void Controllers_AreConstructedWithTheMediatorAlone()
    {
        var controllers = Api.GetTypes().Where(t => t.IsSubclassOf(typeof(ControllerBase)) && !t.IsAbstract).ToList();
        Assert.That(controllers, Is.Not.Empty);

        foreach (var controller in controllers)
        foreach (var constructor in controller.GetConstructors())
            Assert.That(constructor.GetParameters().Select(p => p.ParameterType), Is.EqualTo(new[] { typeof(IMediator) }), controller.Name);
    }

    /// <summary>Guards the guards: a rule that could never fail would pass the tests above vacuously.</summary>
    [Test]
    public void Rules_DetectARealDependency()
    {
        var result = Types.InAssembly(Infrastructure).ShouldNot().HaveDependencyOn("Npgsql").GetResult();

        Assert.That(result.IsSuccessful, Is.False);
        Assert.That(result.FailingTypeNames, Is.Not.Empty);
    }
}
