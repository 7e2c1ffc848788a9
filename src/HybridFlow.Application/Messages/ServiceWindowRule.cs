using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Messages;

/// <summary>
/// WhatsApp's 24-hour rule for a person's (or a workflow's) send through the API: on a Cloud API instance, more than 24
/// hours after the customer's last message only an approved template may go out. Evolution chats are never bound by it.
/// </summary>
public static class ServiceWindowRule
{
    public const string OutsideCode = "outside_service_window";
    public const string OutsideDetail = "More than 24 hours since the customer's last message: only an approved template can be sent.";

    public static async Task EnsureMaySendAsync(
        IServiceWindowQueries windows, InstanceContext instance, string chatId, OutgoingTemplate? template, DateTimeOffset now, CancellationToken ct)
    {
        if (instance.Provider != ChannelProvider.MetaCloud)
        {
            if (template is not null)
                throw new ConflictException("Message templates are a WhatsApp Cloud API feature: this instance is connected through Evolution.", "templates_not_supported");
            return;
        }
        // A template is what the closed window allows.
        if (template is not null) return;
        var window = ServiceWindow.After(await windows.LastCustomerMessageAtAsync(instance.InstanceId, chatId, ct));
        if (!window.IsOpenAt(now)) throw new ConflictException(OutsideDetail, OutsideCode);
    }
}
