-- Before loading generated demo operations: empty the operational tables (only ever after checking
-- they hold demo data) and forget the stock balances built from the old operations.
TRUNCATE TABLE orders;
TRUNCATE TABLE shipments;
TRUNCATE TABLE inventory_tx;
TRUNCATE TABLE scan_event;
TRUNCATE TABLE nkpipe_demo_ops;
TRUNCATE TABLE kpi_inventory_balance_day;
TRUNCATE TABLE kpi_inventory_balance;
