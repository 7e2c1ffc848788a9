using HybridFlow.Infrastructure.Llm;
using NUnit.Framework;

namespace HybridFlow.IntegrationTests.Llm;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    [TestCase(null, "3", 3000)]
    [TestCase(null, "0.5", 500)]
    [TestCase(null, "0", 0)]
    [TestCase("250", "3", 250)]
    [TestCase(null, "Wed, 02 Dec 2026 10:00:12 GMT", 12_000)]
    [TestCase(null, "Wed, 02 Dec 2026 09:59:00 GMT", 0)]
    [TestCase(null, "999999", 3_600_000)]
    public void Parse_WhenTheHeaderIsReadable_AnswersTheWait(string? ms, string? header, int expectedMs) =>
        Assert.That(RetryAfter.Parse(ms, header, Now), Is.EqualTo(TimeSpan.FromMilliseconds(expectedMs)));

    [TestCase(null, null)]
    [TestCase(null, "")]
    [TestCase(null, "soon")]
    [TestCase(null, "-4")]
    [TestCase("abc", null)]
    public void Parse_WhenTheHeaderIsMissingOrUnreadable_AnswersNull(string? ms, string? header) =>
        Assert.That(RetryAfter.Parse(ms, header, Now), Is.Null);
}
