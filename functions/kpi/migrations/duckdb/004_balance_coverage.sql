-- What each saved balance day covered: the highest inventory_tx id that existed when it was computed.
-- A later run reuses the balance only if no row with a higher id is dated before the day's end
-- (a backdated insert); balance days without it (computed before this column) are never reused.
ALTER TABLE kpi_inventory_balance_day ADD COLUMN IF NOT EXISTS covered_max_id BIGINT NULL;
