using System.Text.Json;
using HybridFlow.Application.Common.Models;

namespace HybridFlow.Application.Tests.Common;

/// <summary>PATCH bodies tell "absent" (keep) from "null" (clear) through <see cref="Optional{T}"/>.</summary>
public sealed class OptionalTests
{
    private sealed record Patch(Optional<string?> Name, Optional<int?> Minutes);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [Test]
    public void AbsentField_IsUnset()
    {
        var patch = JsonSerializer.Deserialize<Patch>("{}", Json)!;
        Assert.That(patch.Name.HasValue, Is.False);
        Assert.That(patch.Minutes.HasValue, Is.False);
    }

    [Test]
    public void NullField_IsSetToNull()
    {
        var patch = JsonSerializer.Deserialize<Patch>("""{"name": null, "minutes": null}""", Json)!;
        Assert.That((patch.Name.HasValue, patch.Name.Value), Is.EqualTo((true, (string?)null)));
        Assert.That((patch.Minutes.HasValue, patch.Minutes.Value), Is.EqualTo((true, (int?)null)));
    }

    [Test]
    public void PresentField_CarriesItsValue()
    {
        var patch = JsonSerializer.Deserialize<Patch>("""{"name": "Loja", "minutes": 30}""", Json)!;
        Assert.That(patch.Name.Value, Is.EqualTo("Loja"));
        Assert.That(patch.Minutes.Value, Is.EqualTo(30));
    }

    [Test]
    public void WrongType_FailsWithTheFieldsPath()
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Patch>("""{"minutes": "soon"}""", Json));
        Assert.That(error!.Path, Is.EqualTo("$.minutes"));
    }
}
