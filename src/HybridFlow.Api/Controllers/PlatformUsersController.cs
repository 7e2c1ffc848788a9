using HybridFlow.Api.Contracts;
using HybridFlow.Application.Users;
using HybridFlow.Application.Users.Commands;
using HybridFlow.Application.Users.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>
/// Users without a tenant (platform admins). Only the platform admin (ADMIN_API_KEY or a platform_admin user) may use
/// these routes; others get 403. A tenant's user answers 404 here: manage it under /api/tenants/{id}/users.
/// </summary>
[ApiController]
[Authorize]
[Route("api/users")]
[Produces("application/json")]
public sealed class PlatformUsersController : ControllerBase
{
    private readonly IMediator _mediator;

    public PlatformUsersController(IMediator mediator) => _mediator = mediator;

    /// <summary>Lists the platform admin users, oldest first.</summary>
    [HttpGet]
    [ProducesResponseType(typeof(UserListDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    public Task<UserListDto> List(CancellationToken ct) => _mediator.Send(new ListPlatformUsersQuery(), ct);

    /// <summary>Adds a platform admin user (role platform_admin, no tenant). A taken email is 409.</summary>
    [HttpPost]
    [ProducesResponseType(typeof(UserDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public async Task<ActionResult<UserDto>> Create(CreateUserRequest body, CancellationToken ct)
    {
        var user = await _mediator.Send(new CreatePlatformUserCommand(body.Email, body.DisplayName, body.Role, body.Password), ct);
        return Created($"/api/users/{user.Id}", user);
    }

    /// <summary>Adds a platform admin user without a password; the answer carries a one-time link (shown once).</summary>
    /// <remarks>The link is <c>password_link.path</c> on this server and works once, for 72 hours. <c>role</c>, when given, is platform_admin.</remarks>
    [HttpPost("invite")]
    [ProducesResponseType(typeof(InvitedUserDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public async Task<ActionResult<InvitedUserDto>> Invite(InviteUserRequest body, CancellationToken ct)
    {
        var invited = await _mediator.Send(new InvitePlatformUserCommand(body.Email, body.DisplayName, body.Role), ct);
        return Created($"/api/users/{invited.User.Id}", invited);
    }

    /// <summary>Resets a platform admin user's password by one-time link: the old password stops working and their logins end.</summary>
    /// <remarks>The answer carries the new link (shown once, 72 hours). Not yourself (409).</remarks>
    [HttpPost("{userId:long}/password-link")]
    [ProducesResponseType(typeof(PasswordLinkDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public Task<PasswordLinkDto> PasswordLink(long userId, CancellationToken ct) => _mediator.Send(new CreatePlatformPasswordLinkCommand(userId), ct);

    /// <summary>Ends every login of a platform admin user at once (they must log in again).</summary>
    [HttpDelete("{userId:long}/sessions")]
    [ProducesResponseType(204)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public async Task<IActionResult> EndSessions(long userId, CancellationToken ct)
    {
        await _mediator.Send(new EndPlatformUserLoginSessionsCommand(userId), ct);
        return NoContent();
    }

    /// <summary>One platform admin user.</summary>
    [HttpGet("{userId:long}")]
    [ProducesResponseType(typeof(UserDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<UserDto> Get(long userId, CancellationToken ct) => _mediator.Send(new GetPlatformUserQuery(userId), ct);

    /// <summary>Changes a platform admin user's name, resets their password, or locks or unlocks them.</summary>
    /// <remarks>An unlock or a new password also clears the email's failed-login throttles. A new role, password or lock ends the user's open logins. Nobody locks themselves (409).</remarks>
    [HttpPatch("{userId:long}")]
    [ProducesResponseType(typeof(UserDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public Task<UserDto> Update(long userId, UpdateUserRequest body, CancellationToken ct) =>
        _mediator.Send(new UpdatePlatformUserCommand(userId, body.DisplayName, body.Role, body.Password, body.Locked), ct);

    /// <summary>Deletes a platform admin user; their open logins end. Not yourself (409).</summary>
    [HttpDelete("{userId:long}")]
    [ProducesResponseType(204)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public async Task<IActionResult> Delete(long userId, CancellationToken ct)
    {
        await _mediator.Send(new DeletePlatformUserCommand(userId), ct);
        return NoContent();
    }
}
