namespace HybridFlow.Infrastructure.Persistence.ChatTransactions;

/// <summary>
/// The chats whose session this process has opened, so that a shared transaction asks PostgreSQL to create only the
/// others. The create statement costs the same whether it inserts or finds every row there, and nearly every customer
/// message is to a chat that exists (ADR-011). It is a hint, never the truth: a session deleted since (an erasure, a
/// deleted instance, another replica) is found missing when the transaction locks it, and the opening runs again with
/// that session created (<see cref="SharedChatTransactions"/>).
/// </summary>
internal sealed class KnownSessions
{
    /// <summary>About 10 MiB of chat ids; when full it starts over, as a new process does.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly Lock _gate = new();
    private readonly int _capacity;
    private HashSet<(long InstanceId, string ChatId)> _chats = [];

    public KnownSessions(int capacity = DefaultCapacity) => _capacity = capacity;

    public bool Contains((long InstanceId, string ChatId) chat)
    {
        lock (_gate) return _chats.Contains(chat);
    }

    public void AddRange(IEnumerable<(long InstanceId, string ChatId)> chats)
    {
        lock (_gate)
        {
            foreach (var chat in chats)
            {
                if (_chats.Count >= _capacity) _chats = [];
                _chats.Add(chat);
            }
        }
    }

    public void Forget((long InstanceId, string ChatId) chat)
    {
        lock (_gate) _chats.Remove(chat);
    }
}
