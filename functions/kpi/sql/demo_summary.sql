-- A few lines per KPI table of day :day for `nkpipe demo` / `nkpipe kpi show` to print.
SELECT 'inventory' AS kpi, org_id, COUNT(*) AS kpi_rows,
       SUM(tx_count) AS inventory_tx, SUM(closing_qty) AS closing_qty, SUM(stockout_sku_count) AS stockout_skus,
       NULL AS delivered, NULL AS failed, NULL AS on_time_rate,
       NULL AS transactions, NULL AS revenue_tax_in, NULL AS gross_margin_pct
FROM inventory_kpi_daily WHERE data_date = :day GROUP BY org_id
UNION ALL
SELECT 'fleet', org_id, COUNT(*), NULL, NULL, NULL,
       SUM(shipments_delivered), SUM(shipments_failed),
       ROUND(SUM(on_time_delivered) * 1.0000 / NULLIF(SUM(shipments_delivered), 0), 4),
       NULL, NULL, NULL
FROM fleet_kpi_daily WHERE data_date = :day GROUP BY org_id
UNION ALL
SELECT 'sales', org_id, COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL,
       SUM(transactions), SUM(revenue_tax_in), MAX(gross_margin_pct)
FROM sales_kpi_daily WHERE data_date = :day GROUP BY org_id
ORDER BY kpi, org_id;
