namespace HybridFlow.Domain.Messages;

/// <summary>Who wrote a message: the customer, the bot, or a person of the business.</summary>
public enum MessageDirection
{
    Inbound,
    Bot,
    Human,
}
