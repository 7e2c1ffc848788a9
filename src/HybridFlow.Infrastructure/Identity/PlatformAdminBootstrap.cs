using HybridFlow.Application.Users.Commands;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Identity;

/// <summary>
/// ADMIN_EMAIL + ADMIN_PASSWORD: the first platform admin user, created at startup (after the migrations) when no user
/// has that email. With ADMIN_PASSWORD_RESET=true an existing one gets ADMIN_PASSWORD and is unlocked, once per
/// ADMIN_PASSWORD value. A password the rules refuse stops startup. Neither value is logged.
/// </summary>
internal sealed class PlatformAdminBootstrap : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly string _email;
    private readonly string _password;
    private readonly bool _resetPassword;

    public PlatformAdminBootstrap(IServiceProvider services, string email, string password, bool resetPassword)
    {
        _services = services;
        _email = email;
        _password = password;
        _resetPassword = resetPassword;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var scope = _services.CreateScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<IMediator>()
            .Send(new EnsurePlatformAdminCommand(_email, _password, _resetPassword), cancellationToken);
        scope.ServiceProvider.GetRequiredService<ILogger<PlatformAdminBootstrap>>().LogInformation(outcome switch
        {
            PlatformAdminOutcome.Created => "Created the platform admin user from ADMIN_EMAIL",
            PlatformAdminOutcome.PasswordReset => "ADMIN_PASSWORD_RESET: set the ADMIN_EMAIL user's password from ADMIN_PASSWORD and unlocked it",
            PlatformAdminOutcome.ResetAlreadyApplied => "ADMIN_PASSWORD_RESET: this ADMIN_PASSWORD was applied before; left unchanged (remove the flag)",
            _ => "The ADMIN_EMAIL user exists already; left unchanged",
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
