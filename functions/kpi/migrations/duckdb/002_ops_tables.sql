-- The PTMMM operational tables (contract: ../shared/contracts/kpi.md). In production they live in
-- TiDB and belong to the operations system; the embedded store holds the demo's generated copy.

CREATE TABLE IF NOT EXISTS orders (
  id BIGINT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  warehouse_id BIGINT NOT NULL,
  customer_ref VARCHAR(64),
  status VARCHAR(16) NOT NULL,
  total_amount DECIMAL(18,2),
  ordered_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL
);

CREATE TABLE IF NOT EXISTS shipments (
  id BIGINT PRIMARY KEY,
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
  updated_at DATETIME NOT NULL
);

CREATE TABLE IF NOT EXISTS inventory_tx (
  id BIGINT PRIMARY KEY,
  org_id BIGINT NOT NULL,
  warehouse_id BIGINT NOT NULL,
  sku VARCHAR(64) NOT NULL,
  tx_type VARCHAR(16) NOT NULL,
  qty DECIMAL(18,3) NOT NULL,
  unit_cost DECIMAL(18,2) NULL,
  tx_at DATETIME NOT NULL,
  ref VARCHAR(64) NULL
);

CREATE TABLE IF NOT EXISTS scan_event (
  id BIGINT PRIMARY KEY,
  shipment_id BIGINT NOT NULL,
  vehicle_id BIGINT NOT NULL,
  event_type VARCHAR(16) NOT NULL,
  scanned_at DATETIME NOT NULL,
  lat DOUBLE NULL,
  lon DOUBLE NULL
);

-- Marks the ops tables as holding generated demo data (the loader refuses to replace anything else).
CREATE TABLE IF NOT EXISTS nkpipe_demo_ops (
  seed BIGINT NOT NULL,
  first_day DATE NOT NULL,
  last_day DATE NOT NULL,
  scale DOUBLE NOT NULL,
  loaded_at DATETIME NOT NULL
);
