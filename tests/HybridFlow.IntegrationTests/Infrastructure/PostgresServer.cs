using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Docker.DotNet;
using ContainerRemoveParameters = Docker.DotNet.Models.ContainerRemoveParameters;
using ContainersListParameters = Docker.DotNet.Models.ContainersListParameters;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Testcontainers.PostgreSql;

namespace HybridFlow.IntegrationTests.Infrastructure;

/// <summary>
/// Gives tests a real PostgreSQL server. Test-framework agnostic. Which one, in this order:
/// <list type="number">
/// <item><c>HYBRIDFLOW_TEST_DATABASE_URL</c> when set (a <c>postgres://user:pass@host:port/db</c> URI or an Npgsql
/// connection string): that server; only the databases created through this instance are dropped on dispose.</item>
/// <item>A container (Testcontainers) when a Docker engine is reachable: image <c>HYBRIDFLOW_TEST_POSTGRES_IMAGE</c>
/// (default <c>postgres:16-alpine</c>), published on a loopback port chosen here, removed on dispose; containers
/// of test processes that died are removed by the next run (this also covers <c>TESTCONTAINERS_RYUK_DISABLED</c>).</item>
/// <item>Otherwise a throwaway cluster initialised in a temporary folder (as the <c>postgres</c> OS user when running
/// as root), started on a free loopback port with durability switched off, stopped and deleted on dispose.</item>
/// </list>
/// <c>HYBRIDFLOW_TEST_POSTGRES</c> = <c>auto</c> (default: container when possible, else the cluster), <c>container</c>
/// (fail when no container can be started) or <c>cluster</c>.
/// <para>
/// Optional environment: <c>HYBRIDFLOW_PG_BINDIR</c> overrides the PostgreSQL bin folder
/// (default: newest <c>/usr/lib/postgresql/*/bin</c>, then <c>pg_config --bindir</c>, then <c>PATH</c>).
/// </para>
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string DatabaseUrlVariable = "HYBRIDFLOW_TEST_DATABASE_URL";
    public const string BinDirVariable = "HYBRIDFLOW_PG_BINDIR";
    public const string ModeVariable = "HYBRIDFLOW_TEST_POSTGRES";
    public const string ImageVariable = "HYBRIDFLOW_TEST_POSTGRES_IMAGE";
    public const string DefaultImage = "postgres:16-alpine";

    private const string ContainerLabel = "hybridflow.tests";
    private const string ContainerOwnerLabel = "hybridflow.tests.owner";

    private const string ClusterFolderPrefix = "hybridflow-pg-";
    private const string OwnerPidFile = "owner.pid";
    private const string RunAsUser = "postgres";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, string> _createdDatabases = new(StringComparer.Ordinal);
    private readonly string? _clusterRoot;
    private readonly string? _binDir;
    private readonly bool _runAsPostgres;
    private readonly PostgreSqlContainer? _container;
    private int _disposed;
    private string? _startOptions;

    private PostgresServer(string adminConnectionString, bool isExternal, string? clusterRoot, string? binDir, bool runAsPostgres,
        PostgreSqlContainer? container = null)
    {
        AdminConnectionString = adminConnectionString;
        IsExternal = isExternal;
        _clusterRoot = clusterRoot;
        _binDir = binDir;
        _runAsPostgres = runAsPostgres;
        _container = container;
    }

    /// <summary>Connection string to the maintenance database (<c>postgres</c>) as a superuser / the configured user.</summary>
    public string AdminConnectionString { get; }

    /// <summary>True when the server came from <c>HYBRIDFLOW_TEST_DATABASE_URL</c> rather than being started here.</summary>
    public bool IsExternal { get; }

    /// <summary>True when the server runs in a container this instance started.</summary>
    public bool IsContainer => _container is not null;

    /// <summary>Data directory of the throwaway cluster, or null for an external server or a container.</summary>
    public string? DataDirectory => _clusterRoot is null ? null : Path.Combine(_clusterRoot, "data");

    /// <summary>One line saying which PostgreSQL this is and why, e.g. for the test run's output.</summary>
    public string Description { get; private set; } = "PostgreSQL";

    /// <summary>Connects to <c>HYBRIDFLOW_TEST_DATABASE_URL</c>, or starts a container or a throwaway cluster (see the class).</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var url = Environment.GetEnvironmentVariable(DatabaseUrlVariable);
        if (!string.IsNullOrWhiteSpace(url))
        {
            var external = await ConnectExternalAsync(url).ConfigureAwait(false);
            var builder = new NpgsqlConnectionStringBuilder(external.AdminConnectionString);
            await external.DescribeAsync($"at {builder.Host}:{builder.Port} ({DatabaseUrlVariable})").ConfigureAwait(false);
            return external;
        }

        var mode = ReadMode();
        if (mode == Mode.Cluster)
        {
            return await StartDescribedClusterAsync($"{ModeVariable}=cluster").ConfigureAwait(false);
        }

        var engine = FindDockerEngine();
        if (engine is null)
        {
            if (mode == Mode.Container)
            {
                throw new InvalidOperationException(
                    $"{ModeVariable}=container, but Testcontainers found no Docker engine (DOCKER_HOST, ~/.testcontainers.properties, "
                    + $"the default sockets). Start one (on CI machines: scripts/container-engine.sh start) or unset {ModeVariable}.");
            }

            return await StartDescribedClusterAsync("no Docker engine found").ConfigureAwait(false);
        }

        try
        {
            return await StartContainerAsync(engine).ConfigureAwait(false);
        }
        catch (Exception ex) when (mode == Mode.Auto && ex is not OutOfMemoryException)
        {
            var firstLine = ex.Message.Split('\n', 2)[0].Trim();
            return await StartDescribedClusterAsync($"a Docker engine was found but the container did not start: {firstLine}").ConfigureAwait(false);
        }
    }

    private enum Mode
    {
        Auto,
        Container,
        Cluster,
    }

    private static Mode ReadMode()
    {
        var value = Environment.GetEnvironmentVariable(ModeVariable)?.Trim();
        return value?.ToLowerInvariant() switch
        {
            null or "" or "auto" => Mode.Auto,
            "container" => Mode.Container,
            "cluster" => Mode.Cluster,
            _ => throw new InvalidOperationException($"{ModeVariable}='{value}': expected auto, container or cluster."),
        };
    }

    private static async Task<PostgresServer> StartDescribedClusterAsync(string why)
    {
        var server = await StartClusterAsync().ConfigureAwait(false);
        try
        {
            await server.DescribeAsync($"in a throwaway cluster ({why})").ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    private async Task DescribeAsync(string where)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT current_setting('server_version')", connection);
        var version = (string)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
        // "15.18 (Debian 15.18-0+deb12u1)" -> "15.18"
        Description = $"PostgreSQL {version.Split(' ', 2)[0]} {where}";
    }

    /// <summary>
    /// Creates a uniquely named database (optionally <c>TEMPLATE template</c>) and returns its connection string.
    /// </summary>
    /// <summary>Stops a cluster or container this instance started (fast shutdown: sessions are cut), for outage tests.</summary>
    public async Task StopServerAsync()
    {
        if (_container is not null)
        {
            // The container's PostgreSQL turns docker's SIGTERM into a fast shutdown (the official image's STOPSIGNAL is SIGINT).
            await _container.StopAsync().ConfigureAwait(false);
            return;
        }

        var (root, binDir) = OwnCluster();
        await RunPgToolAsync(_runAsPostgres, binDir, "pg_ctl", ["stop", "-D", Path.Combine(root, "data"), "-m", "fast", "-w", "-t", "60"], root)
            .ConfigureAwait(false);
    }

    /// <summary>Starts a cluster or container stopped by <see cref="StopServerAsync"/> again, on the same port.</summary>
    public async Task StartServerAgainAsync()
    {
        if (_container is not null)
        {
            // Same container, same data; the host port was fixed at creation, so it is the same after the restart.
            await _container.StartAsync().ConfigureAwait(false);
            await WaitUntilReadyAsync(AdminConnectionString, ReadyTimeout, null).ConfigureAwait(false);
            return;
        }

        var (root, binDir) = OwnCluster();
        await RunPgToolAsync(_runAsPostgres, binDir, "pg_ctl",
            ["start", "-w", "-t", "60", "-D", Path.Combine(root, "data"), "-l", Path.Combine(root, "server.log"), "-o", _startOptions!], root)
            .ConfigureAwait(false);
        await WaitUntilReadyAsync(AdminConnectionString, ReadyTimeout, Path.Combine(root, "server.log")).ConfigureAwait(false);
    }

    private (string Root, string BinDir) OwnCluster() =>
        _clusterRoot is not null && _binDir is not null && _startOptions is not null
            ? (_clusterRoot, _binDir)
            : throw new InvalidOperationException("Only a cluster or container started by the tests can be stopped and started.");

    public async Task<string> CreateDatabaseAsync(string? template = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var name = "hf_test_" + Guid.NewGuid().ToString("N");
        var sql = "CREATE DATABASE " + QuoteIdentifier(name);
        if (!string.IsNullOrEmpty(template))
        {
            sql += " TEMPLATE " + QuoteIdentifier(template);
            // CREATE DATABASE ... TEMPLATE fails while anyone is connected to the template; idle pooled
            // connections opened through our own connection string are the usual culprit.
            if (_createdDatabases.TryGetValue(template, out var templateConnectionString))
            {
                ClearPool(templateConnectionString);
            }
        }

        const int attempts = 6;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAdminAsync(sql).ConfigureAwait(false);
                break;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && template is not null && attempt < attempts)
            {
                // Someone is still connected to the template. Only kick sessions off databases we created.
                if (_createdDatabases.ContainsKey(template))
                {
                    await ExecuteAdminAsync(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()",
                        ("name", template)).ConfigureAwait(false);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt)).ConfigureAwait(false);
            }
        }

        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
        _createdDatabases[name] = connectionString;
        return connectionString;
    }

    /// <summary>
    /// Drops a database (<c>WITH (FORCE)</c>, so open sessions are terminated). Accepts a database name or,
    /// for convenience, a connection string returned by <see cref="CreateDatabaseAsync"/>.
    /// </summary>
    public async Task DropDatabaseAsync(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('=', StringComparison.Ordinal))
        {
            name = new NpgsqlConnectionStringBuilder(name).Database
                ?? throw new ArgumentException("The connection string names no database.", nameof(name));
        }

        if (_createdDatabases.TryRemove(name, out var connectionString))
        {
            ClearPool(connectionString);
        }

        await ExecuteAdminAsync("DROP DATABASE IF EXISTS " + QuoteIdentifier(name) + " WITH (FORCE)").ConfigureAwait(false);
    }

    /// <summary>
    /// Started cluster: <c>pg_ctl stop -m immediate</c> and delete its folder. Container: remove it. External server:
    /// drop the databases created through this instance.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var connectionString in _createdDatabases.Values)
        {
            ClearPool(connectionString);
        }

        if (IsExternal)
        {
            List<Exception>? errors = null;
            foreach (var name in _createdDatabases.Keys.ToList())
            {
                try
                {
                    await ExecuteAdminAsync("DROP DATABASE IF EXISTS " + QuoteIdentifier(name) + " WITH (FORCE)").ConfigureAwait(false);
                    _createdDatabases.TryRemove(name, out _);
                }
                catch (NpgsqlException ex)
                {
                    (errors ??= []).Add(ex);
                }
            }

            ClearPool(AdminConnectionString);
            if (errors is not null)
            {
                throw new AggregateException("Could not drop every test database on the external PostgreSQL server.", errors);
            }

            return;
        }

        ClearPool(AdminConnectionString);
        _createdDatabases.Clear();
        if (_container is not null)
        {
            // Removes the container (Testcontainers' dispose deletes it, with or without Ryuk). Every test has run by
            // now: a removal the engine is too busy to answer in time is not a failed run. The container carries the
            // hybridflow.tests label, and `scripts/container-engine.sh stop` removes what is left with that label.
            try
            {
                await _container.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or TimeoutException)
            {
                TestContext.Progress.WriteLine(
                    $"warning: the PostgreSQL test container {_container.Id} could not be removed ({ex.GetType().Name}: {ex.Message}); " +
                    "remove it with `docker rm -f` or `scripts/container-engine.sh stop`");
            }
            return;
        }

        await StopClusterAsync(_clusterRoot!, _binDir!, _runAsPostgres).ConfigureAwait(false);
    }

    /// <summary>
    /// Turns a <c>postgres://</c> / <c>postgresql://</c> URI into an Npgsql connection string; any other
    /// input is parsed (and so validated) as an Npgsql connection string.
    /// </summary>
    public static string ToNpgsqlConnectionString(string urlOrConnectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(urlOrConnectionString);
        var value = urlOrConnectionString.Trim();
        if (!value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            && !value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new NpgsqlConnectionStringBuilder(value).ConnectionString;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            throw new FormatException("Not a valid PostgreSQL URL (expected postgres://user:pass@host:port/db).");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
        };

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = separator < 0 ? uri.UserInfo : uri.UserInfo[..separator];
            builder.Username = Uri.UnescapeDataString(user);
            if (separator >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (!string.IsNullOrEmpty(database))
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).Trim();
            var val = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            switch (key.ToLowerInvariant())
            {
                case "sslmode":
                    builder.SslMode = val.ToLowerInvariant() switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new FormatException($"Unknown sslmode '{val}' in the PostgreSQL URL."),
                    };
                    break;
                case "application_name":
                    builder.ApplicationName = val;
                    break;
                case "connect_timeout":
                    builder.Timeout = int.Parse(val, CultureInfo.InvariantCulture);
                    break;
                case "options":
                    builder.Options = val;
                    break;
                default:
                    // Let Npgsql decide whether it knows the key (e.g. "Trust Server Certificate").
                    builder[key] = val;
                    break;
            }
        }

        return builder.ConnectionString;
    }

    // ---------------------------------------------------------------- external server

    private static async Task<PostgresServer> ConnectExternalAsync(string url)
    {
        string given;
        try
        {
            given = ToNpgsqlConnectionString(url);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"{DatabaseUrlVariable} is neither a postgres:// URL nor an Npgsql connection string: {ex.Message}", ex);
        }

        var builder = new NpgsqlConnectionStringBuilder(given);
        var givenDatabase = builder.Database;
        builder.Database = "postgres";
        var admin = builder.ConnectionString;
        try
        {
            await WaitUntilReadyAsync(admin, TimeSpan.FromSeconds(30), null).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName }
                                                   && !string.IsNullOrEmpty(givenDatabase))
        {
            // No "postgres" database on this server (some hosted offerings); use the one from the URL.
            builder.Database = givenDatabase;
            admin = builder.ConnectionString;
            await WaitUntilReadyAsync(admin, TimeSpan.FromSeconds(30), null).ConfigureAwait(false);
        }

        return new PostgresServer(admin, isExternal: true, clusterRoot: null, binDir: null, runAsPostgres: false);
    }

    // ---------------------------------------------------------------- container (Testcontainers)

    private static IDockerEndpointAuthenticationConfiguration? FindDockerEngine()
    {
        try
        {
            // Testcontainers' own detection (DOCKER_HOST, properties file, default sockets), each answered with a ping.
            return TestcontainersSettings.OS.DockerEndpointAuthConfig;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static async Task<PostgresServer> StartContainerAsync(IDockerEndpointAuthenticationConfiguration engine)
    {
        var image = Environment.GetEnvironmentVariable(ImageVariable);
        image = string.IsNullOrWhiteSpace(image) ? DefaultImage : image.Trim();
        await RemoveAbandonedContainersAsync(engine).ConfigureAwait(false);

        // Publish on loopback only when tests reach the engine's host through loopback anyway (CI sets the override).
        var loopbackOnly = IPAddress.TryParse(TestcontainersSettings.DockerHostOverride, out var hostOverride) && IPAddress.IsLoopback(hostOverride);
        var password = Guid.NewGuid().ToString("N");
        for (var attempt = 1; ; attempt++)
        {
            // A host port chosen here rather than by Docker: Docker picks a new random one when a stopped container
            // starts again, and the outage tests restart the server under a running app.
            var port = GetFreePort();
            var container = new PostgreSqlBuilder(image)
                .WithPassword(password)
                .WithPortBinding(port, PostgreSqlBuilder.PostgreSqlPort)
                .WithCommand("-c", "max_connections=300")
                .WithLabel(ContainerLabel, "postgres")
                .WithLabel(ContainerOwnerLabel, ContainerOwner)
                .WithCreateParameterModifier(parameters =>
                {
                    if (parameters.HostConfig is not { } host) return;
                    host.ShmSize = 256L * 1024 * 1024; // Docker's 64 MB default is tight for 300 connections
                    if (loopbackOnly && host.PortBindings is { } portBindings)
                    {
                        foreach (var binding in portBindings.Values.SelectMany(bindings => bindings))
                        {
                            binding.HostIP = "127.0.0.1";
                        }
                    }
                })
                .WithLogger(NullLogger.Instance)
                .Build();
            try
            {
                await container.StartAsync().ConfigureAwait(false);
                var admin = new NpgsqlConnectionStringBuilder
                {
                    Host = container.Hostname,
                    Port = container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort),
                    Username = PostgreSqlBuilder.DefaultUsername,
                    Password = password,
                    Database = PostgreSqlBuilder.DefaultDatabase,
                    IncludeErrorDetail = true,
                }.ConnectionString;
                await WaitUntilReadyAsync(admin, ReadyTimeout, null).ConfigureAwait(false);
                var server = new PostgresServer(admin, isExternal: false, clusterRoot: null, binDir: null, runAsPostgres: false, container);
                await server.DescribeAsync($"in container {image} (Testcontainers)").ConfigureAwait(false);
                return server;
            }
            catch (DockerApiException ex) when (attempt < 3 && IsPortConflict(ex.Message))
            {
                // The port was taken between probing and binding; try another one.
                await container.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var logs = await ReadContainerLogsAsync(container).ConfigureAwait(false);
                await container.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"Could not start PostgreSQL in a container from image {image}: {ex.Message}"
                    + (logs.Length == 0 ? string.Empty : Environment.NewLine + "--- container log (tail) ---" + Environment.NewLine + logs),
                    ex);
            }
        }
    }

    private static bool IsPortConflict(string message) =>
        message.Contains("port is already allocated", StringComparison.OrdinalIgnoreCase)
        || message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    private static async Task<string> ReadContainerLogsAsync(IContainer container)
    {
        try
        {
            var (stdout, stderr) = await container.GetLogsAsync(timestampsEnabled: false).ConfigureAwait(false);
            var text = (stdout + stderr).Trim();
            return text.Length <= 4000 ? text : text[^4000..];
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return string.Empty; // never created, or already gone
        }
    }

    private static string ContainerOwner => Environment.MachineName + "/" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Removes the containers of test processes on this machine that died before disposing. Ryuk does this when it
    /// runs; it is switched off where its image cannot be pulled, and this also covers a run killed with Ryuk on.
    /// </summary>
    private static async Task RemoveAbandonedContainersAsync(IDockerEndpointAuthenticationConfiguration engine)
    {
        try
        {
            using var client = engine.GetDockerClientBuilder().Build();
            var containers = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [ContainerLabel + "=postgres"] = true },
                },
            }).ConfigureAwait(false);
            foreach (var container in containers)
            {
                if (container.Labels is null
                    || !container.Labels.TryGetValue(ContainerOwnerLabel, out var owner)
                    || owner.Split('/') is not [var machine, var pidText]
                    || machine != Environment.MachineName
                    || !int.TryParse(pidText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid)
                    || ProcessExists(pid))
                {
                    continue;
                }

                await client.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true })
                    .ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Best effort only: a failure here must not stop this run.
        }
    }

    // ---------------------------------------------------------------- throwaway cluster

    private static async Task<PostgresServer> StartClusterAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(
                $"Starting a throwaway PostgreSQL cluster needs a Unix-like OS; set {DatabaseUrlVariable} instead.");
        }

        var binDir = await FindBinDirAsync().ConfigureAwait(false);
        var runAsPostgres = Environment.IsPrivilegedProcess;
        var tempBase = ChooseTempBase();

        await CleanUpAbandonedClustersAsync(tempBase, binDir, runAsPostgres).ConfigureAwait(false);

        var root = Path.Combine(tempBase, ClusterFolderPrefix + Guid.NewGuid().ToString("N")[..12]);
        var dataDir = Path.Combine(root, "data");
        var socketDir = Path.Combine(root, "sock");
        var logFile = Path.Combine(root, "server.log");
        const UnixFileMode dirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                     | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                                     | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(root, dirMode);
        Directory.CreateDirectory(socketDir, dirMode);
        await File.WriteAllTextAsync(Path.Combine(root, OwnerPidFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
            .ConfigureAwait(false);

        var started = false;
        try
        {
            if (runAsPostgres)
            {
                await RunToolAsync("chown", ["-R", RunAsUser + ":", root], root,
                    hint: $"Running as root: the '{RunAsUser}' OS user must exist (it comes with Debian's postgresql package).")
                    .ConfigureAwait(false);
            }

            await RunPgToolAsync(runAsPostgres, binDir, "initdb",
                ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"], root)
                .ConfigureAwait(false);

            var port = 0;
            var startOptions = "";
            for (var attempt = 1; ; attempt++)
            {
                port = GetFreePort();
                var options = string.Join(' ',
                    "-c listen_addresses=127.0.0.1",
                    "-p " + port.ToString(CultureInfo.InvariantCulture),
                    "-k " + socketDir,
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=300");
                try
                {
                    await RunPgToolAsync(runAsPostgres, binDir, "pg_ctl",
                        ["start", "-w", "-t", "60", "-D", dataDir, "-l", logFile, "-o", options], root)
                        .ConfigureAwait(false);
                    startOptions = options;
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3 && !IsRunning(dataDir))
                {
                    // Most likely the port was taken between probing and binding; try another one.
                }
            }

            started = true;
            var admin = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = "postgres",
                Database = "postgres",
                IncludeErrorDetail = true,
            }.ConnectionString;

            await WaitUntilReadyAsync(admin, ReadyTimeout, logFile).ConfigureAwait(false);
            return new PostgresServer(admin, isExternal: false, clusterRoot: root, binDir: binDir, runAsPostgres: runAsPostgres)
            {
                _startOptions = startOptions,
            };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var log = ReadTail(logFile);
            try
            {
                if (started || IsRunning(dataDir))
                {
                    await StopClusterAsync(root, binDir, runAsPostgres).ConfigureAwait(false);
                }
                else
                {
                    TryDeleteDirectory(root);
                }
            }
            catch (Exception cleanupError) when (cleanupError is not OutOfMemoryException)
            {
                // Keep the original error; the folder is cleaned up by a later run.
            }

            if (log.Length == 0 || ex is not InvalidOperationException)
            {
                throw;
            }

            throw new InvalidOperationException(ex.Message + Environment.NewLine + "--- server log (tail) ---" + Environment.NewLine + log, ex);
        }
    }

    private static async Task StopClusterAsync(string root, string binDir, bool runAsPostgres)
    {
        var dataDir = Path.Combine(root, "data");
        Exception? stopError = null;
        if (File.Exists(Path.Combine(dataDir, "postmaster.pid")))
        {
            try
            {
                await RunPgToolAsync(runAsPostgres, binDir, "pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-w", "-t", "30"], root)
                    .ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                stopError = ex;
                KillPostmaster(dataDir);
            }
        }

        TryDeleteDirectory(root);
        if (stopError is not null && IsRunning(dataDir))
        {
            throw new InvalidOperationException("Could not stop the throwaway PostgreSQL cluster.", stopError);
        }
    }

    /// <summary>Stops and deletes clusters left behind by test processes that died before disposing.</summary>
    private static async Task CleanUpAbandonedClustersAsync(string tempBase, string binDir, bool runAsPostgres)
    {
        string[] candidates;
        try
        {
            candidates = Directory.GetDirectories(tempBase, ClusterFolderPrefix + "*");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var candidate in candidates)
        {
            try
            {
                var pidText = await File.ReadAllTextAsync(Path.Combine(candidate, OwnerPidFile)).ConfigureAwait(false);
                if (!int.TryParse(pidText.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) || ProcessExists(pid))
                {
                    continue;
                }

                await StopClusterAsync(candidate, binDir, runAsPostgres).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Best effort only: not ours to fail on.
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static async Task<string> FindBinDirAsync()
    {
        var overridden = Environment.GetEnvironmentVariable(BinDirVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            if (File.Exists(Path.Combine(overridden, "initdb")))
            {
                return overridden;
            }

            throw new InvalidOperationException($"{BinDirVariable}={overridden} has no initdb.");
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: ParseVersion(Path.GetFileName(dir))))
                .Where(x => x.Version is not null && File.Exists(Path.Combine(x.Dir, "initdb")))
                .OrderByDescending(x => x.Version)
                .Select(x => x.Dir)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        var pgConfig = FindOnPath("pg_config");
        if (pgConfig is not null)
        {
            try
            {
                var output = await RunToolAsync(pgConfig, ["--bindir"], null).ConfigureAwait(false);
                var dir = output.Trim();
                if (File.Exists(Path.Combine(dir, "initdb")))
                {
                    return dir;
                }
            }
            catch (InvalidOperationException)
            {
                // fall through
            }
        }

        var initdb = FindOnPath("initdb");
        if (initdb is not null)
        {
            return Path.GetDirectoryName(initdb)!;
        }

        throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin, via pg_config or on PATH. "
            + "Install them with `apt-get update && apt-get install -y postgresql` (or run scripts/ensure-postgres.sh), "
            + $"set {BinDirVariable} to their folder, or point {DatabaseUrlVariable} at an existing server.");
    }

    private static Version? ParseVersion(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var major))
        {
            return new Version(major, 0);
        }

        return Version.TryParse(text, out var version) ? version : null;
    }

    private static string? FindOnPath(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string ChooseTempBase()
    {
        var temp = Path.GetTempPath();
        // Unix socket paths are limited to ~107 bytes, pg_ctl -o goes through a shell, and the postgres
        // user must be able to reach the folder: fall back to /tmp when TMPDIR is unsuitable.
        var suitable = temp.Length <= 60 && !temp.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\' or '$' or '`');
        if (suitable && Environment.IsPrivilegedProcess)
        {
            suitable = temp.TrimEnd('/') == "/tmp" || temp.TrimEnd('/') == "/var/tmp";
        }

        return suitable ? temp : "/tmp";
    }

    private static int GetFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static bool IsRunning(string dataDir)
    {
        var pid = ReadPostmasterPid(dataDir);
        return pid is not null && ProcessExists(pid.Value);
    }

    private static int? ReadPostmasterPid(string dataDir)
    {
        try
        {
            var pidFile = Path.Combine(dataDir, "postmaster.pid");
            if (!File.Exists(pidFile))
            {
                return null;
            }

            var first = File.ReadLines(pidFile).FirstOrDefault();
            return int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void KillPostmaster(string dataDir)
    {
        var pid = ReadPostmasterPid(dataDir);
        if (pid is null)
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid.Value);
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // already gone, or not ours to kill
        }
    }

    private static bool ProcessExists(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(200);
            }
        }
    }

    private static string ReadTail(string file, int maxChars = 4000)
    {
        try
        {
            if (!File.Exists(file))
            {
                return string.Empty;
            }

            var text = File.ReadAllText(file);
            return text.Length <= maxChars ? text.Trim() : text[^maxChars..].Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static async Task WaitUntilReadyAsync(string connectionString, TimeSpan timeout, string? logFile)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 5 };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync().ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or SocketException)
            {
                var fatal = ex is PostgresException pg
                            && pg.SqlState != PostgresErrorCodes.CannotConnectNow
                            && pg.SqlState != PostgresErrorCodes.TooManyConnections;
                if (fatal || deadline.Elapsed > timeout)
                {
                    var log = logFile is null ? string.Empty : ReadTail(logFile);
                    throw new InvalidOperationException(
                        $"PostgreSQL at {builder.Host}:{builder.Port} did not accept connections: {ex.Message}"
                        + (log.Length == 0 ? string.Empty : Environment.NewLine + "--- server log (tail) ---" + Environment.NewLine + log),
                        ex);
                }

                await Task.Delay(200).ConfigureAwait(false);
            }
        }
    }

    private async Task ExecuteAdminAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (parameterName, value) in parameters)
        {
            command.Parameters.AddWithValue(parameterName, value);
        }

        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static void ClearPool(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        NpgsqlConnection.ClearPool(connection);
    }

    private static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static Task<string> RunPgToolAsync(bool runAsPostgres, string binDir, string tool, IReadOnlyList<string> arguments, string workingDirectory)
    {
        var executable = Path.Combine(binDir, tool);
        if (!runAsPostgres)
        {
            return RunToolAsync(executable, arguments, workingDirectory);
        }

        var runuser = File.Exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : FindOnPath("runuser") ?? "runuser";
        return RunToolAsync(runuser, ["-u", RunAsUser, "--", executable, .. arguments], workingDirectory,
            hint: $"Running as root, so PostgreSQL tools run as the '{RunAsUser}' OS user via runuser.");
    }

    /// <summary>Runs a process, capturing stdout+stderr; throws with the full command and output on failure.</summary>
    private static async Task<string> RunToolAsync(string fileName, IReadOnlyList<string> arguments, string? workingDirectory, string? hint = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (workingDirectory is not null)
        {
            startInfo.WorkingDirectory = workingDirectory;
        }

        // Keep tool messages in English and independent of locales that may not be installed.
        startInfo.Environment["LC_ALL"] = "C";
        startInfo.Environment["LANG"] = "C";

        var commandLine = fileName + " " + string.Join(' ', arguments.Select(a => a.Contains(' ', StringComparison.Ordinal) ? "\"" + a + "\"" : a));
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new InvalidOperationException($"Could not start `{commandLine}`: {ex.Message}" + (hint is null ? string.Empty : " " + hint), ex);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }

            throw new InvalidOperationException($"`{commandLine}` did not finish within {ToolTimeout.TotalSeconds:0} s.");
        }

        var output = new StringBuilder()
            .Append(await stdout.ConfigureAwait(false))
            .Append(await stderr.ConfigureAwait(false))
            .ToString();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{commandLine}` failed with exit code {process.ExitCode}."
                + (hint is null ? string.Empty : " " + hint)
                + Environment.NewLine + output.Trim());
        }

        return output;
    }
}
