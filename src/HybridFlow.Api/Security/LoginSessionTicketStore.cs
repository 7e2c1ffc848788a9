using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using HybridFlow.Application.Common.Interfaces;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;

namespace HybridFlow.Api.Security;

/// <summary>
/// The cookie scheme's session store: the cookie carries only a key, the ticket lives server-side in
/// <see cref="ILoginSessionStore"/> (PostgreSQL, shared by the replicas), protected with the app's Data Protection keys.
/// Logout removes it, so a copied cookie is dead at once. The principal read back carries the login's id
/// (<see cref="SessionIdClaim"/>), so a person's own logins can be told apart.
/// </summary>
public sealed class LoginSessionTicketStore : ITicketStore
{
    public const string SessionIdClaim = "login_session_id";
    private readonly ILoginSessionStore _sessions;
    private readonly IDataProtector _protector;
    private readonly TimeProvider _time;

    public LoginSessionTicketStore(ILoginSessionStore sessions, IDataProtectionProvider protection, TimeProvider time)
    {
        _sessions = sessions;
        _protector = protection.CreateProtector("HybridFlow.LoginSessions.v1");
        _time = time;
    }

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null, CancellationToken.None);

    public Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken) => StoreAsync(ticket, null, cancellationToken);

    public Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext? httpContext, CancellationToken cancellationToken)
    {
        var principal = ticket.Principal;
        var userId = long.Parse(principal.FindFirstValue(HttpCurrentCaller.UserClaim)
                                ?? throw new InvalidOperationException("A login ticket without a user."), CultureInfo.InvariantCulture);
        var now = _time.GetUtcNow();
        var userAgent = httpContext?.Request.Headers.UserAgent.ToString();
        return _sessions.StartAsync(new NewLoginSession(
            userId,
            principal.FindFirstValue(UserAuthentication.SecurityStampClaim) ?? "",
            Protect(ticket),
            now,
            ticket.Properties.ExpiresUtc ?? now + UserAuthentication.CookieLifetime,
            string.IsNullOrEmpty(userAgent) ? null : userAgent,
            httpContext is null ? null : ClientAddress.Of(httpContext)), cancellationToken);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        return _sessions.RenewAsync(key, Protect(ticket), now, ticket.Properties.ExpiresUtc ?? now + UserAuthentication.CookieLifetime, cancellationToken);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken) =>
        RenewAsync(key, ticket, cancellationToken);

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, CancellationToken.None);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken)
    {
        var stored = await _sessions.FindAsync(key, _time.GetUtcNow(), cancellationToken);
        if (stored is null || Unprotect(stored.Ticket) is not { } ticket) return null;
        if (ticket.Principal.Identity is ClaimsIdentity identity)
            identity.AddClaim(new Claim(SessionIdClaim, stored.Id.ToString(CultureInfo.InvariantCulture)));
        return ticket;
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken) =>
        RetrieveAsync(key, cancellationToken);

    public Task RemoveAsync(string key) => RemoveAsync(key, CancellationToken.None);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => _sessions.RemoveAsync(key, cancellationToken);

    public Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken) => RemoveAsync(key, cancellationToken);

    /// <summary>The ticket as stored: without the login's id, which is added when it is read back.</summary>
    private byte[] Protect(AuthenticationTicket ticket)
    {
        var identities = ticket.Principal.Identities.Select(i =>
        {
            var copy = i.Clone();
            foreach (var claim in copy.FindAll(SessionIdClaim).ToList()) copy.RemoveClaim(claim);
            return copy;
        });
        var stored = new AuthenticationTicket(new ClaimsPrincipal(identities), ticket.Properties, ticket.AuthenticationScheme);
        return _protector.Protect(TicketSerializer.Default.Serialize(stored));
    }

    /// <summary>Null when the ticket cannot be read (its Data Protection key is gone): the login is over.</summary>
    private AuthenticationTicket? Unprotect(byte[] protectedTicket)
    {
        try
        {
            return TicketSerializer.Default.Deserialize(_protector.Unprotect(protectedTicket));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
