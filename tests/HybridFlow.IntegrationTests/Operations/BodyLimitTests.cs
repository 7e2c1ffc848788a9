using System.Net.Http.Headers;
using System.Text;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Operations;

/// <summary>The admin area takes bodies up to 1 MiB; larger ones are answered 413 before any work.</summary>
public sealed class BodyLimitTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private Task<HttpResponseMessage> PostTenantAsync(int promptLength)
    {
        var body = $$"""{"name": "Big prompt", "system_prompt": "{{new string('a', promptLength)}}"}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/tenants") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HybridFlowApp.AdminKey);
        return _app.Client.SendAsync(request);
    }

    [Test]
    public async Task AdminBodyOverOneMebibyte_Is413_AndStoresNothing()
    {
        var before = await _app.ScalarAsync<long>("SELECT count(*) FROM tenants");
        var response = await PostTenantAsync(1024 * 1024 + 1);
        Assert.That((int)response.StatusCode, Is.EqualTo(413), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM tenants"), Is.EqualTo(before));
    }

    [Test]
    public async Task AdminBodyUnderTheLimit_IsNotRefusedForItsSize()
    {
        var response = await PostTenantAsync(900 * 1024);
        Assert.That((int)response.StatusCode, Is.Not.EqualTo(413), await response.Content.ReadAsStringAsync());
    }
}
