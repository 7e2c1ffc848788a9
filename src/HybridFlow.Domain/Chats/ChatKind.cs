namespace HybridFlow.Domain.Chats;

public enum ChatKind
{
    /// <summary>One person: a phone JID, or a hidden number (LID).</summary>
    Direct,
    /// <summary>Groups, status broadcasts, newsletters: never answered.</summary>
    GroupOrBroadcast,
}
