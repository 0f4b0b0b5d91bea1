-- For the dashboard's Status Data: whether each KPI mirror table has any rows at all, whoever may see
-- them. Row-level security makes "no rows visible to this user" and "the table is empty" look the
-- same to the user; this function tells them apart without showing any row, count or date.
-- SECURITY DEFINER (runs as its owner, the migrating user, which row-level security does not narrow);
-- search_path is empty so no object of the caller's can stand in for the tables.
-- Re-runnable: CREATE OR REPLACE, and the grants are idempotent.

CREATE OR REPLACE FUNCTION public.kpi_mirror_status()
RETURNS TABLE (table_name text, has_rows boolean)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT 'fleet_kpi_daily'::text, EXISTS (SELECT 1 FROM public.fleet_kpi_daily)
  UNION ALL SELECT 'inventory_kpi_daily', EXISTS (SELECT 1 FROM public.inventory_kpi_daily)
  UNION ALL SELECT 'sales_kpi_daily', EXISTS (SELECT 1 FROM public.sales_kpi_daily)
  UNION ALL SELECT 'sales_kpi_daily_by_product', EXISTS (SELECT 1 FROM public.sales_kpi_daily_by_product)
$$;

-- Signed-in users only: anon (no sign-in) learns nothing, not even whether the pipeline has run.
REVOKE ALL ON FUNCTION public.kpi_mirror_status() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.kpi_mirror_status() TO authenticated, service_role;
