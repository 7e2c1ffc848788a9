using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>Spanish, and the server's codes (timeline details, validation errors) said in the person's language.</summary>
public sealed class LanguageCodesTests : BrowserTest
{
    [Test]
    public async Task Spanish_is_picked_from_the_browser_with_its_lang_skip_link_and_singular_statuses()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Hola, ¿tienen pasteles?", "Luisa Martín");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);
        var paused = await Server.Admin.PostAsJsonAsync($"api/inbox/conversations/{sessionId}/pause", new { minutes = 30 });
        Assert.That((int)paused.StatusCode, Is.EqualTo(200), await paused.Content.ReadAsStringAsync());

        var page = await NewPageAsync("es-ES");
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Entrar a la bandeja de entrada" })).ToBeVisibleAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "es");
        await Expect(page.Locator(".skip-link")).ToHaveTextAsync("Ir al contenido");
        await page.GetByLabel("Correo electrónico").FillAsync(email);
        await page.GetByLabel("Contraseña").FillAsync(InboxServer.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Necesita una persona" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Estado")).ToBeVisibleAsync();

        // One conversation's status is singular; the filter's options stay plural.
        await page.GetByLabel("Estado").SelectOptionAsync("all");
        var item = page.Locator($"#conversation-list li[data-session-id='{sessionId}']");
        await Expect(item.Locator(".status-chip").First).ToHaveTextAsync("Pausada");
        await Expect(page.GetByLabel("Estado").Locator("option[value=paused]")).ToHaveTextAsync("Pausadas");
        await ScreenshotAsync(page, "inbox-spanish");

        // The switch: Portuguese then English, each with its lang, its skip link and its singular status.
        await page.GetByLabel("Idioma").SelectOptionAsync("pt");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "pt-BR");
        await Expect(page.Locator(".skip-link")).ToHaveTextAsync("Ir para o conteúdo");
        await Expect(item.Locator(".status-chip").First).ToHaveTextAsync("Pausada");
        await page.GetByLabel("Idioma").SelectOptionAsync("en");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator(".skip-link")).ToHaveTextAsync("Skip to content");
        await Expect(item.Locator(".status-chip").First).ToHaveTextAsync("Paused");
        await page.ReloadAsync();
        await Expect(page.Locator(".skip-link")).ToHaveTextAsync("Skip to content");
    }

    [TestCase("pt", "enviada por Ana Lima pela caixa de entrada", "digitada à mão", "para Ana Lima (assumiu a conversa)")]
    [TestCase("es", "enviado por Ana Lima desde la bandeja de entrada", "escrito a mano", "a Ana Lima (tomó la conversación)")]
    [TestCase("en", "sent by Ana Lima from the inbox", "typed by hand", "to Ana Lima (took the conversation over)")]
    public async Task Timeline_details_come_as_codes_and_are_said_in_the_persons_language(string language, string sentByAna, string typedByHand, string assigned)
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Meu pedido não chegou", "Maria Souza");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered first");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        var composer = page.GetByLabel("Message", new() { Exact = true });
        await composer.FillAsync("Oi Maria, aqui é a Ana.");
        await composer.PressAsync("Enter");
        await Expect(page.Locator("#timeline .bubble.human")).ToHaveCountAsync(1);
        // The owner types on the phone too.
        await Server.OwnerWritesAsync(instance, chat, "Já estou vendo, Maria.");

        // The API keeps the English detail and adds the code and its params.
        JsonElement[] events = [];
        await Eventually.HoldsAsync(async () =>
        {
            var thread = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/inbox/conversations/{sessionId}/messages?limit=100");
            events = [.. thread.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("kind").GetString() == "event")];
            return events.Any(e => e.GetProperty("code").GetString() == "typed_by_hand");
        }, "the owner's message is on the timeline");
        var sent = events.Single(e => e.GetProperty("code").GetString() == "sent_by_person_from_inbox");
        Assert.That(sent.GetProperty("detail").GetString(), Is.EqualTo("sent by Ana Lima from the inbox"));
        Assert.That(sent.GetProperty("params").GetProperty("name").GetString(), Is.EqualTo("Ana Lima"));

        await page.GetByLabel("Language").SelectOptionAsync(language);
        var timeline = page.Locator("#timeline");
        await Expect(timeline.Locator("li.event", new() { HasText = sentByAna })).ToHaveCountAsync(1);
        await Expect(timeline.Locator("li.event", new() { HasText = typedByHand })).ToHaveCountAsync(1);
        await Expect(timeline.Locator("li.event", new() { HasText = assigned })).ToHaveCountAsync(1);
        if (language != "en") Assert.That(await timeline.Locator("li.event", new() { HasText = "from the inbox" }).CountAsync(), Is.Zero);
        await ScreenshotAsync(page, $"timeline-codes-{language}");
    }

    [TestCase("pt", "Uma conversa tem no máximo 20 etiquetas.")]
    [TestCase("es", "Una conversación tiene como máximo 20 etiquetas.")]
    [TestCase("en", "A conversation has at most 20 tags.")]
    public async Task Validation_errors_carry_codes_the_page_says_in_the_persons_language(string language, string tooManyTags)
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "agent");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Oi!", "Maria Souza");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);
        var twenty = Enumerable.Range(1, 20).Select(i => $"tag{i}").ToArray();
        var tagged = await Server.Admin.PatchAsJsonAsync($"api/inbox/conversations/{sessionId}", new { tags = twenty });
        Assert.That((int)tagged.StatusCode, Is.EqualTo(200), await tagged.Content.ReadAsStringAsync());

        // The problem keeps its errors and adds a code per message.
        var refused = await Server.Admin.PatchAsJsonAsync($"api/inbox/conversations/{sessionId}", new { tags = twenty.Append("one-more") });
        Assert.That((int)refused.StatusCode, Is.EqualTo(400));
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.That(problem.GetProperty("errors").GetProperty("tags")[0].GetString(), Is.EqualTo("A conversation has at most 20 tags."));
        var code = problem.GetProperty("error_codes").GetProperty("tags")[0];
        Assert.That(code.GetProperty("code").GetString(), Is.EqualTo("too_many_tags"));
        Assert.That(code.GetProperty("params").GetProperty("max_count").GetString(), Is.EqualTo("20"));

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await page.GetByLabel("Language").SelectOptionAsync(language);
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        var tagInput = page.Locator("input.tag-input");
        await tagInput.FillAsync("one-more");
        await tagInput.PressAsync("Enter");
        await Expect(page.Locator("#conversation-error")).ToHaveTextAsync(tooManyTags);
    }
}
