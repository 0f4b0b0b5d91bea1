-- Intraday refresh (issue #19): the provisional ("sementara") mark on the sales KPI rows, and the
-- hourly shape of each day. Provisional rows hold an intraday refresh of today up to as_of (UTC);
-- the nightly run of the day replaces them with final rows (provisional false). Idempotent DDL.
ALTER TABLE sales_kpi_daily ADD COLUMN IF NOT EXISTS provisional BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sales_kpi_daily ADD COLUMN IF NOT EXISTS as_of DATETIME NULL;
ALTER TABLE sales_kpi_daily_by_product ADD COLUMN IF NOT EXISTS provisional BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sales_kpi_daily_by_product ADD COLUMN IF NOT EXISTS as_of DATETIME NULL;

-- include: ../kpi_hourly_table.sql
