-- A few lines per KPI table of day :day for `nkpipe demo` to print.
SELECT 'inventory' AS kpi, org_id, COUNT(*) AS kpi_rows,
       SUM(tx_count) AS events, SUM(closing_qty) AS closing_qty, SUM(stockout_sku_count) AS stockouts,
       NULL AS on_time_rate, NULL AS revenue_tax_in, NULL AS gross_margin_pct
FROM inventory_kpi_daily WHERE data_date = :day GROUP BY org_id
UNION ALL
SELECT 'fleet', org_id, COUNT(*), SUM(shipments_delivered), NULL, SUM(shipments_failed),
       ROUND(SUM(on_time_delivered) * 1.0000 / NULLIF(SUM(shipments_delivered), 0), 4), NULL, NULL
FROM fleet_kpi_daily WHERE data_date = :day GROUP BY org_id
UNION ALL
SELECT 'sales', org_id, COUNT(*), SUM(transactions), NULL, NULL, NULL, SUM(revenue_tax_in), MAX(gross_margin_pct)
FROM sales_kpi_daily WHERE data_date = :day GROUP BY org_id
ORDER BY kpi, org_id;
