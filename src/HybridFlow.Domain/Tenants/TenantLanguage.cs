namespace HybridFlow.Domain.Tenants;

/// <summary>
/// The language a tenant's customers are answered in when nobody wrote the text: the no-model reply and the default
/// handoff and away messages. A new tenant's comes from its time zone (ADR-017).
/// </summary>
public static class TenantLanguages
{
    public const string Portuguese = "pt";
    public const string Spanish = "es";
    public const string English = "en";
    public static readonly IReadOnlyList<string> All = [Portuguese, Spanish, English];

    /// <summary>Spanish-speaking America's zones (IANA), besides Europe/Madrid and Africa/Ceuta and Atlantic/Canary.</summary>
    private static readonly HashSet<string> SpanishZones = new(StringComparer.OrdinalIgnoreCase)
    {
        "Europe/Madrid", "Africa/Ceuta", "Atlantic/Canary",
        "America/Mexico_City", "America/Cancun", "America/Merida", "America/Monterrey", "America/Matamoros", "America/Chihuahua",
        "America/Ciudad_Juarez", "America/Ojinaga", "America/Mazatlan", "America/Bahia_Banderas", "America/Hermosillo", "America/Tijuana",
        "America/Guatemala", "America/Belize", "America/El_Salvador", "America/Tegucigalpa", "America/Managua", "America/Costa_Rica",
        "America/Panama", "America/Havana", "America/Santo_Domingo", "America/Puerto_Rico", "America/Bogota", "America/Caracas",
        "America/Guayaquil", "Pacific/Galapagos", "America/Lima", "America/La_Paz", "America/Santiago", "America/Punta_Arenas",
        "Pacific/Easter", "America/Asuncion", "America/Montevideo", "America/Buenos_Aires",
    };

    /// <summary>pt for Brazil's zones, es for Spain's and Spanish-speaking America's, en for the rest (and UTC).</summary>
    public static string ForTimeZone(string? timeZone)
    {
        var zone = timeZone?.Trim() ?? "";
        if (zone.Length == 0) return English;
        if (BrazilZones.Contains(zone)) return Portuguese;
        if (SpanishZones.Contains(zone) || zone.StartsWith("America/Argentina/", StringComparison.OrdinalIgnoreCase)) return Spanish;
        return English;
    }

    private static readonly HashSet<string> BrazilZones = new(StringComparer.OrdinalIgnoreCase)
    {
        "America/Sao_Paulo", "America/Noronha", "America/Belem", "America/Fortaleza", "America/Recife", "America/Araguaina",
        "America/Maceio", "America/Bahia", "America/Campo_Grande", "America/Cuiaba", "America/Santarem", "America/Porto_Velho",
        "America/Boa_Vista", "America/Manaus", "America/Eirunepe", "America/Rio_Branco",
        "Brazil/East", "Brazil/West", "Brazil/Acre", "Brazil/DeNoronha",
    };

    public static bool IsKnown(string? language) => language is Portuguese or Spanish or English;

    /// <summary>Sent once when a person is requested, unless the tenant wrote its own.</summary>
    public static string HandoffMessage(string language) => language switch
    {
        Portuguese => "👤 Um momento, vou chamar uma pessoa.",
        Spanish => "👤 Un momento, te paso con una persona.",
        _ => "👤 One moment, a person will answer you.",
    };

    /// <summary>Sent outside business hours (outside_hours away_message), unless the tenant wrote its own.</summary>
    public static string AwayMessage(string language) => language switch
    {
        Portuguese => "🕒 Estamos fora do horário de atendimento e responderemos assim que abrirmos.",
        Spanish => "🕒 Estamos fuera de horario y responderemos cuando abramos.",
        _ => "🕒 We are closed now and will answer when we open.",
    };

    /// <summary>The bot's answer when no model is configured and LLM_STATIC_REPLY is not set.</summary>
    public static string NoModelReply(string language) => language switch
    {
        Portuguese => "Obrigado pela sua mensagem! Responderemos em breve.",
        Spanish => "¡Gracias por tu mensaje! Te responderemos pronto.",
        _ => "Thanks for your message! We'll get back to you shortly.",
    };
}
