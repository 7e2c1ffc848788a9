using HybridFlow.Infrastructure.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>Settings bound and checked as the host does (AddSettings): a bad value throws OptionsValidationException naming the variable.</summary>
internal static class BoundSettings
{
    public static T Of<T>(params (string Key, string? Value)[] values) where T : class
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values.ToDictionary(v => v.Key, v => v.Value)).Build();
        using var services = new ServiceCollection().AddSettings<T>(configuration).Services.BuildServiceProvider();
        return services.Settings<T>();
    }
}
