-- The sales KPI rows of day :day are computed from the lake's profit aggregates (functions/kpi/sales.py)
-- and inserted with the statements of sales_insert_*.sql; first the day's old rows go.
DELETE FROM sales_kpi_daily WHERE data_date = :day;
DELETE FROM sales_kpi_daily_by_product WHERE data_date = :day;
DELETE FROM sales_kpi_hourly WHERE data_date = :day;
