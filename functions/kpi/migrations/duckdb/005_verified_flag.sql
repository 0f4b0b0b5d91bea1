-- Whether the day's data passed every check against Odoo and against itself (false: unverified;
-- the run records name the differences). Rows written before this column count as verified.
ALTER TABLE sales_kpi_daily ADD COLUMN IF NOT EXISTS verified BOOLEAN DEFAULT TRUE;
ALTER TABLE sales_kpi_daily_by_product ADD COLUMN IF NOT EXISTS verified BOOLEAN DEFAULT TRUE;
