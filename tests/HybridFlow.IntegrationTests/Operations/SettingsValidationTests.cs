using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.Options;

namespace HybridFlow.IntegrationTests.Operations;

/// <summary>
/// Settings are options bound from the environment variables and validated on start: a malformed value stops the host
/// before it serves, with our message naming the variable (never its value), whichever settings object it belongs to.
/// A value the binder cannot convert ("fast" for a number) still gets our message: numbers are bound as text.
/// </summary>
public sealed class SettingsValidationTests
{
    [TestCase("RESUME_AFTER_HOURS", "0", "RESUME_AFTER_HOURS must be a number between")]
    [TestCase("REPLY_POLL_MS", "5", "REPLY_POLL_MS must be a number between 10 and 60000.")]
    [TestCase("WORKERS_ENABLED", "maybe", "WORKERS_ENABLED must be true or false.")]
    [TestCase("INBOX_POLL_MS", "fast", "INBOX_POLL_MS must be a number between 20 and 5000.")]
    [TestCase("N8N_WEBHOOK_URL", "ftp://hooks", "N8N_WEBHOOK_URL must be an absolute http(s) URL.")]
    [TestCase("PUBLIC_BASE_URL", "https://hf.example.com/?x=1", "PUBLIC_BASE_URL must be an absolute http(s) URL without query or fragment")]
    [TestCase("SECRETS_ENCRYPTION_KEY", "c2hvcnQ=", "SECRETS_ENCRYPTION_KEY must be 32 random bytes in base64")]
    [TestCase("LLM_TIMEOUT", "-1", "LLM_TIMEOUT must be a positive number of seconds (at most 3600).")]
    [TestCase("LLM_MAX_TOKENS", "many", "LLM_MAX_TOKENS must be a positive whole number.")]
    [TestCase("LLM_PROVIDER", "gemini", "LLM_PROVIDER must be 'openai', 'anthropic' or 'static'.")]
    public async Task AMalformedValue_StopsStartup_ThroughOptionsValidation_NamingTheVariable(string variable, string value, string message)
    {
        var chain = await StartupFailureAsync(variable, value);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(chain.OfType<OptionsValidationException>(), Is.Not.Empty, "reported by ValidateOnStart");
            Assert.That(string.Join(" | ", chain.Select(e => e.Message)), Does.Contain(message).And.Not.Contain("Failed to convert"));
        }
    }

    /// <summary>What the host's composition needs (HostSettings) is bound and checked the same way, before the container is built.</summary>
    [TestCase("CORS_ORIGINS", "admin.example.com", "CORS_ORIGINS must be a comma-separated list of origins")]
    [TestCase("RATE_LIMIT_API_PER_MINUTE", "lots", "RATE_LIMIT_API_PER_MINUTE must be a number between 0 and 10000000.")]
    [TestCase("MIGRATE_ON_STARTUP", "perhaps", "MIGRATE_ON_STARTUP must be true or false.")]
    public async Task AMalformedCompositionValue_StopsStartup_NamingTheVariable(string variable, string value, string message)
    {
        var chain = await StartupFailureAsync(variable, value);
        Assert.That(string.Join(" | ", chain.Select(e => e.Message)), Does.Contain(message));
    }

    private static async Task<List<Exception>> StartupFailureAsync(string variable, string value)
    {
        var failure = await Assert.CatchAsync(async () =>
        {
            await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { [variable] = value });
        });
        return [.. Chain(failure!)];
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain)) yield return inner;
        }
    }
}
