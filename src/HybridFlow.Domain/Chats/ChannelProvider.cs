namespace HybridFlow.Domain.Chats;

/// <summary>The channel an instance speaks to WhatsApp through: Evolution API (Baileys) or Meta's WhatsApp Cloud API.</summary>
public enum ChannelProvider
{
    Evolution,
    MetaCloud,
}

/// <summary>The stored names of <see cref="ChannelProvider"/> ('evolution', 'meta_cloud'); an unknown name is refused, never guessed.</summary>
public static class ChannelProviders
{
    public const string EvolutionName = "evolution";
    public const string MetaCloudName = "meta_cloud";

    public static IReadOnlyList<string> Names { get; } = [EvolutionName, MetaCloudName];

    public static string Name(this ChannelProvider provider) => provider switch
    {
        ChannelProvider.Evolution => EvolutionName,
        ChannelProvider.MetaCloud => MetaCloudName,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown channel provider."),
    };

    public static bool TryParse(string? name, out ChannelProvider provider)
    {
        switch (name)
        {
            case EvolutionName:
                provider = ChannelProvider.Evolution;
                return true;
            case MetaCloudName:
                provider = ChannelProvider.MetaCloud;
                return true;
            default:
                provider = default;
                return false;
        }
    }

    /// <exception cref="ArgumentException">The name is none of <see cref="Names"/>.</exception>
    public static ChannelProvider Parse(string? name) =>
        TryParse(name, out var provider) ? provider : throw new ArgumentException($"Unknown channel provider '{name}'.", nameof(name));
}
