using FluentValidation;
using HybridFlow.Application.Common.Behaviors;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.Application;

public static class DependencyInjection
{
    /// <summary>MediatR 5.1.0 has no AddMediatR: handlers and behaviors are registered by scan; validators by FluentValidation's own scan.</summary>
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        var assembly = ApplicationAssembly.Assembly;
        services.AddScoped<ServiceFactory>(sp => sp.GetService!);
        services.AddScoped<IMediator, Mediator>();
        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        foreach (var contract in type.GetInterfaces().Where(i => i.IsGenericType && (
                     i.GetGenericTypeDefinition() == typeof(IRequestHandler<,>) ||
                     i.GetGenericTypeDefinition() == typeof(INotificationHandler<>))))
            services.AddTransient(contract, type);

        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(LoggingBehavior<,>)); // outermost
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>));
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(AuthorizationBehavior<,>)); // innermost: a malformed request is 400 first
        services.AddValidatorsFromAssembly(assembly, ServiceLifetime.Transient);
        services.AddTransient<Replies.ReplySendSteps>();
        services.AddTransient<Replies.UnconfirmedSendResolver>();
        services.AddTransient<Webhooks.WebhookReceipts>();
        services.AddTransient<Webhooks.WebhookAdmission>();
        services.AddTransient<Webhooks.Conversation.CustomerMessages>();
        services.AddTransient<Replies.MediaPreparation>();
        services.AddTransient<Handoffs.ModelHandoffStep>();
        services.AddTransient<Replies.TokenBudgetGate>();
        services.AddSingleton<Replies.ReplyModelChoice>();
        services.AddTransient<Users.TenantUserAccess>();
        services.AddTransient<Users.PlatformUserAccess>();
        services.AddTransient<Users.Commands.TenantUserCreation>();
        services.AddTransient<Users.PasswordLinkIssuer>();
        services.AddTransient<Users.Commands.PasswordLinkReset>();
        services.AddTransient<Inbox.ConversationAccess>();
        services.AddTransient<Inbox.InboxSends>();
        services.AddTransient<Webhooks.WebhookConnections>();
        services.AddTransient<Replies.ReplyPrompts>();
        return services;
    }
}
