using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Persistence.Messages;
using HybridFlow.Infrastructure.Persistence.ReplyJobs;
using HybridFlow.Infrastructure.Persistence.Sessions;
using Npgsql;
using HybridFlow.Domain.Messages;

namespace HybridFlow.Infrastructure.Persistence.ChatTransactions;

/// <summary>
/// The unit of work over one chat (<see cref="IChatUnitOfWork"/>), in plain SQL. Its single-chat strategy is here: one
/// chat per transaction, the session row locked from the start to the commit (<see cref="ChatTransaction"/>); the
/// customer-message hot path takes the other, group commit (<see cref="SharedChatTransactions"/>).
/// </summary>
internal sealed class ChatUnitOfWork : IChatUnitOfWork
{
    private readonly NpgsqlDataSource _db;
    private readonly HybridFlowMetrics _metrics;
    private readonly SharedChatTransactions _shared;
    private readonly Security.SecretProtector _secrets;

    public ChatUnitOfWork(NpgsqlDataSource db, HybridFlowMetrics metrics, SharedChatTransactions shared, Security.SecretProtector secrets)
    {
        _secrets = secrets;
        _db = db;
        _metrics = metrics;
        _shared = shared;
    }

    /// <summary>The customer-message hot path: see <see cref="SharedChatTransactions"/>. The request's cancellation does not reach a shared transaction.</summary>
    public Task<T> RecordCustomerMessageAsync<T>(
        InstanceContext instance, string chatId, NewChatMessage message, DateTimeOffset now,
        Func<ILockedChat, MessageAppendResult, CancellationToken, Task<T>> decide, CancellationToken ct) =>
        _shared.RecordAsync(instance, chatId, message, now, decide, ct);

    public async Task<T> RunAsync<T>(
        InstanceContext instance, string chatId, DateTimeOffset now, Func<IChatWork, CancellationToken, Task<T>> decide, CancellationToken ct)
    {
        await using var chat = await OpenChatAsync(instance, chatId, now, ct);
        return await chat.RunAsync(decide, ct);
    }

    public async Task<T> RunAsync<T>(SessionLocator locator, T whenGone, Func<IChatWork, CancellationToken, Task<T>> decide, CancellationToken ct)
    {
        await using var chat = await OpenLockedAsync((connection, tx) => locator.SessionId is { } id
            ? connection.LockByIdCommand(tx, id, locator.TenantId)
            : connection.LockByChatCommand(tx, locator.InstanceName, locator.ChatId, locator.TenantId), ct);
        return chat is null ? whenGone : await chat.RunAsync(decide, ct);
    }

    public async Task<T> RunOnSendAsync<T>(long sendId, T whenGone, Func<IChatWork, ReplyJob, CancellationToken, Task<T>> decide, CancellationToken ct)
    {
        await using var chat = await OpenSendAsync(sendId, ct);
        return chat?.Job is { } send ? await chat.RunAsync((work, token) => decide(work, send, token), ct) : whenGone;
    }

    /// <summary>Opens (creating it if needed) and locks the chat's session.</summary>
    private async Task<ChatTransaction> OpenChatAsync(InstanceContext instance, string chatId, DateTimeOffset now, CancellationToken ct)
    {
        var (connection, tx) = await BeginAsync(ct);
        try
        {
            await using var batch = new NpgsqlBatch(connection, tx);
            foreach (var command in SessionCommands.OpenSessionCommands(instance.Tenant.TenantId, instance.InstanceId, chatId, now))
                batch.BatchCommands.Add(command);
            ChatSession session;
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                session = new SessionReader(reader).Read(reader);
            }
            return new ChatTransaction(connection, tx, session, _metrics, _secrets);
        }
        catch
        {
            await DisposeAsync(connection, tx);
            throw;
        }
    }

    /// <summary>Locks a send's chat, then the send (the lock order of every chat transaction), on one connection; null when either is gone.</summary>
    private async Task<ChatTransaction?> OpenSendAsync(long sendId, CancellationToken ct)
    {
        var chat = await OpenLockedAsync((connection, tx) => connection.LockForSendCommand(tx, sendId), ct);
        if (chat is null) return null;
        try
        {
            if (await chat.LoadJobAsync(sendId, ct)) return chat;
        }
        catch
        {
            await chat.DisposeAsync();
            throw;
        }
        await chat.DisposeAsync();
        return null;
    }

    private async Task<ChatTransaction?> OpenLockedAsync(Func<NpgsqlConnection, NpgsqlTransaction, NpgsqlCommand> lockSession, CancellationToken ct)
    {
        var (connection, tx) = await BeginAsync(ct);
        try
        {
            ChatSession? session = null;
            await using (var cmd = lockSession(connection, tx))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                if (await reader.ReadAsync(ct)) session = new SessionReader(reader).Read(reader);

            if (session is not null) return new ChatTransaction(connection, tx, session, _metrics, _secrets);
            await DisposeAsync(connection, tx);
            return null;
        }
        catch
        {
            await DisposeAsync(connection, tx);
            throw;
        }
    }

    private async Task<(NpgsqlConnection, NpgsqlTransaction)> BeginAsync(CancellationToken ct)
    {
        var connection = await _db.OpenConnectionAsync(ct);
        try
        {
            return (connection, await connection.BeginTransactionAsync(ct));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task DisposeAsync(NpgsqlConnection connection, NpgsqlTransaction tx)
    {
        await tx.DisposeAsync();
        await connection.DisposeAsync();
    }

    /// <summary>One chat's transaction; with <see cref="Job"/> set, also one of its sends. Disposing it without a commit rolls it back.</summary>
    /// <remarks>The deferred writes (<see cref="DeferredChatWrites"/>) travel with the next statement that needs them, or the commit, in one round trip.</remarks>
    private sealed class ChatTransaction : DeferredChatWrites, IChatWork, IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _tx;
        private readonly HybridFlowMetrics _metrics;
        private int _cancelledJobs;
        private bool _rolledBack;

        public ChatTransaction(NpgsqlConnection connection, NpgsqlTransaction tx, ChatSession session, HybridFlowMetrics metrics, Security.SecretProtector secrets)
            : base(secrets)
        {
            _connection = connection;
            _tx = tx;
            _metrics = metrics;
            Session = session;
            ConversationEvents = new ConversationEventTracker(session);
        }

        public override ChatSession Session { get; }

        /// <summary>The send locked with the chat (<see cref="LoadJobAsync"/>), or the one registered.</summary>
        public ReplyJob? Job { get; private set; }
        private bool _jobIsNew;

        /// <summary>Runs the decision, then commits what it wrote, unless it threw or rolled back.</summary>
        public async Task<T> RunAsync<T>(Func<IChatWork, CancellationToken, Task<T>> decide, CancellationToken ct)
        {
            var answer = await decide(this, ct);
            if (!_rolledBack) await CommitAsync(ct);
            return answer;
        }

        public T RollBack<T>(T answer)
        {
            _rolledBack = true;
            return answer;
        }

        public void Register(ReplyJob send)
        {
            if (Job is not null) throw new InvalidOperationException("This entry already holds a send.");
            if (send.SessionId != Session.Id) throw new InvalidOperationException("The send belongs to another chat.");
            Job = send;
            _jobIsNew = true;
        }

        /// <summary>Locks the send (after the session: the lock order of every chat transaction); false when it is not this chat's.</summary>
        internal async Task<bool> LoadJobAsync(long jobId, CancellationToken ct)
        {
            await FlushAsync(ct);
            await using var cmd = _connection.LockJobCommand(_tx, jobId, Session.Id);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return false;
            Job = new ReplyJobReader(reader).Read(reader);
            return true;
        }

        public async Task<long> RecordSentMessageAsync(NewChatMessage message, CancellationToken ct)
        {
            await FlushAsync(ct);
            return await _connection.RecordSentMessageAsync(_tx, Session.TenantId, Session.InstanceId, Session.Id, message, ct);
        }

        public async Task<MessageAppendResult> AppendMessageAsync(NewChatMessage m, CancellationToken ct)
        {
            await FlushAsync(ct);
            if (await _connection.AppendMessageAsync(_tx, Session.TenantId, Session.InstanceId, Session.Id, m, ct) is { } id)
                return new MessageAppendResult(id, null);
            return new MessageAppendResult(null, await FindMessageDirectionAsync(m.ProviderMessageId, ct));
        }

        public async Task<MessageDirection?> FindMessageDirectionAsync(string providerMessageId, CancellationToken ct)
        {
            await FlushAsync(ct);
            return await _connection.FindMessageDirectionAsync(_tx, Session.InstanceId, providerMessageId, ct);
        }

        public async Task<SendInFlight?> FindSendInFlightAsync(string text, CancellationToken ct)
        {
            await FlushAsync(ct);
            // An unconfirmed or needs_attention send still waits for its echo: it proves the send (UnconfirmedSendResolver).
            await using var cmd = _connection.FindSendInFlightCommand(_tx, Session.Id, text.Trim());
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct)
                ? new SendInFlight(reader.GetInt64(reader.GetOrdinal("id")), ReplyJobCommands.SendDirection(reader.GetString(reader.GetOrdinal("kind"))))
                : null;
        }

        public async Task AttachEchoToSendAsync(long jobId, string providerMessageId, CancellationToken ct)
        {
            await FlushAsync(ct);
            await using var cmd = _connection.AttachEchoCommand(_tx, jobId, providerMessageId);
            await cmd.ExecuteNonQueryAsync(ct);
        }

        public async Task<int> CancelUnsentRepliesAsync(string reason, DateTimeOffset now, CancellationToken ct)
        {
            await FlushAsync(ct);
            await using var batch = new NpgsqlBatch(_connection, _tx);
            batch.BatchCommands.Add(ReplyJobCommands.CancelUnsentCommand(Session.TenantId, Session.Id, ReplyJobKindSets.WorkerJobs, reason, null, null, now));
            var cancelled = await batch.ExecuteNonQueryAsync(ct);
            _cancelledJobs += cancelled;
            return cancelled;
        }

        public async Task<int> AcknowledgeUnknownSendsAsync(string reason, DateTimeOffset now, CancellationToken ct)
        {
            await FlushAsync(ct);
            var unknown = new List<ReplyJob>();
            await using (var cmd = _connection.LockNeedingAttentionCommand(_tx, Session.Id, Job?.Id ?? 0L))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                var jobs = new ReplyJobReader(reader);
                while (await reader.ReadAsync(ct)) unknown.Add(jobs.Read(reader));
            }
            foreach (var job in unknown)
            {
                job.Acknowledge(reason, now);
                Writes.Add(ReplyJobCommands.ReplyJobUpdateCommand(job));
            }
            return unknown.Count;
        }

        /// <summary>Stores the session (and the send) as the Domain left them and commits; returns once the commit is durable.</summary>
        private async Task CommitAsync(CancellationToken ct)
        {
            Writes.Add(SessionCommands.SessionUpdateCommand(Session));
            if (Job is { } job && !_jobIsNew) Writes.Add(ReplyJobCommands.ReplyJobUpdateCommand(job));
            await FlushAsync(ct);
            if (Job is { } added && _jobIsNew)
            {
                await using var insert = _connection.ReplyJobInsertCommand(_tx, added);
                added.AssignId((long)(await insert.ExecuteScalarAsync(ct))!);
                _jobIsNew = false;
            }
            await _tx.CommitAsync(ct);
            _metrics.ReplyJobFinished(HybridFlowMetrics.Outcomes.Cancelled, _cancelledJobs + CancelledByHandoff);
            ConversationEvents!.Report(_metrics, Session);
        }

        /// <summary>Sends the deferred writes; called before any statement whose result depends on them.</summary>
        private async Task FlushAsync(CancellationToken ct)
        {
            if (Writes.Count == 0) return;
            await using var batch = new NpgsqlBatch(_connection, _tx);
            foreach (var write in Writes) batch.BatchCommands.Add(AsStatement(write));
            Writes.Clear();
            await batch.ExecuteNonQueryAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            await _tx.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
