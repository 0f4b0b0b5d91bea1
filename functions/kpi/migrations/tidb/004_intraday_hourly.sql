-- Intraday refresh (issue #19): the provisional ("sementara") mark on the sales KPI rows, and the
-- hourly shape of each day. Provisional rows hold an intraday refresh of today up to as_of (UTC);
-- the nightly run of the day replaces them with final rows (provisional false). Idempotent DDL.
ALTER TABLE sales_kpi_daily ADD COLUMN IF NOT EXISTS provisional BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sales_kpi_daily ADD COLUMN IF NOT EXISTS as_of DATETIME NULL;
ALTER TABLE sales_kpi_daily_by_product ADD COLUMN IF NOT EXISTS provisional BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sales_kpi_daily_by_product ADD COLUMN IF NOT EXISTS as_of DATETIME NULL;

-- POS sales by hour of the order in BUSINESS_TZ and POS config (0: none); invoices have no time of day.
CREATE TABLE IF NOT EXISTS sales_kpi_hourly (
  data_date DATE NOT NULL,
  org_id BIGINT NOT NULL,
  config_id BIGINT NOT NULL,
  hour BIGINT NOT NULL,
  revenue_tax_in DECIMAL(18,2) NULL,
  gross_profit DECIMAL(18,2) NULL,
  transactions BIGINT NULL,
  `lines` BIGINT NULL,
  updated_at DATETIME NOT NULL,
  provisional BOOLEAN NOT NULL DEFAULT FALSE,
  as_of DATETIME NULL,
  PRIMARY KEY (data_date, org_id, config_id, hour)
);
