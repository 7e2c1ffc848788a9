using System.Buffers;
using System.Text.Json;
using HybridFlow.Application.Common.Exceptions;

namespace HybridFlow.Application.Webhooks;

/// <summary>
/// A webhook's body, read in steps so that a caller not yet authenticated costs at most
/// <see cref="PreAuthenticationLimit"/> bytes: enough for the body's <c>instance</c> and <c>apikey</c>.
/// The bytes live in a pooled buffer until the body is disposed.
/// </summary>
public sealed class WebhookBody : IDisposable
{
    public const int PreAuthenticationLimit = 256 * 1024;
    /// <summary>Media arrives as base64; Kestrel enforces the same limit on the connection.</summary>
    public const int MaxLength = 16 * 1024 * 1024;
    private const int FirstBufferSize = 16 * 1024;

    private readonly Stream _stream;
    private readonly long? _declaredLength;
    private byte[] _buffer = [];
    private int _length;
    private bool _ended;

    public WebhookBody(Stream stream, long? declaredLength)
    {
        _stream = stream;
        _declaredLength = declaredLength;
    }

    /// <summary>
    /// Reads on until the end, or until the body is known to be longer than <paramref name="limit"/> (then false).
    /// A declared length over the limit answers false at once, unless <paramref name="readPrefix"/> asks for the first bytes anyway.
    /// </summary>
    public async ValueTask<bool> ReadAsync(int limit, CancellationToken ct, bool readPrefix = false)
    {
        if (_ended || _length > limit) return _ended && _length <= limit;
        if (_declaredLength > limit && !readPrefix) return false;
        while (_length <= limit)
        {
            // Room for one byte past the limit, so a body of exactly `limit` bytes is told from a longer one.
            if (_length == _buffer.Length) Grow(limit + 1);
            var read = await _stream.ReadAsync(_buffer.AsMemory(_length, Math.Min(_buffer.Length, limit + 1) - _length), ct);
            if (read == 0)
            {
                _ended = true;
                return true;
            }
            _length += read;
        }
        return false;
    }

    private void Grow(int cap)
    {
        // The declared length sizes the buffer at once; without one it doubles.
        var wanted = _declaredLength is { } declared ? (int)Math.Min(declared + 1L, cap) : Math.Min(Math.Max(_buffer.Length * 2, FirstBufferSize), cap);
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(wanted, Math.Min(cap, Math.Max(_length * 2, _length + 1))));
        _buffer.AsSpan(0, _length).CopyTo(next);
        Release();
        _buffer = next;
    }

    /// <summary>The first top-level <c>instance</c> string among the bytes read so far (the body may be cut short); null when there is none.</summary>
    public string? PeekInstanceName()
    {
        var reader = new Utf8JsonReader(_buffer.AsSpan(0, _length), _ended, default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isInstance = reader.ValueTextEquals("instance"u8);
                if (!reader.Read()) return null;
                if (isInstance) return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip()) return null;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Malformed or not UTF-8: the full parse names the problem once the caller may hear it.
        }
        return null;
    }

    /// <summary>The bytes read so far, as they arrived (a signature is checked over them); valid until the body is disposed.</summary>
    public ReadOnlyMemory<byte> Content => _buffer.AsMemory(0, _length);

    /// <summary>Parses the whole body (read to its end first) as Evolution's webhook.</summary>
    public EvolutionWebhook Parse()
    {
        if (!_ended) throw new InvalidOperationException("The body was not read to its end.");
        try
        {
            using var document = JsonDocument.Parse(_buffer.AsMemory(0, _length));
            return EvolutionWebhookParser.Parse(document.RootElement);
        }
        catch (JsonException)
        {
            throw new RequestValidationException("body", "The body is not valid JSON.");
        }
    }

    private void Release()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    public void Dispose()
    {
        Release();
        _length = 0;
    }
}
