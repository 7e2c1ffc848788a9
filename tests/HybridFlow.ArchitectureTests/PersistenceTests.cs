using System.Text.RegularExpressions;

namespace HybridFlow.ArchitectureTests;

/// <summary>
/// ADR-014, read from the source text of src/HybridFlow.Infrastructure: rows are read by column name, and each table is
/// written only from its owner folder, Persistence/&lt;Owner&gt;/, and named nowhere else but in a read model
/// (Persistence/ReadModels/), which reads and never writes.
/// </summary>
public sealed class PersistenceTests
{
    /// <summary>Each table's owner folder, under src/HybridFlow.Infrastructure.</summary>
    private static readonly Dictionary<string, string> Owners = new()
    {
        ["sessions"] = "Persistence/Sessions/",
        ["contacts"] = "Persistence/Contacts/",
        ["reply_jobs"] = "Persistence/ReplyJobs/",
        ["messages"] = "Persistence/Messages/",
        ["pending_receipts"] = "Persistence/Messages/",
        ["session_events"] = "Persistence/Timeline/",
        ["tenants"] = "Persistence/Tenants/",
        ["instances"] = "Persistence/Instances/",
        ["instance_connections"] = "Persistence/Instances/",
        ["api_keys"] = "Persistence/ApiKeys/",
        ["notify_deliveries"] = "Persistence/Notify/",
        ["llm_usage"] = "Persistence/LlmUsage/",
        ["tenant_monthly_tokens"] = "Persistence/LlmUsage/",
        ["inbox_notes"] = "Persistence/Inbox/",
        ["inbox_reads"] = "Persistence/Inbox/",
        ["inbox_events"] = "Persistence/Inbox/",
        ["schema_migrations"] = "Persistence/Postgres/",
        // ASP.NET Core Identity's tables and the logins (EF Core's OperatorIdentityDbContext, and plain SQL beside it).
        ["users"] = "Identity/",
        ["user_claims"] = "Identity/",
        ["user_logins"] = "Identity/",
        ["user_tokens"] = "Identity/",
        ["login_sessions"] = "Identity/",
        ["login_throttles"] = "Identity/",
        ["admin_password_resets"] = "Identity/",
        ["password_links"] = "Identity/",
        ["data_protection_keys"] = "Security/",
        ["meta_send_proofs"] = "Persistence/SendProofs/",
        ["saved_replies"] = "Persistence/SavedReplies/",
    };

    /// <summary>Queries that join several owners' tables and write nothing.</summary>
    private const string ReadModels = "Persistence/ReadModels/";

    // A column read at a literal position or a computed offset: GetInt64(0), IsDBNull(o + 5), GetFieldValue<T>(3).
    // (GetBytes is left out: the reader's takes five arguments, RandomNumberGenerator's one.)
    private static readonly Regex PositionalRead = new(
        @"\b(Get(?!Ordinal\b|Bytes\b)[A-Z]\w*|IsDBNull|GetFieldValue<[^>]+>)\(\s*(\d+|\w+\s*[+-]\s*\d+)\s*\)", RegexOptions.Compiled);

    // The reader's indexer at a position: (byte[])r[2].
    private static readonly Regex IndexedRead = new(@"\b(r|reader)\[\s*(\d+|\w+\s*[+-]\s*\d+)\s*\]", RegexOptions.Compiled);

    // A helper handed a reader and a position: Time(NpgsqlDataReader r, int i).
    private static readonly Regex ReaderAtPosition = new(@"\(\s*(Npgsql|Db)DataReader\s+\w+\s*,\s*int\s+\w+", RegexOptions.Compiled);

    private static readonly Regex TableWrite = new(@"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_]+)\b", RegexOptions.Compiled);

    // A table named by a statement: FROM (and DELETE FROM), JOIN, INTO, UPDATE. SQL keywords are in capitals in this code,
    // table names in lower case; prose ("read from inbox_events") is not a statement.
    private static readonly Regex TableMention = new(@"\b(FROM|JOIN|INTO|UPDATE)\s+([a-z_]+)\b", RegexOptions.Compiled);

    // CREATE TABLE [IF NOT EXISTS] name, in the migrations.
    private static readonly Regex CreateTable = new(@"\bCREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?([a-z_]+)", RegexOptions.Compiled | RegexOptions.IgnoreCase);

    [Test]
    public void NoReaderReadsAColumnByPosition()
    {
        var found = new List<string>();
        foreach (var (file, text) in InfrastructureSources())
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
                if (PositionalRead.IsMatch(lines[i]) || IndexedRead.IsMatch(lines[i]) || ReaderAtPosition.IsMatch(lines[i]))
                    found.Add($"{file}:{i + 1}: {lines[i].Trim()}");
        }
        Assert.That(found, Is.Empty, "read by column name (Dapper's row types, or GetOrdinal in a batch)");
    }

    [Test]
    public void EachTableIsWrittenOnlyFromItsOwnerFolder_AndReadElsewhereOnlyByReadModels()
    {
        var found = InfrastructureSources().SelectMany(s => TableRuleViolations(s.File, s.Text)).ToList();
        Assert.That(found, Is.Empty,
            "only the owner folder names its table; other owners' statements take its SQL from it, and a read that joins several owners is a read model in " + ReadModels);
    }

    [Test]
    public void EveryTableOfTheMigrationsHasAnOwnerFolder()
    {
        var tables = MigrationSources().SelectMany(text => CreateTable.Matches(text).Select(m => m.Groups[2].Value.ToLowerInvariant())).ToHashSet();
        Assert.That(tables, Is.Not.Empty);
        Assert.That(tables.Where(t => !Owners.ContainsKey(t)), Is.Empty, "a new table gets its owner folder in PersistenceTests.Owners (ADR-014)");
    }

    /// <summary>
    /// A table named outside its owner folder, unless a read model reads it; and any write in a read model.
    /// </summary>
    private static IEnumerable<string> TableRuleViolations(string file, string text)
    {
        var readModel = file.StartsWith(ReadModels, StringComparison.Ordinal);
        if (readModel)
            foreach (Match write in TableWrite.Matches(text))
                yield return $"{file}: {write.Value} (a read model never writes)";
        foreach (Match mention in TableMention.Matches(text))
        {
            var table = mention.Groups[2].Value;
            if (!Owners.TryGetValue(table, out var owner) || readModel || file.StartsWith(owner, StringComparison.Ordinal)) continue;
            yield return $"{file}: {mention.Value} (owner: {owner})";
        }
    }

    [Test]
    public void TheRulesFindWhatTheyLookFor()
    {
        Assert.That(PositionalRead.IsMatch("r.GetInt64(0)"), Is.True);
        Assert.That(PositionalRead.IsMatch("r.IsDBNull(o + 5)"), Is.True);
        Assert.That(PositionalRead.IsMatch("r.GetFieldValue<string[]>(3)"), Is.True);
        Assert.That(PositionalRead.IsMatch("r.GetInt64(r.GetOrdinal(\"id\"))"), Is.False);
        Assert.That(PositionalRead.IsMatch("RandomNumberGenerator.GetBytes(32)"), Is.False);
        Assert.That(IndexedRead.IsMatch("(byte[])r[2]"), Is.True);
        Assert.That(ReaderAtPosition.IsMatch("static DateTimeOffset? Time(NpgsqlDataReader r, int i) =>"), Is.True);
        Assert.That(TableWrite.Match("UPDATE reply_jobs SET").Groups[2].Value, Is.EqualTo("reply_jobs"));
        Assert.That(TableMention.Match("SELECT 1 FROM sessions s").Groups[2].Value, Is.EqualTo("sessions"));
        Assert.That(TableMention.Match("LEFT JOIN users u ON u.id = k.acts_for_user_id").Groups[2].Value, Is.EqualTo("users"));
        Assert.That(TableMention.Match("INSERT INTO messages (tenant_id)").Groups[2].Value, Is.EqualTo("messages"));
        Assert.That(TableMention.Match("DELETE FROM inbox_events WHERE").Groups[2].Value, Is.EqualTo("inbox_events"));
        Assert.That(TableMention.IsMatch("WHERE s.id = $1 FOR UPDATE OF s"), Is.False, "a lock names an alias");
        Assert.That(TableMention.IsMatch("ON CONFLICT (id) DO UPDATE SET x = 1"), Is.False);
        Assert.That(TableMention.IsMatch("publishes what it read from inbox_events"), Is.False, "prose");
        Assert.That(TableRuleViolations("Persistence/Messages/X.cs", "SELECT s.id FROM sessions s"), Has.Exactly(1).Items, "a read of another owner's table");
        Assert.That(TableRuleViolations("Persistence/Sessions/X.cs", "UPDATE messages m SET x = 1"), Has.Exactly(1).Items, "a write of another owner's table");
        Assert.That(TableRuleViolations("Realtime/X.cs", "SELECT max(id) FROM inbox_events"), Has.Exactly(1).Items, "outside Persistence too");
        Assert.That(TableRuleViolations("Persistence/Sessions/X.cs", "UPDATE sessions SET is_paused = $2 FROM unnest($1)"), Is.Empty, "its own table");
        Assert.That(TableRuleViolations("Persistence/ReadModels/X.cs", "FROM sessions s JOIN messages m ON m.session_id = s.id"), Is.Empty, "a read model reads");
        Assert.That(TableRuleViolations("Persistence/ReadModels/X.cs", "UPDATE sessions SET tags = $2"), Has.Exactly(1).Items, "a read model never writes");
        Assert.That(TableRuleViolations("Persistence/ReadModels/X.cs", "INSERT INTO scratch (id) VALUES (1)"), Has.Exactly(1).Items, "not even a table nobody owns");
        Assert.That(CreateTable.Match("CREATE TABLE IF NOT EXISTS inbox_notes (").Groups[2].Value, Is.EqualTo("inbox_notes"));
        Assert.That(MigrationSources(), Is.Not.Empty);
        Assert.That(InfrastructureSources().Select(s => s.File), Does.Contain("Persistence/ReadModels/InboxQueries.cs"));
    }

    private static IEnumerable<(string File, string Text)> InfrastructureSources()
    {
        var root = InfrastructureRoot();
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(file => !file.StartsWith("bin/", StringComparison.Ordinal) && !file.StartsWith("obj/", StringComparison.Ordinal))
            .Select(file => (file, File.ReadAllText(Path.Combine(root, file))));
    }

    private static IEnumerable<string> MigrationSources() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "migrations"), "*.sql").Select(File.ReadAllText);

    private static string InfrastructureRoot() => Path.Combine(RepositoryRoot(), "src", "HybridFlow.Infrastructure");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HybridFlow.sln")))
                return dir.FullName;
        throw new InvalidOperationException("HybridFlow.sln not found above the test directory.");
    }
}
