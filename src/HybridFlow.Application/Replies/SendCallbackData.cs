using System.Globalization;
using HybridFlow.Domain.Replies;

namespace HybridFlow.Application.Replies;

/// <summary>
/// What a send carries as Meta's <c>biz_opaque_callback_data</c>, echoed in its statuses: the proof that a send whose
/// answer was lost went out (ADR-015). A worker's job (reply or notice) sends <c>&lt;job id&gt;:&lt;part&gt;</c>, one per
/// part; an API or inbox send its own ledger id.
/// </summary>
public static class SendCallbackData
{
    public static string For(ReplyJobKind kind, long sendId, int part) =>
        kind.IsWorkerJob() ? ForPart(sendId, part) : ForApiSend(sendId);

    public static string ForPart(long jobId, int part) => string.Create(CultureInfo.InvariantCulture, $"{jobId}:{part}");

    public static string ForApiSend(long sendId) => sendId.ToString(CultureInfo.InvariantCulture);
}
