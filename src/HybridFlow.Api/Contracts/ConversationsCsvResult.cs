using System.Globalization;
using CsvHelper;
using HybridFlow.Application.Stats.Export;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Contracts;

/// <summary>
/// Writes the conversations export as CSV (RFC 4180, UTF-8 with a BOM so that spreadsheets read the accents) while the
/// rows are read, flushing as it goes. A cell that begins with =, +, -, @, a tab or a carriage return is escaped with a
/// leading apostrophe (CsvHelper's injection escaping), so a customer's text never runs as a spreadsheet formula.
/// </summary>
public sealed class ConversationsCsvResult(ConversationExport export) : IActionResult
{
    public static readonly string[] Header =
    [
        "conversation_id", "channel", "instance", "customer", "customer_name", "first_message_at", "last_message_at",
        "first_message", "last_message", "customer_messages", "bot_messages", "person_messages", "handled_by",
        "handoff_requested", "assignee", "resolution", "resolved_at", "input_tokens", "output_tokens",
    ];

    private static readonly CsvWriterOptions Format = new()
    {
        Injection = CsvInjection.Escape,
        FormatProvider = CultureInfo.InvariantCulture,
        WriteByteOrderMark = true,
    };

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.ContentType = "text/csv; charset=utf-8";
        var fileName = $"conversations-{export.TenantId}-{export.From.UtcDateTime:yyyyMMdd}-{export.To.UtcDateTime:yyyyMMdd}.csv";
        response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";

        var aborted = context.HttpContext.RequestAborted;
        // The writer fills a small buffer that goes out asynchronously (Kestrel refuses synchronous writes) every 32 KiB.
        using var chunk = new MemoryStream();
        await using var csv = CsvWriter.Create(chunk, Format, leaveOpen: true);
        foreach (var name in Header) csv.WriteField(name);
        await csv.EndRecordAsync(aborted);
        await foreach (var row in export.Rows.WithCancellation(aborted))
        {
            csv.WriteField(row.ConversationId.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(row.Channel);
            csv.WriteField(row.Instance);
            csv.WriteField(row.Customer);
            csv.WriteField(row.CustomerName);
            csv.WriteField(Time(row.FirstMessageAt));
            csv.WriteField(Time(row.LastMessageAt));
            csv.WriteField(row.FirstMessage);
            csv.WriteField(row.LastMessage);
            csv.WriteField(row.CustomerMessages.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(row.BotMessages.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(row.PersonMessages.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(row.HandledBy);
            csv.WriteField(row.HandoffRequested ? "yes" : "no");
            csv.WriteField(row.Assignee);
            csv.WriteField(row.ResolvedAt is null ? "open" : "resolved");
            csv.WriteField(row.ResolvedAt is { } resolved ? Time(resolved) : null);
            csv.WriteField(row.InputTokens.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(row.OutputTokens.ToString(CultureInfo.InvariantCulture));
            await csv.EndRecordAsync(aborted);
            await csv.FlushAsync(aborted);
            if (chunk.Length >= ChunkBytes) await SendAsync(chunk, response.Body, aborted);
        }
        await csv.FlushAsync(aborted);
        await SendAsync(chunk, response.Body, aborted);
    }

    private const int ChunkBytes = 32 * 1024;

    private static async Task SendAsync(MemoryStream chunk, Stream body, CancellationToken ct)
    {
        await body.WriteAsync(chunk.GetBuffer().AsMemory(0, (int)chunk.Length), ct);
        chunk.SetLength(0);
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
