namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// The network address the request came from: the client's, or behind a trusted proxy (TRUSTED_PROXIES) the address
/// the proxy forwarded. "unknown" when there is none.
/// </summary>
public interface IRequestSource
{
    string Address { get; }
}
