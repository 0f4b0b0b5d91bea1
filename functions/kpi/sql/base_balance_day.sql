-- The latest trusted balance day before :day and before :before (no row: the day starts from
-- history). Balance days saved without covered_max_id cannot be checked and are never used.
SELECT data_date, covered_max_id
FROM kpi_inventory_balance_day
WHERE data_date < :day AND data_date < :before AND is_final = TRUE AND covered_max_id IS NOT NULL
ORDER BY data_date DESC
LIMIT 1;
