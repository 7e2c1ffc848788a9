using System.Threading.Channels;
using HybridFlow.Application.Inbox.Events;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>One stream's live events; disposing it unsubscribes.</summary>
public interface IInboxEventSubscription : IAsyncDisposable
{
    ChannelReader<InboxEvent> Events { get; }
}
