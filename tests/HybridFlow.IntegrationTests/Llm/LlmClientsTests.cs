using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Llm;
using HybridFlow.Infrastructure.Security;
using NUnit.Framework;
using HybridFlow.Domain.Tenants;
using static HybridFlow.IntegrationTests.Llm.LlmTestSupport;

namespace HybridFlow.IntegrationTests.Llm;

public sealed class LlmClientsTests
{
    [Test]
    public void Fingerprint_NamesAnAccountWithoutItsKey()
    {
        const string key = "sk-tenant-fingerprint-0123456789";

        var fingerprint = LlmClients.Fingerprint(new LlmCredentials(key, null));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(fingerprint, Does.StartWith("tenant:"));
            Assert.That(fingerprint, Does.Not.Contain(key[3..10]));
            Assert.That(LlmClients.Fingerprint(new LlmCredentials(key, null)), Is.EqualTo(fingerprint), "stable within the process");
            Assert.That(LlmClients.Fingerprint(new LlmCredentials(key + "x", null)), Is.Not.EqualTo(fingerprint));
            Assert.That(LlmClients.Fingerprint(new LlmCredentials(key, "https://gateway.example.com/v1")), Is.Not.EqualTo(fingerprint));
            Assert.That(LlmClients.Fingerprint(null), Is.EqualTo("global"));
            Assert.That(LlmClients.Fingerprint(new LlmCredentials(null, null)), Is.EqualTo("global"));
        }
    }

    [Test]
    public void Clients_AreKeptPerAccount_AndBounded()
    {
        var options = Options(("OPENAI_API_KEY", "sk-platform"));
        using var clients = new LlmClients(options, new OutboundAddressGuard(new OutboundAddressOptions()));

        var first = clients.OpenAi(new LlmCredentials("sk-tenant-0", null));
        var again = clients.OpenAi(new LlmCredentials("sk-tenant-0", null));
        for (var i = 1; i <= LlmClients.Capacity + 20; i++) clients.OpenAi(new LlmCredentials($"sk-tenant-{i}", null));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again!.Client, Is.SameAs(first!.Client), "one client per account");
            Assert.That(clients.Count, Is.EqualTo(LlmClients.Capacity));
            Assert.That(clients.OpenAi(new LlmCredentials("sk-tenant-0", null))!.Client, Is.Not.SameAs(first.Client), "the least recently used went first");
        }
    }

    [Test]
    public void Accounts_PrintWithoutTheirKey()
    {
        const string key = "sk-tenant-print-0123456789";
        var options = Options(("OPENAI_API_KEY", "sk-platform"), ("ANTHROPIC_API_KEY", "sk-ant-platform"));
        using var clients = new LlmClients(options, new OutboundAddressGuard(new OutboundAddressOptions()));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(clients.OpenAi(new LlmCredentials(key, null))!.ToString(), Does.Not.Contain(key));
            Assert.That(clients.Anthropic(new LlmCredentials(key, null))!.ToString(), Does.Not.Contain(key));
            Assert.That(new LlmCredentials(key, null).ToString(), Does.Not.Contain(key));
        }
    }
}
