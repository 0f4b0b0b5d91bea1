-- inventory_stockout_daily, written once: duckdb 007 and tidb 005 include this file (schema.py).
CREATE TABLE IF NOT EXISTS inventory_stockout_daily (
  data_date DATE NOT NULL,
  org_id BIGINT NOT NULL,
  warehouse_id BIGINT NOT NULL,
  sku VARCHAR(64) NOT NULL,
  closing_qty DECIMAL(18,3) NOT NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (data_date, org_id, warehouse_id, sku)
);
