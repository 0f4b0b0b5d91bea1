-- Whether the day's data passed every check against Odoo and against itself (false: unverified;
-- the run records name the differences). Rows written before this column count as verified.
-- The dashboard reads it to show its "belum terverifikasi" banner; the RLS policies are unchanged.
ALTER TABLE public.sales_kpi_daily ADD COLUMN IF NOT EXISTS verified boolean NOT NULL DEFAULT true;
ALTER TABLE public.sales_kpi_daily_by_product ADD COLUMN IF NOT EXISTS verified boolean NOT NULL DEFAULT true;
