namespace HybridFlow.Application;

/// <summary>Anchor for assembly scanning.</summary>
public static class ApplicationAssembly
{
    public static System.Reflection.Assembly Assembly => typeof(ApplicationAssembly).Assembly;
}
