using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Sessions;

public sealed class SessionLocatorValidator : AbstractValidator<SessionLocator>
{
    public SessionLocatorValidator()
    {
        When(l => l.SessionId is not null, () =>
        {
            RuleFor(l => l.SessionId).GreaterThan(0).OverridePropertyName("id");
            RuleFor(l => l.TenantId).GreaterThan(0).When(l => l.TenantId is not null).OverridePropertyName("tenant_id");
        }).Otherwise(() =>
        {
            RuleFor(l => l.InstanceName).NotEmpty().MaximumLength(100).OverridePropertyName("instance");
            RuleFor(l => l.ChatId).NotEmpty().MaximumLength(ChatId.MaxLength).OverridePropertyName("chat_id");
        });
    }
}

public static class SessionLocatorExtensions
{
    public static string Describe(this SessionLocator l) =>
        l.SessionId is { } id ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{l.InstanceName}/{l.ChatId}";
}
