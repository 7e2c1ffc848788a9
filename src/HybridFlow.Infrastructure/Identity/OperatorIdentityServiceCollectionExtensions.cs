using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HybridFlow.Infrastructure.Identity;

public static class OperatorIdentityServiceCollectionExtensions
{
    /// <summary>
    /// Identity's user store (no Identity UI, no roles table). The email is the user name and unique; passwords need
    /// only a length (NIST style). Failed logins are counted by the login throttles; LOGIN_LOCKOUT_FAILURES in an hour
    /// (default 50) lock the account for an hour, as a backstop.
    /// </summary>
    public static IServiceCollection AddOperatorIdentity(this IServiceCollection services, EnvironmentSettings env)
    {
        var loginOptions = new LoginOptions((int)env.Number("LOGIN_LOCKOUT_FAILURES", LoginOptions.DefaultLockoutFailures, 5, 100_000));
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

        if (env.String("ADMIN_EMAIL") is { } email)
        {
            var password = env.String("ADMIN_PASSWORD")
                           ?? throw new InvalidOperationException("ADMIN_EMAIL is set but ADMIN_PASSWORD is not; set both to create the platform admin user.");
            var resetPassword = env.Flag("ADMIN_PASSWORD_RESET", false);
            services.AddHostedService(sp => new PlatformAdminBootstrap(sp, email, password, resetPassword));
        }
        else if (env.Flag("ADMIN_PASSWORD_RESET", false))
            throw new InvalidOperationException("ADMIN_PASSWORD_RESET is set but ADMIN_EMAIL is not; set ADMIN_EMAIL and ADMIN_PASSWORD to reset that user's password.");
        return services;
    }
}
