-- The highest inventory_tx id now: a balance computed in this transaction covers every row up to it
-- (read first, so a row committed meanwhile is at worst re-checked, never missed).
SELECT COALESCE(MAX(id), 0) FROM inventory_tx;
