using HybridFlow.Api.Contracts;
using HybridFlow.Api.Security;
using HybridFlow.Application.Users;
using HybridFlow.Application.Users.Commands;
using HybridFlow.Application.Users.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>
/// People log in with email and password and carry the HttpOnly <c>hybridflow_auth</c> cookie. Calls that change state
/// with that cookie send the <c>XSRF-TOKEN</c> cookie's value in the <c>X-XSRF-TOKEN</c> header.
/// </summary>
[ApiController]
[Authorize(Policy = AuthorizationPolicies.AnyCaller)]
[Route("api/auth")]
[Produces("application/json")]
public sealed class AuthController : ControllerBase
{
    private readonly IMediator _mediator;

    public AuthController(IMediator mediator) => _mediator = mediator;

    /// <summary>Logs in: sets the auth cookie and the XSRF-TOKEN cookie, and answers the user.</summary>
    /// <remarks>
    /// A wrong email and a wrong password both answer 401. 5 failed tries for one email from one address in 15 minutes answer
    /// 429 with Retry-After (1 minute, doubling up to an hour); 100 from one address in an hour block that address; the
    /// right password from another address still works. Unknown emails are counted and answered like known ones.
    /// </remarks>
    [HttpPost("login")]
    [AllowAnonymous]
    [ProducesResponseType(typeof(UserDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 429)]
    public Task<UserDto> Login(LoginRequest body, CancellationToken ct) => _mediator.Send(new LoginCommand(body.Email, body.Password), ct);

    /// <summary>Logs out: ends the login on the server (a copy of the cookie stops working at once) and clears the auth cookie.</summary>
    [HttpPost("logout")]
    [AllowAnonymous]
    [ProducesResponseType(204)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    public async Task<IActionResult> Logout(CancellationToken ct)
    {
        await _mediator.Send(new LogoutCommand(), ct);
        return NoContent();
    }

    /// <summary>The logged-in user; also refreshes the XSRF-TOKEN cookie. 401 when not logged in (an API key is no user).</summary>
    [HttpGet("me")]
    [ProducesResponseType(typeof(UserDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    public Task<UserDto> Me(CancellationToken ct) => _mediator.Send(new GetMeQuery(), ct);

    /// <summary>Whether someone is logged in: <c>{"authenticated": false}</c>, or true with the user (and a fresh XSRF-TOKEN cookie).</summary>
    /// <remarks>The web app's first call: unlike /me, not being logged in is a 200 answer, not a 401. An API key is no user (false).</remarks>
    [HttpGet("session")]
    [AllowAnonymous]
    [ProducesResponseType(typeof(AuthSessionDto), 200)]
    public Task<AuthSessionDto> Session(CancellationToken ct) => _mediator.Send(new GetAuthSessionQuery(), ct);

    /// <summary>Whom a one-time link is for (email, name, welcome or reset, expiry), before the person chooses a password.</summary>
    /// <remarks>The token travels in the body, never in the address. A used, replaced, expired or unknown link is 404, alike.</remarks>
    [HttpPost("password-link")]
    [AllowAnonymous]
    [ProducesResponseType(typeof(PasswordLinkInfoDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<PasswordLinkInfoDto> PasswordLink(PasswordLinkRequest body, CancellationToken ct) =>
        _mediator.Send(new GetPasswordLinkQuery(body.Token), ct);

    /// <summary>Chooses a password on a one-time link and logs in (sets the auth and XSRF-TOKEN cookies). The link then stops working.</summary>
    /// <remarks>A weak password is 400 and leaves the link working; a locked account is 409; a used, replaced, expired or unknown link is 404.</remarks>
    [HttpPost("password-link/password")]
    [AllowAnonymous]
    [ProducesResponseType(typeof(UserDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public Task<UserDto> UsePasswordLink(UsePasswordLinkRequest body, CancellationToken ct) =>
        _mediator.Send(new UsePasswordLinkCommand(body.Token, body.Password), ct);

    /// <summary>The logged-in person's own logins (id, created_at, last_seen_at, user agent, and which one is this one).</summary>
    [HttpGet("sessions")]
    [ProducesResponseType(typeof(LoginSessionListDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    public Task<LoginSessionListDto> Sessions(CancellationToken ct) => _mediator.Send(new ListMyLoginSessionsQuery(), ct);

    /// <summary>Ends one of the logged-in person's own logins at once (this one too); another id answers 404.</summary>
    [HttpDelete("sessions/{sessionId:long}")]
    [ProducesResponseType(204)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public async Task<IActionResult> EndSession(long sessionId, CancellationToken ct)
    {
        await _mediator.Send(new EndMyLoginSessionCommand(sessionId), ct);
        return NoContent();
    }
}
