namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Where a receipt or a deletion went: onto its stored message, or kept until the message is recorded.</summary>
public enum ReceiptTarget
{
    Message,
    Pending,
}
