-- The KPI tables, written once: both dialects' 001 migrations include this file (schema.py renders
-- it into them, byte for byte the text they were first applied with, so their checksums hold).

CREATE TABLE IF NOT EXISTS inventory_kpi_daily (
  data_date DATE NOT NULL,
  org_id BIGINT NOT NULL,
  warehouse_id BIGINT NOT NULL,
  receipts_qty DECIMAL(18,3) NOT NULL,
  issues_qty DECIMAL(18,3) NOT NULL,
  adjustments_qty DECIMAL(18,3) NOT NULL,
  net_change_qty DECIMAL(18,3) NOT NULL,
  closing_qty DECIMAL(18,3) NOT NULL,
  tx_count BIGINT NOT NULL,
  active_sku_count BIGINT NOT NULL,
  stockout_sku_count BIGINT NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (data_date, org_id, warehouse_id)
);

CREATE TABLE IF NOT EXISTS fleet_kpi_daily (
  data_date DATE NOT NULL,
  org_id BIGINT NOT NULL,
  vehicle_id BIGINT NOT NULL,
  shipments_dispatched BIGINT NOT NULL,
  shipments_delivered BIGINT NOT NULL,
  shipments_failed BIGINT NOT NULL,
  on_time_delivered BIGINT NOT NULL,
  on_time_rate DECIMAL(9,6) NULL,
  avg_delivery_minutes DECIMAL(12,2) NULL,
  distance_km DECIMAL(14,2) NOT NULL,
  scan_events BIGINT NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (data_date, org_id, vehicle_id)
);

CREATE TABLE IF NOT EXISTS sales_kpi_daily (
  data_date DATE NOT NULL,
  org_id BIGINT NOT NULL,
  revenue_tax_in DECIMAL(18,2) NULL,
  cogs_tax_in DECIMAL(18,2) NULL,
  gross_profit DECIMAL(18,2) NULL,
  quantity DECIMAL(18,3) NULL,
  transactions BIGINT NULL,
  `lines` BIGINT NULL,
  gross_margin_pct DECIMAL(12,4) NULL,
  avg_basket_tax_in DECIMAL(18,2) NULL,
  cost_missing_lines BIGINT NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (data_date, org_id)
);

CREATE TABLE IF NOT EXISTS sales_kpi_daily_by_product (
  data_date DATE NOT NULL,
  org_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  product_name VARCHAR(255) NULL,
  revenue_tax_in DECIMAL(18,2) NULL,
  gross_profit DECIMAL(18,2) NULL,
  quantity DECIMAL(18,3) NULL,
  `lines` BIGINT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (data_date, org_id, product_id)
);

-- Cumulative quantity of every (org, warehouse, sku) with any history, at the end of data_date.
CREATE TABLE IF NOT EXISTS kpi_inventory_balance (
  data_date DATE NOT NULL,
  org_id BIGINT NOT NULL,
  warehouse_id BIGINT NOT NULL,
  sku VARCHAR(64) NOT NULL,
  closing_qty DECIMAL(18,3) NOT NULL,
  PRIMARY KEY (data_date, org_id, warehouse_id, sku)
);

-- Which days of kpi_inventory_balance may serve as the starting point of a later day: only days
-- computed after they ended (is_final) and not invalidated by a rerun of an earlier day.
CREATE TABLE IF NOT EXISTS kpi_inventory_balance_day (
  data_date DATE NOT NULL,
  computed_at DATETIME NOT NULL,
  is_final BOOLEAN NOT NULL,
  PRIMARY KEY (data_date)
);
