namespace HybridFlow.Application.Common;

/// <summary>Phone numbers are personal data: logs show only enough to tell chats apart.</summary>
public static class PersonalData
{
    public static string MaskChatId(string? chatId)
    {
        if (string.IsNullOrEmpty(chatId)) return "";
        var at = chatId.IndexOf('@', StringComparison.Ordinal);
        var user = at < 0 ? chatId : chatId[..at];
        var domain = at < 0 ? "" : chatId[at..];
        var visible = Math.Min(4, user.Length / 3);
        return new string('*', user.Length - visible) + user[^visible..] + domain;
    }
}
