using HybridFlow.Benchmarks;

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

try
{
    var run = new BenchmarkRun(options);
    var markdown = options.BurstOnly
        ? Report.BurstOnlyMarkdown(await run.RunBurstOnlyAsync(), options)
        : options.IngestOnly
        ? Report.IngestOnlyMarkdown(await run.RunIngestOnlyAsync(), options)
        : Report.Markdown(await run.RunAsync(), options);
    Directory.CreateDirectory(Path.GetDirectoryName(options.OutputPath)!);
    await File.WriteAllTextAsync(options.OutputPath, markdown);
    Console.WriteLine();
    Console.WriteLine(markdown);
    BenchmarkRun.Log($"report written to {options.OutputPath}");
    return 0;
}
catch (Exception e)
{
    BenchmarkRun.Log("benchmark failed: " + e);
    return 1;
}
