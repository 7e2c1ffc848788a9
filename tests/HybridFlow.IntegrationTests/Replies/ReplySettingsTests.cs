using HybridFlow.Infrastructure.Settings;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.Options;

namespace HybridFlow.IntegrationTests.Replies;

public sealed class ReplySettingsTests
{
    private static EnvironmentSettings Settings(params (string Key, string? Value)[] values) => BoundSettings.Of<EnvironmentSettings>(values);

    [Test]
    public void Defaults_KeepManyJobsInFlight_WithAShortLease()
    {
        var workers = Settings().Workers();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(workers.ReplyConcurrency, Is.EqualTo(1024));
            Assert.That(workers.TenantConcurrency, Is.EqualTo(128));
            Assert.That(workers.ConcurrencyFromDeprecatedReplyWorkers, Is.False);
            Assert.That(Settings().HybridFlow().ReplyJobLease, Is.EqualTo(TimeSpan.FromSeconds(30)));
        }
    }

    [Test]
    public void ReplyWorkers_Alone_IsTheDeprecatedNameOfReplyConcurrency()
    {
        var workers = Settings(("REPLY_WORKERS", "3")).Workers();
        Assert.That((workers.ReplyConcurrency, workers.ConcurrencyFromDeprecatedReplyWorkers), Is.EqualTo((3, true)));
    }

    [Test]
    public void ReplyConcurrency_WinsOverReplyWorkers()
    {
        var workers = Settings(("REPLY_WORKERS", "3"), ("REPLY_CONCURRENCY", "100"), ("REPLY_TENANT_CONCURRENCY", "5")).Workers();
        Assert.That((workers.ReplyConcurrency, workers.TenantConcurrency, workers.ConcurrencyFromDeprecatedReplyWorkers), Is.EqualTo((100, 5, false)));
    }

    [TestCase("REPLY_CONCURRENCY", "0")]
    [TestCase("REPLY_TENANT_CONCURRENCY", "many")]
    public void BadValue_StopsStartup_NamingTheVariable(string name, string value) =>
        Assert.That(() => Settings((name, value)).Workers(), Throws.TypeOf<OptionsValidationException>().With.Message.Contains(name));
}
