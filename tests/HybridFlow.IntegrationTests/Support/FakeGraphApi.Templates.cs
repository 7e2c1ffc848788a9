using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Llm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// The message templates of a WhatsApp Business account, as Meta lists them: <c>GET /{waba_id}/message_templates</c>
/// answers <c>{"data":[…],"paging":{"cursors":{"before","after"},"next"?}}</c>, at most <see cref="TemplatePageSize"/>
/// per page (or the call's <c>limit</c>, if smaller), filtered by <c>status</c> when the call asks. Approved templates and
/// others (pending, rejected, paused) are there from the start; tests add more with <see cref="AddTemplate"/>.
/// </summary>
public sealed partial class FakeGraphApi
{
    private readonly ConcurrentQueue<FakeTemplate> _templates = new(DefaultTemplates());

    /// <summary>The most templates one page holds, whatever the call's limit: small, so that the tests walk the pages.</summary>
    public int TemplatePageSize { get; set; } = 2;

    /// <summary>Every call to the templates list, answered or not.</summary>
    public IReadOnlyList<RecordedRequest> TemplateListCalls =>
        [.. Requests.Where(r => r.Method == "GET" && r.Path.EndsWith("/message_templates", StringComparison.Ordinal))];

    /// <summary>The templates every account of the fake holds (any waba id).</summary>
    public IReadOnlyList<FakeTemplate> Templates => [.. _templates];

    public void AddTemplate(FakeTemplate template) => _templates.Enqueue(template);

    /// <summary>order_ready (pt_BR and en_US, two variables), welcome_back (none) approved; others not.</summary>
    public static IReadOnlyList<FakeTemplate> DefaultTemplates() =>
    [
        new("order_ready", "pt_BR", "APPROVED", "UTILITY", "Olá {{1}}, seu pedido {{2}} está pronto para retirada.", Header: "Pedido pronto"),
        new("order_ready", "en_US", "APPROVED", "UTILITY", "Hi {{1}}, your order {{2}} is ready for pickup."),
        new("promo_pending", "pt_BR", "PENDING", "MARKETING", "Promoção {{1}} só hoje!"),
        new("welcome_back", "pt_BR", "APPROVED", "MARKETING", "Oi! Sentimos sua falta na Padaria Cloud. Volte quando quiser."),
        new("old_offer", "pt_BR", "REJECTED", "MARKETING", "Oferta antiga {{1}}."),
        new("paused_notice", "pt_BR", "PAUSED", "UTILITY", "Aviso {{1}}."),
    ];

    partial void MapTemplateRoutes(WebApplication app) =>
        app.MapGet($"/{Version}/{{wabaId}}/message_templates", (Func<HttpContext, string, Task>)TemplatesAsync);

    private async Task TemplatesAsync(HttpContext context, string wabaId)
    {
        var (headers, body) = await ReadAsync(context);
        if (await ScriptedAsync(context, headers, body, isSend: false) is { } handled && handled) return;
        if (!Authorized(headers))
        {
            await AnswerAsync(context, headers, body, 401, MetaError(190, "Invalid OAuth access token - Cannot parse access token", "OAuthException"));
            return;
        }
        var query = context.Request.Query;
        var status = query["status"].ToString();
        var limit = int.TryParse(query["limit"], CultureInfo.InvariantCulture, out var asked) && asked > 0 ? Math.Min(asked, TemplatePageSize) : TemplatePageSize;
        var start = query["after"].ToString() is { Length: > 0 } after ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(after)), CultureInfo.InvariantCulture) : 0;

        var matching = Templates.Where(t => status.Length == 0 || status.Split(',').Contains(t.Status)).ToList();
        var page = matching.Skip(start).Take(limit).ToList();
        var data = new JsonArray([.. page.Select((t, i) => (JsonNode)t.ToJson(wabaId, start + i))]);
        var answer = new JsonObject { ["data"] = data };
        if (page.Count > 0)
        {
            var end = start + page.Count;
            var paging = new JsonObject
            {
                ["cursors"] = new JsonObject { ["before"] = Cursor(start), ["after"] = Cursor(end) },
            };
            if (end < matching.Count)
                paging["next"] = new Uri(GraphUrl + $"/{wabaId}/message_templates?limit={limit}&after={Uri.EscapeDataString(Cursor(end))}").ToString();
            answer["paging"] = paging;
        }
        await AnswerAsync(context, headers, body, 200, answer.ToJsonString());
    }

    private static string Cursor(int index) => Convert.ToBase64String(Encoding.UTF8.GetBytes(index.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>A template of the fake's accounts: status APPROVED, PENDING, REJECTED or PAUSED; its body text may hold {{n}}.</summary>
public sealed record FakeTemplate(string Name, string Language, string Status, string Category, string Body, string? Header = null)
{
    public JsonObject ToJson(string wabaId, int index)
    {
        var components = new JsonArray();
        if (Header is not null) components.Add(new JsonObject { ["type"] = "HEADER", ["format"] = "TEXT", ["text"] = Header });
        components.Add(new JsonObject { ["type"] = "BODY", ["text"] = Body });
        components.Add(new JsonObject { ["type"] = "FOOTER", ["text"] = "Padaria Cloud" });
        return new JsonObject
        {
            ["name"] = Name,
            ["parameter_format"] = "POSITIONAL",
            ["components"] = components,
            ["language"] = Language,
            ["status"] = Status,
            ["category"] = Category,
            ["id"] = $"{wabaId[..Math.Min(6, wabaId.Length)]}{index:D6}",
        };
    }
}
