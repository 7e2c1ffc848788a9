using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.MetaCloud;

/// <summary>Issue 21 item 1: a Cloud API number connected through the admin API, its secrets write-only, encrypted and masked.</summary>
public sealed class MetaInstancesApiTests
{
    private const string Token = "EAAGsecret-token-of-this-number-WXYZ";
    private const string AppSecret = "own-app-secret-0123456789-ABCD";
    private const string VerifyToken = "own-verify-token-0123456789-EFGH";
    private HybridFlowApp _app = null!;
    private long _tenantId;
    private string _tenantKey = "";
    private string _otherTenantKey = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        (_tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        _tenantKey = await _app.CreateApiKeyAsync(_tenantId, "tenant_admin");
        var (other, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Outra Loja" });
        _otherTenantKey = await _app.CreateApiKeyAsync(other, "tenant_admin");
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static string NewName() => "cloud-" + string.Concat(Guid.NewGuid().ToString("N")[..8].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));

    private static string NewPhoneNumberId() => "1065" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);

    private Task<HttpResponseMessage> CreateAsync(string key, object body) => _app.PostWithKeyAsync("/api/instances", body, key);

    private async Task<JsonElement> CreateMetaAsync(string name, string phoneNumberId)
    {
        var response = await CreateAsync(_tenantKey, new
        {
            instance_name = name, provider = "meta_cloud", meta_phone_number_id = phoneNumberId, meta_waba_id = "102290129340398",
            meta_access_token = Token, meta_app_secret = AppSecret, meta_verify_token = VerifyToken,
        });
        return await ApiAssert.StatusAsync(response, 201);
    }

    [Test]
    public async Task Create_MetaCloudInstance_ShowsItsIdsAndMasksItsSecrets()
    {
        var phone = NewPhoneNumberId();
        var created = await CreateMetaAsync(NewName(), phone);

        Assert.That(created.GetProperty("provider").GetString(), Is.EqualTo("meta_cloud"));
        Assert.That(created.GetProperty("meta_phone_number_id").GetString(), Is.EqualTo(phone));
        Assert.That(created.GetProperty("meta_waba_id").GetString(), Is.EqualTo("102290129340398"));
        Assert.That(created.GetProperty("meta_access_token").GetString(), Is.EqualTo("****WXYZ"));
        Assert.That(created.GetProperty("meta_app_secret").GetString(), Is.EqualTo("****ABCD"));
        Assert.That(created.GetProperty("meta_verify_token").GetString(), Is.EqualTo("****EFGH"));
        Assert.That(created.GetProperty("evo_server_url").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(created.GetProperty("evo_api_key").ValueKind, Is.EqualTo(JsonValueKind.Null));

        var name = created.GetProperty("instance_name").GetString()!;
        var read = await _app.ClientWithKey(_tenantKey).GetJsonAsync($"/api/instances/{name}");
        Assert.That(read.GetRawText(), Does.Not.Contain(Token).And.Not.Contain(AppSecret).And.Not.Contain(VerifyToken));
        Assert.That(read.GetProperty("meta_access_token").GetString(), Is.EqualTo("****WXYZ"));
    }

    [Test]
    public async Task Secrets_AreEncryptedAtRest_AndBoundToTheRow()
    {
        var name = NewName();
        await CreateMetaAsync(name, NewPhoneNumberId());
        foreach (var column in new[] { "meta_access_token", "meta_app_secret", "meta_verify_token" })
        {
            var stored = await _app.ScalarAsync<string>($"SELECT {column} FROM instances WHERE instance_name = $1", name);
            Assert.That(stored, Is.Not.Null.And.Not.Empty, column);
            Assert.That(stored, Does.Not.Contain(Token).And.Not.Contain(AppSecret).And.Not.Contain(VerifyToken), column + " is not stored in clear");
        }
    }

    [Test]
    public async Task Patch_ChangesTheToken_WriteOnly_AndNullFallsBackToThePlatformApp()
    {
        var name = NewName();
        await CreateMetaAsync(name, NewPhoneNumberId());
        var client = _app.ClientWithKey(_tenantKey);

        var patched = await ApiAssert.StatusAsync(await client.PatchAsJsonAsync($"/api/instances/{name}",
            new { meta_access_token = "EAAGanother-token-0123456789-QRST", meta_app_secret = (string?)null }), 200);
        Assert.That(patched.GetProperty("meta_access_token").GetString(), Is.EqualTo("****QRST"));
        Assert.That(patched.GetProperty("meta_app_secret").ValueKind, Is.EqualTo(JsonValueKind.Null), "null: the platform's META_APP_SECRET");
        Assert.That(patched.GetProperty("meta_verify_token").GetString(), Is.EqualTo("****EFGH"), "kept");
        Assert.That(await _app.ScalarAsync<string>("SELECT meta_app_secret FROM instances WHERE instance_name = $1", name), Is.Null);

        await ApiAssert.ProblemAsync(await client.PatchAsJsonAsync($"/api/instances/{name}", new { meta_access_token = (string?)null }), 400, "meta_access_token");
        await ApiAssert.ProblemAsync(await client.PatchAsJsonAsync($"/api/instances/{name}", new { evo_api_key = "x" }), 400, "provider");
    }

    [Test]
    public async Task APhoneNumberIdConnectedAlready_Is409_OnCreateAndOnPatch()
    {
        var phone = NewPhoneNumberId();
        await CreateMetaAsync(NewName(), phone);

        // Another tenant's admin gets the same answer: ids are global, like names, and the answer names no holder.
        var taken = await CreateAsync(_otherTenantKey, new
        {
            instance_name = NewName(), provider = "meta_cloud", meta_phone_number_id = phone, meta_access_token = Token,
        });
        var problem = await ApiAssert.ProblemAsync(taken, 409);
        Assert.That(problem.GetRawText(), Does.Not.Contain(_tenantId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ","));

        var second = NewName();
        await CreateMetaAsync(second, NewPhoneNumberId());
        await ApiAssert.ProblemAsync(await _app.ClientWithKey(_tenantKey).PatchAsJsonAsync($"/api/instances/{second}", new { meta_phone_number_id = phone }), 409);
    }

    [Test]
    public async Task AnotherTenantsCloudInstance_Is404()
    {
        var name = NewName();
        await CreateMetaAsync(name, NewPhoneNumberId());
        var stranger = _app.ClientWithKey(_otherTenantKey);
        Assert.That((int)(await stranger.GetAsync($"/api/instances/{name}")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await stranger.PatchAsJsonAsync($"/api/instances/{name}", new { meta_access_token = "EAAGstolen-0123456789" })).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await stranger.DeleteAsync($"/api/instances/{name}")).StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task EvolutionsWebhookCalls_RefuseACloudInstance()
    {
        var name = NewName();
        await CreateMetaAsync(name, NewPhoneNumberId());
        var client = _app.ClientWithKey(_tenantKey);
        await ApiAssert.ProblemAsync(await client.PostAsync($"/api/instances/{name}/test-webhook", null), 400, "provider");
        await ApiAssert.ProblemAsync(await client.PostAsJsonAsync($"/api/instances/{name}/configure-webhook",
            new { webhook_url_base = "https://hybridflow.example.com" }), 400, "provider");
    }

    [Test]
    public async Task Validation_AMetaCloudInstanceNeedsItsNumberAndToken_AndTheEvoFieldsAreForEvolution()
    {
        await ApiAssert.ProblemAsync(await CreateAsync(_tenantKey, new { instance_name = NewName(), provider = "meta_cloud", meta_access_token = Token }),
            400, "meta_phone_number_id");
        await ApiAssert.ProblemAsync(await CreateAsync(_tenantKey, new { instance_name = NewName(), provider = "meta_cloud", meta_phone_number_id = NewPhoneNumberId() }),
            400, "meta_access_token");
        await ApiAssert.ProblemAsync(await CreateAsync(_tenantKey, new
        {
            instance_name = NewName(), provider = "meta_cloud", meta_phone_number_id = NewPhoneNumberId(), meta_access_token = Token,
            evo_server_url = "https://evolution.example.com",
        }), 400, "provider");
        await ApiAssert.ProblemAsync(await CreateAsync(_tenantKey, new
        {
            instance_name = NewName(), evo_server_url = "https://evolution.example.com", evo_api_key = "k", meta_access_token = Token,
        }), 400, "provider");
        await ApiAssert.ProblemAsync(await CreateAsync(_tenantKey, new { instance_name = NewName(), provider = "twilio" }), 400, "provider");
    }
}
