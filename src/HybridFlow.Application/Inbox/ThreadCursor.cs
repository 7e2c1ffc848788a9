using System.Globalization;
using System.Text;

namespace HybridFlow.Application.Inbox;

/// <summary>
/// Where a page of the thread ended: the last item's time (to the microsecond, as stored), kind and id. The next page holds
/// the items strictly before it in the thread's order (time, kind, id, newest first), so none is lost or repeated across
/// pages. Opaque to callers: base64url of "v1:ticks:kind:id".
/// </summary>
public sealed record ThreadCursor(DateTimeOffset At, int KindOrder, long Id)
{
    private const string Version = "v1";

    public static ThreadCursor After(ThreadItemDto item) => new(item.At, ThreadItemKinds.Order(item.Kind), item.Id);

    public string Encode()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{Version}:{At.UtcTicks}:{KindOrder}:{Id}");
        return Convert.ToBase64String(Encoding.ASCII.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryDecode(string? value, out ThreadCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(value) || value.Length > 100) return false;
        var base64 = value.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        string text;
        try
        {
            text = Encoding.ASCII.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return false;
        }
        var parts = text.Split(':');
        if (parts.Length != 4 || parts[0] != Version
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var kind) || kind > 2
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            return false;
        cursor = new ThreadCursor(new DateTimeOffset(ticks, TimeSpan.Zero), kind, id);
        return true;
    }
}
