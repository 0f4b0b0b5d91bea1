-- Schema rollback (nkpipe kpi drop --yes-drop-kpi-tables): the KPI tables, the balances and the
-- migration records go; the operational tables are never touched.
DROP TABLE IF EXISTS inventory_kpi_daily;
DROP TABLE IF EXISTS inventory_stockout_daily;
DROP TABLE IF EXISTS fleet_kpi_daily;
DROP TABLE IF EXISTS sales_kpi_daily;
DROP TABLE IF EXISTS sales_kpi_daily_by_product;
DROP TABLE IF EXISTS sales_kpi_hourly;
DROP TABLE IF EXISTS kpi_inventory_balance;
DROP TABLE IF EXISTS kpi_inventory_balance_day;
DROP TABLE IF EXISTS kpi_schema_migrations;
