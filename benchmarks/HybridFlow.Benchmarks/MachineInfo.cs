using System.Globalization;
using System.Runtime.InteropServices;

namespace HybridFlow.Benchmarks;

/// <summary>What the figures were measured on.</summary>
public sealed record MachineInfo(string CpuModel, int LogicalCpus, int ProcessorCount, string Memory, string Os, string Kernel, string DotNet, string LoadAverage)
{
    public static MachineInfo Read()
    {
        var cpuLines = ReadLines("/proc/cpuinfo");
        var model = cpuLines.FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var logical = cpuLines.Count(l => l.StartsWith("processor", StringComparison.Ordinal));
        var memTotal = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var memory = memTotal is null
            ? "unknown"
            : string.Create(CultureInfo.InvariantCulture, $"{long.Parse(memTotal.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0:0.0} GiB");
        var os = ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"') ?? RuntimeInformation.OSDescription;
        var kernel = ReadLines("/proc/sys/kernel/osrelease").FirstOrDefault() ?? "unknown";
        return new MachineInfo(model, logical, Environment.ProcessorCount, memory, os, kernel, RuntimeInformation.FrameworkDescription, LoadAverageNow());
    }

    /// <summary>The 1, 5 and 15 minute load averages: how busy the machine already was.</summary>
    public static string LoadAverageNow() =>
        string.Join(' ', (ReadLines("/proc/loadavg").FirstOrDefault() ?? "? ? ?").Split(' ').Take(3));

    private static string[] ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
