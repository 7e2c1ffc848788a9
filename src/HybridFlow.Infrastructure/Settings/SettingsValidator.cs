using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HybridFlow.Infrastructure.Settings;

/// <summary>Settings whose values need more than a rule: each check throws <see cref="InvalidOperationException"/> naming the variable.</summary>
internal interface ISettingsChecks
{
    IEnumerable<Action> Checks { get; }
}

/// <summary>
/// Checks a bound settings object: each property's <see cref="SettingRuleAttribute"/> against its text, named by its
/// <see cref="ConfigurationKeyNameAttribute"/>, then the object's own <see cref="ISettingsChecks"/>.
/// </summary>
internal sealed class SettingsValidator<T> : IValidateOptions<T> where T : class
{
    private static readonly (PropertyInfo Property, string Variable, SettingRuleAttribute Rule)[] Rules =
    [
        .. from property in typeof(T).GetProperties()
           let rule = property.GetCustomAttribute<SettingRuleAttribute>()
           where rule is not null
           select (property, property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name, rule),
    ];

    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = new List<string>();
        foreach (var (property, variable, rule) in Rules)
        {
            if (SettingText.Value((string?)property.GetValue(options)) is { } value && rule.Failure(variable, value) is { } failure)
                failures.Add(failure);
        }

        foreach (var check in (options as ISettingsChecks)?.Checks ?? [])
        {
            try
            {
                check();
            }
            catch (InvalidOperationException e)
            {
                failures.Add(e.Message);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal static class SettingsRegistration
{
    /// <summary>Binds <typeparamref name="T"/> from the environment variables its properties name, checked when the host starts.</summary>
    internal static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, IConfiguration configuration) where T : class
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, SettingsValidator<T>>());
        return services.AddOptions<T>().Bind(configuration).ValidateOnStart();
    }

    internal static T Settings<T>(this IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;

    /// <summary>
    /// For the values the host's composition needs before there is a container: bound and checked the same way, at once.
    /// </summary>
    /// <exception cref="OptionsValidationException">A value is bad; the messages name the variables, never their values.</exception>
    public static T Read<T>(IConfiguration configuration) where T : class, new()
    {
        var settings = new T();
        configuration.Bind(settings);
        var result = new SettingsValidator<T>().Validate(Options.DefaultName, settings);
        return result.Failed ? throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures) : settings;
    }
}
