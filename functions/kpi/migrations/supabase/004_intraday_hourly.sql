-- Intraday refresh (issue #19): the provisional ("sementara") mark on the sales mirror tables, and
-- sales_kpi_hourly with the same grants and row-level security as the other organisation-level
-- tables (../shared/contracts/kpi.md, "Supabase"). Idempotent: safe to run again.
ALTER TABLE public.sales_kpi_daily ADD COLUMN IF NOT EXISTS provisional boolean NOT NULL DEFAULT false;
ALTER TABLE public.sales_kpi_daily ADD COLUMN IF NOT EXISTS as_of timestamptz;
ALTER TABLE public.sales_kpi_daily_by_product ADD COLUMN IF NOT EXISTS provisional boolean NOT NULL DEFAULT false;
ALTER TABLE public.sales_kpi_daily_by_product ADD COLUMN IF NOT EXISTS as_of timestamptz;

CREATE TABLE IF NOT EXISTS public.sales_kpi_hourly (
  data_date date NOT NULL,
  org_id bigint NOT NULL,
  config_id bigint NOT NULL,
  hour bigint NOT NULL,
  revenue_tax_in numeric(18,2),
  gross_profit numeric(18,2),
  transactions bigint,
  lines bigint,
  updated_at timestamptz NOT NULL,
  provisional boolean NOT NULL DEFAULT false,
  as_of timestamptz,
  PRIMARY KEY (data_date, org_id, config_id, hour)
);
CREATE INDEX IF NOT EXISTS sales_kpi_hourly_org_idx ON public.sales_kpi_hourly (org_id);

REVOKE ALL ON public.sales_kpi_hourly FROM anon, authenticated;
GRANT SELECT ON public.sales_kpi_hourly TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.sales_kpi_hourly TO service_role;
ALTER TABLE public.sales_kpi_hourly ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS sales_kpi_hourly_member_read ON public.sales_kpi_hourly;
CREATE POLICY sales_kpi_hourly_member_read ON public.sales_kpi_hourly
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM public.user_org_role r
    WHERE r.user_id = (SELECT auth.uid()) AND r.org_id = sales_kpi_hourly.org_id
  ));

-- The nightly mirror's own role (006_mirror_role.sql) replaces days of this table too. The role is
-- created here as well when it is not there yet (this file may run before 006 on a new database).
DO $$ BEGIN CREATE ROLE nkpipe_mirror NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
GRANT SELECT, INSERT, DELETE ON public.sales_kpi_hourly TO nkpipe_mirror;
DROP POLICY IF EXISTS sales_kpi_hourly_mirror ON public.sales_kpi_hourly;
CREATE POLICY sales_kpi_hourly_mirror ON public.sales_kpi_hourly
  FOR ALL TO nkpipe_mirror USING (true) WITH CHECK (true);
