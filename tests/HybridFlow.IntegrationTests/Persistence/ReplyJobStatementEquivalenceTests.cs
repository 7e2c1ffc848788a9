using HybridFlow.Domain.Replies;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReplyJobs;
using HybridFlow.IntegrationTests.Support;
using Npgsql;

namespace HybridFlow.IntegrationTests.Persistence;

/// <summary>
/// The Domain decides, SQL carries it out: each bulk statement on reply_jobs runs on rows of every status and kind (and
/// on both sides of every due time and lease), and the rows it chose or changed are the ones the matching Domain rule
/// picks from the same rows, read back as <see cref="ReplyJob"/>s. The literals PostgreSQL needs (partial-index
/// predicates, the upsert's conflict target) are checked against the Domain's sets as the real database holds them.
/// </summary>
public sealed class ReplyJobStatementEquivalenceTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>Every status × kind, with the due time and the lease just past, exactly now, and ahead; with and without an echo.</summary>
    private static IEnumerable<(ReplyJobStatus Status, ReplyJobKind Kind, DateTimeOffset DueAt, DateTimeOffset? LockedUntil, string? Echo)> Variants()
    {
        DateTimeOffset[] times = [Now.AddSeconds(-1), Now, Now.AddSeconds(1)];
        foreach (var status in Enum.GetValues<ReplyJobStatus>())
        foreach (var kind in Enum.GetValues<ReplyJobKind>())
        foreach (var due in times)
        foreach (var locked in times.Select(t => (DateTimeOffset?)t).Append(null))
        foreach (var echo in new[] { null, "3EB0" + status + kind })
            yield return (status, kind, due, locked, echo);
    }

    private sealed class Db(NpgsqlConnection connection) : IAsyncDisposable
    {
        public NpgsqlConnection Connection { get; } = connection;

        public static async Task<Db> OpenAsync()
        {
            var connection = new NpgsqlConnection(await TestEnvironment.CreateMigratedDatabaseAsync());
            await connection.OpenAsync();
            return new Db(connection);
        }

        public async Task<object?> ScalarAsync(string sql, params object[] args)
        {
            await using var cmd = Connection.Command(sql, null, args);
            return await cmd.ExecuteScalarAsync();
        }

        public async Task<long> TenantAsync() =>
            (long)(await ScalarAsync("INSERT INTO tenants (name, created_at, updated_at) VALUES ('t', now(), now()) RETURNING id"))!;

        public async Task<long> SessionAsync(long tenantId)
        {
            var instance = (long)(await ScalarAsync(
                "INSERT INTO instances (tenant_id, instance_name, evo_server_url, created_at, updated_at) VALUES ($1, gen_random_uuid()::text, 'http://evo', now(), now()) RETURNING id",
                tenantId))!;
            return (long)(await ScalarAsync(
                "INSERT INTO sessions (tenant_id, instance_id, chat_id, created_at, updated_at) VALUES ($1, $2, gen_random_uuid()::text, now(), now()) RETURNING id",
                tenantId, instance))!;
        }

        public async Task<long> JobAsync(long tenantId, long sessionId, ReplyJobStatus status, ReplyJobKind kind, DateTimeOffset dueAt,
            DateTimeOffset? lockedUntil, string? echo, string text = "Olá!") =>
            (long)(await ScalarAsync("""
                INSERT INTO reply_jobs (tenant_id, session_id, trigger_message_ids, status, kind, due_at, locked_until, sent_provider_message_id, reply_text, attempts, created_at, updated_at)
                VALUES ($1, $2, '{}', $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id
                """, tenantId, sessionId, status.ToName(), kind.ToName(), dueAt, PgCommands.TimeOrNull(lockedUntil), PgCommands.TextOrNull(echo), text, Now))!;

        public async Task<Dictionary<long, ReplyJob>> JobsAsync()
        {
            var jobs = new Dictionary<long, ReplyJob>();
            await using var cmd = Connection.Command($"SELECT {ReplyJobCommands.ReplyJobColumns} FROM reply_jobs j", null);
            await using var reader = await cmd.ExecuteReaderAsync();
            var rows = new ReplyJobReader(reader);
            while (await reader.ReadAsync())
            {
                var job = rows.Read(reader);
                jobs[job.Id] = job;
            }
            return jobs;
        }

        public async Task<List<long>> IdsAsync(NpgsqlCommand cmd)
        {
            var ids = new List<long>();
            await using (cmd)
            await using (var reader = await cmd.ExecuteReaderAsync())
                while (await reader.ReadAsync()) ids.Add(reader.GetInt64(reader.GetOrdinal("id")));
            return ids;
        }

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }

    [Test]
    public async Task WorkerClaim_TakesExactlyTheClaimableJobs()
    {
        await using var db = await Db.OpenAsync();
        var tenant = await db.TenantAsync();
        // One job per chat: only the status and due rules decide.
        foreach (var v in Variants()) await db.JobAsync(tenant, await db.SessionAsync(tenant), v.Status, v.Kind, v.DueAt, v.LockedUntil, v.Echo);
        var before = await db.JobsAsync();

        var claimed = await db.IdsAsync(ReplyJobStore.ClaimDueCommand(db.Connection, null, Now, Lease, 100_000, 100_000));

        var expected = before.Values.Where(j => j.IsClaimable(Now)).Select(j => j.Id);
        Assert.That(claimed, Is.EquivalentTo(expected));
        var after = await db.JobsAsync();
        foreach (var id in claimed)
            Assert.That((after[id].Status, after[id].Attempts, after[id].LockedUntil), Is.EqualTo((ReplyJobStatus.Processing, before[id].Attempts + 1, (DateTimeOffset?)(Now + Lease))));
    }

    [Test]
    public async Task WorkerClaim_SkipsTheChatsWithAJobInFlight_AndCountsTheTenantsSlots()
    {
        await using var db = await Db.OpenAsync();
        var inFlight = new Dictionary<long, ReplyJob>();
        var waitingInSameChat = new Dictionary<long, long>();
        var waitingInSameTenant = new Dictionary<long, long>();
        foreach (var v in Variants().Where(v => v.DueAt == Now && v.Echo is null))
        {
            // The variant, then an earlier due reply of its chat; and in a tenant of their own, the variant, then an earlier due reply of another chat.
            var tenant = await db.TenantAsync();
            var chat = await db.SessionAsync(tenant);
            var variant = await db.JobAsync(tenant, chat, v.Status, v.Kind, v.DueAt, v.LockedUntil, v.Echo);
            waitingInSameChat[variant] = await db.JobAsync(tenant, chat, ReplyJobStatus.Retrying, ReplyJobKind.Reply, Now.AddSeconds(-5), null, null);
            var other = await db.TenantAsync();
            var slotTaker = await db.JobAsync(other, await db.SessionAsync(other), v.Status, v.Kind, v.DueAt, v.LockedUntil, v.Echo);
            waitingInSameTenant[slotTaker] = await db.JobAsync(other, await db.SessionAsync(other), ReplyJobStatus.Retrying, ReplyJobKind.Reply, Now.AddSeconds(-5), null, null);
        }
        var before = await db.JobsAsync();

        var claimed = (await db.IdsAsync(ReplyJobStore.ClaimDueCommand(db.Connection, null, Now, Lease, 1, 100_000))).ToHashSet();

        foreach (var (variant, waiting) in waitingInSameChat)
            Assert.That(claimed.Contains(waiting), Is.EqualTo(!before[variant].IsInFlight(Now)),
                $"{before[variant].Status} {before[variant].Kind} until {before[variant].LockedUntil}: the chat's next reply");
        foreach (var (variant, waiting) in waitingInSameTenant)
            Assert.That(claimed.Contains(waiting), Is.EqualTo(!before[variant].TakesTenantSlot(Now)),
                $"{before[variant].Status} {before[variant].Kind} until {before[variant].LockedUntil}: the tenant's other reply");
    }

    [Test]
    public async Task ResolutionClaim_TakesExactlyTheSendsDueForResolution()
    {
        await using var db = await Db.OpenAsync();
        var tenant = await db.TenantAsync();
        foreach (var v in Variants()) await db.JobAsync(tenant, await db.SessionAsync(tenant), v.Status, v.Kind, v.DueAt, v.LockedUntil, v.Echo);
        var before = await db.JobsAsync();

        var claimedUntil = Now + Lease;
        var claimed = await db.IdsAsync(SendLedger.ClaimUnresolvedCommand(db.Connection, Now, claimedUntil, 100_000));

        Assert.That(claimed, Is.EquivalentTo(before.Values.Where(j => j.IsDueForResolution(Now)).Select(j => j.Id)));
        var after = await db.JobsAsync();
        foreach (var id in claimed) Assert.That(after[id].IsResolutionHeldUntil(claimedUntil), Is.True);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task CancelUnsent_CancelsExactlyWhatReplyJobCancelWould(bool forHandoff)
    {
        await using var db = await Db.OpenAsync();
        var tenant = await db.TenantAsync();
        var chat = await db.SessionAsync(tenant);
        var elsewhere = await db.SessionAsync(tenant);
        foreach (var v in Variants().Where(v => v.Echo is null && v.DueAt == Now && v.LockedUntil == Now))
        {
            await db.JobAsync(tenant, chat, v.Status, v.Kind, v.DueAt, v.LockedUntil, v.Echo);
            await db.JobAsync(tenant, elsewhere, v.Status, v.Kind, v.DueAt, v.LockedUntil, v.Echo);
        }
        var before = await db.JobsAsync();
        var kinds = forHandoff ? ReplyJobKindSets.SilencedByHandoff : ReplyJobKindSets.WorkerJobs;

        await using (var batch = new NpgsqlBatch(db.Connection))
        {
            batch.BatchCommands.Add(ReplyJobCommands.CancelUnsentCommand(tenant, chat, kinds, "human took over", forHandoff ? "replies_cancelled" : null, null, Now.AddMinutes(1)));
            await batch.ExecuteNonQueryAsync();
        }

        var after = await db.JobsAsync();
        foreach (var job in before.Values)
        {
            var domain = ReplyJob.Restore(job.Id, job.TenantId, job.SessionId, job.Kind, job.Status, job.Attempts, job.DueAt, job.LockedUntil,
                job.ReplyText, job.SentProviderMessageId, job.SentMessageId, job.LastError, job.ResentAt, job.AbsenceSeenAt, job.CreatedAt, job.UpdatedAt);
            var cancels = job.SessionId == chat && kinds.Contains(job.Kind) && job.Status != ReplyJobStatus.Cancelled
                && !Throws(() => domain.Cancel("human took over", Now.AddMinutes(1)));
            var changed = after[job.Id].Status != job.Status || after[job.Id].UpdatedAt != job.UpdatedAt;
            Assert.That(changed, Is.EqualTo(cancels), $"{job.Status} {job.Kind} in {(job.SessionId == chat ? "the chat" : "another chat")}");
            if (cancels) Assert.That((after[job.Id].Status, after[job.Id].LockedUntil, after[job.Id].LastError), Is.EqualTo((domain.Status, domain.LockedUntil, domain.LastError)));
        }
        var noted = (long)(await db.ScalarAsync("SELECT count(*) FROM session_events WHERE session_id = $1", chat))!;
        Assert.That(noted, Is.EqualTo(forHandoff ? 1 : 0));
    }

    private static bool Throws(Action action)
    {
        try { action(); return false; }
        catch (ReplyJobStateException) { return true; }
    }

    [Test]
    public async Task SendInFlight_NeedingAttention_AndTheQueueGauges_FollowTheDomainsSets()
    {
        await using var db = await Db.OpenAsync();
        var tenant = await db.TenantAsync();
        var chat = await db.SessionAsync(tenant);
        // A chat holds one pending reply (reply_jobs_one_pending_per_session).
        foreach (var v in Variants().Where(v => v.DueAt == Now && v.LockedUntil == Now
                                                 && !(v.Status == ReplyJobStatus.Pending && v.Kind == ReplyJobKind.Reply && v.Echo is not null)))
            await db.JobAsync(tenant, chat, v.Status, v.Kind, v.DueAt, v.LockedUntil, v.Echo, text: "t " + v.Status + v.Kind + (v.Echo is null ? "" : " echoed"));
        var before = await db.JobsAsync();
        await using var tx = await db.Connection.BeginTransactionAsync();

        foreach (var job in before.Values)
        {
            await using var find = db.Connection.FindSendInFlightCommand(tx, chat, job.ReplyText!);
            await using var reader = await find.ExecuteReaderAsync();
            var found = await reader.ReadAsync();
            Assert.That(found, Is.EqualTo(ReplyJobStatuses.AwaitingEcho.Contains(job.Status) && job.SentProviderMessageId is null), $"{job.Status} {job.Kind}");
        }

        var attention = await db.IdsAsync(db.Connection.LockNeedingAttentionCommand(tx, chat, 0));
        Assert.That(attention, Is.EquivalentTo(before.Values.Where(j => ReplyJobStatuses.NeedingAttention.Contains(j.Status)).Select(j => j.Id)));
        await tx.RollbackAsync();

        var depth = await ReplyQueueQueries.ReadDepthAsync(db.Connection, Now, CancellationToken.None);
        var waiting = before.Values.Where(j => ReplyJobStatuses.Waiting.Contains(j.Status)).ToList();
        Assert.That(depth.Waiting, Is.EqualTo(waiting.Count));
        Assert.That(depth.InProgress, Is.EqualTo(before.Values.Count(j => ReplyJobStatuses.Leased.Contains(j.Status) && ReplyJobKindSets.Written.Contains(j.Kind))));
        Assert.That(depth.OldestDue, Is.EqualTo(waiting.Where(j => j.DueAt <= Now).Min(j => (DateTimeOffset?)j.DueAt)));
    }

    /// <summary>Where PostgreSQL needs a literal: each partial index on reply_jobs holds exactly the Domain's set the statements spell out.</summary>
    [Test]
    public async Task PartialIndexPredicates_AreTheDomainsSets()
    {
        await using var db = await Db.OpenAsync();
        var predicates = new Dictionary<string, string>();
        await using (var cmd = db.Connection.Command("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'reply_jobs'", null))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) predicates[reader.GetString(0)] = reader.GetString(1);

        static string[] Quoted(string def, string column)
        {
            var where = def[(def.IndexOf(" WHERE ", StringComparison.Ordinal) + 7)..];
            var at = where.IndexOf(column, StringComparison.Ordinal);
            var end = where.IndexOf(')', at);
            var clause = where[at..end];
            return System.Text.RegularExpressions.Regex.Matches(clause, "'([a-z_]+)'").Select(m => m.Groups[1].Value).Order().ToArray();
        }
        static string[] Sorted(string[] names) => names.Order().ToArray();

        Assert.That(Quoted(predicates["reply_jobs_due_idx"], "status"), Is.EqualTo(Sorted(ReplyJobSql.Names(ReplyJobStatuses.Waiting))));
        Assert.That(Quoted(predicates["reply_jobs_in_flight_idx"], "status"), Is.EqualTo(Sorted(ReplyJobSql.Names(ReplyJobStatuses.Leased))));
        Assert.That(Quoted(predicates["reply_jobs_unresolved_idx"], "status"), Is.EqualTo(Sorted(ReplyJobSql.Names(ReplyJobStatuses.AwaitingEcho))));
        var unresolved = ReplyJobStatuses.AwaitingEcho;
        Assert.That(ReplyJobStatuses.ResolvedAfterLease.Concat(ReplyJobStatuses.ResolvedByEcho).Concat(ReplyJobStatuses.AwaitingProof).All(unresolved.Contains), Is.True,
            "the resolution claim and the claim's in-flight scan read reply_jobs_unresolved_idx");
        Assert.That(Quoted(predicates["reply_jobs_one_pending_per_session"], "status"), Is.EqualTo(Sorted(ReplyJobSql.Names(ReplyJobStatuses.AbsorbsNewMessages))));
        Assert.That(Quoted(predicates["reply_jobs_one_pending_per_session"], "kind"), Is.EqualTo(Sorted(ReplyJobSql.Names(ReplyJobKindSets.Written))));

        var check = (string)(await db.ScalarAsync("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'reply_jobs_status_check'"))!;
        Assert.That(System.Text.RegularExpressions.Regex.Matches(check, "'([a-z_]+)'").Select(m => m.Groups[1].Value).Order(),
            Is.EqualTo(Enum.GetValues<ReplyJobStatus>().Select(s => s.ToName()).Order()));
    }

    /// <summary>
    /// The scans still walk the partial indexes in a generic plan (Npgsql prepares these statements), on a table whose
    /// history (finished jobs) outnumbers the queue: the sets are in the statement's text, not in a parameter.
    /// </summary>
    [Test]
    public async Task BulkStatements_InAGenericPlan_WalkThePartialIndexes()
    {
        await using var db = await Db.OpenAsync();
        var tenant = await db.TenantAsync();
        var chat = await db.SessionAsync(tenant);
        await db.ScalarAsync("""
            INSERT INTO reply_jobs (tenant_id, session_id, trigger_message_ids, status, kind, due_at, reply_text, attempts, created_at, updated_at)
            SELECT $1, $2, '{}', (ARRAY['sent', 'dead', 'cancelled', 'discarded'])[1 + g % 4], 'reply', now(), 'x', 1, now(), now()
            FROM generate_series(1, 20000) g
            """, tenant, chat);
        foreach (var status in Enum.GetValues<ReplyJobStatus>()) await db.JobAsync(tenant, await db.SessionAsync(tenant), status, ReplyJobKind.Reply, Now, Now, null);
        await db.ScalarAsync("VACUUM ANALYZE reply_jobs");

        async Task<string> GenericPlanAsync(string name, string sql, string types, string values)
        {
            await db.ScalarAsync($"PREPARE {name} ({types}) AS {sql}");
            await db.ScalarAsync("SET plan_cache_mode = force_generic_plan");
            var lines = new List<string>();
            await using (var cmd = db.Connection.Command($"EXPLAIN EXECUTE {name} ({values})", null))
            await using (var reader = await cmd.ExecuteReaderAsync())
                while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
            await db.ScalarAsync("RESET plan_cache_mode");
            var plan = string.Join('\n', lines);
            await TestContext.Out.WriteLineAsync($"--- {name} ---\n{plan}\n");
            return plan;
        }
        const string now = "'2026-12-01 12:00:00+00'::timestamptz";
        static string Array(string[] names) => "ARRAY[" + string.Join(", ", names.Select(n => $"'{n}'")) + "]";

        var claim = await GenericPlanAsync("claim", ReplyJobStore.ClaimDueSql, "timestamptz, timestamptz, bigint, bigint, text[], text[], text[], text[], text",
            $"{now}, {now}, 4, 32, {Array(ReplyJobSql.Names(ReplyJobStatuses.Leased))}, {Array(ReplyJobSql.Names(ReplyJobKindSets.Written))}, " +
            $"{Array(ReplyJobSql.Names(ReplyJobStatuses.Waiting))}, {Array(ReplyJobSql.Names(ReplyJobStatuses.ReclaimedAfterLease))}, 'processing'");
        Assert.That(claim, Does.Contain("reply_jobs_due_idx"));
        Assert.That(claim, Does.Contain("reply_jobs_in_flight_idx"));
        Assert.That(claim, Does.Not.Contain("Seq Scan on reply_jobs"));

        var resolution = await GenericPlanAsync("resolution", SendLedger.ClaimUnresolvedSql, "timestamptz, timestamptz, integer, text", $"{now}, {now}, 50, 'unconfirmed'");
        Assert.That(resolution, Does.Contain("reply_jobs_unresolved_idx"));
        Assert.That(resolution, Does.Not.Contain("Seq Scan on reply_jobs"));

        var depth = await GenericPlanAsync("depth", ReplyQueueQueries.DepthSql, "timestamptz", now);
        Assert.That(depth, Does.Contain("reply_jobs_due_idx"));
        Assert.That(depth, Does.Contain("reply_jobs_in_flight_idx"));
        Assert.That(depth, Does.Not.Contain("Seq Scan on reply_jobs"));
    }
}
