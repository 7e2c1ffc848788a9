using System.Net;
using System.Net.Http.Json;
using HybridFlow.Infrastructure;
using HybridFlow.Infrastructure.Security;
using HybridFlow.Infrastructure.Settings;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace HybridFlow.IntegrationTests.Security;

/// <summary>
/// Issue 17 F17 and OUTBOUND_ALLOW_ADDRESSES: what a tenant URL may reach when the operator names private addresses, and
/// how tenant URLs use a proxy (only OUTBOUND_PROXY, never HTTP(S)_PROXY, and the target is checked before the proxy).
/// </summary>
public sealed class OutboundProxyAndAllowListTests
{
    private const string Blocked = "outbound address not allowed";
    private ScriptedHttpServer _loopback = null!;
    private ScriptedHttpServer _public = null!;

    [OneTimeSetUp]
    public async Task StartServers()
    {
        _loopback = await ScriptedHttpServer.StartAsync("127.0.0.1");
        _public = await ScriptedHttpServer.StartAsync("127.0.0.2");
    }

    [OneTimeTearDown]
    public async Task StopServers()
    {
        await _loopback.DisposeAsync();
        await _public.DisposeAsync();
    }

    private static OutboundAddressGuard Guard(string? allow = null, Uri? proxy = null) =>
        new(new OutboundAddressOptions { AllowList = OutboundAllowList.Parse(allow), Proxy = proxy });

    private static HttpClient TenantClient(OutboundAddressGuard guard) => new(guard.CreateTenantHandler()) { Timeout = TimeSpan.FromSeconds(10) };

    // ---- OUTBOUND_ALLOW_ADDRESSES

    [TestCase("http://10.0.0.5:8080/", "10.0.0.5", TestName = "Allow_AnIp_LiftsTheRuleForIt")]
    [TestCase("http://10.0.0.77/", "10.0.0.0/24", TestName = "Allow_ACidr_LiftsTheRuleInside")]
    [TestCase("http://[fd12::5]/", "fd12::/16", TestName = "Allow_AnIpv6Cidr_LiftsTheRuleInside")]
    [TestCase("http://[::ffff:10.0.0.5]/", "10.0.0.5", TestName = "Allow_AnIp_AlsoCoversItsIpv4MappedForm")]
    [TestCase("http://localhost:8080/", "localhost", TestName = "Allow_AHostName_LiftsTheRuleForThatName")]
    [TestCase("http://LOCALHOST./", "localhost", TestName = "Allow_AHostName_IgnoresCaseAndTheTrailingDot")]
    public async Task Allow_AtSaveTime(string url, string allow) =>
        Assert.That(await Guard(allow).RefusalAsync(url, CancellationToken.None), Is.Null);

    [TestCase("http://10.0.0.6/", "10.0.0.5", TestName = "Allow_AnIp_LeavesItsNeighbourRefused")]
    [TestCase("http://10.0.1.1/", "10.0.0.0/24", TestName = "Allow_ACidr_LeavesOutsideRefused")]
    [TestCase("http://localhost/", "127.0.0.2,evolution.internal", TestName = "Allow_ANameOutsideTheList_IsStillRefused")]
    [TestCase("http://169.254.169.254/", "10.0.0.0/8", TestName = "Allow_TheMetadataAddress_StaysRefused")]
    public async Task Refuse_AtSaveTime(string url, string allow) =>
        Assert.That(await Guard(allow).RefusalAsync(url, CancellationToken.None), Does.Contain("must not point to a private"));

    [TestCase("10.0.0.300")]
    [TestCase("10.0.0.5/33")]
    [TestCase("10.0.0")]
    [TestCase("10.0.0.5/8")]
    [TestCase("not a host")]
    [TestCase("http://10.0.0.5")]
    [TestCase("10.0.0.5,*.internal")]
    public void Allow_ABadEntry_StopsStartupNamingTheVariable(string value)
    {
        var e = Assert.Throws<OptionsValidationException>(() => BoundSettings.Of<EnvironmentSettings>((OutboundAllowList.Variable, value)));
        Assert.That(e!.Message, Does.StartWith(OutboundAllowList.Variable));
    }

    [Test]
    public void Proxy_ABadUrl_StopsStartupNamingTheVariable()
    {
        Assert.That(Assert.Throws<OptionsValidationException>(() => BoundSettings.Of<EnvironmentSettings>(("OUTBOUND_PROXY", "squid:3128")))!.Message, Does.StartWith("OUTBOUND_PROXY"));
    }

    [Test]
    public async Task Allow_AtConnectTime_TheListedAddressIsReached_AndAnUnlistedNameIsNot()
    {
        var before = _loopback.Requests.Count;
        using var client = TenantClient(Guard("127.0.0.2"));
        var reached = await client.GetAsync(_public.BaseAddress);
        Assert.That(reached.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://localhost:{_loopback.BaseAddress.Port}/"));
        Assert.That(OutboundAddressGuard.BlockedBy(e)?.Message, Does.Contain(Blocked));
        Assert.That(_loopback.Requests, Has.Count.EqualTo(before));
    }

    [Test]
    public async Task Allow_AtConnectTime_AListedHostName_IsReached()
    {
        var before = _loopback.Requests.Count;
        using var client = TenantClient(Guard("localhost"));
        var reached = await client.GetAsync($"http://localhost:{_loopback.BaseAddress.Port}/named");
        Assert.That(reached.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(_loopback.Requests, Has.Count.EqualTo(before + 1));
    }

    [Test]
    public async Task Allow_InTheApp_ATenantKeyMaySaveAListedAddress_ButNotAnUnlistedOne()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { [OutboundAllowList.Variable] = "127.0.0.2" });
        var (tenantId, _) = await app.CreateTenantWithInstanceAsync();
        var tenantAdmin = app.ClientWithKey(await app.CreateApiKeyAsync(tenantId, "tenant_admin"));

        var listed = await tenantAdmin.PatchAsJsonAsync($"/api/tenants/{tenantId}", new { workflow_url = new Uri(_public.BaseAddress, "hook").ToString() });
        await ApiAssert.StatusAsync(listed, 200);
        var unlisted = await tenantAdmin.PatchAsJsonAsync($"/api/tenants/{tenantId}", new { workflow_url = $"http://127.0.0.3:{_public.BaseAddress.Port}/hook" });
        await ApiAssert.ProblemAsync(unlisted, 400, "workflow_url");
    }

    // ---- proxies (F17)

    [Test]
    public void Proxy_WithoutOutboundProxy_TheTenantHandlerUsesNoProxy_AndFollowsNoRedirect()
    {
        var handler = Guard().CreateTenantHandler();
        Assert.That(handler, Is.TypeOf<SocketsHttpHandler>());
        var sockets = (SocketsHttpHandler)handler;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sockets.UseProxy, Is.False, "HTTP(S)_PROXY is ignored for tenant URLs");
            Assert.That(sockets.AllowAutoRedirect, Is.False);
            Assert.That(sockets.ConnectCallback, Is.Not.Null, "every connection goes through the guard");
        }
        handler.Dispose();
    }

    [Test]
    [NonParallelizable] // sets HttpClient.DefaultProxy, which every handler in the process reads
    public async Task Proxy_AnEnvironmentProxy_IsNotUsedForTenantUrls()
    {
        await using var proxy = await ScriptedHttpServer.StartAsync("127.0.0.1");
        var before = _public.Requests.Count;
        var previous = HttpClient.DefaultProxy;
        HttpClient.DefaultProxy = new WebProxy(proxy.BaseAddress);
        try
        {
            // Control: an ordinary client does go through it.
            using (var ordinary = new HttpClient())
                await ordinary.GetAsync(new Uri(_public.BaseAddress, "ordinary"));
            Assert.That(proxy.Requests, Has.Count.EqualTo(1), "the environment proxy is in force");

            using var client = TenantClient(Guard("127.0.0.2"));
            var reached = await client.GetAsync(new Uri(_public.BaseAddress, "direct"));
            Assert.That(reached.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        finally
        {
            HttpClient.DefaultProxy = previous;
        }
        Assert.That(proxy.Requests, Has.Count.EqualTo(1), "the environment's proxy saw nothing of the tenant's call");
        Assert.That(_public.Requests, Has.Count.EqualTo(before + 1), "the tenant's server was called directly");
    }

    [Test]
    public async Task Proxy_WithOutboundProxy_APrivateTargetIsRefusedBeforeTheProxyIsContacted_AndAPublicOneGoesThroughIt()
    {
        await using var proxy = await ScriptedHttpServer.StartAsync("127.0.0.1");
        proxy.Answer = c => ScriptedHttpServer.Json(c, 200, """{"via":"proxy"}""");
        using var client = TenantClient(Guard(proxy: proxy.BaseAddress));

        foreach (var target in new[] { "http://10.1.2.3/internal", $"http://localhost:{_loopback.BaseAddress.Port}/", "http://169.254.169.254/latest/meta-data" })
        {
            var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(target), target);
            Assert.That(OutboundAddressGuard.BlockedBy(e)?.Message, Does.Contain(Blocked), target);
        }
        Assert.That(proxy.Requests, Is.Empty, "the proxy was never asked for a private target");

        // A public address: HybridFlow does not connect to it itself, the proxy gets the request.
        var answer = await client.GetStringAsync("http://93.184.215.14/evolution");
        Assert.That(answer, Does.Contain("proxy"));
        Assert.That(proxy.Requests.Single().Target, Is.EqualTo("http://93.184.215.14/evolution"));
    }

    [Test]
    public async Task Proxy_ARedirectThroughTheProxy_IsStillRefused()
    {
        await using var proxy = await ScriptedHttpServer.StartAsync("127.0.0.1");
        proxy.Answer = c => ScriptedHttpServer.Redirect(c, "http://10.0.0.1/admin", 302);
        using var client = new HttpClient(OutboundHttp.Chain(Guard(proxy: proxy.BaseAddress).CreateTenantHandler(), 1024));

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("http://93.184.215.14/evolution"));
        Assert.That(e!.Message, Is.EqualTo("redirect to http://10.0.0.1/admin refused"));
        Assert.That(proxy.Requests, Has.Count.EqualTo(1));
    }
}
