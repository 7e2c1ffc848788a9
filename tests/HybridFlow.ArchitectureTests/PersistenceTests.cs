using System.Text.RegularExpressions;

namespace HybridFlow.ArchitectureTests;

/// <summary>
/// ADR-014, read from the source text of src/HybridFlow.Infrastructure: rows are read by column name, and each table is
/// written only from its owner folder, Persistence/&lt;Owner&gt;/.
/// </summary>
public sealed class PersistenceTests
{
    /// <summary>Each table's owner folder under Persistence/.</summary>
    private static readonly Dictionary<string, string> Owners = new()
    {
        ["sessions"] = "Sessions",
        ["reply_jobs"] = "ReplyJobs",
        ["messages"] = "Messages",
        ["pending_receipts"] = "Messages",
        ["session_events"] = "Timeline",
        ["tenants"] = "Tenants",
        ["instances"] = "Instances",
        ["api_keys"] = "ApiKeys",
        ["notify_deliveries"] = "Notify",
        ["llm_usage"] = "LlmUsage",
        ["tenant_monthly_tokens"] = "LlmUsage",
        ["inbox_notes"] = "Inbox",
        ["inbox_reads"] = "Inbox",
        ["inbox_events"] = "Inbox",
        ["meta_send_proofs"] = "SendProofs",
    };

    /// <summary>
    /// Writes by design outside the owner folder: the Conversation aggregate (the inbox's assignee, tags, resolution)
    /// is stored in its own columns of the sessions row, and only the inbox writes those.
    /// </summary>
    private static readonly (string File, string Table)[] SharedRows =
    [
        ("Persistence/Inbox/InboxStore.cs", "sessions"),
    ];

    // A column read at a literal position or a computed offset: GetInt64(0), IsDBNull(o + 5), GetFieldValue<T>(3).
    // (GetBytes is left out: the reader's takes five arguments, RandomNumberGenerator's one.)
    private static readonly Regex PositionalRead = new(
        @"\b(Get(?!Ordinal\b|Bytes\b)[A-Z]\w*|IsDBNull|GetFieldValue<[^>]+>)\(\s*(\d+|\w+\s*[+-]\s*\d+)\s*\)", RegexOptions.Compiled);

    // The reader's indexer at a position: (byte[])r[2].
    private static readonly Regex IndexedRead = new(@"\b(r|reader)\[\s*(\d+|\w+\s*[+-]\s*\d+)\s*\]", RegexOptions.Compiled);

    // A helper handed a reader and a position: Time(NpgsqlDataReader r, int i).
    private static readonly Regex ReaderAtPosition = new(@"\(\s*(Npgsql|Db)DataReader\s+\w+\s*,\s*int\s+\w+", RegexOptions.Compiled);

    private static readonly Regex TableWrite = new(@"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([a-z_]+)\b", RegexOptions.Compiled);

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
    public void EachTableIsWrittenOnlyFromItsOwnerFolder()
    {
        var found = new List<string>();
        foreach (var (file, text) in InfrastructureSources())
        {
            foreach (Match write in TableWrite.Matches(text))
            {
                var table = write.Groups[2].Value;
                if (!Owners.TryGetValue(table, out var owner)) continue;
                if (file.StartsWith($"Persistence/{owner}/", StringComparison.Ordinal) || SharedRows.Contains((file, table))) continue;
                found.Add($"{file}: {write.Value} (owner: Persistence/{owner}/)");
            }
        }
        Assert.That(found, Is.Empty, "only the owner folder writes its table; other statements take the owner's SQL");
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
        Assert.That(InfrastructureSources().Select(s => s.File), Does.Contain("Persistence/Inbox/InboxQueries.cs"));
    }

    private static IEnumerable<(string File, string Text)> InfrastructureSources()
    {
        var root = InfrastructureRoot();
        return Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(file => !file.StartsWith("bin/", StringComparison.Ordinal) && !file.StartsWith("obj/", StringComparison.Ordinal))
            .Select(file => (file, File.ReadAllText(Path.Combine(root, file))));
    }

    private static string InfrastructureRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HybridFlow.sln")))
                return Path.Combine(dir.FullName, "src", "HybridFlow.Infrastructure");
        throw new InvalidOperationException("HybridFlow.sln not found above the test directory.");
    }
}
