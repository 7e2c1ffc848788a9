using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Instances;
using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Webhooks;

/// <summary>
/// QRCODE_UPDATED and CONNECTION_UPDATE: the instance's connection is stored for its tenant's admins (the set-up screen
/// polls it, ADR-018). Nothing goes to the timeline, the inbox events or the logs: a QR code links a WhatsApp account.
/// </summary>
public sealed class WebhookConnections
{
    public const string QrCodeUpdated = "qrcode_updated";
    public const string QrCodeIgnored = "qrcode_ignored";
    public const string ConnectionUpdated = "connection_updated";

    private readonly IInstanceConnectionStore _connections;

    public WebhookConnections(IInstanceConnectionStore connections) => _connections = connections;

    /// <summary>The webhook's action: <c>qrcode_updated</c>, <c>qrcode_ignored</c> (it came after the link opened) or <c>connection_updated</c>.</summary>
    public async Task<string> ApplyAsync(InstanceContext instance, EvolutionConnectionReport report, DateTimeOffset now, CancellationToken ct)
    {
        var (_, outcome) = await _connections.ChangeAsync(instance.InstanceId, connection =>
            report.QrCode is { } qr ? connection.ShowQrCode(qr, report.PairingCode, asked: false, now)
            : report.State is { } state ? connection.Report(state, now)
            : WhatsAppConnectionOutcome.QrCodeIgnored, ct);
        return outcome switch
        {
            WhatsAppConnectionOutcome.QrCodeShown => QrCodeUpdated,
            WhatsAppConnectionOutcome.QrCodeIgnored => QrCodeIgnored,
            _ => ConnectionUpdated,
        };
    }
}
