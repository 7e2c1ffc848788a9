using HybridFlow.Api.Security;
using HybridFlow.Application.Operations;
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

    /// <summary>
    /// Prometheus metrics in the text exposition format 0.0.4: webhooks by action, webhook latency, reply jobs by outcome,
    /// reply queue depth and age, LLM and Evolution call latency and errors. Open unless METRICS_API_KEY is set; then send
    /// it as 'Authorization: Bearer &lt;key&gt;'.
    /// </summary>
    [HttpGet("metrics")]
    [MetricsKey]
    [Produces("text/plain")]
    [ProducesResponseType(typeof(string), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    public async Task<ContentResult> Metrics(CancellationToken ct) =>
        Content(await _mediator.Send(new GetMetricsQuery(), ct), "text/plain; version=0.0.4; charset=utf-8");

    /// <summary>Runs the auto-resume sweep now (for an external scheduler). Header X-Cron-Secret.</summary>
    [HttpPost("cron/auto-resume")]
    [CronSecret]
    [ProducesResponseType(typeof(AutoResumeSweepResult), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    public Task<AutoResumeSweepResult> AutoResume(CancellationToken ct) => _mediator.Send(new RunAutoResumeSweepCommand(), ct);
}
