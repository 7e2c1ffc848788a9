using System.Security.Cryptography;
using FluentValidation;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Instances.Commands;

/// <summary>
/// Points the Evolution instance's webhook at HybridFlow's <c>/webhook/{instance}</c>, with the instance's secret in the
/// <c>X-Webhook-Secret</c> header (a strong one is generated and stored first when the instance has none).
/// </summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record ConfigureInstanceWebhookCommand(string? InstanceName, long? TenantId, string? WebhookUrlBase) : IRequest<ConfiguredWebhookDto>, IInstanceRequest;

/// <summary>What Evolution was told: the URL it now calls and the events it sends. Never the secret.</summary>
public sealed record ConfiguredWebhookDto(string InstanceName, string WebhookUrl, IReadOnlyList<string> Events, int EvolutionStatus);

public static class EvolutionWebhookSettings
{
    public const string SecretHeader = "X-Webhook-Secret";

    /// <summary>The events the pipeline uses: customer and owner messages, API-send echoes, connection changes and the QR codes to scan.</summary>
    public static readonly IReadOnlyList<string> Events =
        ["MESSAGES_UPSERT", "SEND_MESSAGE", "MESSAGES_UPDATE", "MESSAGES_DELETE", "CONNECTION_UPDATE", "QRCODE_UPDATED"];

    /// <summary>256 random bits, URL-safe, so it survives headers and query strings alike.</summary>
    public static string NewSecret() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string WebhookUrl(string publicBase, string instanceName) =>
        $"{publicBase.TrimEnd('/')}/webhook/{Uri.EscapeDataString(instanceName)}";

    public static bool IsUsableBase(string? url) =>
        InstanceLimits.IsHttpUrl(url) && new Uri(url!).Query.Length == 0 && new Uri(url!).Fragment.Length == 0;
}

public sealed class ConfigureInstanceWebhookCommandValidator : AbstractValidator<ConfigureInstanceWebhookCommand>
{
    public ConfigureInstanceWebhookCommandValidator()
    {
        RuleFor(c => c.InstanceName).NotEmpty().MaximumLength(InstanceLimits.NameMax).OverridePropertyName("name");
        RuleFor(c => c.TenantId).GreaterThan(0).When(c => c.TenantId is not null).OverridePropertyName("tenant_id");
        RuleFor(c => c.WebhookUrlBase).MaximumLength(InstanceLimits.UrlMax)
            .Must(EvolutionWebhookSettings.IsUsableBase).WithMessage("webhook_url_base must be an absolute http(s) URL without query or fragment, e.g. https://hybridflow.example.com.")
            .When(c => c.WebhookUrlBase is not null).OverridePropertyName("webhook_url_base");
    }
}

public sealed class ConfigureInstanceWebhookCommandHandler : IRequestHandler<ConfigureInstanceWebhookCommand, ConfiguredWebhookDto>
{
    private readonly IInstanceStore _instances;
    private readonly IInstanceDirectory _directory;
    private readonly IEvolutionAdmin _evolution;
    private readonly HybridFlowSettings _settings;
    private readonly ICurrentCaller _caller;
    private readonly TimeProvider _time;

    public ConfigureInstanceWebhookCommandHandler(IInstanceStore instances, IInstanceDirectory directory, IEvolutionAdmin evolution,
        HybridFlowSettings settings, ICurrentCaller caller, TimeProvider time)
    {
        _instances = instances;
        _directory = directory;
        _evolution = evolution;
        _settings = settings;
        _caller = caller;
        _time = time;
    }

    public async Task<ConfiguredWebhookDto> Handle(ConfigureInstanceWebhookCommand c, CancellationToken ct)
    {
        var visible = await _instances.FindVisibleAsync(_caller, c.InstanceName!, c.TenantId, ct);
        if (visible.Provider == HybridFlow.Domain.Chats.ChannelProviders.MetaCloudName)
            throw new RequestValidationException("provider", "This is for Evolution instances: a Cloud API number's webhook is set in its Meta app (README, \"Connect a Cloud API number\").");
        var publicBase = c.WebhookUrlBase ?? _settings.PublicBaseUrl
                         ?? throw new RequestValidationException("webhook_url_base",
                             "webhook_url_base is required: HybridFlow's public URL is not configured (PUBLIC_BASE_URL).");
        var instance = await _directory.FindByNameAsync(visible.InstanceName, fresh: true, ct) ?? throw new NotFoundException("Instance", visible.InstanceName);

        // Stored before Evolution is called: if the call times out after Evolution saved it, the webhooks still authenticate.
        var secret = instance.WebhookSecret;
        if (string.IsNullOrEmpty(secret))
        {
            secret = EvolutionWebhookSettings.NewSecret();
            _ = await _instances.UpdateAsync(instance.InstanceName, new InstancePatch(default, default, new Optional<string?>(secret)), _time.GetUtcNow(), ct)
                ?? throw new NotFoundException("Instance", instance.InstanceName);
        }

        var url = EvolutionWebhookSettings.WebhookUrl(publicBase, instance.InstanceName);
        var headers = new Dictionary<string, string> { [EvolutionWebhookSettings.SecretHeader] = secret };
        var result = await _evolution.SetWebhookAsync(EvolutionEndpoint.Of(instance),
            new WebhookRegistration(url, headers, EvolutionWebhookSettings.Events), ct);
        if (!result.Succeeded)
            throw new BadGatewayException($"Evolution did not accept the webhook configuration: {result.Error}", result.HttpStatus);
        return new ConfiguredWebhookDto(instance.InstanceName, url, EvolutionWebhookSettings.Events, result.HttpStatus ?? 200);
    }
}
