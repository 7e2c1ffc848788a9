namespace HybridFlow.Application.Tenants;

/// <summary>The time zones a tenant's business hours may use: the IANA ids this server knows.</summary>
public static class TimeZoneNames
{
    private static readonly Lazy<IReadOnlyList<string>> Known = new(() =>
        [.. TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(IsIanaShaped).Append("UTC").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);

    /// <summary>Every IANA id the server resolves, sorted (what GET /api/settings/time-zones lists).</summary>
    public static IReadOnlyList<string> All => Known.Value;

    public static bool IsKnown(string? id) =>
        !string.IsNullOrWhiteSpace(id) && id.Length <= 100 && id.Trim() == id
        && IsIanaShaped(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    // Only IANA names: Windows names would also resolve on some hosts and then fail on others.
    private static bool IsIanaShaped(string id) => id == "UTC" || id.Contains('/');
}
