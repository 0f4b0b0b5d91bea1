-- Who may read and write (contract: ../shared/contracts/kpi.md, "Supabase").
-- anon: nothing. authenticated: SELECT, filtered by row-level security through user_org_role.
-- service_role (BYPASSRLS on Supabase) and the table owner (the direct database writer): everything.
-- Re-runnable: grants are idempotent and every policy is dropped before it is created.

GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;

REVOKE ALL ON public.organization, public.warehouse, public.user_org_role,
  public.inventory_kpi_daily, public.fleet_kpi_daily, public.sales_kpi_daily,
  public.sales_kpi_daily_by_product FROM anon, authenticated;
REVOKE ALL ON public.kpi_schema_migrations FROM anon, authenticated, service_role;

GRANT SELECT ON public.organization, public.warehouse, public.user_org_role,
  public.inventory_kpi_daily, public.fleet_kpi_daily, public.sales_kpi_daily,
  public.sales_kpi_daily_by_product TO authenticated;

GRANT SELECT, INSERT, UPDATE, DELETE ON public.organization, public.warehouse, public.user_org_role,
  public.inventory_kpi_daily, public.fleet_kpi_daily, public.sales_kpi_daily,
  public.sales_kpi_daily_by_product TO service_role;

ALTER TABLE public.organization ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.warehouse ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.user_org_role ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.inventory_kpi_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.fleet_kpi_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.sales_kpi_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.sales_kpi_daily_by_product ENABLE ROW LEVEL SECURITY;

-- A user sees their own grants, and the organisations and warehouses those grants cover.
DROP POLICY IF EXISTS user_org_role_own_rows ON public.user_org_role;
CREATE POLICY user_org_role_own_rows ON public.user_org_role
  FOR SELECT TO authenticated
  USING (user_id = (SELECT auth.uid()));

DROP POLICY IF EXISTS organization_member_read ON public.organization;
CREATE POLICY organization_member_read ON public.organization
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM public.user_org_role r
    WHERE r.user_id = (SELECT auth.uid()) AND r.org_id = organization.id
  ));

DROP POLICY IF EXISTS warehouse_member_read ON public.warehouse;
CREATE POLICY warehouse_member_read ON public.warehouse
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM public.user_org_role r
    WHERE r.user_id = (SELECT auth.uid()) AND r.org_id = warehouse.org_id
      AND (r.warehouse_id IS NULL OR r.warehouse_id = warehouse.id)
  ));

-- Warehouse-level: an organisation-wide grant (warehouse_id NULL) or a grant for that warehouse.
DROP POLICY IF EXISTS inventory_kpi_daily_member_read ON public.inventory_kpi_daily;
CREATE POLICY inventory_kpi_daily_member_read ON public.inventory_kpi_daily
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM public.user_org_role r
    WHERE r.user_id = (SELECT auth.uid()) AND r.org_id = inventory_kpi_daily.org_id
      AND (r.warehouse_id IS NULL OR r.warehouse_id = inventory_kpi_daily.warehouse_id)
  ));

-- Organisation-level tables (no warehouse_id): any grant in the organisation.
DROP POLICY IF EXISTS fleet_kpi_daily_member_read ON public.fleet_kpi_daily;
CREATE POLICY fleet_kpi_daily_member_read ON public.fleet_kpi_daily
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM public.user_org_role r
    WHERE r.user_id = (SELECT auth.uid()) AND r.org_id = fleet_kpi_daily.org_id
  ));

DROP POLICY IF EXISTS sales_kpi_daily_member_read ON public.sales_kpi_daily;
CREATE POLICY sales_kpi_daily_member_read ON public.sales_kpi_daily
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM public.user_org_role r
    WHERE r.user_id = (SELECT auth.uid()) AND r.org_id = sales_kpi_daily.org_id
  ));

DROP POLICY IF EXISTS sales_kpi_daily_by_product_member_read ON public.sales_kpi_daily_by_product;
CREATE POLICY sales_kpi_daily_by_product_member_read ON public.sales_kpi_daily_by_product
  FOR SELECT TO authenticated
  USING (EXISTS (
    SELECT 1 FROM public.user_org_role r
    WHERE r.user_id = (SELECT auth.uid()) AND r.org_id = sales_kpi_daily_by_product.org_id
  ));
