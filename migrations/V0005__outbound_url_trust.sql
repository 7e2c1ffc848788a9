-- Outbound addresses (SSRF protection). A URL saved with the platform admin key is trusted: the connect-time guard
-- lets it reach private networks. One saved with a tenant key is not, and is checked on every new connection.
-- IF NOT EXISTS keeps the file safe to re-run (the migration test re-runs the backfill on prepared rows).
ALTER TABLE instances ADD COLUMN IF NOT EXISTS evo_server_url_trusted boolean NOT NULL DEFAULT false;
ALTER TABLE tenants ADD COLUMN IF NOT EXISTS workflow_url_trusted boolean NOT NULL DEFAULT false;

-- Existing rows. Before this change a tenant_admin key could set both URLs (POST/PATCH instances, PATCH its own
-- tenant), so "trusted for all" would bless whatever a tenant may already have pointed at the metadata service.
-- What is provable: api_keys rows are never deleted (only revoked, or gone with their tenant and its instances), and
-- every change of the URL moved the row's updated_at. So a row last updated before its tenant had any tenant_admin
-- key can only have been written by the platform admin (or by hand in the database): trusted. Every other row stays
-- untrusted; a self-hosted set-up whose tenants set a private Evolution URL themselves needs
-- OUTBOUND_ALLOW_PRIVATE_NETWORKS=true, or the platform admin to save the URL again.
UPDATE instances i SET evo_server_url_trusted = true
WHERE NOT EXISTS (
    SELECT 1 FROM api_keys k WHERE k.tenant_id = i.tenant_id AND k.role = 'tenant_admin' AND k.created_at <= i.updated_at);

UPDATE tenants t SET workflow_url_trusted = true
WHERE t.workflow_url IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM api_keys k WHERE k.tenant_id = t.id AND k.role = 'tenant_admin' AND k.created_at <= t.updated_at);
