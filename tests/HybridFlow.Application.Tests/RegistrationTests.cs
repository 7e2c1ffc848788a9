using HybridFlow.Application;
using HybridFlow.Application.Common;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.Application.Tests;

/// <summary>MediatR 5 resolves handlers at runtime: a missing registration must fail here, not in production.</summary>
public sealed class RegistrationTests
{
    [Test]
    public void EveryRequest_HasExactlyOneHandler()
    {
        var services = new ServiceCollection().AddApplication();
        var requests = ApplicationAssembly.Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequest<>)))
            .ToList();
        Assert.That(requests, Is.Not.Empty);
        foreach (var request in requests)
        {
            var response = request.GetInterfaces().Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequest<>)).GetGenericArguments()[0];
            var handler = typeof(IRequestHandler<,>).MakeGenericType(request, response);
            Assert.That(services.Count(d => d.ServiceType == handler), Is.EqualTo(1), request.Name);
        }
    }

    [Test]
    public void RetryDelays_StartWithinSecondsAndDouble()
    {
        var settings = new HybridFlowSettings();
        Assert.That(settings.RetryPolicy.DelayAfter(1), Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(settings.RetryPolicy.DelayAfter(2), Is.EqualTo(TimeSpan.FromSeconds(4)));
        Assert.That(settings.RetryPolicy.DelayAfter(30), Is.EqualTo(settings.ReplyRetryMaxDelay));
    }
}
