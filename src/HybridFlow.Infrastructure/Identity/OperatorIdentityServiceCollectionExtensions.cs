using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Users;
using HybridFlow.Infrastructure.Settings;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HybridFlow.Infrastructure.Identity;

internal static class OperatorIdentityServiceCollectionExtensions
{
    /// <summary>
    /// Identity's user store (no Identity UI, no roles table). The email is the user name and unique; passwords need
    /// only a length (NIST style). Failed logins are counted by the login throttles; LOGIN_LOCKOUT_FAILURES in an hour
    /// (default 50) lock the account for an hour, as a backstop.
    /// </summary>
    public static IServiceCollection AddOperatorIdentity(this IServiceCollection services, HostSettings host)
    {
        var loginOptions = new LoginOptions(host.LockoutFailures);
        services.AddSingleton(loginOptions);
        services.AddScoped<ILoginThrottles, LoginThrottleStore>();
        services.AddDbContext<OperatorIdentityDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddIdentityCore<OperatorUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.User.AllowedUserNameCharacters = ""; // the user name is the email, validated as one
                o.Password.RequiredLength = UserLimits.PasswordMin;
                o.Password.RequiredUniqueChars = 1;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = loginOptions.LockoutFailures;
                o.Lockout.DefaultLockoutTimeSpan = UserLimits.LockoutDuration;
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddEntityFrameworkStores<OperatorIdentityDbContext>();
        services.AddScoped<IOperatorAccounts, OperatorAccounts>();
        services.AddSingleton<ILoginSessionStore, LoginSessionStore>();
        services.AddSingleton<IPasswordLinks, PasswordLinkStore>();

        if (host.PlatformAdmin() is var (email, password, resetPassword))
            services.AddHostedService(sp => new PlatformAdminBootstrap(sp, email, password, resetPassword));
        return services;
    }
}
