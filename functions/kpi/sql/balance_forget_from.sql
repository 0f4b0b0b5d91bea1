-- Balance days from :stale_from on missed a backdated row: never start from them again.
DELETE FROM kpi_inventory_balance_day WHERE data_date >= :stale_from;
