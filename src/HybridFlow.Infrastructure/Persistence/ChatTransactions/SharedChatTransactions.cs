using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Sessions;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReplyJobs;
using HybridFlow.Infrastructure.Persistence.Sessions;
using HybridFlow.Infrastructure.Persistence.Timeline;
using Microsoft.Extensions.Logging;
using Npgsql;
using System.Diagnostics;

namespace HybridFlow.Infrastructure.Persistence.ChatTransactions;

/// <summary>How customer messages of different chats share transactions (ADR-005).</summary>
internal sealed record SharedTransactionOptions
{
    public const int DefaultMaxChats = 32;
    /// <summary>4: during a burst, two transactions got too small a share of PostgreSQL beside the reply jobs (ADR-012).</summary>
    public const int DefaultMaxConcurrent = 4;
    /// <summary>
    /// Transactions under way while the webhooks keep up: one; the next group fills while it runs. A second one at
    /// once split the same webhooks into groups half as big, which cost PostgreSQL and the API more per message
    /// (ADR-011, "One transaction while the webhooks keep up").
    /// </summary>
    public const int SteadyConcurrent = 1;
    /// <summary>A webhook waiting this long for a transaction means the running ones are too slow (PostgreSQL is busy elsewhere).</summary>
    public static readonly TimeSpan DefaultBacklogWait = TimeSpan.FromMilliseconds(50);

    /// <summary>WEBHOOK_TRANSACTION_MAX_CHATS: most chats (webhooks) in one transaction; 1 gives each webhook its own.</summary>
    public int MaxChats { get; init; } = DefaultMaxChats;

    /// <summary>
    /// WEBHOOK_TRANSACTIONS: most shared transactions under way at once in one process. Beyond
    /// <see cref="SteadyConcurrent"/> they run only while webhooks are backlogged (<see cref="BacklogWait"/>).
    /// </summary>
    public int MaxConcurrent { get; init; } = DefaultMaxConcurrent;

    /// <summary>How long the oldest waiting webhook may wait before another transaction starts, up to <see cref="MaxConcurrent"/>.</summary>
    public TimeSpan BacklogWait { get; init; } = DefaultBacklogWait;
}

/// <summary>
/// Group commit for the customer-message hot path. Webhooks that arrive while earlier ones are being written wait
/// for the next transaction; it locks their sessions and appends their messages in one round trip, runs each
/// webhook's decision, then writes all their deferred changes and COMMIT in a second one. Each webhook is still
/// answered only after the commit that holds it. A chat is in at most one transaction of this process at a time,
/// and every transaction locks its sessions in the same order, so shared transactions cannot deadlock each other.
/// If anything in a shared transaction fails, it rolls back whole and every member is told to run again alone.
/// </summary>
internal sealed class SharedChatTransactions
{
    private readonly NpgsqlDataSource _db;
    private readonly SharedTransactionOptions _options;
    private readonly HybridFlowMetrics _metrics;
    private readonly Security.SecretProtector _secrets;
    private readonly ILogger<SharedChatTransactions> _logger;

    private readonly Lock _gate = new();
    private readonly List<Member> _waiting = [];
    private readonly HashSet<(long InstanceId, string ChatId)> _chatsInTransaction = [];
    private int _runners;

    public SharedChatTransactions(
        WebhookDataSource db, SharedTransactionOptions options, HybridFlowMetrics metrics, Security.SecretProtector secrets, ILogger<SharedChatTransactions> logger)
    {
        _secrets = secrets;
        _db = db.Source;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        // Read at collection time (a scrape), not counted on every webhook.
        metrics.ObserveWebhooksWaitingForTransaction(() =>
        {
            lock (_gate) return _waiting.Count;
        });
    }

    /// <summary>
    /// Locks the chat's session, appends the message, lets <paramref name="decide"/> act and commits, in a transaction
    /// shared with other chats when it can be. When a shared transaction rolls back, nothing of this message was
    /// stored, and it runs once more, <paramref name="decide"/> included, in a transaction of its own: there a
    /// failure is this message's own and reaches the caller.
    /// </summary>
    public async Task<T> RecordAsync<T>(
        InstanceContext instance, string chatId, NewChatMessage message, DateTimeOffset now,
        Func<ILockedChat, MessageAppendResult, CancellationToken, Task<T>> decide, CancellationToken ct)
    {
        if (_options.MaxChats > 1)
        {
            try
            {
                return await RunOnceAsync(new Member(instance, chatId, message, now, _secrets), alone: false, decide, ct);
            }
            catch (SharedCommitAbortedException)
            {
                // Another webhook of the group failed; this one goes on below.
            }
        }
        return await RunOnceAsync(new Member(instance, chatId, message, now, _secrets), alone: true, decide, ct);
    }

    private async Task<T> RunOnceAsync<T>(
        Member member, bool alone, Func<ILockedChat, MessageAppendResult, CancellationToken, Task<T>> decide, CancellationToken ct)
    {
        if (alone) _ = RunTransactionAsync([member], shared: false);
        else Enqueue(member);

        // Completed by the runner, which goes on with decide inline (see Member.Opened).
        var appended = await member.Opened.Task;
        T decided;
        try
        {
            decided = await decide(member, appended, ct);
        }
        catch
        {
            member.Abandon();
            throw;
        }
        await member.FinishAsync();
        return decided;
    }

    private void Enqueue(Member member)
    {
        bool startRunner;
        lock (_gate)
        {
            _waiting.Add(member);
            // MaxConcurrent is at least 1, the steady count: the steady runner needs no check against it.
            startRunner = _runners < SharedTransactionOptions.SteadyConcurrent
                || (_runners < _options.MaxConcurrent && Backlogged());
            if (startRunner) _runners++;
        }
        if (startRunner) _ = Task.Run(RunWaitingAsync);
    }

    /// <summary>
    /// The running transactions do not keep up: a whole group is waiting, or the oldest webhook has waited
    /// <see cref="SharedTransactionOptions.BacklogWait"/> (during a burst, when the reply jobs take most of PostgreSQL;
    /// ADR-012). Caller holds the gate.
    /// </summary>
    private bool Backlogged() =>
        _waiting.Count >= _options.MaxChats
        || (_waiting.Count > 0 && Stopwatch.GetElapsedTime(_waiting[0].WaitingSince) >= _options.BacklogWait);

    /// <summary>
    /// Runs transactions for the waiting webhooks until none is left that this runner may take; a runner beyond
    /// <see cref="SharedTransactionOptions.SteadyConcurrent"/> stops as soon as the webhooks are no longer backlogged.
    /// </summary>
    private async Task RunWaitingAsync()
    {
        List<Member>? previous = null;
        while (true)
        {
            List<Member> next;
            lock (_gate)
            {
                if (previous is not null)
                    foreach (var m in previous) _chatsInTransaction.Remove(m.ChatKey);
                next = _runners > SharedTransactionOptions.SteadyConcurrent && !Backlogged() ? [] : TakeWaiting();
                if (next.Count == 0)
                {
                    _runners--;
                    return;
                }
            }
            await RunTransactionAsync(next, shared: next.Count > 1);
            previous = next;
        }
    }

    /// <summary>The oldest waiting webhooks, one per chat, skipping chats already in a transaction. Caller holds the gate.</summary>
    private List<Member> TakeWaiting()
    {
        var taken = new List<Member>();
        for (var i = 0; i < _waiting.Count && taken.Count < _options.MaxChats; i++)
        {
            var m = _waiting[i];
            if (_chatsInTransaction.Add(m.ChatKey)) taken.Add(m);
        }
        if (taken.Count > 0) _waiting.RemoveAll(m => taken.Contains(m));
        return taken;
    }

    /// <summary>Never throws: every outcome reaches the members through their tasks.</summary>
    private async Task RunTransactionAsync(List<Member> members, bool shared)
    {
        // One order for every transaction: two of them (here or on another replica) never wait on each other in a cycle.
        members.Sort(static (a, b) => a.Instance.InstanceId != b.Instance.InstanceId
            ? a.Instance.InstanceId.CompareTo(b.Instance.InstanceId)
            : string.CompareOrdinal(a.ChatId, b.ChatId));
        NpgsqlConnection? connection = null;
        var committed = false;
        try
        {
            connection = await _db.OpenConnectionAsync();
            await OpenAllAsync(connection, members);
            foreach (var m in members) m.Opened.TrySetResult(m.Appended!);

            var ends = await Task.WhenAll(members.Select(m => m.Ended.Task));
            if (ends.Contains(MemberEnd.Abandoned))
            {
                // A handler gave up after its message was appended: keeping the message would make Evolution's retry a duplicate.
                await RollBackAsync(connection);
                foreach (var m in members) m.Fail(new SharedCommitAbortedException());
                return;
            }

            await using (var batch = new NpgsqlBatch(connection))
            {
                var grouped = new GroupedWrites();
                foreach (var m in members)
                    if (m.Ended.Task.Result == MemberEnd.Committed) m.MoveWritesTo(batch, grouped);
                grouped.AddTo(batch);
                batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
                await batch.ExecuteNonQueryAsync();
            }
            committed = true;
            foreach (var m in members) m.Committed.TrySetResult();
            foreach (var m in members) m.ReportConversationEvents(_metrics);
        }
        catch (Exception e)
        {
            if (connection is not null)
            {
                await RollBackAsync(connection);
                RefusedPreparation.ForgetPreparedStatements(connection, e);
            }
            if (shared)
                _logger.LogWarning("A transaction shared by {Webhooks} webhooks rolled back ({Error} {SqlState}); each runs again alone.",
                    members.Count, e.GetType().Name, (e as PostgresException)?.SqlState);
            foreach (var m in members) m.Fail(shared ? new SharedCommitAbortedException(e) : e);
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
            _metrics.WebhookTransactionEnded(committed, members.Count);
        }
    }

    /// <summary>
    /// BEGIN (index plans only, see <see cref="WebhookDataSource"/>), then for the whole group: create the missing
    /// sessions, lock and read them, append the messages (<see cref="SharedChatStatements.AddOpenCommands"/>). One round trip.
    /// </summary>
    private static async Task OpenAllAsync(NpgsqlConnection connection, List<Member> members)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL enable_seqscan = off"));
        // A group's arrays differ in length, so PostgreSQL would plan each statement anew on every call (a custom plan
        // for 2 rows looks cheaper than the generic one for 10); the generic plans are the right ones (LATERAL probes).
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL plan_cache_mode = force_generic_plan"));
        SharedChatStatements.AddOpenCommands(batch, members.ConvertAll(m => m.OpenedRow()), Member.InboxColumns);
        await using var reader = await batch.ExecuteReaderAsync();
        // Statements without a result (BEGIN, SET, the session insert) are skipped by the reader.
        var sessions = new Member.LockedSessionReader(reader);
        while (await reader.ReadAsync()) members[sessions.Position(reader)].ReadSession(reader, sessions);
        if (members.Find(m => !m.IsOpen) is not null) throw new InvalidOperationException("A session disappeared while it was being opened.");

        await reader.NextResultAsync();
        var appended = new Dictionary<(long SessionId, string ProviderMessageId), long>(members.Count);
        int messageId = reader.GetOrdinal("id"), sessionId = reader.GetOrdinal("session_id"), providerMessageId = reader.GetOrdinal("provider_message_id");
        while (await reader.ReadAsync()) appended[(reader.GetInt64(sessionId), reader.GetString(providerMessageId))] = reader.GetInt64(messageId);
        foreach (var m in members)
            m.SetOpened(appended.TryGetValue((m.Session.Id, m.Message.ProviderMessageId), out var id) ? id : null);
    }

    /// <summary>The writes of the group's members that fit one statement per table (<see cref="SharedChatStatements"/>).</summary>
    private sealed class GroupedWrites
    {
        public List<TimelineRow> Timeline { get; } = [];
        public List<ReplyEnqueueRow> Replies { get; } = [];
        public List<ChatSession> Sessions { get; } = [];

        /// <summary>
        /// After every member's own statements: each session's update stays the last write of its chat. The updates stay
        /// one statement per session: one UPDATE … FROM unnest for the group cost PostgreSQL more per message (ADR-011).
        /// </summary>
        public void AddTo(NpgsqlBatch batch)
        {
            if (Timeline.Count > 0) batch.BatchCommands.Add(TimelineEvents.InsertMany(Timeline));
            if (Replies.Count > 0) batch.BatchCommands.Add(ReplyJobCommands.EnqueueReplies(Replies));
            foreach (var session in Sessions) batch.BatchCommands.Add(SessionCommands.SessionUpdateCommand(session));
        }
    }

    private async Task RollBackAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // A broken connection is not returned to the pool; a transaction left open dies with it.
            _logger.LogDebug("ROLLBACK failed: {Error}", e.GetType().Name);
        }
    }

    private enum MemberEnd
    {
        Committed,
        /// <summary>Disposed without commit after a duplicate: nothing of it is written.</summary>
        NothingToWrite,
        /// <summary>Disposed without commit after its message was appended: the transaction must not commit.</summary>
        Abandoned,
    }

    /// <summary>One webhook's part of a transaction, as its decision sees it.</summary>
    /// <remarks>Its writes (<see cref="DeferredChatWrites"/>) join the group's statements where they can (<see cref="MoveWritesTo"/>).</remarks>
    private sealed class Member : DeferredChatWrites
    {
        private ChatSession? _session;

        public Member(InstanceContext instance, string chatId, NewChatMessage message, DateTimeOffset now, Security.SecretProtector secrets)
            : base(secrets)
        {
            Instance = instance;
            ChatId = chatId;
            Message = message;
            Now = now;
        }

        public InstanceContext Instance { get; }
        public string ChatId { get; }
        public NewChatMessage Message { get; }
        public DateTimeOffset Now { get; }
        public (long, string) ChatKey => (Instance.InstanceId, ChatId);
        public MessageAppendResult? Appended { get; private set; }
        /// <summary>When it started to wait for a transaction (a <see cref="Stopwatch"/> timestamp).</summary>
        public long WaitingSince { get; } = Stopwatch.GetTimestamp();

        /// <summary>
        /// Completed by the runner; the decision continues inline, on the runner's thread, up to <see cref="FinishAsync"/>
        /// (a few microseconds of domain logic), so the group reaches its commit without a thread-pool hop per member.
        /// </summary>
        public TaskCompletionSource<MessageAppendResult> Opened { get; } = new();
        public TaskCompletionSource<MemberEnd> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ChatSession Session => _session ?? throw new InvalidOperationException("The session is not open yet.");

        /// <summary>What the conversation list shows of the chat besides <see cref="ChatSession"/>, read with it.</summary>
        public const string InboxColumns = ", s.contact_name, s.resolved_at IS NOT NULL AS resolved";

        /// <summary>Reads the locked sessions' rows by name (<see cref="SessionCommands.SessionColumns"/>, <see cref="InboxColumns"/>, and ord).</summary>
        public sealed class LockedSessionReader(NpgsqlDataReader r)
        {
            public SessionReader Session { get; } = new(r);
            public int ContactName { get; } = r.GetOrdinal("contact_name");
            public int Resolved { get; } = r.GetOrdinal("resolved");
            private readonly int _ord = r.GetOrdinal("ord");

            /// <summary>The member's index in the group (ord is 1-based).</summary>
            public int Position(NpgsqlDataReader row) => (int)row.GetInt64(_ord) - 1;
        }
        private string? _storedContactName;
        private bool _resolved;

        /// <summary>
        /// What the opening statements need: a new chat's session starts with the message's time and the customer's
        /// name, so the session's update later in the transaction changes no indexed column and is HOT (ADR-011).
        /// </summary>
        public OpenedChatRow OpenedRow() => new(Instance.Tenant.TenantId, Instance.InstanceId, ChatId, Now, Message.SentAt, Message.ContactName,
            Message.ProviderMessageId, Message.Direction.ToName(), Message.MessageType, Message.Text, Message.RawJson, Message.ProviderMediaId);

        public bool IsOpen => _session is not null;

        /// <summary>Reads the locked session's row (<see cref="SessionCommands.SessionColumns"/> and <see cref="InboxColumns"/>).</summary>
        public void ReadSession(NpgsqlDataReader row, LockedSessionReader columns)
        {
            _session = columns.Session.Read(row);
            _storedContactName = row.GetTextOrNull(columns.ContactName);
            _resolved = row.GetBoolean(columns.Resolved);
            ConversationEvents = new ConversationEventTracker(_session);
        }

        public void SetOpened(long? messageId)
        {
            // A duplicate's original author is not looked up: this path only needs to know it is one.
            Appended = new MessageAppendResult(messageId, null);
        }

        /// <summary>
        /// Only customer messages come this way. A new one (not a duplicate) keeps the customer's name and reopens a
        /// resolved conversation; the row is written for it only when one of them changes (rarely), so the session's
        /// own update stays HOT.
        /// </summary>
        private void AddInboxChanges()
        {
            var name = Message.ContactName;
            var rename = name is not null && name != _storedContactName;
            if (!rename && !_resolved) return;
            // First in the transaction's writes, so the timeline reads "reopened" before what the message then did.
            var changes = new List<object>
            {
                SessionCommands.InboxChangesCommand(Session.Id, name),
            };
            if (_resolved)
                changes.Add(new TimelineRow(Session.TenantId, Session.Id, Appended!.MessageId,
                    Application.Common.TimelineActions.Reopened, "the customer wrote", Now));
            Writes.InsertRange(0, changes);
        }

        /// <summary>
        /// Hands the writes to the transaction and waits for its COMMIT (a duplicate has nothing to write and waits for
        /// nothing); the request's cancellation cannot stop a shared commit.
        /// </summary>
        public Task FinishAsync()
        {
            if (Appended is not { IsDuplicate: false })
            {
                End(MemberEnd.NothingToWrite);
                return Task.CompletedTask;
            }
            AddInboxChanges();
            End(MemberEnd.Committed);
            return Committed.Task;
        }

        /// <summary>After the commit, for the members whose writes it stored.</summary>
        public void ReportConversationEvents(HybridFlowMetrics metrics)
        {
            if (!Ended.Task.IsCompletedSuccessfully || Ended.Task.Result != MemberEnd.Committed) return;
            ConversationEvents?.Report(metrics, Session);
            metrics.ReplyJobFinished(HybridFlowMetrics.Outcomes.Cancelled, CancelledByHandoff);
        }

        /// <summary>The decision failed: after an appended message, the transaction must not commit.</summary>
        public void Abandon() => Ended.TrySetResult(Appended is { IsDuplicate: false } ? MemberEnd.Abandoned : MemberEnd.NothingToWrite);

        private void End(MemberEnd end)
        {
            if (!Ended.TrySetResult(end)) throw new InvalidOperationException("This chat update has already ended.");
        }

        /// <summary>Tells the waiting caller, if it still waits: for the open, or for the commit.</summary>
        public void Fail(Exception failure)
        {
            if (Opened.TrySetException(failure)) return;
            if (Ended.Task.IsCompletedSuccessfully && Ended.Task.Result == MemberEnd.Committed) Committed.TrySetException(failure);
        }

        /// <summary>
        /// A chat whose writes are only timeline events and at most one queued reply (nearly every message) joins the
        /// group's statements; any other keeps its statements, in its order, ahead of them. Its session's update joins
        /// the group's either way, and so stays its last write.
        /// </summary>
        public void MoveWritesTo(NpgsqlBatch batch, GroupedWrites grouped)
        {
            var joinsGroup = Writes.TrueForAll(w => w is TimelineRow or ReplyEnqueueRow) && Writes.Count(w => w is ReplyEnqueueRow) <= 1;
            foreach (var write in Writes)
            {
                switch (write)
                {
                    case TimelineRow t when joinsGroup:
                        grouped.Timeline.Add(t);
                        break;
                    case ReplyEnqueueRow r when joinsGroup:
                        grouped.Replies.Add(r);
                        break;
                    default:
                        batch.BatchCommands.Add(AsStatement(write));
                        break;
                }
            }
            Writes.Clear();
            grouped.Sessions.Add(Session);
        }
    }
}

/// <summary>
/// A shared transaction was rolled back because of another of its members; nothing of this one was stored, and
/// <see cref="SharedChatTransactions"/> runs it again alone: it never reaches a caller of <see cref="SharedChatTransactions.RecordAsync"/>.
/// </summary>
internal sealed class SharedCommitAbortedException : Exception
{
    public SharedCommitAbortedException(Exception? cause = null)
        : base("The shared transaction was rolled back; nothing of this message was stored.", cause) { }
}
