using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.Application.Instances;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Security;

/// <summary>Evolution keys and webhook secrets are encrypted in the database, rotate by restart, and still work.</summary>
public sealed class SecretsAtRestTests
{
    private const string NewKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    [Test]
    public async Task Secrets_AreNotInClearTextInTheDatabase_AndStillAuthenticate()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await app.CreateTenantWithInstanceAsync();

        var stored = await app.ScalarAsync<string>("SELECT evo_api_key || ' ' || webhook_secret FROM instances WHERE instance_name = $1", instance);
        Assert.That(stored, Does.Not.Contain(HybridFlowApp.EvolutionApiKey));
        Assert.That(stored, Does.Not.Contain(HybridFlowApp.WebhookSecret));
        Assert.That(stored!.Split(' '), Is.All.StartsWith("enc:v2:"));

        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "reply sent with the decrypted Evolution key");
        Assert.That(app.Evolution.SendsTo(chat)[0].Header("apikey"), Is.EqualTo(HybridFlowApp.EvolutionApiKey));
    }

    [Test]
    public async Task KeyRotation_ReencryptsAtStartup_AndAProcessWithoutTheKeyAnswers503()
    {
        await using var old = await HybridFlowApp.StartAsync();
        var (_, instance) = await old.CreateTenantWithInstanceAsync();
        var before = await old.ScalarAsync<string>("SELECT webhook_secret FROM instances WHERE instance_name = $1", instance);

        await using var rotated = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["SECRETS_ENCRYPTION_KEY"] = NewKey,
            ["SECRETS_ENCRYPTION_PREVIOUS_KEYS"] = HybridFlowApp.EncryptionKey,
        }, old.ConnectionString);
        Assert.That(await rotated.DeliverAsync(instance, Payloads.CustomerText(Payloads.NewChatId(), "Oi")), Is.EqualTo("ai_queued"));
        var after = await rotated.ScalarAsync<string>("SELECT webhook_secret FROM instances WHERE instance_name = $1", instance);
        Assert.That(after, Does.StartWith("enc:v2:"));
        Assert.That(after!.Split(':')[2], Is.Not.EqualTo(before!.Split(':')[2]), "re-encrypted under the new key id");

        await using var stale = await HybridFlowApp.StartAsync(sharedDatabase: old.ConnectionString);
        var response = await stale.PostWebhookAsync(instance, Payloads.CustomerText(Payloads.NewChatId(), "Oi"));
        Assert.That((int)response.StatusCode, Is.EqualTo(503), "a key problem on our side is retryable, never a 4xx that drops the message");
    }

    [Test]
    public async Task WorkflowSecret_IsEncryptedToo()
    {
        await using var app = await HybridFlowApp.StartAsync();
        const string workflowSecret = "workflow-signing-secret-0123456789";
        var created = await app.Admin.PostAsJsonAsync("/api/tenants", new
        {
            name = "Workflow tenant", reply_mode = "workflow", workflow_url = "http://127.0.0.1:9/hook", workflow_secret = workflowSecret,
        });
        Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
        Assert.That(await created.Content.ReadAsStringAsync(), Does.Not.Contain(workflowSecret));
        var stored = await app.ScalarAsync<string>("SELECT workflow_secret FROM tenants WHERE name = 'Workflow tenant'");
        Assert.That(stored, Does.StartWith("enc:v2:").And.Not.Contain(workflowSecret));
    }

    [Test]
    public async Task Secrets_AreNeverReturned()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance) = await app.CreateTenantWithInstanceAsync();
        var list = await (await app.Admin.GetAsync($"/api/instances?tenant_id={tenantId}")).Content.ReadAsStringAsync();
        Assert.That(list, Does.Not.Contain(HybridFlowApp.EvolutionApiKey).And.Not.Contain(HybridFlowApp.WebhookSecret).And.Not.Contain("enc:v2"));
        var item = JsonDocument.Parse(list).RootElement.GetProperty("items")[0];
        Assert.That(item.GetProperty("webhook_secret").GetString(), Is.EqualTo("****" + HybridFlowApp.WebhookSecret[^4..]));
        Assert.That(item.GetProperty("instance_name").GetString(), Is.EqualTo(instance));
    }

    [Test]
    public async Task KeyRotation_AsTheReadmeSays_KeepsLoginsWorking_TheDataProtectionKeysAreReencrypted()
    {
        await using var old = await HybridFlowApp.StartAsync();
        var (tenantId, _) = await old.CreateTenantWithInstanceAsync();
        await UserSessions.CreateUserAsync(old, tenantId, "rotation@hybridflow.test", "tenant_admin");
        var login = await old.Client.PostAsJsonAsync("/api/auth/login", new { email = "rotation@hybridflow.test", password = UserSessions.DefaultPassword });
        Assert.That((int)login.StatusCode, Is.EqualTo(200), await login.Content.ReadAsStringAsync());
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("hybridflow_auth=", StringComparison.Ordinal)).Split(';')[0];

        async Task<int> MeAsync(HybridFlowApp app)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
            request.Headers.Add("Cookie", cookie);
            return (int)(await app.Client.SendAsync(request)).StatusCode;
        }
        Assert.That(await MeAsync(old), Is.EqualTo(200));
        var oldKeyId = (await old.ScalarAsync<string>("SELECT xml FROM data_protection_keys LIMIT 1"))!.Split("enc:v2:")[1][..8];

        // The steps of docs/SECURITY.md: the new key with the old one as previous, restart; then the new key alone, restart.
        await using (var rotated = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["SECRETS_ENCRYPTION_KEY"] = NewKey,
            ["SECRETS_ENCRYPTION_PREVIOUS_KEYS"] = HybridFlowApp.EncryptionKey,
        }, old.ConnectionString))
            Assert.That(await MeAsync(rotated), Is.EqualTo(200));
        Assert.That(await old.ScalarAsync<long>("SELECT count(*) FROM data_protection_keys WHERE xml LIKE '%enc:v2:' || $1 || ':%'", oldKeyId), Is.EqualTo(0),
            "no Data Protection key is left under the old key");

        await using var final = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["SECRETS_ENCRYPTION_KEY"] = NewKey }, old.ConnectionString);
        Assert.That(await MeAsync(final), Is.EqualTo(200), "the cookie issued before the rotation still works");
        var fresh = await final.Client.PostAsJsonAsync("/api/auth/login", new { email = "rotation@hybridflow.test", password = UserSessions.DefaultPassword });
        Assert.That((int)fresh.StatusCode, Is.EqualTo(200), "and new logins work");
    }

    [Test]
    public async Task AnInstanceSecretCopiedFromAnotherRow_DoesNotDecrypt_TheListShowsItUnreadable_AndReenteringItFixesIt()
    {
        const string victimSecret = "victim-webhook-secret-0123456789-vict";
        const string otherSecret = "other-webhook-secret-0123456789-othr";
        await using var app = await HybridFlowApp.StartAsync();
        var (_, victim) = await app.CreateTenantWithInstanceAsync(webhookSecret: victimSecret);
        var (otherTenant, other) = await app.CreateTenantWithInstanceAsync(new { name = "Other business" }, webhookSecret: otherSecret);

        // Someone with write access to the database copies the victim's ciphertext into another tenant's row.
        await app.ScalarAsync<int>(
            "UPDATE instances SET webhook_secret = (SELECT webhook_secret FROM instances WHERE instance_name = $1) WHERE instance_name = $2 RETURNING 1",
            victim, other);

        var list = await app.Admin.GetAsync($"/api/instances?tenant_id={otherTenant}");
        Assert.That((int)list.StatusCode, Is.EqualTo(200), "the list page still lists the instance");
        var item = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("items")[0];
        Assert.That(item.GetProperty("webhook_secret").GetString(), Is.EqualTo(SecretMask.Unreadable), "never the victim's ****vict");
        Assert.That(item.GetProperty("evo_api_key").GetString(), Is.EqualTo("****" + HybridFlowApp.EvolutionApiKey[^4..]), "the row's own secret still reads");

        var withVictimSecret = await app.PostWebhookAsync(other, Payloads.CustomerText(Payloads.NewChatId(), "Oi"), victimSecret);
        Assert.That((int)withVictimSecret.StatusCode, Is.EqualTo(503), "the copied secret does not authenticate; Evolution retries once it is re-entered");

        // Logged with its place, never its value.
        await using (var api = await ApiProcess.StartAsync(app.Settings))
        {
            using var http = new HttpClient { BaseAddress = api.BaseAddress };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", HybridFlowApp.AdminKey);
            Assert.That((int)(await http.GetAsync($"/api/instances?tenant_id={otherTenant}")).StatusCode, Is.EqualTo(200));
            var otherId = await app.ScalarAsync<long>("SELECT id FROM instances WHERE instance_name = $1", other);
            await HybridFlowApp.EventuallyAsync(() => api.Output.Contains($"instances.webhook_secret:{otherId}", StringComparison.Ordinal), "the unreadable secret is logged by its place");
            Assert.That(api.Output, Does.Not.Contain(victimSecret).And.Not.Contain(otherSecret));
        }

        var reentered = await app.Admin.PatchAsJsonAsync($"/api/instances/{other}", new { webhook_secret = otherSecret });
        Assert.That((int)reentered.StatusCode, Is.EqualTo(200), await reentered.Content.ReadAsStringAsync());
        Assert.That(await app.DeliverAsync(other, Payloads.CustomerText(Payloads.NewChatId(), "Oi")), Is.EqualTo("ai_queued"));
    }

    [Test]
    public async Task ASecretMovedToAnotherColumnOrTenant_DoesNotDecrypt()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance) = await app.CreateTenantWithInstanceAsync(new { llm_api_key = "sk-first-tenant-own-key-0001" });
        var (otherTenant, _) = await app.CreateTenantWithInstanceAsync(new { name = "Other business", llm_api_key = "sk-other-tenant-own-key-0002" });

        await app.ScalarAsync<int>("UPDATE tenants SET llm_api_key = (SELECT llm_api_key FROM tenants WHERE id = $1) WHERE id = $2 RETURNING 1", tenantId, otherTenant);
        var tenant = JsonDocument.Parse(await app.Admin.GetStringAsync($"/api/tenants/{otherTenant}")).RootElement;
        Assert.That(tenant.GetProperty("llm_api_key").GetString(), Is.EqualTo(SecretMask.Unreadable), "never the first tenant's ****0001");
        Assert.That((int)(await app.Admin.GetAsync("/api/tenants")).StatusCode, Is.EqualTo(200));

        await app.ScalarAsync<int>("UPDATE instances SET webhook_secret = evo_api_key WHERE instance_name = $1 RETURNING 1", instance);
        var item = JsonDocument.Parse(await app.Admin.GetStringAsync($"/api/instances/{instance}")).RootElement;
        Assert.That(item.GetProperty("webhook_secret").GetString(), Is.EqualTo(SecretMask.Unreadable));
    }

    [Test]
    public async Task OldFormatSecrets_StillWork_AreRewrittenBoundOnTheNextWrite_AndRotationKeepsTheBinding()
    {
        await using var old = await HybridFlowApp.StartAsync();
        var (_, instance) = await old.CreateTenantWithInstanceAsync();
        // As a release before the binding stored them: v1, no associated data.
        var key = Convert.FromBase64String(HybridFlowApp.EncryptionKey);
        await old.ScalarAsync<int>("UPDATE instances SET evo_api_key = $2, webhook_secret = $3 WHERE instance_name = $1 RETURNING 1", instance,
            SecretProtectorTests.EncryptV1(HybridFlowApp.EvolutionApiKey, key), SecretProtectorTests.EncryptV1(HybridFlowApp.WebhookSecret, key));

        var chat = Payloads.NewChatId();
        Assert.That(await old.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("ai_queued"), "v1 still reads");
        await HybridFlowApp.EventuallyAsync(() => old.Evolution.SendsTo(chat).Count == 1, "reply sent with the v1 Evolution key");
        Assert.That(old.Evolution.SendsTo(chat)[0].Header("apikey"), Is.EqualTo(HybridFlowApp.EvolutionApiKey));

        var patched = await old.Admin.PatchAsJsonAsync($"/api/instances/{instance}", new { evo_api_key = HybridFlowApp.EvolutionApiKey });
        Assert.That((int)patched.StatusCode, Is.EqualTo(200), await patched.Content.ReadAsStringAsync());
        Assert.That(await old.ScalarAsync<string>("SELECT webhook_secret FROM instances WHERE instance_name = $1", instance),
            Does.StartWith("enc:v2:" + SecretProtectorTests.KeyId(key) + ":"), "the untouched secret is rewritten bound by the next write");

        await old.ScalarAsync<int>("UPDATE instances SET webhook_secret = $2 WHERE instance_name = $1 RETURNING 1", instance,
            SecretProtectorTests.EncryptV1(HybridFlowApp.WebhookSecret, key));
        await using var rotated = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["SECRETS_ENCRYPTION_KEY"] = NewKey,
            ["SECRETS_ENCRYPTION_PREVIOUS_KEYS"] = HybridFlowApp.EncryptionKey,
        }, old.ConnectionString);
        var stored = await rotated.ScalarAsync<string>("SELECT evo_api_key || ' ' || webhook_secret FROM instances WHERE instance_name = $1", instance);
        Assert.That(stored!.Split(' '), Is.All.StartsWith("enc:v2:" + SecretProtectorTests.KeyId(Convert.FromBase64String(NewKey)) + ":"));
        Assert.That(await rotated.DeliverAsync(instance, Payloads.CustomerText(Payloads.NewChatId(), "Oi")), Is.EqualTo("ai_queued"));

        // The rotated values are still bound: the Evolution key put in the webhook secret's column does not read.
        await rotated.ScalarAsync<int>("UPDATE instances SET webhook_secret = evo_api_key WHERE instance_name = $1 RETURNING 1", instance);
        var item = JsonDocument.Parse(await rotated.Admin.GetStringAsync($"/api/instances/{instance}")).RootElement;
        Assert.That(item.GetProperty("webhook_secret").GetString(), Is.EqualTo(SecretMask.Unreadable));
    }

    [TestCase("ADMIN_API_KEY")]
    [TestCase("METRICS_API_KEY")]
    [TestCase("CRON_SECRET")]
    [TestCase("EVOLUTION_WEBHOOK_SHARED_SECRET")]
    public async Task InProduction_ASharedSecretShorterThan24Characters_StopsStartup_NamingTheVariable(string variable)
    {
        var failure = await Assert.CatchAsync(async () =>
        {
            await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { [variable] = "change-me" });
        });
        var messages = string.Join(" | ", Chain(failure!).Select(e => e.Message));
        Assert.That(messages, Does.Contain(variable + " is shorter than 24 characters"));
    }

    [Test]
    public async Task AnEmptySecretCountsAsUnset_AndOutsideProductionAShortOneIsAccepted()
    {
        await using (var empty = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["METRICS_API_KEY"] = "", ["CRON_SECRET"] = "" }))
            Assert.That((int)(await empty.Admin.GetAsync("/api/tenants")).StatusCode, Is.EqualTo(200));
        await using var development = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["CRON_SECRET"] = "short" }, environment: "Development");
        Assert.That((int)(await development.Admin.GetAsync("/api/tenants")).StatusCode, Is.EqualTo(200));
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
