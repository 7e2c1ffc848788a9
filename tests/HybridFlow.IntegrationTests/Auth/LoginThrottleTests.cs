using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>
/// Failed logins are throttled per email from an address, per address and per email (the lockout backstop), with real
/// clients connecting from 127.0.0.1, 127.0.0.2 and 127.0.0.3 to the API on a real Kestrel port.
/// </summary>
public sealed class LoginThrottleTests
{
    private HybridFlowApp _app = null!;
    private long _tenant;
    private readonly List<HttpClient> _clients = [];

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync(realHttp: true);
        (_tenant, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Throttled Tenant" });
    }

    [OneTimeTearDown]
    public async Task StopApp()
    {
        foreach (var client in _clients) client.Dispose();
        await _app.DisposeAsync();
    }

    private static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@padaria.example";

    private HttpClient From(IPAddress source, HybridFlowApp? app = null)
    {
        var client = SourceAddressClients.Create((app ?? _app).RealAddress!, source);
        _clients.Add(client);
        return client;
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { email, password });

    private static int RetryAfter(HttpResponseMessage response) =>
        int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture);

    private static async Task<int> FailAsync(HttpClient client, string email, int times)
    {
        var last = 0;
        for (var i = 0; i < times; i++) last = (int)(await LoginAsync(client, email, "wrong password " + i)).StatusCode;
        return last;
    }

    [Test]
    public async Task FiveFailures_ForOneEmailFromOneAddress_Answer429_WithARetryAfterOfAMinute_ThatDoubles()
    {
        var email = NewEmail("ana");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var one = From(SourceAddressClients.First);
        for (var i = 0; i < 4; i++)
            Assert.That((int)(await LoginAsync(one, email, "wrong password " + i)).StatusCode, Is.EqualTo(401), $"failure {i + 1}");

        var fifth = await LoginAsync(one, email, "wrong password 5");
        var rightPassword = await LoginAsync(one, email, UserSessions.DefaultPassword);

        Assert.That((int)fifth.StatusCode, Is.EqualTo(429));
        Assert.That(RetryAfter(fifth), Is.InRange(59, 60));
        Assert.That(fifth.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((int)rightPassword.StatusCode, Is.EqualTo(429), "blocked: this address may not try this email for a minute");
        Assert.That(RetryAfter(rightPassword), Is.InRange(1, 60));

        _app.Clock.Advance(TimeSpan.FromSeconds(61));
        var afterFirstBlock = await LoginAsync(one, email, "wrong again");
        Assert.That((int)afterFirstBlock.StatusCode, Is.EqualTo(429));
        Assert.That(RetryAfter(afterFirstBlock), Is.InRange(119, 120), "the next failure after a block doubles it");

        _app.Clock.Advance(TimeSpan.FromSeconds(121));
        var afterSecondBlock = await LoginAsync(one, email, "wrong once more");
        Assert.That(RetryAfter(afterSecondBlock), Is.InRange(239, 240));

        _app.Clock.Advance(TimeSpan.FromSeconds(241));
        Assert.That((int)(await LoginAsync(one, email, UserSessions.DefaultPassword)).StatusCode, Is.EqualTo(200), "the right password once the block ends");
        Assert.That(await FailAsync(one, email, 4), Is.EqualTo(401), "a login clears the count and the doubling");
    }

    [Test]
    public async Task WhileOneAddressIsThrottled_TheRightPasswordFromAnotherAddressLogsIn()
    {
        var email = NewEmail("bia");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var attacker = From(SourceAddressClients.First);
        var owner = From(SourceAddressClients.Second);
        Assert.That(await FailAsync(attacker, email, 5), Is.EqualTo(429));

        var login = await LoginAsync(owner, email, UserSessions.DefaultPassword);

        Assert.That((int)login.StatusCode, Is.EqualTo(200), await login.Content.ReadAsStringAsync());
        Assert.That((int)(await owner.GetAsync("/api/auth/me")).StatusCode, Is.EqualTo(200));
        Assert.That((int)(await LoginAsync(attacker, email, UserSessions.DefaultPassword)).StatusCode, Is.EqualTo(429),
            "the attacker's address stays blocked");
        Assert.That(await _app.ScalarAsync<int>("SELECT count(*) FROM users WHERE email = $1 AND lockout_end IS NOT NULL", email), Is.EqualTo(0),
            "the account itself is not locked");
    }

    [Test]
    public async Task AnUnknownEmail_GetsTheSameAnswersAsAKnownOne()
    {
        var known = NewEmail("caio");
        await UserSessions.CreateUserAsync(_app, _tenant, known, "agent");
        var unknown = NewEmail("nobody");
        var client = From(SourceAddressClients.Second);

        async Task<List<string>> AnswersAsync(string email)
        {
            var answers = new List<string>();
            for (var i = 0; i < 7; i++)
            {
                var response = await LoginAsync(client, email, "wrong password " + i);
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? values.Single() : "-";
                answers.Add($"{(int)response.StatusCode} {retryAfter} {problem.GetProperty("title")} {problem.GetProperty("detail")}");
            }
            return answers;
        }

        var knownAnswers = await AnswersAsync(known);
        var unknownAnswers = await AnswersAsync(unknown);

        Assert.That(unknownAnswers, Is.EqualTo(knownAnswers));
        Assert.That(knownAnswers.Select(a => a[..3]), Is.EqualTo(new[] { "401", "401", "401", "401", "429", "429", "429" }));
    }

    [Test]
    public async Task AHundredFailuresFromOneAddress_Answer429ForThatAddress_WhateverTheEmail()
    {
        var email = NewEmail("davi");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var guesser = From(SourceAddressClients.Third);
        var statuses = new List<int>();
        for (var i = 0; i < 100; i++) statuses.Add((int)(await LoginAsync(guesser, NewEmail("guess"), "wrong password")).StatusCode);

        var rightPasswordFromThere = await LoginAsync(guesser, email, UserSessions.DefaultPassword);
        var rightPasswordElsewhere = await LoginAsync(From(SourceAddressClients.Second), email, UserSessions.DefaultPassword);

        Assert.That(statuses.Take(99), Is.All.EqualTo(401), "one failure per email: only the address's count grows");
        Assert.That(statuses[99], Is.EqualTo(429), "the hundredth failure in the hour");
        Assert.That((int)rightPasswordFromThere.StatusCode, Is.EqualTo(429));
        Assert.That(RetryAfter(rightPasswordFromThere), Is.InRange(3500, 3600));
        Assert.That((int)rightPasswordElsewhere.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task TheBackstop_LockoutFailuresFromManyAddresses_LockTheAccountAndAnUnknownEmailAlike_UntilAnAdminUnlocks()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LOGIN_LOCKOUT_FAILURES"] = "6" }, realHttp: true);
        var (tenant, _) = await app.CreateTenantWithInstanceAsync(new { name = "Backstop" });
        var known = NewEmail("eva");
        var id = await UserSessions.CreateUserAsync(app, tenant, known, "agent");
        var (one, two, three) = (From(SourceAddressClients.First, app), From(SourceAddressClients.Second, app), From(SourceAddressClients.Third, app));

        async Task<(int Status, int RetryAfter)> SixFailuresFromTwoAddressesAsync(string email)
        {
            Assert.That(await FailAsync(one, email, 4), Is.EqualTo(401));
            Assert.That(await FailAsync(two, email, 1), Is.EqualTo(401), "each address is below its own limit");
            var sixth = await LoginAsync(two, email, "wrong password 6");
            return ((int)sixth.StatusCode, RetryAfter(sixth));
        }

        var knownSixth = await SixFailuresFromTwoAddressesAsync(known);
        var unknownSixth = await SixFailuresFromTwoAddressesAsync(NewEmail("nobody"));
        var rightPasswordFromAThirdAddress = await LoginAsync(three, known, UserSessions.DefaultPassword);

        Assert.That(knownSixth.Status, Is.EqualTo(429));
        Assert.That(knownSixth.RetryAfter, Is.InRange(3500, 3600), "locked for an hour");
        Assert.That(unknownSixth.Status, Is.EqualTo(429), "an unknown email is counted the same way");
        Assert.That(unknownSixth.RetryAfter, Is.InRange(3500, 3600));
        Assert.That((int)rightPasswordFromAThirdAddress.StatusCode, Is.EqualTo(429));
        var listed = await app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenant}/users");
        var user = listed.GetProperty("items").EnumerateArray().Single(u => u.GetProperty("id").GetInt64() == id);
        Assert.That(user.GetProperty("locked_until").GetDateTimeOffset(), Is.GreaterThan(app.Clock.GetUtcNow().AddMinutes(59)),
            "Identity's lockout shows the backstop");

        var unlock = await app.Admin.PatchAsJsonAsync($"/api/tenants/{tenant}/users/{id}", new { locked = false });
        Assert.That((int)unlock.StatusCode, Is.EqualTo(200), await unlock.Content.ReadAsStringAsync());
        Assert.That((int)(await LoginAsync(one, known, UserSessions.DefaultPassword)).StatusCode, Is.EqualTo(200),
            "an unlock clears the email's throttles too");
    }
}
