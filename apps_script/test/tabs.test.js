'use strict';
// The pure tab builders on small inline rows: nulls, zero revenue, missing days, several orgs.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadScript, plain } = require('./support/sandbox');

const DAY = '2026-11-19';

function context(s, results, { today = '2026-11-21' } = {}) {
  const filled = {};
  for (const [name, value] of Object.entries(results)) {
    filled[name] = typeof value === 'string' ? { rows: null, error: value } : { rows: value, error: '' };
  }
  return { day: DAY, today, fetchedAt: new (s.global('Date'))('2026-11-20T23:00:00Z'), results: filled };
}

function sales(data_date, org_id, revenue, profit, transactions, extra = {}) {
  return { data_date, org_id, revenue_tax_in: revenue, cogs_tax_in: revenue - profit, gross_profit: profit, transactions, lines: transactions * 2, quantity: 1, cost_missing_lines: 0, ...extra };
}

test('Ringkasan sums organisations per day and averages only the days that have data', () => {
  const s = loadScript();
  const rows = [
    sales('2026-11-12', 1, 1000, 200, 10),
    sales('2026-11-18', 1, 3000, 600, 30),
    sales('2026-11-18', 2, 1000, 400, 10),
    sales('2026-11-19', 1, 5000, 1000, 40),
    sales('2026-11-19', 2, 0, 0, 0, { gross_margin_pct: null, avg_basket_tax_in: null }),
    sales('2026-11-11', 1, 999999, 999999, 1), // 8 days before: not in the week compared
  ];
  const ctx = context(s, { sales_daily: rows, fleet_daily: [], inventory_daily: [] });

  const model = plain(s.call('buildSummaryTab_', ctx));

  assert.deepEqual(model.rows.slice(0, 5), [
    ['Pendapatan (termasuk pajak)', 5000, 2500, 2500],
    ['Laba kotor', 1000, 600, 400],
    ['Margin laba kotor', 0.2, 1200 / 5000, 0.2 - 1200 / 5000],
    ['Transaksi', 40, 25, 15],
    ['Rata-rata belanja per transaksi', 125, 5000 / 50, 25],
  ]);
  assert.equal(model.status.level, 'ok');
});

test('Ringkasan leaves a rate empty when there is nothing to divide, and says the day has no sales', () => {
  const s = loadScript();
  const ctx = context(s, {
    sales_daily: [sales('2026-11-18', 1, 0, 0, 0)],
    fleet_daily: [{ data_date: DAY, org_id: 1, vehicle_id: 7, shipments_delivered: 0, on_time_delivered: 0 }],
    inventory_daily: [{ data_date: DAY, org_id: 1, warehouse_id: 3, stockout_sku_count: null }],
  });

  const model = plain(s.call('buildSummaryTab_', ctx));

  const byLabel = Object.fromEntries(model.rows.map((r) => [r[0], r.slice(1)]));
  assert.deepEqual(byLabel['Pendapatan (termasuk pajak)'], [null, 0, null]);
  assert.deepEqual(byLabel['Margin laba kotor'], [null, null, null]);
  assert.deepEqual(byLabel['Pengiriman tepat waktu'], [null, null, null]);
  assert.deepEqual(byLabel['SKU stok habis'], [0, null, null]);
  assert.deepEqual(model.status, { text: 'Belum ada data untuk tanggal 2026-11-19 · diambil 2026-11-21 06:00:00 WIB', level: 'warning' });
});

test('a failed fetch makes the status line an error naming it, even when other reads worked', () => {
  const s = loadScript();
  const ctx = context(s, {
    sales_daily: [sales(DAY, 1, 100, 10, 1)],
    fleet_daily: 'fleet_daily (fleet_kpi_daily): HTTP 503: down',
    inventory_daily: [],
  });

  const model = plain(s.call('buildSummaryTab_', ctx));

  assert.deepEqual(model.status, {
    text: 'GAGAL memuat data — fleet_daily (fleet_kpi_daily): HTTP 503: down · diambil 2026-11-21 06:00:00 WIB',
    level: 'error',
  });
  assert.deepEqual(model.rows[0], ['Pendapatan (termasuk pajak)', 100, null, null]);
});

test('Penjualan & Laba aggregates organisations per day, sorted, with a null margin on a zero-revenue day', () => {
  const s = loadScript();
  const ctx = context(s, {
    sales_daily: [sales(DAY, 2, 50, 5, 1), sales('2026-11-01', 1, 0, 0, 0), sales(DAY, 1, 150, 45, 3)],
  });

  const model = plain(s.call('buildSalesTab_', ctx));

  assert.deepEqual(model.rows, [
    ['2026-11-01', 0, 0, 0, null, 0, null, 0],
    [DAY, 200, 150, 50, 0.25, 4, 50, 0],
  ]);
  assert.deepEqual(model.chart.columns, [1, 2, 4]);
});

test('Produk Teratas ranks in the order PostgREST returned and names nameless products by id', () => {
  const s = loadScript();
  const ctx = context(s, {
    top_products: [
      { org_id: 1, product_id: 9, product_name: 'Kopi', revenue_tax_in: '200.50', gross_profit: '100.25', quantity: 2, lines: 1 },
      { org_id: 1, product_id: 4, product_name: null, revenue_tax_in: 0, gross_profit: -5, quantity: null, lines: 1 },
    ],
  });

  const model = plain(s.call('buildTopProductsTab_', ctx));

  assert.deepEqual(model.rows, [
    [1, 'Kopi', 9, 200.5, 100.25, 0.5, 2, 1],
    [2, 'Produk 4', 4, 0, -5, null, null, 1],
  ]);
});

test('Inventori and Armada keep only the shown day', () => {
  const s = loadScript();
  const ctx = context(s, {
    inventory_daily: [
      { data_date: '2026-11-18', org_id: 1, warehouse_id: 1, stockout_sku_count: 4 },
      { data_date: DAY, org_id: 1, warehouse_id: 2, receipts_qty: 5, issues_qty: 3, adjustments_qty: 0, net_change_qty: 2, closing_qty: 10, stockout_sku_count: 0, active_sku_count: 2, tx_count: 3 },
    ],
    fleet_daily: [
      { data_date: '2026-11-12', org_id: 1, vehicle_id: 8, shipments_failed: 2 },
      { data_date: DAY, org_id: 1, vehicle_id: 9, shipments_dispatched: 1, shipments_delivered: 1, shipments_failed: 1, on_time_rate: 1, avg_delivery_minutes: 30.5, distance_km: 12, scan_events: 4 },
    ],
  });

  const inventory = plain(s.call('buildInventoryTab_', ctx));
  const fleet = plain(s.call('buildFleetTab_', ctx));

  assert.deepEqual(inventory.rows, [['Gudang 2', 'Organisasi 1', 5, 3, 0, 2, 10, 0, 2, 3]]);
  assert.deepEqual(inventory.rowBackgrounds, [null]);
  assert.deepEqual(fleet.rows, [['Kendaraan 9', 'Organisasi 1', 1, 1, 1, 1, 30.5, 12, 4]]);
  assert.deepEqual(fleet.rowBackgrounds, ['#fff2cc']);
});

test('names come from the organization and warehouse rows; a nameless one keeps its id', () => {
  const s = loadScript();
  const ctx = context(s, {
    organizations: [{ id: 1, name: 'New Khatulistiwa' }, { id: 2, name: null }],
    warehouses: [{ id: 5, org_id: 1, code: 'JKT', name: null }, { id: 6, org_id: 2, code: null, name: null }],
    inventory_daily: [
      { data_date: DAY, org_id: 1, warehouse_id: 5 },
      { data_date: DAY, org_id: 2, warehouse_id: 6 },
      { data_date: DAY, org_id: 3, warehouse_id: 7 },
    ],
  });

  const rows = plain(s.call('buildInventoryTab_', ctx)).rows.map((r) => r.slice(0, 2));

  assert.deepEqual(rows, [['JKT', 'New Khatulistiwa'], ['Gudang 6', 'Organisasi 2'], ['Gudang 7', 'Organisasi 3']]);
});

test('Status Data: yesterday is fresh, the day before is stale, an empty table and a failed read are problems', () => {
  const s = loadScript();
  const queries = s.call('dashboardQueries_', DAY);
  const results = Object.fromEntries(plain(queries).map((q) => [q.name, []]));
  results.latest_sales_kpi_daily = [{ data_date: '2026-11-20' }];
  results.latest_sales_kpi_daily_by_product = [{ data_date: '2026-11-19' }];
  results.latest_inventory_kpi_daily = [];
  results.latest_fleet_kpi_daily = 'latest_fleet_kpi_daily (fleet_kpi_daily): HTTP 401: JWT expired';

  const model = plain(s.call('buildStatusTab_', context(s, results), queries));

  assert.deepEqual(model.rows.slice(0, 4), [
    ['sales_kpi_daily', '2026-11-20', 'OK', 'terbaru'],
    ['sales_kpi_daily_by_product', '2026-11-19', 'BASI', 'lebih lama dari kemarin (2026-11-20)'],
    ['inventory_kpi_daily', '', 'KOSONG', 'tabel belum berisi data'],
    ['fleet_kpi_daily', '', 'GAGAL', 'latest_fleet_kpi_daily (fleet_kpi_daily): HTTP 401: JWT expired'],
  ]);
  assert.deepEqual(model.rowBackgrounds.slice(0, 4), ['#d9ead3', '#f4cccc', '#f4cccc', '#f4cccc']);
  assert.equal(model.status.level, 'error');
  assert.match(model.status.text, /^4 masalah/);
});

test('business days are Jakarta days and date arithmetic crosses months and leap days', () => {
  const s = loadScript();
  const D = s.global('Date');

  assert.equal(s.call('businessToday_', new D('2026-11-20T16:59:59Z')), '2026-11-20');
  assert.equal(s.call('businessToday_', new D('2026-11-20T17:00:00Z')), '2026-11-21');
  assert.equal(s.call('addDays_', '2028-03-01', -1), '2028-02-29');
  assert.equal(s.call('addDays_', '2026-12-31', 1), '2027-01-01');
  assert.equal(s.call('isIsoDay_', '2026-02-29'), false);
  assert.equal(s.call('isIsoDay_', '2028-02-29'), true);
  assert.equal(s.call('isIsoDay_', '20261119'), false);
});
