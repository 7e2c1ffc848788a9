using HybridFlow.Domain.Replies;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>The measurements taken in the Application layer; Infrastructure records them as System.Diagnostics.Metrics instruments.</summary>
public interface IHybridFlowMetrics
{
    /// <summary>One webhook handled (or refused) with its action, and how long the handler took.</summary>
    void WebhookHandled(string action, TimeSpan duration);

    /// <summary>A reply job (or API send) transition worth counting: sent, retry, dead, discarded, confirmed, resent, outcome unknown.</summary>
    void ReplyJobChanged(ReplyJobOutcome outcome);

    /// <summary>A voice note (<c>audio</c>) or photo (<c>image</c>) of a reply job and what came of it: transcribed, attached, too_large, unavailable, unsupported.</summary>
    void MediaHandled(string kind, string outcome);

    /// <summary>A person was requested; <paramref name="trigger"/> is keyword, model or budget.</summary>
    void HandoffRequested(string trigger);

    /// <summary>A chat was handed to a person because its tenant's monthly token budget is used up.</summary>
    void BudgetHandoff();

    /// <summary>A customer message outside business hours: <paramref name="decision"/> is away_message_sent or ignored_outside_hours.</summary>
    void OutsideHours(string decision);

    /// <summary>A validly signed Cloud API change for a phone_number_id no instance has (answered 200, so Meta does not retry it).</summary>
    void MetaUnknownPhoneNumber();
}
