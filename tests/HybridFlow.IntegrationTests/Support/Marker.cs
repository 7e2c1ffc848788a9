using HybridFlow.IntegrationTests.Llm;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// "Nothing else happened", checked without a fixed sleep. A marker is a customer message in a chat of its own, delivered
/// after what the test checks and answered through the same queue, dispatcher, model and Evolution: the reply queue is
/// handled in due order, so once the marker's reply has gone out, whatever was queued before it (a duplicate, a second
/// reply, a retry) has had its turn too. A slow machine makes the wait longer, never the check weaker.
/// </summary>
public sealed class Marker
{
    private Marker(string chatId, string text)
    {
        ChatId = chatId;
        Text = text;
    }

    public string ChatId { get; }
    public string Text { get; }

    /// <summary>Whether a request recorded by a fake (Evolution or the model) was made for the marker.</summary>
    public bool Owns(RecordedRequest request) =>
        request.Body.Contains(ChatId.Split('@')[0], StringComparison.Ordinal) || request.Body.Contains(Text, StringComparison.Ordinal);

    /// <summary>The recorded requests, without the marker's own: what the test itself caused.</summary>
    public IReadOnlyList<RecordedRequest> Without(IEnumerable<RecordedRequest> requests) => [.. requests.Where(r => !Owns(r))];

    /// <summary>
    /// Delivers a marker to <paramref name="instance"/> (whose tenant must answer with the model: mode ai, not paused)
    /// and waits until its reply was sent.
    /// </summary>
    public static async Task<Marker> AnsweredAsync(HybridFlowApp app, string instance, TimeSpan? timeout = null)
    {
        var marker = new Marker(Payloads.NewChatId(), $"marcador {Guid.NewGuid():N}");
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(marker.ChatId, marker.Text, at: app.Clock.GetUtcNow())), Is.EqualTo("ai_queued"),
            "the marker is queued like any customer message");
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(marker.ChatId).Count >= 1,
            "the marker's reply was sent, so what was queued before it has been handled", timeout);
        return marker;
    }

    /// <summary>
    /// The same for the send-resolution pass (the resolver that settles a send whose answer was lost): a marker whose
    /// sendText goes out and then loses its answer, without an echo, so that only a resolution pass can settle it, by
    /// Evolution's record (by its echo when the fake stores no messages). Its send is due for proof an echo window after
    /// it went out, later than any send the test made before, and a pass takes the due sends in id order: once a pass
    /// confirmed the marker's send, whatever the resolver would still do to an earlier send (confirm it, resend it) is
    /// done. Evolution's scripted failures must all have been used up: the marker's is queued behind them.
    /// </summary>
    public static async Task<Marker> ResolvedAsync(HybridFlowApp app, string instance, TimeSpan? timeout = null)
    {
        app.Evolution.SendThenDropNext(echo: !app.Evolution.StoresMessages);
        var marker = await AnsweredAsync(app, instance, timeout);
        await HybridFlowApp.EventuallyAsync(async () => (await app.TimelineAsync(instance, marker.ChatId)).Contains("ai_send_confirmed"),
            "a send-resolution pass confirmed the marker's send, so it has passed the sends queued before it", timeout ?? TimeSpan.FromSeconds(30));
        return marker;
    }

    /// <summary>
    /// The same idea with a signal of the test's own: <paramref name="send"/> something that is handled after what the
    /// test checks, and wait until <paramref name="handled"/> sees its effect.
    /// </summary>
    public static async Task AfterAsync(Func<Task> send, Func<Task<bool>> handled, string what, TimeSpan? timeout = null)
    {
        await send();
        await HybridFlowApp.EventuallyAsync(handled, what, timeout);
    }
}
