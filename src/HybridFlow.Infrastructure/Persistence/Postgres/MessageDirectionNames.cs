using HybridFlow.Domain.Messages;
using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>The names stored in messages.direction.</summary>
internal static class MessageDirectionNames
{
    public static string ToName(this MessageDirection d) => d switch
    {
        MessageDirection.Inbound => "inbound",
        MessageDirection.Bot => "bot",
        MessageDirection.Human => "human",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    public static MessageDirection ParseDirection(string s) => s switch
    {
        "inbound" => MessageDirection.Inbound,
        "bot" => MessageDirection.Bot,
        _ => MessageDirection.Human,
    };
}
