-- inventory_kpi_daily for day :day, inside the day's transaction.
-- Parameters: day, day_start, day_end (UTC window of the business day), base_day (latest final
-- balance day before :day, or NULL), base_end (end of base_day's window, or a date before all
-- history), now (UTC write time), is_final (the day had ended when it was computed), covered_max_id
-- (the highest inventory_tx id when the transaction began).

-- Balances of later days were built on the previous copy of this day: stop trusting them (they are
-- rebuilt from the nearest trusted day when those days run again).
DELETE FROM kpi_inventory_balance_day WHERE data_date >= :day;

DELETE FROM kpi_inventory_balance WHERE data_date = :day;

-- Closing quantity per (org, warehouse, sku): the base day's balance plus the rows after it, up to the
-- end of :day. The work is one day of rows plus one balance per sku, however long the history is.
INSERT INTO kpi_inventory_balance (data_date, org_id, warehouse_id, sku, closing_qty)
SELECT :day, movements.org_id, movements.warehouse_id, movements.sku, SUM(movements.qty)
FROM (
  SELECT b.org_id, b.warehouse_id, b.sku, b.closing_qty AS qty
  FROM kpi_inventory_balance b
  WHERE b.data_date = :base_day
  UNION ALL
  SELECT t.org_id, t.warehouse_id, t.sku, t.qty
  FROM inventory_tx t
  WHERE t.tx_at >= :base_end AND t.tx_at < :day_end
) movements
GROUP BY movements.org_id, movements.warehouse_id, movements.sku;

INSERT INTO kpi_inventory_balance_day (data_date, computed_at, is_final, covered_max_id)
VALUES (:day, :now, :is_final, :covered_max_id);

DELETE FROM inventory_kpi_daily WHERE data_date = :day;
DELETE FROM inventory_stockout_daily WHERE data_date = :day;

-- One row per (org, warehouse) with any history (the balances), so a quiet warehouse still gets its
-- closing stock; the day's sums and counts come from the day's rows and are 0 when there are none.
INSERT INTO inventory_kpi_daily (
  data_date, org_id, warehouse_id, receipts_qty, issues_qty, adjustments_qty, net_change_qty,
  closing_qty, tx_count, active_sku_count, stockout_sku_count, updated_at
)
SELECT
  :day,
  stock.org_id,
  stock.warehouse_id,
  COALESCE(activity.receipts_qty, 0),
  COALESCE(activity.issues_qty, 0),
  COALESCE(activity.adjustments_qty, 0),
  COALESCE(activity.net_change_qty, 0),
  stock.closing_qty,
  COALESCE(activity.tx_count, 0),
  COALESCE(activity.active_sku_count, 0),
  stock.stockout_sku_count,
  :now
FROM (
  SELECT b.org_id, b.warehouse_id,
         SUM(b.closing_qty) AS closing_qty,
         SUM(CASE WHEN b.closing_qty <= 0 THEN 1 ELSE 0 END) AS stockout_sku_count
  FROM kpi_inventory_balance b
  WHERE b.data_date = :day
  GROUP BY b.org_id, b.warehouse_id
) stock
LEFT JOIN (
  SELECT t.org_id, t.warehouse_id,
         SUM(CASE WHEN t.tx_type IN ('receipt', 'transfer_in') THEN t.qty ELSE 0 END) AS receipts_qty,
         -SUM(CASE WHEN t.tx_type IN ('issue', 'transfer_out') THEN t.qty ELSE 0 END) AS issues_qty,
         SUM(CASE WHEN t.tx_type = 'adjustment' THEN t.qty ELSE 0 END) AS adjustments_qty,
         SUM(t.qty) AS net_change_qty,
         COUNT(*) AS tx_count,
         COUNT(DISTINCT t.sku) AS active_sku_count
  FROM inventory_tx t
  WHERE t.tx_at >= :day_start AND t.tx_at < :day_end
  GROUP BY t.org_id, t.warehouse_id
) activity
  ON activity.org_id = stock.org_id AND activity.warehouse_id = stock.warehouse_id;

-- The SKUs behind stockout_sku_count: the same balances, the same test (so the counts always agree).
INSERT INTO inventory_stockout_daily (data_date, org_id, warehouse_id, sku, closing_qty, updated_at)
SELECT :day, b.org_id, b.warehouse_id, b.sku, b.closing_qty, :now
FROM kpi_inventory_balance b
WHERE b.data_date = :day AND b.closing_qty <= 0;
