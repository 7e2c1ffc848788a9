namespace HybridFlow.Application.Common.Models;

public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

public static class Paging
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;
    /// <summary>Keeps (page - 1) * page_size inside an int for the database's OFFSET.</summary>
    public const int MaxPage = 1_000_000;
}
