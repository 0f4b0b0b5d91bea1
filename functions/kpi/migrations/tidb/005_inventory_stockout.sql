-- Dashboard (issue #18): the SKUs out of stock at the end of each day, per warehouse (closing_qty <= 0
-- in kpi_inventory_balance), written by sql/inventory_day.sql in the day's transaction. Its rows of a
-- day and warehouse number exactly inventory_kpi_daily.stockout_sku_count. Idempotent DDL.
CREATE TABLE IF NOT EXISTS inventory_stockout_daily (
  data_date DATE NOT NULL,
  org_id BIGINT NOT NULL,
  warehouse_id BIGINT NOT NULL,
  sku VARCHAR(64) NOT NULL,
  closing_qty DECIMAL(18,3) NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (data_date, org_id, warehouse_id, sku)
);
