-- Rollback of one data_date (nkpipe kpi rollback): the day's KPI rows and its stock balance go.
-- Later balances stay valid (they never depended on this day's rows, only on inventory_tx).
DELETE FROM inventory_kpi_daily WHERE data_date = :day;
DELETE FROM inventory_stockout_daily WHERE data_date = :day;
DELETE FROM fleet_kpi_daily WHERE data_date = :day;
DELETE FROM sales_kpi_daily WHERE data_date = :day;
DELETE FROM sales_kpi_daily_by_product WHERE data_date = :day;
DELETE FROM sales_kpi_hourly WHERE data_date = :day;
DELETE FROM kpi_inventory_balance_day WHERE data_date = :day;
DELETE FROM kpi_inventory_balance WHERE data_date = :day;
