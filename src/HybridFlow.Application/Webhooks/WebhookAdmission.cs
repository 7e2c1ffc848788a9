using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Webhooks;

/// <summary>A delivery that proved itself, with its parsed body.</summary>
public sealed record AdmittedWebhook(InstanceContext Instance, EvolutionWebhook Webhook);

/// <summary>
/// Decides whether a webhook delivery may cost us anything. A source whose refusals ran out waits (429) before its body
/// is read. Header, token and Bearer credentials are checked before the body is parsed; without them only the body's
/// apikey is left, and at most <see cref="WebhookBody.PreAuthenticationLimit"/> bytes are read for it (a longer body is
/// 413). Every refusal before authentication is counted against the source, never against the instance, and an unknown
/// instance is answered exactly like a known one with the wrong secret. Only an authenticated delivery spends its
/// instance's budget.
/// </summary>
public sealed class WebhookAdmission
{
    public const string RefusedMessage = "The webhook secret is missing or wrong.";
    private readonly IInstanceDirectory _instances;
    private readonly IWebhookThrottle _throttle;
    private readonly HybridFlowSettings _settings;

    public WebhookAdmission(IInstanceDirectory instances, IWebhookThrottle throttle, HybridFlowSettings settings)
    {
        _instances = instances;
        _throttle = throttle;
        _settings = settings;
    }

    public async Task<AdmittedWebhook> AdmitAsync(
        string? routeInstance, WebhookBody body, WebhookCredentials credentials, string source, DateTimeOffset now, CancellationToken ct)
    {
        if (_throttle.SourceBlockedFor(source) is { } wait)
            throw new TooManyAttemptsException("Too many refused webhook deliveries from this address; retry later.", wait);

        (InstanceContext? Instance, EvolutionWebhook? Webhook) authenticated;
        try
        {
            authenticated = await AuthenticateAsync(routeInstance, body, credentials, now, ct);
        }
        catch (Exception e) when (e is AuthenticationFailedException or PayloadTooLargeException or RequestValidationException)
        {
            _throttle.SourceRefused(source);
            throw;
        }

        var (instance, webhook) = authenticated;
        if (webhook is null)
        {
            if (!await body.ReadAsync(WebhookBody.MaxLength, ct))
                throw new PayloadTooLargeException($"The body may be at most {WebhookBody.MaxLength} bytes.");
            webhook = body.Parse();
        }

        var name = NonBlank(routeInstance) ?? NonBlank(webhook.InstanceName)
            ?? throw new RequestValidationException("instance", "The instance name is required (in the path or the body).");
        if (instance is null)
        {
            // Authenticated by the global secret, which holds for every instance: the caller may learn which exist.
            instance = await _instances.FindByNameAsync(name, fresh: false, ct) ?? throw new NotFoundException("Instance", name);
        }
        else if (!string.Equals(instance.InstanceName, name, StringComparison.Ordinal))
        {
            // The credentials were checked for the body's first "instance"; the parser reads its last one.
            throw new RequestValidationException("instance", "The body names more than one instance.");
        }

        // A Cloud API number hears from Meta only (/webhooks/meta, signed): an Evolution delivery for it would be a
        // second, unsigned way in to its chats.
        if (instance.Provider != ChannelProvider.Evolution)
            throw new ConflictException($"Instance '{instance.InstanceName}' is a Cloud API number: its webhook is /webhooks/meta.");

        if (_throttle.SpendInstanceDelivery(instance.InstanceName) is { } instanceWait)
            throw new TooManyAttemptsException("The instance's webhook rate limit was reached; retry later.", instanceWait);
        return new AdmittedWebhook(instance, webhook);
    }

    /// <summary>
    /// The authenticated instance (null when the global secret vouched for the caller) and, when the body's apikey had to
    /// be read for it, the parsed body. Throws what the caller is refused with.
    /// </summary>
    private async Task<(InstanceContext? Instance, EvolutionWebhook? Webhook)> AuthenticateAsync(
        string? routeInstance, WebhookBody body, WebhookCredentials credentials, DateTimeOffset now, CancellationToken ct)
    {
        var name = NonBlank(routeInstance);
        if (credentials.ArePresent)
        {
            if (WebhookAuthenticator.MatchesSecret(_settings.GlobalWebhookSecret, credentials, now)) return (null, null);
            if (name is null)
            {
                await body.ReadAsync(WebhookBody.PreAuthenticationLimit, ct, readPrefix: true);
                name = NonBlank(body.PeekInstanceName());
            }
            if (name is not null
                && await _instances.FindAuthenticAsync(name, i => WebhookAuthenticator.HeaderCredentialsMatch(i, _settings.GlobalWebhookSecret, credentials, now), ct)
                    is { } instance)
                return (instance, null);
        }

        // Only the body's apikey is left: it needs the whole body, and a stranger gets no more than the pre-authentication limit read.
        if (!await body.ReadAsync(WebhookBody.PreAuthenticationLimit, ct))
        {
            if (credentials.ArePresent) throw new AuthenticationFailedException(RefusedMessage);
            throw new PayloadTooLargeException(
                $"Without the X-Webhook-Secret header, the token query or a Bearer token, the body may be at most {WebhookBody.PreAuthenticationLimit} bytes.");
        }
        var webhook = body.Parse();
        name = NonBlank(routeInstance) ?? NonBlank(webhook.InstanceName)
            ?? throw new RequestValidationException("instance", "The instance name is required (in the path or the body).");
        var byApiKey = await _instances.FindAuthenticAsync(name,
            i => WebhookAuthenticator.IsAuthentic(i, _settings.GlobalWebhookSecret, credentials, webhook.BodyApiKey, now), ct);
        return (byApiKey ?? throw new AuthenticationFailedException(RefusedMessage), webhook);
    }

    private static string? NonBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
