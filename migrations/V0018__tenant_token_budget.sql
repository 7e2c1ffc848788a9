-- Issue 17 F8: the platform's model budget.

-- Tokens a month (input plus output, UTC calendar month) a tenant may spend on the platform's model account; null: unlimited.
-- Only the platform admin sets it.
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS monthly_token_budget bigint CHECK (monthly_token_budget >= 0);

-- Which account paid for a call: the platform's key (true) or the tenant's own llm_api_key / llm_base_url. Calls recorded
-- before this migration did not say; they count as the platform's, the conservative reading for a budget.
ALTER TABLE llm_usage ADD COLUMN IF NOT EXISTS platform_account boolean NOT NULL DEFAULT true;

-- The running sum the reply path checks against the budget: one primary-key read per reply instead of summing the
-- month's llm_usage rows. The ledger adds each platform-paid call to it in the same statement as its llm_usage row.
CREATE TABLE IF NOT EXISTS tenant_monthly_tokens (
    tenant_id  bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    month      date   NOT NULL,
    tokens     bigint NOT NULL,
    PRIMARY KEY (tenant_id, month)
);

INSERT INTO tenant_monthly_tokens (tenant_id, month, tokens)
SELECT tenant_id, date_trunc('month', created_at AT TIME ZONE 'UTC')::date, sum(input_tokens + output_tokens)
FROM llm_usage
WHERE platform_account
GROUP BY 1, 2
ON CONFLICT (tenant_id, month) DO NOTHING;
