// Test classes run side by side: each starts its own app on its own database, fake Evolution, fake model and clock,
// and most of a test's time is spent waiting on them, not on the CPU. A class that touches something process- or
// server-wide (Console.Out, HttpClient.DefaultProxy, ...) carries [NonParallelizable] with a one-line reason, and then
// runs with no other test at all.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(4)]
