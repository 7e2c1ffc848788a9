using HybridFlow.Api.Security;
using HybridFlow.Application.Sessions.Commands;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

[ApiController]
[Produces("application/json")]
public sealed class OperationsController : ControllerBase
{
    private readonly IMediator _mediator;

    public OperationsController(IMediator mediator) => _mediator = mediator;

    /// <summary>Runs the auto-resume sweep now (for an external scheduler). Header X-Cron-Secret.</summary>
    [HttpPost("cron/auto-resume")]
    [CronSecret]
    [ProducesResponseType(typeof(AutoResumeSweepResult), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    public Task<AutoResumeSweepResult> AutoResume(CancellationToken ct) => _mediator.Send(new RunAutoResumeSweepCommand(), ct);
}
