-- The latest trusted balance day before :day (NULL when there is none: the day starts from history).
SELECT MAX(data_date) FROM kpi_inventory_balance_day WHERE data_date < :day AND is_final = TRUE;
