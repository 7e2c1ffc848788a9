namespace HybridFlow.Application.Common.Interfaces;

/// <summary>The measurements taken in the Application layer; Infrastructure records them as System.Diagnostics.Metrics instruments.</summary>
public interface IHybridFlowMetrics
{
    /// <summary>One webhook handled (or refused) with its action, and how long the handler took.</summary>
    void WebhookHandled(string action, TimeSpan duration);
}
