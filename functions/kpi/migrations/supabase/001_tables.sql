-- Supabase side of ../shared/contracts/kpi.md: organisations, warehouses, who may see what, and the
-- four KPI mirror tables (same columns and keys as in TiDB). Idempotent: safe to run again.
-- Supabase's own `auth` schema (auth.users, auth.uid()) is Supabase's: it is used, never created.

CREATE TABLE IF NOT EXISTS public.organization (
  id bigint PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE IF NOT EXISTS public.warehouse (
  id bigint PRIMARY KEY,
  org_id bigint NOT NULL REFERENCES public.organization (id),
  code text,
  name text
);
CREATE INDEX IF NOT EXISTS warehouse_org_id_idx ON public.warehouse (org_id);

CREATE TABLE IF NOT EXISTS public.user_org_role (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  org_id bigint NOT NULL REFERENCES public.organization (id) ON DELETE CASCADE,
  warehouse_id bigint NULL REFERENCES public.warehouse (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'manager', 'viewer'))
);
-- One grant per user, organisation and warehouse (NULL warehouse = the whole organisation).
CREATE UNIQUE INDEX IF NOT EXISTS user_org_role_unique_idx
  ON public.user_org_role (user_id, org_id, COALESCE(warehouse_id, 0));
CREATE INDEX IF NOT EXISTS user_org_role_user_idx ON public.user_org_role (user_id, org_id);

CREATE TABLE IF NOT EXISTS public.inventory_kpi_daily (
  data_date date NOT NULL,
  org_id bigint NOT NULL,
  warehouse_id bigint NOT NULL,
  receipts_qty numeric(18,3) NOT NULL,
  issues_qty numeric(18,3) NOT NULL,
  adjustments_qty numeric(18,3) NOT NULL,
  net_change_qty numeric(18,3) NOT NULL,
  closing_qty numeric(18,3) NOT NULL,
  tx_count bigint NOT NULL,
  active_sku_count bigint NOT NULL,
  stockout_sku_count bigint NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (data_date, org_id, warehouse_id)
);

CREATE TABLE IF NOT EXISTS public.fleet_kpi_daily (
  data_date date NOT NULL,
  org_id bigint NOT NULL,
  vehicle_id bigint NOT NULL,
  shipments_dispatched bigint NOT NULL,
  shipments_delivered bigint NOT NULL,
  shipments_failed bigint NOT NULL,
  on_time_delivered bigint NOT NULL,
  on_time_rate numeric(9,6),
  avg_delivery_minutes numeric(12,2),
  distance_km numeric(14,2) NOT NULL,
  scan_events bigint NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (data_date, org_id, vehicle_id)
);

CREATE TABLE IF NOT EXISTS public.sales_kpi_daily (
  data_date date NOT NULL,
  org_id bigint NOT NULL,
  revenue_tax_in numeric(18,2),
  cogs_tax_in numeric(18,2),
  gross_profit numeric(18,2),
  quantity numeric(18,3),
  transactions bigint,
  lines bigint,
  gross_margin_pct numeric(12,4),
  avg_basket_tax_in numeric(18,2),
  cost_missing_lines bigint NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (data_date, org_id)
);

CREATE TABLE IF NOT EXISTS public.sales_kpi_daily_by_product (
  data_date date NOT NULL,
  org_id bigint NOT NULL,
  product_id bigint NOT NULL,
  product_name text,
  revenue_tax_in numeric(18,2),
  gross_profit numeric(18,2),
  quantity numeric(18,3),
  lines bigint,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (data_date, org_id, product_id)
);

-- The policies look rows up by org (and warehouse); keep those lookups on an index.
CREATE INDEX IF NOT EXISTS inventory_kpi_daily_org_idx ON public.inventory_kpi_daily (org_id, warehouse_id);
CREATE INDEX IF NOT EXISTS fleet_kpi_daily_org_idx ON public.fleet_kpi_daily (org_id);
CREATE INDEX IF NOT EXISTS sales_kpi_daily_by_product_org_idx ON public.sales_kpi_daily_by_product (org_id);
