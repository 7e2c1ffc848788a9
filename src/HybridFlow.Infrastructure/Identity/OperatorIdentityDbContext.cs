using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace HybridFlow.Infrastructure.Identity;

/// <summary>Identity's user store (no roles table: a user has one role column) on the snake_case tables of V0012.</summary>
internal sealed class OperatorIdentityDbContext : IdentityUserContext<OperatorUser, long>
{
    public OperatorIdentityDbContext(DbContextOptions<OperatorIdentityDbContext> options) : base(options) { }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<OperatorUser>(e =>
        {
            e.ToTable("users");
            e.Property(u => u.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(u => u.TenantId).HasColumnName("tenant_id");
            e.Property(u => u.Role).HasColumnName("role");
            e.Property(u => u.DisplayName).HasColumnName("display_name");
            e.Property(u => u.CreatedAt).HasColumnName("created_at");
            e.Property(u => u.UserName).HasColumnName("user_name");
            e.Property(u => u.NormalizedUserName).HasColumnName("normalized_user_name");
            e.Property(u => u.Email).HasColumnName("email");
            e.Property(u => u.NormalizedEmail).HasColumnName("normalized_email");
            e.Property(u => u.EmailConfirmed).HasColumnName("email_confirmed");
            e.Property(u => u.PasswordHash).HasColumnName("password_hash");
            e.Property(u => u.SecurityStamp).HasColumnName("security_stamp");
            e.Property(u => u.ConcurrencyStamp).HasColumnName("concurrency_stamp");
            e.Property(u => u.PhoneNumber).HasColumnName("phone_number");
            e.Property(u => u.PhoneNumberConfirmed).HasColumnName("phone_number_confirmed");
            e.Property(u => u.TwoFactorEnabled).HasColumnName("two_factor_enabled");
            e.Property(u => u.LockoutEnd).HasColumnName("lockout_end");
            e.Property(u => u.LockoutEnabled).HasColumnName("lockout_enabled");
            e.Property(u => u.AccessFailedCount).HasColumnName("access_failed_count");
        });
        builder.Entity<IdentityUserClaim<long>>(e =>
        {
            e.ToTable("user_claims");
            e.Property(c => c.Id).HasColumnName("id").UseIdentityByDefaultColumn();
            e.Property(c => c.UserId).HasColumnName("user_id");
            e.Property(c => c.ClaimType).HasColumnName("claim_type");
            e.Property(c => c.ClaimValue).HasColumnName("claim_value");
        });
        builder.Entity<IdentityUserLogin<long>>(e =>
        {
            e.ToTable("user_logins");
            e.Property(l => l.LoginProvider).HasColumnName("login_provider");
            e.Property(l => l.ProviderKey).HasColumnName("provider_key");
            e.Property(l => l.ProviderDisplayName).HasColumnName("provider_display_name");
            e.Property(l => l.UserId).HasColumnName("user_id");
        });
        builder.Entity<IdentityUserToken<long>>(e =>
        {
            e.ToTable("user_tokens");
            e.Property(t => t.UserId).HasColumnName("user_id");
            e.Property(t => t.LoginProvider).HasColumnName("login_provider");
            e.Property(t => t.Name).HasColumnName("name");
            e.Property(t => t.Value).HasColumnName("value");
        });
    }
}
