using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Replies;
using HybridFlow.Application.Tenants;
using HybridFlow.Domain.Tenants;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Application.Tests.Replies;

public sealed class ReplyModelChoiceTests
{
    private sealed class CountingLogger : ILogger<ReplyModelChoice>
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning) Warnings.Add(formatter(state, exception));
        }
    }

    private static readonly PlatformModels Models = new("openai", "gpt-4o-mini", "claude-sonnet-4-5", "whisper-1");

    private static ReplyContext Context(long tenantId, string? model, LlmCredentials? credentials = null) => new(
        1, 1, "5511999990001@s.whatsapp.net",
        new InstanceContext(1, "inst", "http://evolution", null, null,
            new TenantPolicy(tenantId, ReplyMode.Ai, TimeSpan.FromHours(2), TimeSpan.Zero, 20, true) { LlmCredentials = credentials }),
        null, null, model, []);

    [Test]
    public void For_AModelNoLongerAllowed_FallsBackToTheDefault_AndLogsOncePerTenantAndModel()
    {
        var logger = new CountingLogger();
        var choice = new ReplyModelChoice(Models, logger);

        for (var i = 0; i < 5; i++) Assert.That(choice.For(Context(7, "o1-pro"), ModelSetting.LlmModel), Is.Null);
        Assert.That(logger.Warnings, Has.Count.EqualTo(1));
        Assert.That(logger.Warnings[0], Does.Contain("o1-pro").And.Contain("llm_model"));

        choice.For(Context(8, "o1-pro"), ModelSetting.LlmModel);
        choice.For(Context(7, "o3"), ModelSetting.LlmModel);
        Assert.That(logger.Warnings, Has.Count.EqualTo(3), "another tenant, another model: one line each");
    }

    [Test]
    public void For_AnAllowedModel_OrTheTenantsOwnAccount_KeepsTheChoice_WithoutALog()
    {
        var logger = new CountingLogger();
        var choice = new ReplyModelChoice(Models, logger);

        Assert.That(choice.For(Context(7, "gpt-4o-mini"), ModelSetting.LlmModel), Is.EqualTo("gpt-4o-mini"));
        Assert.That(choice.For(Context(7, "o1-pro", new LlmCredentials("sk-own-key-0123456789", null)), ModelSetting.LlmModel), Is.EqualTo("o1-pro"));
        Assert.That(logger.Warnings, Is.Empty);
    }
}
