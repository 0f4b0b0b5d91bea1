'use strict';
// The pure tab builders on small inline rows: nulls, zero revenue, missing days, several orgs, month
// edges, stale and hidden tables, a user without grants.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadScript, plain } = require('./support/sandbox');

const DAY = '2026-11-19'; // a Thursday
const GREEN = '#137333';
const RED = '#c5221f';

function context(s, results, extra = {}) {
  const filled = {};
  for (const [name, value] of Object.entries(results)) {
    filled[name] = typeof value === 'string' ? { rows: null, error: value } : { rows: value, error: '' };
  }
  return { day: DAY, today: '2026-11-20', fetchedAt: new (s.global('Date'))('2026-11-19T23:00:00Z'), results: filled, ...extra };
}

function sales(data_date, org_id, revenue, profit, transactions, extra = {}) {
  return { data_date, org_id, revenue_tax_in: revenue, cogs_tax_in: revenue - profit, gross_profit: profit, transactions, lines: transactions * 2, quantity: 1, cost_missing_lines: 0, ...extra };
}

function byLabel(model) {
  return Object.fromEntries(model.rows.slice(0, 7).map((r) => [r[0], r.slice(1, 12)]));
}

// ---------------------------------------------------------------- Ringkasan

test('Ringkasan compares the day with the same weekday last week, the 7 days before, and the month so far', () => {
  const s = loadScript();
  const rows = [
    sales('2026-10-01', 1, 700, 70, 7), // same period last month: 1–19 October
    sales('2026-10-19', 1, 300, 30, 3),
    sales('2026-10-20', 1, 99999, 1, 1), // after the 19th: not compared
    sales('2026-11-01', 1, 1000, 200, 10),
    sales('2026-11-12', 1, 2000, 400, 20), // last Thursday
    sales('2026-11-18', 1, 3000, 600, 30),
    sales('2026-11-18', 2, 1000, 400, 10),
    sales(DAY, 1, 5000, 1000, 40),
    sales(DAY, 2, 0, 0, 0, { gross_margin_pct: null, avg_basket_tax_in: null }),
  ];
  const ctx = context(s, { sales_daily: rows, fleet_daily: [], inventory_daily: [] });

  const model = plain(s.call('buildSummaryTab_', ctx));

  const kpis = byLabel(model);
  // [value, last week, change, 7-day average, change, month so far, same days last month, change, target, change, sparkline]
  assert.deepEqual(kpis['Pendapatan (termasuk pajak)'], [5000, 2000, 1.5, 3000, 0.667, 12000, 1000, 11, null, null, '']);
  assert.deepEqual(kpis['Laba kotor'], [1000, 400, 1.5, 700, 0.429, 2600, 100, 25, null, null, '']);
  assert.deepEqual(kpis['Margin laba kotor'], [0.2, 0.2, 0, 1400 / 6000, -3.3, 2600 / 12000, 0.1, 11.7, null, null, '']);
  assert.deepEqual(kpis['Transaksi'], [40, 20, 1, 30, 0.333, 110, 10, 10, null, null, '']);
  assert.deepEqual(model.headers.slice(0, 12), ['Indikator', 'Kam 19/11/2026', 'Minggu lalu Kam 12/11', 'vs minggu lalu',
    'Rata-rata 7 hari', 'vs rata-rata', 'Bulan ini s.d. 19/11', 'Periode sama bulan lalu', 'vs bulan lalu',
    'Target harian (tab Target)', 'vs target', 'Tren 30 hari']);
  assert.equal(model.status.level, 'ok');
});

test('Ringkasan: rates move in points, amounts in percent, coloured by whether higher is better', () => {
  const s = loadScript();
  const ctx = context(s, {
    sales_daily: [sales('2026-11-12', 1, 1000, 300, 10), sales(DAY, 1, 1100, 308, 10)],
    fleet_daily: [],
    inventory_daily: [
      { data_date: '2026-11-12', org_id: 1, warehouse_id: 3, stockout_sku_count: 2 },
      { data_date: DAY, org_id: 1, warehouse_id: 3, stockout_sku_count: 3 },
    ],
  });

  const model = plain(s.call('buildSummaryTab_', ctx));

  const rows = model.rows.slice(0, 7);
  const formats = model.cellFormats.slice(0, 7);
  const colours = model.fontColors.slice(0, 7);
  assert.deepEqual(rows[0].slice(1, 4), [1100, 1000, 0.1]);
  assert.equal(formats[0][3], '+0.0%;-0.0%;0.0%');
  assert.equal(colours[0][3], GREEN);
  assert.deepEqual(rows[2].slice(1, 4), [0.28, 0.3, -2]); // 28,0% against 30,0%: -2,0 pp
  assert.equal(formats[2][3], '+0.0" pp";-0.0" pp";0.0" pp"');
  assert.equal(colours[2][3], RED);
  assert.deepEqual(rows[6].slice(1, 4), [3, 2, 0.5]); // one more SKU out of stock: up, and red
  assert.equal(colours[6][3], RED);
});

test('Ringkasan: a target typed in the Target tab gives the difference to it; a 30-day sparkline per KPI', () => {
  const s = loadScript();
  const ctx = context(s, { sales_daily: [sales('2026-10-21', 1, 400, 40, 4), sales(DAY, 1, 900, 270, 9)], fleet_daily: [], inventory_daily: [] },
    { targets: { 'Pendapatan (termasuk pajak)': 1000, 'Margin laba kotor': 0.25 } });

  const model = plain(s.call('buildSummaryTab_', ctx));

  assert.deepEqual(model.rows[0].slice(9, 11), [1000, -0.1]);
  assert.deepEqual(model.rows[2].slice(9, 11), [0.25, 5]);
  assert.equal(model.fontColors[0][10], RED);
  assert.deepEqual(model.formulas[0], { row: 0, column: 11, formula: '=SPARKLINE(M3:AP3)' });
  assert.deepEqual(model.formulas[6], { row: 6, column: 11, formula: '=SPARKLINE(M9:AP9)' });
  const series = model.rows[0].slice(12);
  assert.equal(series.length, 30);
  assert.deepEqual([series[0], series[29]], [400, 900], 'oldest (D-29) to the day itself');
  assert.equal(series.filter((v) => v === null).length, 28);
  assert.deepEqual(model.headers.slice(12, 13), ['2026-10-21']);
  assert.deepEqual(model.hiddenColumns, { start: 13, count: 30 });
});

test('Ringkasan: a change that rounds to nothing has no colour and no minus sign', () => {
  const s = loadScript();
  const ctx = context(s, { sales_daily: [sales('2026-11-12', 1, 100000, 29000, 10), sales(DAY, 1, 100000, 28999, 10)], fleet_daily: [], inventory_daily: [] });

  const model = plain(s.call('buildSummaryTab_', ctx));

  assert.deepEqual(model.rows[2].slice(1, 4), [0.28999, 0.29, 0]);
  assert.equal(model.fontColors[2][3], null);
});

test('Ringkasan breaks the day down per organisation and per warehouse', () => {
  const s = loadScript();
  const ctx = context(s, {
    sales_daily: [sales('2026-11-12', 2, 400, 40, 4), sales(DAY, 1, 1000, 250, 10), sales(DAY, 2, 500, 50, 5)],
    fleet_daily: [{ data_date: DAY, org_id: 2, vehicle_id: 7, shipments_delivered: 4, on_time_delivered: 3 }],
    inventory_daily: [
      { data_date: DAY, org_id: 1, warehouse_id: 11, closing_qty: '120.000', stockout_sku_count: 2, active_sku_count: 9 },
      { data_date: '2026-11-12', org_id: 1, warehouse_id: 11, closing_qty: 100, stockout_sku_count: 4, active_sku_count: 9 },
      { data_date: DAY, org_id: 2, warehouse_id: 21, closing_qty: 7.5, stockout_sku_count: 0, active_sku_count: 3 },
    ],
    organizations: [{ id: 1, name: 'New Khatulistiwa' }, { id: 2, name: 'PT Mitra' }],
    warehouses: [{ id: 11, code: 'JKT', name: 'Jakarta' }],
  });

  const model = plain(s.call('buildSummaryTab_', ctx));

  const visible = model.rows.map((r) => r.slice(0, 10));
  const orgHeader = visible.findIndex((r) => r[0] === 'Per organisasi — Kam 19/11/2026');
  assert.deepEqual(visible.slice(orgHeader + 1, orgHeader + 3), [
    ['New Khatulistiwa', 1000, null, null, 250, 0.25, 10, 100, null, 2],
    ['PT Mitra', 500, 400, 0.25, 50, 0.1, 5, 100, 0.75, 0],
  ]);
  const whHeader = visible.findIndex((r) => r[0] === 'Per gudang — Kam 19/11/2026');
  assert.deepEqual(visible.slice(whHeader + 1, whHeader + 3).map((r) => r.slice(0, 7)), [
    ['JKT · Jakarta', 'New Khatulistiwa', 120, 2, 4, -0.5, 9],
    ['Gudang 21', 'PT Mitra', 7.5, 0, null, null, 3],
  ]);
  assert.equal(model.fontColors[whHeader + 1][5], GREEN, 'fewer stockouts than last week is good');
  assert.deepEqual(model.cellFormats[whHeader + 1].slice(2, 3), ['#,##0'], 'a whole quantity has no decimal separator');
  assert.deepEqual(model.cellFormats[whHeader + 2].slice(2, 3), ['#,##0.0##']);
  assert.ok(model.boldRows.includes(orgHeader) && model.boldRows.includes(whHeader));
  assert.ok(model.rows.every((r) => r.length === 42), 'every row reaches the hidden sparkline columns');
});

test('Ringkasan leaves a rate empty when there is nothing to divide, and says the day has no data yet', () => {
  const s = loadScript();
  const ctx = context(s, {
    sales_daily: [sales('2026-11-18', 1, 0, 0, 0)],
    fleet_daily: [{ data_date: DAY, org_id: 1, vehicle_id: 7, shipments_delivered: 0, on_time_delivered: 0 }],
    inventory_daily: [{ data_date: DAY, org_id: 1, warehouse_id: 3, stockout_sku_count: null }],
    latest_sales_kpi_daily: [{ data_date: '2026-11-18' }],
    latest_fleet_kpi_daily: [{ data_date: DAY }],
    latest_inventory_kpi_daily: [{ data_date: DAY }],
  }, { retryAt: 'sekitar 08:00 WIB' });

  const model = plain(s.call('buildSummaryTab_', ctx));

  const kpis = byLabel(model);
  assert.deepEqual(kpis['Pendapatan (termasuk pajak)'].slice(0, 5), [null, null, null, 0, null]);
  assert.deepEqual(kpis['Margin laba kotor'].slice(0, 5), [null, null, null, null, null]);
  assert.deepEqual(kpis['Pengiriman tepat waktu'].slice(0, 1), [null]);
  assert.deepEqual(kpis['SKU stok habis'].slice(0, 1), [0]);
  assert.deepEqual(model.status, {
    text: 'Belum ada data untuk Kam 19/11/2026 — data terakhir Kam 19/11/2026; dicoba lagi sekitar 08:00 WIB · diambil 2026-11-20 06:00:00 WIB',
    level: 'warning',
  });
});

test('month-to-date does not count a day not delivered yet against this month', () => {
  const s = loadScript();
  const ctx = context(s, { sales_daily: [sales('2026-10-01', 1, 100, 10, 1), sales('2026-10-02', 1, 100, 10, 1),
    sales('2026-11-01', 1, 300, 30, 3)], fleet_daily: [], inventory_daily: [] }, { day: '2026-11-02' });

  const model = plain(s.call('buildSummaryTab_', ctx));

  assert.deepEqual(model.rows[0].slice(6, 9), [300, 100, 2], '1 Nov against 1 Oct only: 2 Nov has no data yet');
});

test('a failed fetch makes the status line an error in Indonesian, with the raw message in the note', () => {
  const s = loadScript();
  const ctx = context(s, {
    sales_daily: [sales(DAY, 1, 100, 10, 1)],
    fleet_daily: 'fleet_daily (fleet_kpi_daily): HTTP 503: upstream connect error',
    inventory_daily: [],
  });

  const model = plain(s.call('buildSummaryTab_', ctx));

  assert.deepEqual(model.status, {
    text: 'GAGAL memuat data armada — Supabase tidak menjawab (gangguan server atau jaringan): coba Refresh sekarang beberapa menit lagi; bila berulang, hubungi tim data. · diambil 2026-11-20 06:00:00 WIB',
    level: 'error',
    note: 'Pesan asli:\nfleet_daily (fleet_kpi_daily): HTTP 503: upstream connect error',
  });
  assert.deepEqual(model.rows[0].slice(0, 4), ['Pendapatan (termasuk pajak)', 100, null, null]);
});

test('a user without any grant is told so on every tab, not shown "no data yet"', () => {
  const s = loadScript();
  const ctx = context(s, { sales_daily: [], top_products: [], inventory_daily: [], fleet_daily: [], memberships: [],
    mirror_status: [{ table_name: 'sales_kpi_daily', has_rows: true }] }, { viewer: 'kpi-sheet@example.com' });

  for (const builder of ['buildSummaryTab_', 'buildSalesTab_', 'buildTopProductsTab_', 'buildInventoryTab_', 'buildFleetTab_']) {
    const status = plain(s.call(builder, ctx)).status;

    assert.equal(status.level, 'error', builder);
    assert.match(status.text, /^Tidak ada akses: pengguna kpi-sheet@example\.com belum diberi organisasi mana pun \(user_org_role\)/, builder);
  }
});

test('rows hidden from a member (another warehouse) are an error, not "no data yet"', () => {
  const s = loadScript();
  const ctx = context(s, { inventory_daily: [], memberships: [{ org_id: 2, warehouse_id: 21 }], latest_inventory_kpi_daily: [],
    mirror_status: [{ table_name: 'inventory_kpi_daily', has_rows: true }] });

  const status = plain(s.call('buildInventoryTab_', ctx)).status;

  assert.equal(status.level, 'error');
  assert.match(status.text, /^Tidak ada baris yang boleh dilihat pengguna ini untuk Kam 19\/11\/2026 — tabel berisi data, tetapi tidak untuk organisasi\/gudang pengguna ini/);
});

// ---------------------------------------------------------------- Penjualan & Laba, Produk Teratas

test('Penjualan & Laba: organisations summed per day, newest first, the chart drawn oldest to newest', () => {
  const s = loadScript();
  const ctx = context(s, {
    sales_daily: [sales(DAY, 2, 50, 5, 1), sales('2026-11-01', 1, 0, 0, 0, { cost_missing_lines: 3 }), sales(DAY, 1, 150, 45, 3)],
  });

  const model = plain(s.call('buildSalesTab_', ctx));

  assert.deepEqual(model.rows, [
    [DAY, 200, 150, 50, 0.25, 4, 50, 0],
    ['2026-11-01', 0, 0, 0, null, 0, null, 3],
  ]);
  assert.deepEqual(model.fontColors, [null, [null, null, null, null, null, null, null, RED]]);
  assert.deepEqual(model.charts.map((c) => [c.type, c.columns, c.firstRow, c.rowCount, c.anchorRow, c.anchorColumn, c.newestFirst]),
    [['LINE', [1, 2, 4], 2, 2, 2, 9, true]]);
  assert.equal(model.columnWidths.length, 8);
});

test('Produk Teratas ranks in the order PostgREST returned, names nameless products by id, whole quantities plain', () => {
  const s = loadScript();
  const ctx = context(s, {
    top_products: [
      { org_id: 1, product_id: 9, product_name: 'Kopi', revenue_tax_in: '200.50', gross_profit: '100.25', quantity: 2, lines: 1 },
      { org_id: 2, product_id: 4, product_name: null, revenue_tax_in: 0, gross_profit: -5, quantity: 1.5, lines: 1 },
    ],
    organizations: [{ id: 1, name: 'New Khatulistiwa' }],
  });

  const model = plain(s.call('buildTopProductsTab_', ctx));

  assert.deepEqual(model.rows, [
    [1, 'Kopi', 'New Khatulistiwa', 200.5, 100.25, 0.5, 2, 1, '9'],
    [2, 'Produk 4', 'Organisasi 2', 0, -5, null, 1.5, 1, '4'],
  ]);
  assert.deepEqual(model.cellFormats.map((f) => f[6]), ['#,##0', '#,##0.0##']);
  assert.deepEqual(model.rowBackgrounds, [null, '#f4cccc'], 'a product sold under cost is red');
});

// ---------------------------------------------------------------- Inventori, Armada

test('Inventori: the day per warehouse, a totals row, two charts under it and the trend newest first', () => {
  const s = loadScript();
  const row = (data_date, warehouse_id, receipts, closing, stockouts) => ({ data_date, org_id: 1, warehouse_id, receipts_qty: receipts,
    issues_qty: '3.250', adjustments_qty: 0, net_change_qty: receipts - 3.25, closing_qty: closing, stockout_sku_count: stockouts, active_sku_count: 2, tx_count: 3 });
  const ctx = context(s, {
    inventory_daily: [row('2026-11-17', 1, 4, 100, 4), row(DAY, 1, 5, 10, 0), row(DAY, 2, 6, 20, 1), row('2026-10-01', 1, 9, 9, 9)],
  });

  const model = plain(s.call('buildInventoryTab_', ctx));

  assert.deepEqual(model.rows.slice(0, 3), [
    ['Gudang 1', 'Organisasi 1', 5, 3.25, 0, 1.75, 10, 0, 2, 3],
    ['Gudang 2', 'Organisasi 1', 6, 3.25, 0, 2.75, 20, 1, 2, 3],
    ['Total (2 gudang)', '', 11, 6.5, 0, 4.5, 30, 1, 4, 6],
  ]);
  assert.deepEqual(model.rowBackgrounds.slice(0, 3), [null, '#fff2cc', '#f3f3f3']);
  assert.deepEqual(model.cellFormats[0].slice(2, 7), ['#,##0', '#,##0.0##', '#,##0', '#,##0.0##', '#,##0']);
  const trendHeader = model.rows.findIndex((r) => r[0] === 'Tren harian (semua gudang)');
  assert.equal(trendHeader, 3 + 1 + 16 + 3, 'a blank row and the chart block, then the stockout list, separate the trend from the day');
  assert.deepEqual(model.rows.slice(20, 23).map((r) => r.slice(0, 4)), [
    ['SKU stok habis — Kam 19/11/2026', 'Organisasi', 'SKU', 'Stok akhir'],
    ['1 SKU stok habis, tetapi daftarnya belum ada di mirror', '', '', ''],
    ['', '', '', ''],
  ], 'a count without its list says so rather than listing nothing');
  assert.deepEqual(model.rows.slice(trendHeader + 1).map((r) => [r[0], r[1], r[2], r[6], r[7]]),
    [[DAY, 2, 11, 30, 1], ['2026-11-17', 1, 4, 100, 4]], 'the 30 days up to D, newest first; October is outside them');
  assert.equal(model.cellFormats[trendHeader + 1][0], 'dd/mm/yyyy');
  assert.deepEqual(model.charts.map((c) => [c.type, c.title, c.columns, c.firstRow, c.rowCount, c.anchorRow, c.anchorColumn, c.offsetX]), [
    ['COLUMN', 'Penerimaan dan pengeluaran per hari', [1, 3, 4], 3 + trendHeader, 2, 3 + 4, 1, 0],
    ['LINE', 'Stok akhir per hari (semua gudang)', [1, 7], 3 + trendHeader, 2, 3 + 4, 1, 476],
  ]);
  assert.ok(model.boldRows.includes(2) && model.boldRows.includes(trendHeader));
});

test('Armada: vehicles of the day, totals with a weighted average time, the failed ones highlighted', () => {
  const s = loadScript();
  const ctx = context(s, {
    fleet_daily: [
      { data_date: '2026-11-12', org_id: 1, vehicle_id: 8, shipments_failed: 2, shipments_delivered: 1, on_time_delivered: 1 },
      { data_date: DAY, org_id: 1, vehicle_id: 9, shipments_dispatched: 3, shipments_delivered: 3, shipments_failed: 1, on_time_delivered: 3, on_time_rate: 1, avg_delivery_minutes: 30, distance_km: 12, scan_events: 4 },
      { data_date: DAY, org_id: 1, vehicle_id: 10, shipments_dispatched: 2, shipments_delivered: 1, shipments_failed: 0, on_time_delivered: 0, on_time_rate: 0, avg_delivery_minutes: 70, distance_km: 3.5, scan_events: 2 },
      { data_date: DAY, org_id: 1, vehicle_id: 11, shipments_dispatched: 1, shipments_delivered: 0, shipments_failed: 0, on_time_delivered: 0, on_time_rate: null, avg_delivery_minutes: null, distance_km: 0, scan_events: 1 },
    ],
  });

  const model = plain(s.call('buildFleetTab_', ctx));

  assert.deepEqual(model.rows.slice(0, 4), [
    ['Kendaraan 9', 'Organisasi 1', 3, 3, 1, 1, 30, 12, 4],
    ['Kendaraan 10', 'Organisasi 1', 2, 1, 0, 0, 70, 3.5, 2],
    ['Kendaraan 11', 'Organisasi 1', 1, 0, 0, null, null, 0, 1],
    ['Total (3 kendaraan)', '', 6, 4, 1, 0.75, 40, 15.5, 7],
  ]);
  assert.deepEqual(model.rowBackgrounds.slice(0, 4), ['#fff2cc', null, null, '#f3f3f3']);
  const trend = model.rows.slice(model.rows.findIndex((r) => r[0] === 'Tren harian (semua kendaraan)') + 1);
  assert.deepEqual(trend.map((r) => r.slice(0, 6)), [[DAY, 3, 6, 4, 1, 0.75], ['2026-11-12', 1, 0, 1, 2, 1]]);
  assert.deepEqual(model.charts.map((c) => c.columns), [[1, 4, 5], [1, 6]]);
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

  const rows = plain(s.call('buildInventoryTab_', ctx)).rows.slice(0, 3).map((r) => r.slice(0, 2));

  assert.deepEqual(rows, [['JKT', 'New Khatulistiwa'], ['Gudang 6', 'Organisasi 2'], ['Gudang 7', 'Organisasi 3']]);
});

// ---------------------------------------------------------------- Status Data

function statusResults(s, overrides) {
  const queries = plain(s.call('dashboardQueries_', DAY));
  const results = Object.fromEntries(queries.map((q) => [q.name, []]));
  results.memberships = [{ org_id: 1, warehouse_id: null, role: 'viewer' }];
  results.mirror_status = ['fleet_kpi_daily', 'inventory_kpi_daily', 'sales_kpi_daily', 'sales_kpi_daily_by_product']
    .map((t) => ({ table_name: t, has_rows: true }));
  return { queries: s.call('dashboardQueries_', DAY), results: { ...results, ...overrides } };
}

test('Status Data: each table against its own expected lag — the fleet may be a day behind, sales may not', () => {
  const s = loadScript();
  const { queries, results } = statusResults(s, {
    latest_sales_kpi_daily: [{ data_date: '2026-11-18' }],
    latest_sales_kpi_daily_by_product: [{ data_date: DAY }],
    latest_inventory_kpi_daily: [{ data_date: '2026-11-20' }],
    latest_fleet_kpi_daily: [{ data_date: '2026-11-18' }],
  });

  const model = plain(s.call('buildStatusTab_', context(s, results), queries, []));

  assert.deepEqual(model.headers, ['Tabel', 'Data terakhir', 'Batas wajar', 'Status', 'Keterangan']);
  assert.deepEqual(model.rows.slice(0, 4), [
    ['sales_kpi_daily', 'Rab 18/11/2026', 'maks. 1 hari', 'BASI', 'terlambat: seharusnya sudah ada data Kam 19/11/2026 — periksa jalannya pipeline (tab Status ETL)'],
    ['sales_kpi_daily_by_product', 'Kam 19/11/2026', 'maks. 1 hari', 'OK', 'terbaru'],
    ['inventory_kpi_daily', 'Jum 20/11/2026', 'maks. 1 hari', 'OK', 'terbaru'],
    ['fleet_kpi_daily', 'Rab 18/11/2026', 'maks. 2 hari', 'OK', 'sesuai batas (boleh tertinggal 2 hari)'],
  ]);
  assert.deepEqual(model.rowBackgrounds.slice(0, 4), ['#f4cccc', '#d9ead3', '#d9ead3', '#d9ead3']);
  assert.match(model.status.text, /^1 masalah perlu ditindak/);
  assert.equal(model.status.note, 'sales_kpi_daily: BASI — terlambat: seharusnya sudah ada data Kam 19/11/2026 — periksa jalannya pipeline (tab Status ETL)');
});

test('Status Data: a configured lag makes a table red sooner or later', () => {
  const s = loadScript();
  const { queries, results } = statusResults(s, { latest_fleet_kpi_daily: [{ data_date: '2026-11-18' }] });

  const model = plain(s.call('buildStatusTab_', context(s, results, { maxLagDays: { ...s.global('DEFAULT_MAX_LAG_DAYS'), fleet_kpi_daily: 1 } }), queries, []));

  assert.deepEqual(model.rows[3].slice(2, 4), ['maks. 1 hari', 'BASI']);
});

test('Status Data tells "no data yet" from "not visible to this user" from "this user has no grant"', () => {
  const s = loadScript();
  const base = statusResults(s, {
    mirror_status: [{ table_name: 'fleet_kpi_daily', has_rows: false }, { table_name: 'inventory_kpi_daily', has_rows: true },
      { table_name: 'sales_kpi_daily', has_rows: true }, { table_name: 'sales_kpi_daily_by_product', has_rows: false }],
    latest_sales_kpi_daily: [{ data_date: DAY }],
  });

  const member = plain(s.call('buildStatusTab_', context(s, base.results), base.queries, []));
  const stranger = plain(s.call('buildStatusTab_', context(s, { ...base.results, memberships: [] }, { viewer: 'new@example.com' }), base.queries, []));

  assert.deepEqual(member.rows.slice(0, 4).map((r) => [r[0], r[3], r[4]]), [
    ['sales_kpi_daily', 'OK', 'terbaru'],
    ['sales_kpi_daily_by_product', 'KOSONG', 'tabel belum berisi data: pipeline belum pernah mengisi mirror'],
    ['inventory_kpi_daily', 'TIDAK TERLIHAT', 'tabel berisi data, tetapi tidak untuk organisasi/gudang pengguna ini'],
    ['fleet_kpi_daily', 'KOSONG', 'tabel belum berisi data: pipeline belum pernah mengisi mirror'],
  ]);
  assert.equal(stranger.rows[2][4], 'tabel berisi data, tetapi pengguna ini belum diberi akses (user_org_role)');
  const access = stranger.rows[stranger.rows.findIndex((r) => r[0] === 'Akses pengguna') + 1];
  assert.deepEqual(access, ['new@example.com', '0', '', 'TIDAK ADA AKSES', 'minta admin menambahkan baris di user_org_role untuk pengguna ini']);
  assert.match(stranger.status.note, /^Pengguna new@example\.com belum diberi akses ke organisasi mana pun\./);
});

test('Status Data without the row-count function (migration 005 missing) still reads, and says why it cannot tell', () => {
  const s = loadScript();
  const { queries, results } = statusResults(s, {
    mirror_status: 'mirror_status (kpi_mirror_status): HTTP 404: Could not find the function public.kpi_mirror_status without parameters (PGRST202)',
  });

  const model = plain(s.call('buildStatusTab_', context(s, results), queries, []));

  assert.equal(model.rows[0][3], 'KOSONG');
  assert.equal(model.rows[0][4], 'tidak ada baris yang terlihat (belum ada data, atau pengguna tidak punya akses: jumlah baris tidak bisa dicek — Fungsi status mirror belum ada di Supabase: minta tim data menjalankan "nkpipe migrate".)');
  assert.deepEqual(model.notes[0], { row: 0, column: 4, text: results.mirror_status });
});

test('Status Data: a failed read is explained in Indonesian, the raw message in the note; the refresh facts follow', () => {
  const s = loadScript();
  const raw = 'latest_fleet_kpi_daily (fleet_kpi_daily): HTTP 400: column fleet_kpi_daily.data_date does not exist (42703)';
  const { queries, results } = statusResults(s, { latest_fleet_kpi_daily: raw, latest_sales_kpi_daily: [{ data_date: DAY }] });

  const model = plain(s.call('buildStatusTab_', context(s, results, { retryAt: 'sekitar 08:00 WIB', pinned: true,
    settingsErrors: ['KPI_MAX_LAG_DAYS: "fleet=2" is not <table>=<days> for one of sales_kpi_daily'] }), queries, ['ops@example.com']));

  const explanation = 'Kolom tidak dikenal: versi skrip dan tabel Supabase tidak cocok; minta tim data menjalankan "nkpipe migrate" dan memperbarui skrip.';
  assert.deepEqual(model.rows[3], ['fleet_kpi_daily', '', 'maks. 2 hari', 'GAGAL', explanation]);
  const read = model.rows.findIndex((r) => r[0] === 'latest_fleet_kpi_daily (fleet_kpi_daily)');
  assert.deepEqual(model.rows[read], ['latest_fleet_kpi_daily (fleet_kpi_daily)', '', '', 'GAGAL', explanation]);
  assert.ok(model.notes.some((n) => n.row === read && n.column === 4 && n.text === raw));
  assert.ok(model.notes.some((n) => n.row === 3 && n.text === raw));
  const facts = Object.fromEntries(model.rows.filter((r) => r[4] && !r[1] && !r[3]).map((r) => [r[0], r[4]]));
  assert.equal(facts['Tanggal ditampilkan'], 'Kam 19/11/2026 — dipilih manual (Pilih tanggal)');
  assert.equal(facts['Waktu pengambilan'], '2026-11-20 06:00:00 WIB');
  assert.equal(facts['Email peringatan'], 'ops@example.com');
  assert.equal(facts['Percobaan ulang'], 'sekitar 08:00 WIB: data belum lengkap, refresh otomatis sekali lagi');
  assert.deepEqual(model.rows.find((r) => r[0] === 'Setelan'),
    ['Setelan', '', '', 'GAGAL', 'Setelan KPI_MAX_LAG_DAYS salah tulis (contoh benar: fleet_kpi_daily=2); batas bawaan dipakai.']);
  assert.equal(model.status.level, 'error');
  assert.match(model.status.text, /^4 masalah perlu ditindak/, 'by_product and inventory hidden, the failed read, the setting');
  assert.deepEqual(model.wrapColumns, [5]);
});

test('errors are explained in Indonesian; an unknown one says where the original is', () => {
  const s = loadScript();
  const cases = {
    'Supabase sign-in failed for a@b.c: HTTP 400: Invalid login credentials': /^Email atau kata sandi pengguna Supabase salah/,
    'x: HTTP 401: Invalid API key': /^Anon key Supabase salah/,
    'x (y): HTTP 404: Could not find the table public.fleet_kpi_daily in the schema cache (PGRST205)': /^Tabel belum ada di Supabase/,
    'x (y): HTTP 403: permission denied for table warehouse (42501)': /^Akses ditolak oleh Supabase/,
    'x (y): HTTP 429: rate limited': /^Supabase menolak karena terlalu banyak permintaan/,
    'x (y): network error: Address unavailable: https://p.supabase.co': /^Supabase tidak menjawab/,
    'Script Properties missing: SUPABASE_URL (menu KPI › Atur koneksi Supabase)': /^Koneksi belum diatur/,
    'something nobody expected': /^Pengambilan data gagal; pesan asli ada di catatan sel ini/,
  };

  for (const [raw, expected] of Object.entries(cases)) assert.match(s.call('explainError_', raw), expected, raw);
});

// ---------------------------------------------------------------- settings and days

test('KPI_MAX_LAG_DAYS overrides the expected lags; a typo is an error naming the entry', () => {
  const s = loadScript({ properties: { KPI_MAX_LAG_DAYS: 'fleet_kpi_daily=3, inventory_kpi_daily = 2' } });

  assert.deepEqual(plain(s.call('readMaxLagDays_')),
    { sales_kpi_daily: 1, sales_kpi_daily_by_product: 1, inventory_kpi_daily: 2, fleet_kpi_daily: 3 });
  s.PropertiesService.getScriptProperties().setProperty('KPI_MAX_LAG_DAYS', 'fleet=2');
  assert.throws(() => s.call('readMaxLagDays_'), /KPI_MAX_LAG_DAYS: "fleet=2" is not <table>=<days> for one of sales_kpi_daily/);
});

test('ALERT_EMAILS is a list of addresses separated by commas, semicolons or spaces', () => {
  const s = loadScript({ properties: { ALERT_EMAILS: ' ops@example.com; manager@example.com,  not-an-address ' } });

  assert.deepEqual(plain(s.call('readAlertRecipients_')), ['ops@example.com', 'manager@example.com']);
});

test('business days are Jakarta days; labels, month-to-date and date arithmetic cross months and leap days', () => {
  const s = loadScript();
  const D = s.global('Date');

  assert.equal(s.call('businessToday_', new D('2026-11-20T16:59:59Z')), '2026-11-20');
  assert.equal(s.call('businessToday_', new D('2026-11-20T17:00:00Z')), '2026-11-21');
  assert.equal(s.call('addDays_', '2028-03-01', -1), '2028-02-29');
  assert.equal(s.call('addDays_', '2026-12-31', 1), '2027-01-01');
  assert.equal(s.call('isIsoDay_', '2026-02-29'), false);
  assert.equal(s.call('isIsoDay_', '2028-02-29'), true);
  assert.equal(s.call('isIsoDay_', '20261119'), false);
  assert.equal(s.call('dayLabel_', '2026-11-22'), 'Min 22/11/2026');
  const march = plain(s.call('monthToDate_', '2027-03-31'));
  assert.equal(march.current.length, 31);
  assert.deepEqual([march.previous[0], march.previous.at(-1), march.previous.length], ['2027-02-01', '2027-02-28', 28]);
  const january = plain(s.call('monthToDate_', '2027-01-02'));
  assert.deepEqual(january.previous, ['2026-12-01', '2026-12-02']);
});

// ---------------------------------------------------------------- Ringkasan per toko, stockout list

test('Ringkasan per toko (POS): hours summed per day, other days left out, a new shop has no last week', () => {
  const s = loadScript();
  const hour = (data_date, org_id, config_id, hour, revenue, profit, transactions) => ({ data_date, org_id, config_id, hour,
    revenue_tax_in: revenue, gross_profit: profit, transactions });
  const ctx = context(s, {
    sales_daily: [sales(DAY, 1, 1000, 300, 10)], fleet_daily: [], inventory_daily: [],
    pos_shops: [
      hour('2026-11-12', 1, 3, 9, '100.00', '20.00', 1), // last Thursday
      hour('2026-11-12', 1, 3, 10, 300, 60, 3),
      hour('2026-11-15', 1, 3, 10, 99999, 1, 1), // neither day
      hour(DAY, 1, 3, 9, 200, 50, 2),
      hour(DAY, 1, 3, 17, 400, null, 2), // a null profit adds nothing
      hour(DAY, 1, 4, 12, 300, 90, 3), // opened this week
      hour(DAY, 1, 0, 12, 100, 10, 1), // POS orders without a config
    ],
  });

  const model = plain(s.call('buildSummaryTab_', ctx));

  const header = model.rows.findIndex((r) => r[0] === 'Per toko (POS) — Kam 19/11/2026');
  assert.deepEqual(model.rows.slice(header + 1, header + 4).map((r) => r.slice(0, 9)), [
    ['POS tanpa toko', 100, null, null, 10, 0.1, 1, 100, 'Organisasi 1'],
    ['POS #3', 600, 400, 0.5, 50, 50 / 600, 4, 150, 'Organisasi 1'],
    ['POS #4', 300, null, null, 90, 0.3, 3, 100, 'Organisasi 1'],
  ]);
  assert.equal(model.fontColors[header + 2][3], GREEN, 'more than last week');
  assert.ok(model.boldRows.includes(header));
  assert.equal(model.rows.length, header + 4, 'the last section');
});

test('Ringkasan per toko (POS): none, and a failed read says so on the status line', () => {
  const s = loadScript();
  const none = plain(s.call('buildSummaryTab_', context(s, { sales_daily: [sales(DAY, 1, 1, 1, 1)], fleet_daily: [], inventory_daily: [], pos_shops: [] })));
  assert.equal(none.rows.at(-1)[0], 'tidak ada penjualan POS per toko untuk hari ini');

  const failed = plain(s.call('buildSummaryTab_', context(s, { sales_daily: [sales(DAY, 1, 1, 1, 1)], fleet_daily: [], inventory_daily: [],
    pos_shops: 'sales_kpi_hourly: HTTP 503: upstream down' })));
  assert.match(failed.status.text, /^GAGAL memuat data penjualan per toko — Supabase tidak menjawab/);
  assert.equal(failed.status.level, 'error');
});

test('Inventori lists the stockout SKUs given, and how many more the warehouses count', () => {
  const s = loadScript();
  const inventory = [
    { data_date: DAY, org_id: 1, warehouse_id: 5, closing_qty: 10, stockout_sku_count: 3 },
    { data_date: DAY, org_id: 2, warehouse_id: 6, closing_qty: 4, stockout_sku_count: 2 },
  ];
  const listed = [
    { org_id: 1, warehouse_id: 5, sku: 'KOPI-250', closing_qty: '-2.500' },
    { org_id: 1, warehouse_id: 5, sku: 'GULA-1KG', closing_qty: 0 },
  ];

  const capped = plain(s.call('buildInventoryTab_', context(s, { inventory_daily: inventory, stockouts: listed })));
  const header = capped.rows.findIndex((r) => r[0] === 'SKU stok habis — Kam 19/11/2026');
  assert.deepEqual(capped.rows.slice(header + 1, header + 4).map((r) => r.slice(0, 4)), [
    ['Gudang 5', 'Organisasi 1', 'KOPI-250', -2.5],
    ['Gudang 5', 'Organisasi 1', 'GULA-1KG', 0],
    ['+3 lainnya', 'dari 5 SKU', '', ''],
  ]);
  assert.deepEqual(capped.cellFormats[header + 1].slice(2, 4), ['@', '#,##0.0##']);
  assert.deepEqual(capped.rowBackgrounds.slice(header + 1, header + 4), ['#fff2cc', '#fff2cc', null]);

  const none = plain(s.call('buildInventoryTab_', context(s, {
    inventory_daily: inventory.map((r) => ({ ...r, stockout_sku_count: 0 })), stockouts: [] })));
  assert.equal(none.rows[none.rows.findIndex((r) => r[0] === 'SKU stok habis — Kam 19/11/2026') + 1][0], 'tidak ada SKU yang stoknya habis');

  const failed = plain(s.call('buildInventoryTab_', context(s, { inventory_daily: inventory, stockouts: 'HTTP 500: boom' })));
  const failedHeader = failed.rows.findIndex((r) => r[0] === 'SKU stok habis — Kam 19/11/2026');
  assert.equal(failed.rows[failedHeader + 1][0], 'daftar SKU tidak bisa dimuat (lihat baris status di atas)');
  assert.match(failed.status.text, /^GAGAL memuat data daftar SKU stok habis/);
});
