namespace HybridFlow.Infrastructure.Persistence.ReplyJobs;

/// <summary>
/// The reply_jobs owner's part of recording a model call (LlmUsageLedger): the call's tokens are added to its job's
/// totals, in the ledger's statement, as a CTE. Parameters: @job_id, @provider, @model, @input_tokens, @output_tokens, @cached_input_tokens.
/// </summary>
internal static class ReplyJobTokenTotals
{
    public const string AddCall = """
        UPDATE reply_jobs SET llm_provider = @provider, llm_model = @model, llm_calls = llm_calls + 1,
            input_tokens = input_tokens + @input_tokens, output_tokens = output_tokens + @output_tokens,
            cached_input_tokens = cached_input_tokens + @cached_input_tokens
        WHERE id = @job_id
        """;
}
