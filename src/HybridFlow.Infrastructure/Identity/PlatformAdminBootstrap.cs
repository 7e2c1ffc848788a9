using HybridFlow.Application.Users.Commands;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Identity;

/// <summary>
/// ADMIN_EMAIL + ADMIN_PASSWORD: the first platform admin user, created at startup (after the migrations) when no user
/// has that email. A password the rules refuse stops startup. Neither value is logged.
/// </summary>
public sealed class PlatformAdminBootstrap : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly string _email;
    private readonly string _password;

    public PlatformAdminBootstrap(IServiceProvider services, string email, string password)
    {
        _services = services;
        _email = email;
        _password = password;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var scope = _services.CreateScope();
        var created = await scope.ServiceProvider.GetRequiredService<IMediator>()
            .Send(new EnsurePlatformAdminCommand(_email, _password), cancellationToken);
        scope.ServiceProvider.GetRequiredService<ILogger<PlatformAdminBootstrap>>().LogInformation(created
            ? "Created the platform admin user from ADMIN_EMAIL"
            : "The ADMIN_EMAIL user exists already; left unchanged");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
