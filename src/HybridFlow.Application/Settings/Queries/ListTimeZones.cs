using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using MediatR;

namespace HybridFlow.Application.Settings.Queries;

/// <summary>GET /api/settings/time-zones: the IANA ids business hours may use (what the timezone setting accepts).</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record ListTimeZonesQuery : IRequest<TimeZoneListDto>;

public sealed record TimeZoneListDto(IReadOnlyList<string> Items);

public sealed class ListTimeZonesQueryHandler : IRequestHandler<ListTimeZonesQuery, TimeZoneListDto>
{
    public Task<TimeZoneListDto> Handle(ListTimeZonesQuery query, CancellationToken ct) => Task.FromResult(new TimeZoneListDto(TimeZoneNames.All));
}
