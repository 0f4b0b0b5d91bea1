-- sales_kpi_hourly, written once: duckdb 006 and tidb 004 include this file (schema.py).
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
