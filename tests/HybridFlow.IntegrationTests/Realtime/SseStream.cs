using System.Net.Http.Headers;
using System.Text.Json;

namespace HybridFlow.IntegrationTests.Realtime;

/// <summary>One server-sent event as read off the wire.</summary>
public sealed record SseEvent(string? Id, string? Event, JsonElement Data)
{
    public long SessionId => Data.GetProperty("session_id").GetInt64();
    public long EventId => Data.GetProperty("id").GetInt64();
}

/// <summary>
/// GET /api/inbox/events read the way a browser's EventSource reads it: the response is taken as soon as its headers
/// arrive and its lines are parsed as they come (fields, blank line ends an event, a leading colon is a comment).
/// </summary>
public sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<SseEvent> _events = [];
    private readonly List<string> _comments = [];
    private readonly Task _reader;

    private SseStream(HttpResponseMessage response)
    {
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    public HttpResponseMessage Response => _response;

    public IReadOnlyList<SseEvent> Events
    {
        get
        {
            lock (_events) return [.. _events];
        }
    }

    public IReadOnlyList<string> Comments
    {
        get
        {
            lock (_events) return [.. _comments];
        }
    }

    /// <summary>True once the server ended the stream.</summary>
    public bool Ended => _reader.IsCompleted;

    public static async Task<SseStream> OpenAsync(HttpClient client, string path = "/api/inbox/events", string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if ((int)response.StatusCode != 200)
        {
            var body = await response.Content.ReadAsStringAsync();
            response.Dispose();
            Assert.Fail($"GET {path} answered {(int)response.StatusCode}: {body}");
        }
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        return new SseStream(response);
    }

    /// <summary>Waits (bounded) for the first event that matches; fails the test otherwise.</summary>
    public async Task<SseEvent> WaitForAsync(Func<SseEvent, bool> match, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            if (Events.FirstOrDefault(match) is { } found) return found;
            if (Ended) break;
            await Task.Delay(20);
        }
        Assert.Fail($"No event on the stream for: {what}. Seen: {string.Join(", ", Events.Select(e => $"{e.Id}:{e.Event}"))}");
        return null!;
    }

    public Task<SseEvent> WaitForAsync(string type, long sessionId, TimeSpan? timeout = null) =>
        WaitForAsync(e => e.Event == type && e.SessionId == sessionId, $"{type} of session {sessionId}", timeout);

    private async Task ReadAsync()
    {
        try
        {
            await using var body = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(body);
            string? id = null, type = null;
            var data = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Count > 0)
                    {
                        var e = new SseEvent(id, type, JsonDocument.Parse(string.Join('\n', data)).RootElement.Clone());
                        lock (_events) _events.Add(e);
                    }
                    (id, type) = (null, null);
                    data.Clear();
                    continue;
                }
                if (line[0] == ':')
                {
                    lock (_events) _comments.Add(line[1..].Trim());
                    continue;
                }
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                switch (field)
                {
                    case "id": id = value; break;
                    case "event": type = value; break;
                    case "data": data.Add(value); break;
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception)
        {
            // The connection was torn down under the reader: that is how a browser leaves.
        }
        _stop.Dispose();
    }
}
