-- The PTMMM operational tables for a staging TiDB/MariaDB that gets the generated demo operations
-- (`nkpipe demo --load-ops-into-tidb`). Production TiDB already has them; the KPI SQL needs the
-- indexes on the time columns below (tx_at, dispatched_at, delivered_at, scanned_at).

CREATE TABLE IF NOT EXISTS orders (
  id BIGINT NOT NULL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  warehouse_id BIGINT NOT NULL,
  customer_ref VARCHAR(64) NULL,
  status VARCHAR(16) NOT NULL,
  total_amount DECIMAL(18,2) NULL,
  ordered_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  KEY idx_orders_ordered_at (ordered_at)
);

CREATE TABLE IF NOT EXISTS shipments (
  id BIGINT NOT NULL PRIMARY KEY,
  order_id BIGINT NOT NULL,
  org_id BIGINT NOT NULL,
  warehouse_id BIGINT NOT NULL,
  vehicle_id BIGINT NOT NULL,
  driver_id BIGINT NULL,
  status VARCHAR(16) NOT NULL,
  planned_at DATETIME NOT NULL,
  dispatched_at DATETIME NULL,
  promised_at DATETIME NULL,
  delivered_at DATETIME NULL,
  distance_km DECIMAL(10,2) NULL,
  updated_at DATETIME NOT NULL,
  KEY idx_shipments_dispatched_at (dispatched_at),
  KEY idx_shipments_delivered_at (delivered_at)
);

CREATE TABLE IF NOT EXISTS inventory_tx (
  id BIGINT NOT NULL PRIMARY KEY,
  org_id BIGINT NOT NULL,
  warehouse_id BIGINT NOT NULL,
  sku VARCHAR(64) NOT NULL,
  tx_type VARCHAR(16) NOT NULL,
  qty DECIMAL(18,3) NOT NULL,
  unit_cost DECIMAL(18,2) NULL,
  tx_at DATETIME NOT NULL,
  ref VARCHAR(64) NULL,
  KEY idx_inventory_tx_tx_at (tx_at)
);

CREATE TABLE IF NOT EXISTS scan_event (
  id BIGINT NOT NULL PRIMARY KEY,
  shipment_id BIGINT NOT NULL,
  vehicle_id BIGINT NOT NULL,
  event_type VARCHAR(16) NOT NULL,
  scanned_at DATETIME NOT NULL,
  lat DOUBLE NULL,
  lon DOUBLE NULL,
  KEY idx_scan_event_scanned_at (scanned_at)
);

CREATE TABLE IF NOT EXISTS nkpipe_demo_ops (
  seed BIGINT NOT NULL,
  first_day DATE NOT NULL,
  last_day DATE NOT NULL,
  scale DOUBLE NOT NULL,
  loaded_at DATETIME NOT NULL
);
