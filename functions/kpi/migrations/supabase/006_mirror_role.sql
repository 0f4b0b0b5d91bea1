-- The nightly mirror's own role (docs/deploy.md, "Supabase roles"): it replaces days of the four KPI
-- tables and can do nothing else. It owns nothing and has no CREATE on the schema, so the credential
-- kept in Secret Manager cannot create, alter or drop a table; `nkpipe migrate`, `kpi rollback` of the
-- schema and `reset` run as the owner from a person's machine with a credential that person holds.
-- NOLOGIN here: the login that is a member of it is made out of band, so no password is ever in a file.
-- Re-runnable: the role may exist already (roles are per cluster, not per database).
DO $$ BEGIN CREATE ROLE nkpipe_mirror NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;

GRANT USAGE ON SCHEMA public TO nkpipe_mirror;
REVOKE CREATE ON SCHEMA public FROM nkpipe_mirror;

GRANT SELECT, INSERT, DELETE ON public.inventory_kpi_daily, public.fleet_kpi_daily,
  public.sales_kpi_daily, public.sales_kpi_daily_by_product TO nkpipe_mirror;
-- Reads which migrations are applied (and refuses to run when one is pending: no DDL of its own).
GRANT SELECT ON public.kpi_schema_migrations TO nkpipe_mirror;
DROP POLICY IF EXISTS kpi_schema_migrations_mirror_read ON public.kpi_schema_migrations;
CREATE POLICY kpi_schema_migrations_mirror_read ON public.kpi_schema_migrations
  FOR SELECT TO nkpipe_mirror USING (true);

-- Row-level security is on for these tables: the mirror sees and replaces every organisation's rows
-- of them, and no row of organization, warehouse or user_org_role (no policy there: nothing visible).
DROP POLICY IF EXISTS inventory_kpi_daily_mirror ON public.inventory_kpi_daily;
CREATE POLICY inventory_kpi_daily_mirror ON public.inventory_kpi_daily
  FOR ALL TO nkpipe_mirror USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS fleet_kpi_daily_mirror ON public.fleet_kpi_daily;
CREATE POLICY fleet_kpi_daily_mirror ON public.fleet_kpi_daily
  FOR ALL TO nkpipe_mirror USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS sales_kpi_daily_mirror ON public.sales_kpi_daily;
CREATE POLICY sales_kpi_daily_mirror ON public.sales_kpi_daily
  FOR ALL TO nkpipe_mirror USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS sales_kpi_daily_by_product_mirror ON public.sales_kpi_daily_by_product;
CREATE POLICY sales_kpi_daily_by_product_mirror ON public.sales_kpi_daily_by_product
  FOR ALL TO nkpipe_mirror USING (true) WITH CHECK (true);
