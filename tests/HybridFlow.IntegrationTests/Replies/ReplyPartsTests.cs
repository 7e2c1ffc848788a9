using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Replies;

/// <summary>
/// A model answer in paragraphs goes out as several WhatsApp messages, in order, each with "typing…" and its own
/// collision re-check; the echo of each is ours; a person who speaks between two parts stops the rest; a lost answer
/// in the middle is resolved by proof, never sent twice.
/// </summary>
public sealed class ReplyPartsTests
{
    private const string ThreeParagraphs =
        "Olá, Ana! Tudo bem? 😊\n\nTemos bolo de cenoura com cobertura de chocolate hoje, saindo do forno às 15h.\n\nQuer que eu separe um para você?";
    private static readonly string[] Parts =
    [
        "Olá, Ana! Tudo bem? 😊",
        "Temos bolo de cenoura com cobertura de chocolate hoje, saindo do forno às 15h.",
        "Quer que eu separe um para você?",
    ];

    private HybridFlowApp _app = null!;
    private string _instance = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["SEND_ECHO_WAIT_SECONDS"] = "1",
            ["SEND_RESOLVE_SECONDS"] = "0.2",
            ["REPLY_POLL_MS"] = "100",
            // Shorter than a typing delay (2.5 s below): a typed send must still not look lost. Not 1 s: an echo webhook
            // answered inside a send (the fake's BeforeAnswer) took longer than that once on a loaded CI machine.
            ["EVOLUTION_TIMEOUT"] = "2",
            ["REPLY_RETRY_BASE_SECONDS"] = "0.2",
        });
        (_, _instance) = await _app.CreateTenantWithInstanceAsync();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void Reset()
    {
        _app.Evolution.Reset();
        _app.Llm.Reset();
        _app.Llm.ReplyText = ThreeParagraphs;
    }

    [TearDown]
    public async Task Dump()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Failed) return;
        TestContext.Out.WriteLine(await _app.ScalarAsync<string>("SELECT string_agg(id || ' ' || status || ' ' || attempts || ' ' || part_index || ' ' || coalesce(last_error,'-'), E'\n') FROM reply_jobs"));
        TestContext.Out.WriteLine(await _app.ScalarAsync<string>("SELECT string_agg(action || ' ' || coalesce(detail,'-'), E'\n' ORDER BY id) FROM session_events"));
        foreach (var r in _app.Evolution.Requests) TestContext.Out.WriteLine($"{r.Path} {r.Header("x-fake-outcome")}");
    }

    [Test]
    public async Task ThreeParagraphs_GoOutAsThreeMessagesInOrder_WithTypingDelays_AndOneAiReplied()
    {
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Vocês têm bolo de cenoura?")), Is.EqualTo("ai_queued"));
        await WaitForTimelineAsync(chat, "ai_replied");

        var sends = _app.Evolution.SendsTo(chat);
        Assert.That(sends.Select(Text), Is.EqualTo(Parts), "three sendText calls, in order");
        foreach (var send in sends)
        {
            var delay = FakeEvolutionServer.TypingDelayOf(send);
            Assert.That(delay, Is.EqualTo(Math.Clamp(25 * Text(send).Length, 500, 6000)), "typing_ms_per_char (25) × length, clamped to 0.5–6 s");
        }

        var messages = await BotMessagesAsync(chat);
        Assert.That(messages.Select(m => m.Text), Is.EqualTo(Parts), "every part is a bot message");
        Assert.That(messages.Select(m => m.ProviderId).Distinct().Count(), Is.EqualTo(3), "each with its own provider id");
        Assert.That(messages.All(m => m.ProviderId.StartsWith("3EB0", StringComparison.Ordinal)), Is.True, "Evolution's key.id of that part");

        var timeline = await _app.TimelineAsync(_instance, chat);
        Assert.That(timeline.Count(a => a == "ai_replied"), Is.EqualTo(1), "one ai_replied for the reply");
        Assert.That(await DetailAsync(chat, "ai_replied"), Is.EqualTo("3 parts"));
        Assert.That(await JobAsync(chat), Is.EqualTo("sent 2"));

        // The echo of every part is ours, not the owner typing.
        foreach (var (providerId, text) in messages)
            Assert.That(await _app.DeliverAsync(_instance, Payloads.SendMessageEcho(chat, text, providerId)), Is.EqualTo("ignored_echo"));
        Assert.That((await _app.GetSessionAsync(_instance, chat)).GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Quero sim!")), Is.EqualTo("ai_queued"), "the bot still answers");
    }

    [Test]
    public async Task EchoOfEachPart_ArrivingBeforeItsSendReturns_IsIgnored()
    {
        var chat = Payloads.NewChatId();
        var echoActions = new List<string?>();
        _app.Evolution.BeforeAnswer = async (remoteJid, text, keyId) =>
        {
            var response = await _app.PostWebhookAsync(_instance, Payloads.SendMessageEcho(remoteJid, text, keyId));
            var action = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("action").GetString();
            lock (echoActions) echoActions.Add(action);
        };

        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Vocês têm bolo de cenoura?"));
        await WaitForTimelineAsync(chat, "ai_replied");

        Assert.That(echoActions, Is.EqualTo(new[] { "ignored_echo", "ignored_echo", "ignored_echo" }), "each echo matched the part in flight");
        Assert.That((await _app.GetSessionAsync(_instance, chat)).GetProperty("is_paused").GetBoolean(), Is.False);
        var messages = await BotMessagesAsync(chat);
        Assert.That(messages.Select(m => m.Text), Is.EqualTo(Parts), "each echo and its send's answer are one message");
        Assert.That(await DetailAsync(chat, "ai_replied"), Is.EqualTo("3 parts"));
    }

    [Test]
    public async Task OwnerTypingBetweenParts_DropsTheRest()
    {
        var chat = Payloads.NewChatId();
        string? ownerAction = null;
        _app.Evolution.BeforeAnswer = async (_, text, _) =>
        {
            // The owner types while part 1 is going out: after it, nothing more may be said over them.
            if (text == Parts[0]) ownerAction = await _app.DeliverAsync(_instance, Payloads.OwnerText(chat, "Oi Ana, aqui é a Carla. Temos sim!"));
        };

        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Vocês têm bolo de cenoura?"));
        await WaitForTimelineAsync(chat, "ai_discarded_collision");
        await MarkerAnsweredAsync();

        Assert.That(ownerAction, Is.EqualTo("paused"));
        Assert.That(_app.Evolution.SendsTo(chat).Select(Text), Is.EqualTo(new[] { Parts[0] }), "only the part already in flight went out");
        Assert.That(await DetailAsync(chat, "ai_discarded_collision"), Does.Contain("1 of 3 parts sent"));
        Assert.That(await _app.TimelineAsync(_instance, chat), Does.Not.Contain("ai_replied"));
        Assert.That(await JobAsync(chat), Is.EqualTo("discarded 1"));
        Assert.That((await BotMessagesAsync(chat)).Select(m => m.Text), Is.EqualTo(new[] { Parts[0] }));
    }

    [Test]
    public async Task SecondPartFailing_IsRetriedAtThatPart_WithoutWritingTheReplyAgain()
    {
        var chat = Payloads.NewChatId();
        _app.Evolution.BeforeAnswer = (_, text, _) =>
        {
            // Part 2's call is refused (nothing sent): the job is retried later and must carry on from part 2.
            if (text == Parts[0]) _app.Evolution.FailNext((500, """{"status":500,"error":"Internal Server Error","response":{"message":["Connection Closed"]}}"""));
            return Task.CompletedTask;
        };

        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Vocês têm bolo de cenoura?"));
        await WaitForTimelineAsync(chat, "ai_replied");
        var marker = await MarkerAnsweredAsync();

        Assert.That(marker.Without(_app.Llm.Requests), Has.Count.EqualTo(1), "the reply was written once; the retry only sent the rest");
        Assert.That(_app.Evolution.SendsTo(chat).Select(Text), Is.EqualTo(Parts), "part 1 not repeated, part 2 not skipped");
        Assert.That(marker.Without(_app.Evolution.CallsTo("/message/sendText/")), Has.Count.EqualTo(4), "the refused call and the three parts");
        var timeline = await _app.TimelineAsync(_instance, chat);
        Assert.That(timeline, Does.Contain("ai_retry"));
        Assert.That(timeline.Count(a => a == "ai_replied"), Is.EqualTo(1));
        Assert.That(await DetailAsync(chat, "ai_replied"), Is.EqualTo("3 parts"));
        Assert.That(await JobAsync(chat), Is.EqualTo("sent 2"));
    }

    [Test]
    public async Task LostAnswerOnSecondPart_ConfirmedByEvolutionsRecord_SendsTheThirdOnce()
    {
        var chat = Payloads.NewChatId();
        _app.Evolution.BeforeAnswer = (_, text, _) =>
        {
            if (text == Parts[0]) _app.Evolution.SendThenDropNext(echo: false); // part 2 goes out, its answer is lost
            return Task.CompletedTask;
        };

        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Vocês têm bolo de cenoura?"));
        await WaitForTimelineAsync(chat, "ai_replied");
        var marker = await MarkerResolvedAsync();

        Assert.That(_app.Evolution.SendsTo(chat).Select(Text), Is.EqualTo(Parts), "each part reached WhatsApp once, in order");
        Assert.That(marker.Without(_app.Evolution.CallsTo("/message/sendText/")), Has.Count.EqualTo(3), "nothing sent twice");
        Assert.That(await DetailAsync(chat, "ai_send_confirmed"), Does.Contain("Evolution's record"));
        Assert.That(await DetailAsync(chat, "ai_replied"), Is.EqualTo("3 parts"));
        Assert.That((await BotMessagesAsync(chat)).Select(m => m.Text), Is.EqualTo(Parts));
        Assert.That(await JobAsync(chat), Is.EqualTo("sent 2"));
    }

    [Test]
    public async Task LostSecondPartNeverStored_IsProvedAbsent_ResentOnce_ThenTheThird()
    {
        var chat = Payloads.NewChatId();
        _app.Evolution.BeforeAnswer = (_, text, _) =>
        {
            if (text == Parts[0]) _app.Evolution.DropNext(); // part 2's call is cut before Evolution sent it
            return Task.CompletedTask;
        };

        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Vocês têm bolo de cenoura?"));
        await WaitForTimelineAsync(chat, "ai_replied");
        var marker = await MarkerResolvedAsync();

        Assert.That(_app.Evolution.SendsTo(chat).Select(Text), Is.EqualTo(Parts), "each part delivered once, in order");
        Assert.That(marker.Without(_app.Evolution.CallsTo("/message/sendText/")), Has.Count.EqualTo(4), "the dropped call and its one resend");
        Assert.That(await _app.TimelineAsync(_instance, chat), Does.Contain("ai_resent"));
        Assert.That((await BotMessagesAsync(chat)).Select(m => m.Text), Is.EqualTo(Parts));
        Assert.That(await JobAsync(chat), Is.EqualTo("sent 2"));
    }

    [Test]
    public async Task TypingDelayLongerThanTheEvolutionTimeout_IsWaitedFor_NotTakenForALostAnswer()
    {
        var chat = Payloads.NewChatId();
        _app.Llm.ReplyText = new string('a', 60) + " " + new string('b', 39); // 100 characters: 2.5 s of typing, EVOLUTION_TIMEOUT is 1 s
        _app.Evolution.TypesLikeEvolution = true;
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi"));
        await WaitForTimelineAsync(chat, "ai_replied");

        var send = _app.Evolution.SendsTo(chat).Single();
        Assert.That(FakeEvolutionServer.TypingDelayOf(send), Is.EqualTo(2_500));
        var timeline = await _app.TimelineAsync(_instance, chat);
        Assert.That(timeline, Does.Not.Contain("ai_send_confirmed").And.Not.Contain("ai_outcome_unknown"), "the answer came within delay + timeout");
        Assert.That(_app.Evolution.CallsTo("/chat/findMessages/"), Is.Empty, "no read-back was needed");
    }

    [Test]
    public async Task OneParagraph_IsOneMessage_WithTypingAndNoPartCount()
    {
        var chat = Payloads.NewChatId();
        _app.Llm.ReplyText = "Abrimos amanhã das 7h às 19h.";
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Vocês abrem amanhã?"));
        await WaitForTimelineAsync(chat, "ai_replied");

        var send = _app.Evolution.SendsTo(chat).Single();
        Assert.That(Text(send), Is.EqualTo("Abrimos amanhã das 7h às 19h."));
        Assert.That(FakeEvolutionServer.TypingDelayOf(send), Is.EqualTo(725), "29 characters × 25 ms");
        Assert.That(await DetailAsync(chat, "ai_replied"), Is.Null);
    }

    [Test]
    public async Task SplitOff_ThroughTheTenantApi_SendsTheWholeReplyAsOneMessage_AsBefore()
    {
        var instance = await TenantWithSettingsAsync("""{"split_messages": false}""");
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Vocês têm bolo de cenoura?"));
        await WaitForTimelineAsync(chat, "ai_replied", instance);

        var send = _app.Evolution.SendsTo(chat).Single();
        Assert.That(Text(send), Is.EqualTo(ThreeParagraphs));
        Assert.That(FakeEvolutionServer.TypingDelayOf(send), Is.EqualTo(Math.Clamp(25 * ThreeParagraphs.Length, 500, 6000)));
        Assert.That(await DetailAsync(chat, "ai_replied"), Is.Null);
        Assert.That((await BotMessagesAsync(chat)).Select(m => m.Text), Is.EqualTo(new[] { ThreeParagraphs }));
    }

    [Test]
    public async Task TypingOff_ThroughTheTenantApi_SendsNoDelay()
    {
        var instance = await TenantWithSettingsAsync("""{"typing_indicator": false}""");
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Vocês têm bolo de cenoura?"));
        await WaitForTimelineAsync(chat, "ai_replied", instance);

        var sends = _app.Evolution.SendsTo(chat);
        Assert.That(sends.Select(Text), Is.EqualTo(Parts), "still split");
        Assert.That(sends.Select(FakeEvolutionServer.TypingDelayOf), Is.All.Null, "no delay field at all");
    }

    [Test]
    public async Task TwoPartsAtFortyMsPerChar_ThroughTheTenantApi_JoinsTheSurplusAndTypesSlower()
    {
        var instance = await TenantWithSettingsAsync("""{"max_reply_parts": 2, "typing_ms_per_char": 40}""");
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Vocês têm bolo de cenoura?"));
        await WaitForTimelineAsync(chat, "ai_replied", instance);

        var sends = _app.Evolution.SendsTo(chat);
        Assert.That(sends.Select(Text), Is.EqualTo(new[] { Parts[0], Parts[1] + "\n\n" + Parts[2] }));
        Assert.That(sends.Select(FakeEvolutionServer.TypingDelayOf), Is.EqualTo(sends.Select(s => (int?)Math.Clamp(40 * Text(s).Length, 500, 6000))));
        Assert.That(await DetailAsync(chat, "ai_replied"), Is.EqualTo("2 parts"));
    }

    /// <summary>A tenant of its own, its settings changed through PATCH /api/tenants/{id} as a tenant's admin would.</summary>
    private async Task<string> TenantWithSettingsAsync(string patch)
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", patch), 200);
        return instance;
    }

    private static string Text(RecordedRequest send) => send.Json.GetProperty("text").GetString()!;

    // The marker's reply is one paragraph of its own: not Parts[0], which the tests' BeforeAnswer scripts act on.
    private const string MarkerReply = "Marcador: uma resposta de uma parte só.";

    /// <summary>A marker answered through the reply queue (see <see cref="Marker.AnsweredAsync"/>).</summary>
    private Task<Marker> MarkerAnsweredAsync()
    {
        _app.Llm.ReplyText = MarkerReply;
        return Marker.AnsweredAsync(_app, _instance);
    }

    /// <summary>A marker settled by a send-resolution pass (see <see cref="Marker.ResolvedAsync"/>).</summary>
    private Task<Marker> MarkerResolvedAsync()
    {
        _app.Llm.ReplyText = MarkerReply;
        return Marker.ResolvedAsync(_app, _instance);
    }

    private Task WaitForTimelineAsync(string chat, string action, string? instance = null) =>
        HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance ?? _instance, chat)).Contains(action), action);

    private async Task<IReadOnlyList<(string ProviderId, string Text)>> BotMessagesAsync(string chat)
    {
        var rows = await _app.ScalarAsync<string>(
            "SELECT string_agg(m.provider_message_id || E'\\x1f' || m.text, E'\\x1e' ORDER BY m.id) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.direction = 'bot'",
            chat);
        // Unit and record separators: the texts have line breaks and tabs of their own.
        return rows is null ? [] : [.. rows.Split('\x1e').Select(r => r.Split('\x1f', 2)).Select(p => (p[0], p[1]))];
    }

    private Task<string?> JobAsync(string chat) => _app.ScalarAsync<string>(
        "SELECT j.status || ' ' || j.part_index FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1 AND j.kind = 'reply' ORDER BY j.id LIMIT 1", chat);

    private Task<string?> DetailAsync(string chat, string action) => _app.ScalarAsync<string>(
        "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = $2 ORDER BY e.id LIMIT 1", chat, action);
}
