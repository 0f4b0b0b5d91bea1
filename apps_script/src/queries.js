// The reads one dashboard refresh makes for day D. Column names are the mirror contract
// (contracts/kpi.md); the Python suite runs these same queries against PostgreSQL to make the
// fixtures of the Node tests.

const SALES_COLUMNS = ['data_date', 'org_id', 'revenue_tax_in', 'cogs_tax_in', 'gross_profit', 'gross_margin_pct',
  'quantity', 'transactions', 'lines', 'avg_basket_tax_in', 'cost_missing_lines', 'verified'];
const PRODUCT_COLUMNS = ['org_id', 'product_id', 'product_name', 'revenue_tax_in', 'gross_profit', 'quantity', 'lines'];
const INVENTORY_COLUMNS = ['data_date', 'org_id', 'warehouse_id', 'receipts_qty', 'issues_qty', 'adjustments_qty',
  'net_change_qty', 'closing_qty', 'tx_count', 'active_sku_count', 'stockout_sku_count'];
const FLEET_COLUMNS = ['data_date', 'org_id', 'vehicle_id', 'shipments_dispatched', 'shipments_delivered',
  'shipments_failed', 'on_time_delivered', 'on_time_rate', 'avg_delivery_minutes', 'distance_km', 'scan_events'];
// Ringkasan's "Per toko (POS)": the POS shops' hours of the shown day and of the same weekday last
// week, summed per day in the script (sales_kpi_hourly has no daily per-shop table of its own).
const POS_SHOP_COLUMNS = ['data_date', 'org_id', 'config_id', 'revenue_tax_in', 'gross_profit', 'transactions'];
const STOCKOUT_COLUMNS = ['org_id', 'warehouse_id', 'sku', 'closing_qty'];
const MIRROR_TABLES = ['sales_kpi_daily', 'sales_kpi_daily_by_product', 'inventory_kpi_daily', 'fleet_kpi_daily'];

/**
 * @param {string} day 'YYYY-MM-DD'
 * @returns {RestQuery[]}
 */
function dashboardQueries_(day) {
  const historyFrom = addDays_(day, -(HISTORY_DAYS - 1));
  /** @type {RestQuery[]} */
  const queries = [
    {
      name: 'sales_daily',
      table: 'sales_kpi_daily',
      select: SALES_COLUMNS,
      filters: [['data_date', 'gte', addDays_(day, -(SALES_SERIES_DAYS - 1))], ['data_date', 'lte', day]],
      order: [['data_date', 'asc'], ['org_id', 'asc']],
    },
    {
      name: 'top_products',
      table: 'sales_kpi_daily_by_product',
      select: PRODUCT_COLUMNS,
      filters: [['data_date', 'eq', day]],
      order: [['gross_profit', 'desc'], ['org_id', 'asc'], ['product_id', 'asc']],
      limit: TOP_PRODUCTS,
    },
    {
      name: 'inventory_daily',
      table: 'inventory_kpi_daily',
      select: INVENTORY_COLUMNS,
      filters: [['data_date', 'gte', historyFrom], ['data_date', 'lte', day]],
      order: [['data_date', 'asc'], ['org_id', 'asc'], ['warehouse_id', 'asc']],
    },
    {
      name: 'fleet_daily',
      table: 'fleet_kpi_daily',
      select: FLEET_COLUMNS,
      filters: [['data_date', 'gte', historyFrom], ['data_date', 'lte', day]],
      order: [['data_date', 'asc'], ['org_id', 'asc'], ['vehicle_id', 'asc']],
    },
    {
      name: 'pos_shops',
      table: 'sales_kpi_hourly',
      select: POS_SHOP_COLUMNS,
      filters: [['data_date', 'gte', addDays_(day, -7)], ['data_date', 'lte', day]],
      order: [['data_date', 'asc'], ['org_id', 'asc'], ['config_id', 'asc'], ['hour', 'asc']],
    },
    {
      // The first STOCKOUT_LIST_ROWS only: how many more there are comes from inventory_kpi_daily's
      // stockout_sku_count (the same SKUs, counted), so a warehouse with thousands costs one page.
      name: 'stockouts',
      table: 'inventory_stockout_daily',
      select: STOCKOUT_COLUMNS,
      filters: [['data_date', 'eq', day]],
      order: [['org_id', 'asc'], ['warehouse_id', 'asc'], ['closing_qty', 'asc'], ['sku', 'asc']],
      limit: STOCKOUT_LIST_ROWS,
    },
  ];
  // Names for the labels; row-level security shows only the user's organisations and warehouses.
  queries.push({
    name: 'organizations',
    table: 'organization',
    select: ['id', 'name'],
    filters: [],
    order: [['id', 'asc']],
  });
  queries.push({
    name: 'warehouses',
    table: 'warehouse',
    select: ['id', 'org_id', 'code', 'name'],
    filters: [],
    order: [['id', 'asc']],
  });
  // The user's own grants (row-level security shows a user only theirs): none means "no access",
  // which an empty KPI table alone cannot tell from "no data yet".
  queries.push({
    name: 'memberships',
    table: 'user_org_role',
    select: ['org_id', 'warehouse_id', 'role'],
    filters: [],
    order: [['org_id', 'asc'], ['warehouse_id', 'asc']],
  });
  // Whether each mirror table has rows at all, whoever may see them (migration 005's function).
  queries.push({
    name: 'mirror_status',
    table: 'kpi_mirror_status',
    rpc: true,
    select: ['table_name', 'has_rows'],
    filters: [],
    order: [['table_name', 'asc']],
    limit: 20,
  });
  MIRROR_TABLES.forEach(function (table) {
    queries.push({
      name: 'latest_' + table,
      table: table,
      // data_date only: it is the one column every mirror table is sure to have besides the keys.
      select: ['data_date'],
      filters: [],
      order: [['data_date', 'desc']],
      limit: 1,
    });
  });
  return queries;
}
