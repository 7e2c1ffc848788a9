namespace HybridFlow.Domain.Tenants;

/// <summary>What the bot does outside <see cref="ConversationSettings.BusinessHours"/>.</summary>
public enum OutsideHoursPolicy
{
    /// <summary>Answer as usual.</summary>
    Reply,
    /// <summary>Send the away message once per chat per closed period; no model call.</summary>
    AwayMessage,
    /// <summary>Record the message and say nothing.</summary>
    Silent,
}

public static class OutsideHoursPolicyNames
{
    public const string Reply = "reply";
    public const string AwayMessage = "away_message";
    public const string Silent = "silent";
    public static readonly IReadOnlyList<string> All = [Reply, AwayMessage, Silent];

    public static string ToName(this OutsideHoursPolicy policy) => policy switch
    {
        OutsideHoursPolicy.AwayMessage => AwayMessage,
        OutsideHoursPolicy.Silent => Silent,
        _ => Reply,
    };

    public static OutsideHoursPolicy Parse(string? name) => name switch
    {
        AwayMessage => OutsideHoursPolicy.AwayMessage,
        Silent => OutsideHoursPolicy.Silent,
        _ => OutsideHoursPolicy.Reply,
    };
}

/// <summary>One opening interval of a day, local time. <see cref="Close"/> before <see cref="Open"/> crosses midnight.</summary>
public sealed record OpeningInterval(TimeOnly Open, TimeOnly Close);

/// <summary>
/// How a tenant's bot talks: typing, split replies, handoff to a person, business hours, media and the history budget.
/// Every property has the default a new tenant gets; a stored tenant's missing setting takes it too.
/// </summary>
public sealed record ConversationSettings
{
    public const int TypingMsPerCharMax = 1_000;
    public const int MaxReplyPartsMax = 10;
    public const int PartMaxLength = 4_096;
    public const int HandoffKeywordsMax = 100;
    public const int HandoffKeywordMaxLength = 100;
    public const int CannedMessageMaxLength = 4_096;
    public const int HistoryTokenBudgetMax = 200_000;
    /// <summary>A week: Meta retries a webhook for 7 days.</summary>
    public const int StaleMessageMinutesMax = 7 * 24 * 60;
    public static readonly TimeSpan TypingMin = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan TypingMax = TimeSpan.FromSeconds(6);

    public static readonly IReadOnlyList<string> DefaultHandoffKeywords =
    [
        // Portuguese
        "atendente", "falar com uma pessoa", "falar com um humano", "falar com atendente", "humano", "pessoa de verdade",
        // Spanish
        "agente", "hablar con una persona", "hablar con un humano", "hablar con un agente", "asesor",
        // English
        "human agent", "talk to a person", "talk to a human", "speak to a person", "speak to a human", "real person",
    ];

    /// <summary>
    /// The default before the tenant language (ADR-017): the same short sentence in three languages. V0023 stored it as
    /// the explicit handoff message of every tenant made before, so their texts did not change.
    /// </summary>
    public const string DefaultHandoffMessage =
        "👤 Um momento, vou chamar uma pessoa. / Un momento, te paso con una persona. / One moment, a person will answer you.";

    /// <summary>The away message's default before the tenant language; V0023 stored it for the tenants made before.</summary>
    public const string DefaultAwayMessage =
        "🕒 Estamos fora do horário de atendimento e responderemos assim que abrirmos. / Estamos fuera de horario y responderemos cuando abramos. / We are closed now and will answer when we open.";

    public static readonly ConversationSettings Default = new();

    /// <summary>Shows "typing…" before each bot message (Evolution's sendText <c>delay</c>).</summary>
    public bool TypingIndicator { get; init; } = true;

    /// <summary>Typing time per character of the message, clamped to <see cref="TypingMin"/>–<see cref="TypingMax"/>.</summary>
    public int TypingMsPerChar { get; init; } = 25;

    /// <summary>Cuts a reply on blank lines into several messages.</summary>
    public bool SplitMessages { get; init; } = true;

    public int MaxReplyParts { get; init; } = 4;

    /// <summary>Whole-word, case- and accent-insensitive phrases with which a customer asks for a person.</summary>
    public IReadOnlyList<string> HandoffKeywords { get; init; } = DefaultHandoffKeywords;

    /// <summary>Sent once when a person is requested; null: the <see cref="Language"/>'s default.</summary>
    public string? HandoffMessage { get; init; }

    /// <summary>IANA time zone of <see cref="BusinessHours"/>.</summary>
    public string Timezone { get; init; } = "UTC";

    /// <summary>Weekly opening intervals, local time; null: always open. A day without intervals is closed.</summary>
    public IReadOnlyDictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>? BusinessHours { get; init; }

    public OutsideHoursPolicy OutsideHours { get; init; } = OutsideHoursPolicy.Reply;

    /// <summary>Sent outside business hours when <see cref="OutsideHours"/> is away_message; null: the <see cref="Language"/>'s default.</summary>
    public string? AwayMessage { get; init; }

    /// <summary>Speech-to-text model for voice notes; null: the global TRANSCRIPTION_MODEL.</summary>
    public string? TranscriptionModel { get; init; }

    /// <summary>Vision-capable model for photos; null: the tenant's chat model.</summary>
    public string? VisionModel { get; init; }

    /// <summary>Answer to a voice note or photo the bot cannot understand; null: silence.</summary>
    public string? UnsupportedMediaReply { get; init; }

    /// <summary>The history sent to the model is trimmed to this many tokens (estimated) as well as to history_messages.</summary>
    public int HistoryTokenBudget { get; init; } = 8_000;

    /// <summary>A customer message older than this when it arrives (redelivered after an outage) is recorded, not answered, and flagged for a person.</summary>
    public int StaleMessageMinutes { get; init; } = 30;

    public TimeSpan StaleMessageAfter => TimeSpan.FromMinutes(StaleMessageMinutes);

    /// <summary>pt, es or en (<see cref="TenantLanguages"/>): the default texts' language; a new tenant's follows its time zone.</summary>
    public string Language { get; init; } = TenantLanguages.English;

    public string EffectiveHandoffMessage => HandoffMessage ?? TenantLanguages.HandoffMessage(Language);
    public string EffectiveAwayMessage => AwayMessage ?? TenantLanguages.AwayMessage(Language);
}
