using HybridFlow.Domain.Replies;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence.ReplyJobs;

/// <summary>
/// Where the Domain's status and kind sets (<see cref="ReplyJobStatuses"/>, <see cref="ReplyJobKindSets"/>) become SQL:
/// the one place their stored names are written out. A bulk statement binds a set as a text[] parameter
/// (<c>status = ANY($n)</c>); where PostgreSQL needs the values in the statement's text (a partial index's predicate
/// is proved from them, and a generic plan has no parameter values to prove it from), the set is spelled as a list
/// (<see cref="In(IReadOnlySet{ReplyJobStatus})"/>), still from the Domain's set. ReplyJobStatementEquivalenceTests checks those
/// lists against the partial indexes of the migrations.
/// </summary>
internal static class ReplyJobSql
{
    /// <summary>The set as a text[] parameter, for <c>status = ANY($n)</c>.</summary>
    public static NpgsqlParameter Statuses(IReadOnlySet<ReplyJobStatus> set) => TextArray(Names(set));

    /// <summary>The set as a text[] parameter, for <c>kind = ANY($n)</c>.</summary>
    public static NpgsqlParameter Kinds(IReadOnlySet<ReplyJobKind> set) => TextArray(Names(set));

    /// <summary>The set as an SQL list (<c>'pending', 'retrying'</c>), for <c>status IN (…)</c> where a partial index must be proved.</summary>
    public static string In(IReadOnlySet<ReplyJobStatus> set) => string.Join(", ", Names(set).Select(n => $"'{n}'"));

    /// <summary>The set as an SQL list, for <c>kind IN (…)</c>.</summary>
    public static string In(IReadOnlySet<ReplyJobKind> set) => string.Join(", ", Names(set).Select(n => $"'{n}'"));

    /// <summary>One status as an SQL literal, where a statement writes it into its text.</summary>
    public static string Literal(ReplyJobStatus status) => $"'{status.ToName()}'";

    /// <summary>The stored names, in the enum's order (a stable statement text: Npgsql prepares it once).</summary>
    public static string[] Names(IReadOnlySet<ReplyJobStatus> set) =>
        Enum.GetValues<ReplyJobStatus>().Where(set.Contains).Select(s => s.ToName()).ToArray();

    public static string[] Names(IReadOnlySet<ReplyJobKind> set) =>
        Enum.GetValues<ReplyJobKind>().Where(set.Contains).Select(k => k.ToName()).ToArray();

    private static NpgsqlParameter TextArray(string[] names) => new() { Value = names, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    /// <summary>The chat (session id) of a send, as a scalar subquery on its id <paramref name="sendId"/> (an SQL expression).</summary>
    public static string SessionIdOfSend(string sendId) => $"(SELECT session_id FROM reply_jobs WHERE id = {sendId})";

    /// <summary>
    /// "Needs attention", the one definition: the chat was flagged for a person, or a send of it could not be proved
    /// sent or not. Needs <c>sessions s</c>.
    /// </summary>
    public static readonly string ChatNeedsAttention =
        $"(s.needs_attention OR EXISTS (SELECT 1 FROM reply_jobs j WHERE j.session_id = s.id AND j.status IN ({In(ReplyJobStatuses.NeedingAttention)})))";
}
