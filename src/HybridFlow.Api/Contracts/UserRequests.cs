using System.Text.Json.Serialization;

namespace HybridFlow.Api.Contracts;

/// <summary>POST /api/auth/login: the email and password of a user.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LoginRequest(string? Email, string? Password);

/// <summary>
/// POST /api/tenants/{id}/users. <c>role</c> is <c>tenant_admin</c> or <c>agent</c>; <c>password</c> at least 10 characters
/// (no other rules); without <c>display_name</c> the email's local part is shown.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreateUserRequest(string? Email, string? DisplayName, string? Role, string? Password);

/// <summary>
/// PATCH /api/tenants/{id}/users/{user_id}: absent (or null) fields are kept. <c>password</c> is an admin's reset;
/// <c>locked</c> true locks the user until unlocked, false unlocks (and clears failed logins). A new role, password or
/// lock ends the user's open logins.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UpdateUserRequest(string? DisplayName = null, string? Role = null, string? Password = null, bool? Locked = null);

/// <summary>
/// POST /api/tenants/{id}/users/invite (and /api/users/invite): a user without a password. <c>role</c> is
/// <c>tenant_admin</c> or <c>agent</c> (only under a tenant); the answer carries the one-time link, shown once.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record InviteUserRequest(string? Email, string? DisplayName, string? Role = null);

/// <summary>POST /api/auth/password-link: the token of a one-time link (the part after #/welcome/).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PasswordLinkRequest(string? Token);

/// <summary>POST /api/auth/password-link/password: the link's token and the password the person chooses.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UsePasswordLinkRequest(string? Token, string? Password);
