-- Rows a saved balance did not cover: inserted after it was computed (id above what it saw) yet dated
-- before its end. A primary-key range over the rows added since then, however long the history.
SELECT COUNT(*), MIN(tx_at) FROM inventory_tx WHERE id > :base_max_id AND tx_at < :base_end;
