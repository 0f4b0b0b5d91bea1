-- Dashboard (issue #18): the SKUs out of stock at the end of each day, per warehouse, mirrored with the
-- same grants and warehouse-level row-level security as inventory_kpi_daily (../shared/contracts/kpi.md,
-- "Supabase"), and replaced by the nightly mirror's own role (006_mirror_role.sql). Idempotent.
CREATE TABLE IF NOT EXISTS public.inventory_stockout_daily (
  data_date date NOT NULL,
  org_id bigint NOT NULL,
  warehouse_id bigint NOT NULL,
  sku text NOT NULL,
  closing_qty numeric(18,3) NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (data_date, org_id, warehouse_id, sku)
);
CREATE INDEX IF NOT EXISTS inventory_stockout_daily_org_idx
  ON public.inventory_stockout_daily (org_id, warehouse_id);

REVOKE ALL ON public.inventory_stockout_daily FROM anon, authenticated;
GRANT SELECT ON public.inventory_stockout_daily TO authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.inventory_stockout_daily TO service_role;
ALTER TABLE public.inventory_stockout_daily ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS inventory_stockout_daily_member_read ON public.inventory_stockout_daily;
CREATE POLICY inventory_stockout_daily_member_read ON public.inventory_stockout_daily
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM public.user_org_role r
    WHERE r.user_id = (SELECT auth.uid()) AND r.org_id = inventory_stockout_daily.org_id
      AND (r.warehouse_id IS NULL OR r.warehouse_id = inventory_stockout_daily.warehouse_id)
  ));

DO $$ BEGIN CREATE ROLE nkpipe_mirror NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
GRANT SELECT, INSERT, DELETE ON public.inventory_stockout_daily TO nkpipe_mirror;
DROP POLICY IF EXISTS inventory_stockout_daily_mirror ON public.inventory_stockout_daily;
CREATE POLICY inventory_stockout_daily_mirror ON public.inventory_stockout_daily
  FOR ALL TO nkpipe_mirror USING (true) WITH CHECK (true);

-- Status Data's "any rows at all" answer covers the new table too (005_mirror_status.sql).
CREATE OR REPLACE FUNCTION public.kpi_mirror_status()
RETURNS TABLE (table_name text, has_rows boolean)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT 'fleet_kpi_daily'::text, EXISTS (SELECT 1 FROM public.fleet_kpi_daily)
  UNION ALL SELECT 'inventory_kpi_daily', EXISTS (SELECT 1 FROM public.inventory_kpi_daily)
  UNION ALL SELECT 'inventory_stockout_daily', EXISTS (SELECT 1 FROM public.inventory_stockout_daily)
  UNION ALL SELECT 'sales_kpi_daily', EXISTS (SELECT 1 FROM public.sales_kpi_daily)
  UNION ALL SELECT 'sales_kpi_daily_by_product', EXISTS (SELECT 1 FROM public.sales_kpi_daily_by_product)
  UNION ALL SELECT 'sales_kpi_hourly', EXISTS (SELECT 1 FROM public.sales_kpi_hourly)
$$;
REVOKE ALL ON FUNCTION public.kpi_mirror_status() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.kpi_mirror_status() TO authenticated, service_role;
