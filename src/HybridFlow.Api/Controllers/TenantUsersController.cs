using HybridFlow.Api.Contracts;
using HybridFlow.Application.Users;
using HybridFlow.Application.Users.Commands;
using HybridFlow.Application.Users.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>
/// A tenant's people (roles tenant_admin and agent), who log in to the inbox. Needs the platform admin or the tenant's
/// tenant_admin (key or user); agents get 403 and another tenant's ids 404.
/// </summary>
[ApiController]
[Authorize]
[Route("api/tenants/{tenantId:long}/users")]
[Produces("application/json")]
public sealed class TenantUsersController : ControllerBase
{
    private readonly IMediator _mediator;

    public TenantUsersController(IMediator mediator) => _mediator = mediator;

    /// <summary>Lists the tenant's users, oldest first.</summary>
    [HttpGet]
    [ProducesResponseType(typeof(UserListDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<UserListDto> List(long tenantId, CancellationToken ct) => _mediator.Send(new ListUsersQuery(tenantId), ct);

    /// <summary>Adds a user to the tenant. The email is the login and unique across all tenants (409 when taken).</summary>
    /// <remarks>An email of this tenant's users answers 409 "already exists"; one used elsewhere answers 409 "cannot be used", naming no one.</remarks>
    [HttpPost]
    [ProducesResponseType(typeof(UserDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public async Task<ActionResult<UserDto>> Create(long tenantId, CreateUserRequest body, CancellationToken ct)
    {
        var user = await _mediator.Send(new CreateUserCommand(tenantId, body.Email, body.DisplayName, body.Role, body.Password), ct);
        return Created($"/api/tenants/{tenantId}/users/{user.Id}", user);
    }

    /// <summary>Adds a user without a password; the answer carries a one-time link (shown once) on which they choose it.</summary>
    /// <remarks>
    /// The link is <c>password_link.path</c> on this server (the web app's page) and works once, for 72 hours. The email
    /// and role rules are those of POST /api/tenants/{id}/users. There is no e-mail: hand the link to the person.
    /// </remarks>
    [HttpPost("invite")]
    [ProducesResponseType(typeof(InvitedUserDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public async Task<ActionResult<InvitedUserDto>> Invite(long tenantId, InviteUserRequest body, CancellationToken ct)
    {
        var invited = await _mediator.Send(new InviteUserCommand(tenantId, body.Email, body.DisplayName, body.Role), ct);
        return Created($"/api/tenants/{tenantId}/users/{invited.User.Id}", invited);
    }

    /// <summary>Resets a user's password by one-time link: the old password stops working and their logins end.</summary>
    /// <remarks>The answer carries the new link (shown once, 72 hours); the user's earlier links stop working. Not yourself (409).</remarks>
    [HttpPost("{userId:long}/password-link")]
    [ProducesResponseType(typeof(PasswordLinkDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public Task<PasswordLinkDto> PasswordLink(long tenantId, long userId, CancellationToken ct) =>
        _mediator.Send(new CreatePasswordLinkCommand(tenantId, userId), ct);

    /// <summary>Changes a user's name or role, resets their password, or locks or unlocks them.</summary>
    /// <remarks>A new role, password or lock ends the user's open logins at once. A tenant admin cannot change their own role or lock themselves (409).</remarks>
    [HttpPatch("{userId:long}")]
    [ProducesResponseType(typeof(UserDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public Task<UserDto> Update(long tenantId, long userId, UpdateUserRequest body, CancellationToken ct) =>
        _mediator.Send(new UpdateUserCommand(tenantId, userId, body.DisplayName, body.Role, body.Password, body.Locked), ct);

    /// <summary>Ends every login of the user at once (they must log in again); their API keys are not touched.</summary>
    [HttpDelete("{userId:long}/sessions")]
    [ProducesResponseType(204)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public async Task<IActionResult> EndSessions(long tenantId, long userId, CancellationToken ct)
    {
        await _mediator.Send(new EndUserLoginSessionsCommand(tenantId, userId), ct);
        return NoContent();
    }

    /// <summary>Deletes a user; their open logins end and their conversations become unassigned. Not yourself (409).</summary>
    [HttpDelete("{userId:long}")]
    [ProducesResponseType(204)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public async Task<IActionResult> Delete(long tenantId, long userId, CancellationToken ct)
    {
        await _mediator.Send(new DeleteUserCommand(tenantId, userId), ct);
        return NoContent();
    }
}
