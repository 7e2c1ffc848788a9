using System.Net.Http.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Conversation;

/// <summary>
/// Business hours (issue 10 item 3) over HTTP: the tenant's hours PATCHed through the settings API, the clock moved to
/// chosen instants, real webhook shapes. Outside hours: away_message once per chat per closed period, or silent.
/// </summary>
public sealed class BusinessHoursTests
{
    private const string AwayMessage = "Estamos fechados. Voltamos segunda às 9h.";
    // 2026-12-07 is a Monday.
    private static readonly DateTimeOffset MondayEvening = new(2026, 12, 7, 20, 0, 0, TimeSpan.Zero);

    private static async Task<string> TenantWithHoursAsync(HybridFlowApp app, string outsideHours, string timezone = "UTC", object? hours = null)
    {
        var (tenantId, instance) = await app.CreateTenantWithInstanceAsync();
        var patch = await app.Admin.PatchAsJsonAsync($"/api/tenants/{tenantId}", new
        {
            timezone,
            business_hours = hours ?? new { mon = new[] { new[] { "09:00", "18:00" } }, tue = new[] { new[] { "09:00", "18:00" } } },
            outside_hours = outsideHours,
            away_message = AwayMessage,
        });
        Assert.That((int)patch.StatusCode, Is.EqualTo(200), await patch.Content.ReadAsStringAsync());
        // The pipeline reads tenants through a short cache. A wait for time itself: InstanceCache counts its TTL on
        // Environment.TickCount64, not on the app's clock.
        await Task.Delay(HybridFlow.Infrastructure.Persistence.ReadModels.InstanceCache.TimeToLive + TimeSpan.FromSeconds(1));
        return instance;
    }

    /// <summary>A tenant without business hours, for the markers (the tested tenant is closed when they are sent).</summary>
    private static async Task<string> AlwaysOpenInstanceAsync(HybridFlowApp app) => (await app.CreateTenantWithInstanceAsync()).Instance;

    private static void SetClock(HybridFlowApp app, DateTimeOffset at) => app.Clock.Advance(at - app.Clock.GetUtcNow());

    private static Task<string> CustomerAsync(HybridFlowApp app, string instance, string chat, string text) =>
        app.DeliverAsync(instance, Payloads.CustomerText(chat, text, at: app.Clock.GetUtcNow()));

    private static IReadOnlyList<string?> Texts(HybridFlowApp app, string chat) =>
        app.Evolution.SendsTo(chat).Select(s => s.Json.GetProperty("text").GetString()).ToList();

    [Test]
    public async Task AwayMessage_GoesOncePerClosedPeriod_WithoutAModelCall_AndAgainInTheNextClosedPeriod()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var instance = await TenantWithHoursAsync(app, "away_message");
        var chat = Payloads.NewChatId();

        SetClock(app, MondayEvening);
        Assert.That(await CustomerAsync(app, instance, chat, "Vocês ainda estão abertos?"), Is.EqualTo("away_message_sent"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the away message sent");
        Assert.That(await CustomerAsync(app, instance, chat, "Alô?"), Is.EqualTo("ignored_outside_hours"), "the same closed period");
        var marker = await Marker.AnsweredAsync(app, await AlwaysOpenInstanceAsync(app));
        Assert.That(Texts(app, chat), Is.EqualTo(new[] { AwayMessage }));
        Assert.That(marker.Without(app.Llm.Requests), Is.Empty, "no model call outside hours");

        SetClock(app, MondayEvening.AddHours(14)); // Tuesday 10:00, open
        Assert.That(await CustomerAsync(app, instance, chat, "Bom dia, tem pão?"), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 2, "the reply in business hours");

        SetClock(app, MondayEvening.AddHours(23)); // Tuesday 19:00, the next closed period
        Assert.That(await CustomerAsync(app, instance, chat, "Esqueci de perguntar o preço"), Is.EqualTo("away_message_sent"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 3, "the away message again");

        var timeline = await app.TimelineAsync(instance, chat);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Texts(app, chat), Is.EqualTo(new[] { AwayMessage, app.Llm.ReplyText, AwayMessage }));
            Assert.That(marker.Without(app.Llm.Requests), Has.Count.EqualTo(1));
            Assert.That(timeline.Count(a => a == "away_message_sent"), Is.EqualTo(2));
            Assert.That(timeline.Count(a => a == "ignored_outside_hours"), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Silent_RecordsTheMessage_AndSendsNothing()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var instance = await TenantWithHoursAsync(app, "silent");
        var chat = Payloads.NewChatId();

        SetClock(app, MondayEvening);
        Assert.That(await CustomerAsync(app, instance, chat, "Oi, boa noite"), Is.EqualTo("ignored_outside_hours"));
        var marker = await Marker.AnsweredAsync(app, await AlwaysOpenInstanceAsync(app));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(app.Evolution.SendsTo(chat), Is.Empty);
            Assert.That(marker.Without(app.Llm.Requests), Is.Empty);
            Assert.That(await app.TimelineAsync(instance, chat), Does.Contain("ignored_outside_hours"));
            Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE m.direction = 'inbound' AND s.chat_id = $1", chat),
                Is.EqualTo(1), "the message is kept");
        }
    }

    [Test]
    public async Task HoursBoundary_AMinuteBeforeClosingIsAnswered_AndJustAfterGetsTheAwayMessage()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var instance = await TenantWithHoursAsync(app, "away_message", "America/Sao_Paulo");
        var chat = Payloads.NewChatId();

        // 18:00 in São Paulo (UTC-3) is 21:00 UTC.
        SetClock(app, new DateTimeOffset(2026, 12, 7, 20, 59, 0, TimeSpan.Zero));
        Assert.That(await CustomerAsync(app, instance, chat, "Ainda dá tempo?"), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the reply before closing");

        SetClock(app, new DateTimeOffset(2026, 12, 7, 21, 0, 1, TimeSpan.Zero));
        Assert.That(await CustomerAsync(app, instance, chat, "E agora?"), Is.EqualTo("away_message_sent"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 2, "the away message after closing");
        Assert.That(Texts(app, chat), Is.EqualTo(new[] { app.Llm.ReplyText, AwayMessage }));
    }

    [Test]
    public async Task SpringForwardNight_AnIntervalUpToTheSkippedHour_ClosesAtTheJump()
    {
        await using var app = await HybridFlowApp.StartAsync();
        // New York, Sunday 2026-03-08: 02:00 EST jumps to 03:00 EDT; 01:30–03:00 is open 06:30–07:00 UTC.
        var instance = await TenantWithHoursAsync(app, "away_message", "America/New_York", new { sun = new[] { new[] { "01:30", "03:00" } } });
        var open = Payloads.NewChatId();
        var closed = Payloads.NewChatId();

        SetClock(app, new DateTimeOffset(2026, 3, 8, 6, 50, 0, TimeSpan.Zero));
        Assert.That(await CustomerAsync(app, instance, open, "Hi, are you open?"), Is.EqualTo("ai_queued"), "01:50 EST");
        SetClock(app, new DateTimeOffset(2026, 3, 8, 7, 5, 0, TimeSpan.Zero));
        Assert.That(await CustomerAsync(app, instance, closed, "Hello?"), Is.EqualTo("away_message_sent"), "03:05 EDT");
    }

    [Test]
    public async Task HandoffKeywordOutsideHours_StillPausesForAPerson_AndSendsTheHandoffMessage()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var instance = await TenantWithHoursAsync(app, "away_message");
        var chat = Payloads.NewChatId();

        SetClock(app, MondayEvening);
        Assert.That(await CustomerAsync(app, instance, chat, "Preciso falar com um atendente"), Is.EqualTo("handoff_requested"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the handoff message");
        await Marker.AnsweredAsync(app, await AlwaysOpenInstanceAsync(app));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Texts(app, chat).Single(), Does.Contain("One moment"), "the default handoff message, not the away message");
            Assert.That((await app.GetSessionAsync(instance, chat)).GetProperty("pause_reason").GetString(), Is.EqualTo("handoff_requested"));
        }
    }
}
