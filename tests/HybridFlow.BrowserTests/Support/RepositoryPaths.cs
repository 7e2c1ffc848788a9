namespace HybridFlow.BrowserTests.Support;

public static class RepositoryPaths
{
    /// <summary>The repository root: the first folder above the test binaries that holds HybridFlow.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>&lt;repo&gt;/.test-results/screenshots, created on first use (scripts/test.sh empties .test-results at the start).</summary>
    public static string Screenshots
    {
        get
        {
            var folder = Path.Combine(Root, ".test-results", "screenshots");
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "HybridFlow.sln"))) return folder.FullName;
        }
        return Directory.GetCurrentDirectory();
    }
}
