'use strict';
// A whole refresh against the REST fixtures that tests/test_apps_script_fixtures.py makes from the
// real PostgreSQL mirror (rows as the viewer user sees them under row-level security).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { loadWithSupabase, sheetValues, plain } = require('./support/sandbox');
const { json } = require('./support/fake_supabase');

const FIXTURES = path.join(__dirname, 'fixtures');
const MANIFEST = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'queries.json'), 'utf8'));
const DAY = MANIFEST.day; // 2026-11-19, pinned; the refresh runs 2026-11-21 06:00 WIB
const FIXTURE = Object.fromEntries(MANIFEST.queries.map((q) => [q.name, JSON.parse(fs.readFileSync(path.join(FIXTURES, q.name + '.json'), 'utf8'))]));
const TABS = ['Ringkasan', 'Penjualan & Laba', 'Produk Teratas', 'Inventori', 'Armada', 'Status Data'];

/** PostgREST answering exactly the fixture paths; anything else is the error PostgREST gives. */
function fixtureRest(overrides = {}) {
  const byPath = new Map(MANIFEST.queries.map((q) => [q.path, q.name]));
  return (pathAndQuery, request) => {
    const name = byPath.get(pathAndQuery);
    if (name && overrides[name]) return overrides[name](pathAndQuery);
    if (!name) return json(400, { code: 'PGRST100', details: null, hint: null, message: 'no fixture for ' + pathAndQuery });
    const rows = FIXTURE[name].rows;
    const counted = request.headers.Prefer === 'count=exact' ? String(rows.length) : '*';
    return json(200, rows, { 'Content-Range': rows.length ? `0-${rows.length - 1}/${counted}` : `*/${counted}` });
  };
}

function refreshed(overrides) {
  const s = loadWithSupabase({ now: MANIFEST.now, rest: fixtureRest(overrides) });
  s.PropertiesService.getScriptProperties().setProperty('KPI_DATE', DAY);
  s.call('refreshNow');
  return s;
}

function tab(s, name) {
  const sheet = s.spreadsheet.getSheetByName(name);
  assert.ok(sheet, 'tab ' + name);
  return sheet;
}

function addDays(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function sum(rows, key) {
  return rows.reduce((acc, r) => acc + (r[key] || 0), 0);
}

function close(actual, expected, what) {
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} != ${expected}`);
}

test('a refresh makes exactly the reads the fixtures were made for, each once', () => {
  const s = refreshed();

  assert.deepEqual(s.supabase.state.restCalls, MANIFEST.queries.map((q) => q.path));
  assert.equal(s.supabase.state.passwordGrants, 1);
  for (const q of MANIFEST.queries) assert.equal(FIXTURE[q.name].path, q.path, 'fixture ' + q.name + ' is for this path');
});

test('the tabs have their Indonesian names, a status line, a bold header and frozen header rows', () => {
  const s = refreshed();

  assert.deepEqual(s.spreadsheet.getSheets().map((sh) => sh.getName()), TABS);
  for (const name of TABS) {
    const sheet = tab(s, name);
    assert.equal(sheet.getFrozenRows(), 2, name);
    assert.equal(sheet.getRange(2, 1).getFontWeight(), 'bold', name);
    assert.match(String(sheet.getRange(1, 1).getValue()), /diambil 2026-11-21 06:00:00 WIB/, name);
  }
  assert.equal(s.spreadsheet.toasts.at(-1).msg, 'KPI 2026-11-19 diperbarui');
});

test('Ringkasan: the day beside the average of the 7 days before it, in rupiah and percent', () => {
  const s = refreshed();
  const sales = FIXTURE.sales_daily.rows;
  const fleet = FIXTURE.fleet_daily.rows;
  const inventory = FIXTURE.inventory_daily.rows;
  const dayRows = sales.filter((r) => r.data_date === DAY);
  const before = Array.from({ length: 7 }, (_, i) => addDays(DAY, -7 + i));
  const beforeDays = before.filter((d) => sales.some((r) => r.data_date === d));
  const beforeRows = sales.filter((r) => beforeDays.includes(r.data_date));
  const fleetDay = fleet.filter((r) => r.data_date === DAY);
  const fleetBefore = fleet.filter((r) => before.includes(r.data_date));

  const values = sheetValues(tab(s, 'Ringkasan'));

  assert.deepEqual(values[1], ['Indikator', 'Nilai 2026-11-19', 'Rata-rata 7 hari sebelumnya', 'Selisih']);
  const byLabel = Object.fromEntries(values.slice(2).map((r) => [r[0], r.slice(1)]));
  close(byLabel['Pendapatan (termasuk pajak)'][0], sum(dayRows, 'revenue_tax_in'), 'revenue');
  close(byLabel['Pendapatan (termasuk pajak)'][1], sum(beforeRows, 'revenue_tax_in') / beforeDays.length, 'revenue 7d');
  close(byLabel['Laba kotor'][0], sum(dayRows, 'gross_profit'), 'profit');
  close(byLabel['Margin laba kotor'][0], sum(dayRows, 'gross_profit') / sum(dayRows, 'revenue_tax_in'), 'margin');
  close(byLabel['Margin laba kotor'][1], sum(beforeRows, 'gross_profit') / sum(beforeRows, 'revenue_tax_in'), 'margin 7d');
  close(byLabel['Transaksi'][0], sum(dayRows, 'transactions'), 'transactions');
  close(byLabel['Rata-rata belanja per transaksi'][0], sum(dayRows, 'revenue_tax_in') / sum(dayRows, 'transactions'), 'basket');
  close(byLabel['Pengiriman tepat waktu'][0], sum(fleetDay, 'on_time_delivered') / sum(fleetDay, 'shipments_delivered'), 'on time');
  close(byLabel['Pengiriman tepat waktu'][1], sum(fleetBefore, 'on_time_delivered') / sum(fleetBefore, 'shipments_delivered'), 'on time 7d');
  close(byLabel['SKU stok habis'][0], sum(inventory.filter((r) => r.data_date === DAY), 'stockout_sku_count'), 'stockouts');
  close(byLabel['Laba kotor'][2], byLabel['Laba kotor'][0] - byLabel['Laba kotor'][1], 'difference');
  assert.ok(beforeDays.length < 7, 'the fixture has a day without sales in the 7 days: the average is over days with data');

  const formats = plain(tab(s, 'Ringkasan').getRange(3, 2, 7, 3).getNumberFormats()).map((r) => r[0]);
  assert.deepEqual(formats, ['"Rp"#,##0', '"Rp"#,##0', '0.0%', '#,##0', '"Rp"#,##0', '0.0%', '#,##0']);
});

test('Penjualan & Laba: one row per day of the 90 days with data, oldest first, and one line chart', () => {
  const s = refreshed();
  const days = [...new Set(FIXTURE.sales_daily.rows.map((r) => r.data_date))].sort();
  const sheet = tab(s, 'Penjualan & Laba');

  const values = sheetValues(sheet);

  assert.deepEqual(values[1], ['Tanggal', 'Pendapatan', 'HPP', 'Laba kotor', 'Margin', 'Transaksi', 'Rata-rata belanja', 'Baris tanpa biaya']);
  assert.deepEqual(values.slice(2).map((r) => r[0].slice(0, 10)), days, 'dates, written into date-formatted cells');
  assert.ok(days.length < 90 && days[0] >= addDays(DAY, -89) && days.at(-1) === DAY);
  for (const row of values.slice(2)) {
    close(row[1], sum(FIXTURE.sales_daily.rows.filter((x) => x.data_date === row[0].slice(0, 10)), 'revenue_tax_in'), 'revenue of ' + row[0]);
  }
  assert.deepEqual(plain(sheet.getRange(3, 1, 1, 8).getNumberFormats())[0],
    ['yyyy-mm-dd', '"Rp"#,##0', '"Rp"#,##0', '"Rp"#,##0', '0.0%', '#,##0', '"Rp"#,##0', '#,##0']);
  const charts = sheet.getCharts();
  assert.equal(charts.length, 1);
  assert.equal(charts[0]._state.type, 'LINE');
  const last = days.length + 2;
  assert.deepEqual(charts[0].getRanges().map((r) => r.getA1Notation()), [`A2:A${last}`, `B2:B${last}`, `D2:D${last}`]);
  assert.equal(charts[0].getOptions().get('title'), 'Pendapatan dan laba kotor, 90 hari');
});

test('Produk Teratas: the 20 products with the highest gross profit, ranked, with a bar chart', () => {
  const s = refreshed();
  const sheet = tab(s, 'Produk Teratas');

  const rows = sheetValues(sheet).slice(2);

  assert.equal(rows.length, 20);
  assert.deepEqual(rows.map((r) => r[0]), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual(rows.map((r) => r[2]), FIXTURE.top_products.rows.map((r) => r.product_id));
  const nameless = FIXTURE.top_products.rows.findIndex((r) => r.product_name === null);
  assert.ok(nameless >= 0, 'the fixture has a product without a name');
  assert.equal(rows[nameless][1], 'Produk ' + FIXTURE.top_products.rows[nameless].product_id);
  close(rows[0][5], rows[0][4] / rows[0][3], 'margin of the first product');
  const chart = sheet.getCharts();
  assert.equal(chart.length, 1);
  assert.equal(chart[0]._state.type, 'BAR');
  assert.deepEqual(chart[0].getRanges().map((r) => r.getA1Notation()), ['B2:B22', 'E2:E22']);
});

test('Inventori: the day per warehouse the user may see, stockouts highlighted, with a chart', () => {
  const s = refreshed();
  const expected = FIXTURE.inventory_daily.rows.filter((r) => r.data_date === DAY);
  const sheet = tab(s, 'Inventori');

  const rows = sheetValues(sheet).slice(2);

  const warehouse = Object.fromEntries(FIXTURE.warehouses.rows.map((w) => [w.id, `${w.code} · ${w.name}`]));
  const org = Object.fromEntries(FIXTURE.organizations.rows.map((o) => [o.id, o.name]));
  assert.deepEqual(rows.map((r) => r[0]), expected.map((r) => warehouse[r.warehouse_id]));
  assert.deepEqual(rows.map((r) => r[1]), expected.map((r) => org[r.org_id]));
  assert.deepEqual([...new Set(rows.map((r) => r[1]))], ['New Khatulistiwa', 'PT Mitra']);
  assert.deepEqual(rows.map((r) => [r[2], r[3], r[4], r[6], r[7]]),
    expected.map((r) => [r.receipts_qty, r.issues_qty, r.adjustments_qty, r.closing_qty, r.stockout_sku_count]));
  const colours = plain(sheet.getRange(3, 1, rows.length, 1).getBackgrounds()).map((r) => r[0]);
  assert.deepEqual(colours, expected.map((r) => (r.stockout_sku_count > 0 ? '#fff2cc' : '#ffffff')));
  assert.ok(colours.includes('#ffffff') && colours.includes('#fff2cc'));
  assert.equal(sheet.getCharts().length, 1);
  assert.equal(sheet.getCharts()[0]._state.type, 'COLUMN');
});

test('Armada: the day per vehicle; a vehicle with nothing delivered has no rate, not 0%', () => {
  const s = refreshed();
  const expected = FIXTURE.fleet_daily.rows.filter((r) => r.data_date === DAY);

  const rows = sheetValues(tab(s, 'Armada')).slice(2);

  assert.deepEqual(rows.map((r) => r[0]), expected.map((r) => 'Kendaraan ' + r.vehicle_id));
  assert.deepEqual(rows.map((r) => r[1]), expected.map((r) => FIXTURE.organizations.rows.find((o) => o.id === r.org_id).name));
  assert.deepEqual(rows.map((r) => [r[2], r[3], r[4], r[5], r[6]]),
    expected.map((r) => [r.shipments_dispatched, r.shipments_delivered, r.shipments_failed, r.on_time_rate ?? '', r.avg_delivery_minutes ?? '']));
  assert.ok(expected.some((r) => r.on_time_rate === null));
  assert.equal(tab(s, 'Armada').getRange(3, 6).getNumberFormat(), '0.0%');
});

test('Status Data: last data_date per table, stale ones (older than yesterday) in red, every fetch listed', () => {
  const s = refreshed();
  const sheet = tab(s, 'Status Data');

  const values = sheetValues(sheet);

  const tables = values.slice(2, 6);
  assert.deepEqual(tables.map((r) => r.slice(0, 3)), [
    ['sales_kpi_daily', FIXTURE.latest_sales_kpi_daily.rows[0].data_date, 'OK'],
    ['sales_kpi_daily_by_product', FIXTURE.latest_sales_kpi_daily_by_product.rows[0].data_date, 'OK'],
    ['inventory_kpi_daily', '2026-11-20', 'OK'],
    ['fleet_kpi_daily', '2026-11-19', 'BASI'],
  ]);
  assert.equal(sheet.getRange(6, 1).getBackground(), '#f4cccc');
  assert.equal(sheet.getRange(5, 1).getBackground(), '#d9ead3');
  const fetches = values.filter((r) => / \(\w+\)$/.test(r[0]));
  assert.deepEqual(fetches.map((r) => [r[0], r[2]]), MANIFEST.queries.map((q) => [`${q.name} (${q.table})`, 'OK']));
  assert.equal(fetches.find((r) => r[0].startsWith('top_products'))[1], '20');
  assert.ok(values.some((r) => r[0] === 'Waktu pengambilan' && r[1] === '2026-11-21 06:00:00 WIB'));
  assert.match(values[0][0], /^1 masalah/);
  assert.equal(sheet.getRange(1, 1).getBackground(), '#f4cccc');
});

test('a second refresh updates the charts in place: none are piled up', () => {
  const s = refreshed();
  const ids = Object.fromEntries(TABS.map((n) => [n, tab(s, n).getCharts().map((c) => c.getChartId())]));

  s.call('refreshNow');
  s.call('refreshNow');

  for (const name of TABS) assert.deepEqual(tab(s, name).getCharts().map((c) => c.getChartId()), ids[name], name);
  assert.deepEqual(TABS.map((n) => tab(s, n).getCharts().length), [0, 1, 1, 1, 0, 0]);
});

test('a failed fetch is written on its tab and on Status Data, logged, and old numbers are gone', () => {
  const s = refreshed();
  const failing = { inventory_daily: () => json(500, { code: 'XX000', message: 'could not read block 42' }) };
  s.UrlFetchApp.handler = require('./support/fake_supabase').fakeSupabase({ clock: s.clock, rest: fixtureRest(failing) }).handler;

  s.call('refreshNow');

  const inventory = sheetValues(tab(s, 'Inventori'));
  assert.equal(inventory[0][0], 'GAGAL memuat data — inventory_daily (inventory_kpi_daily): HTTP 500: could not read block 42 · diambil 2026-11-21 06:00:00 WIB');
  assert.equal(inventory.length, 2, 'no rows of the previous refresh are left');
  assert.equal(tab(s, 'Inventori').getRange(1, 1).getBackground(), '#f4cccc');
  assert.match(sheetValues(tab(s, 'Ringkasan'))[0][0], /^GAGAL memuat data — inventory_daily/);
  assert.match(sheetValues(tab(s, 'Armada'))[0][0], /^Data tanggal 2026-11-19/);
  const status = sheetValues(tab(s, 'Status Data'));
  assert.deepEqual(status.find((r) => r[0] === 'inventory_daily (inventory_kpi_daily)'),
    ['inventory_daily (inventory_kpi_daily)', '', 'GAGAL', 'inventory_daily (inventory_kpi_daily): HTTP 500: could not read block 42']);
  assert.deepEqual(s.console.lines.filter((l) => l[0] === 'error'),
    [['error', 'KPI refresh for 2026-11-19: inventory_daily (inventory_kpi_daily): HTTP 500: could not read block 42']]);
  assert.match(s.spreadsheet.toasts.at(-1).msg, /1 pengambilan gagal \(inventory_daily\)/);
});

test('a sign-in failure is one error shown on every tab, not eight sign-in attempts', () => {
  const s = loadWithSupabase({ now: MANIFEST.now, rest: fixtureRest() });
  s.PropertiesService.getScriptProperties().setProperty('SUPABASE_PASSWORD', 'expired-password');

  s.call('scheduledRefresh');

  assert.equal(s.supabase.state.passwordGrants, 1);
  assert.equal(s.supabase.state.restCalls.length, 0);
  for (const name of TABS.slice(0, 5)) {
    assert.match(sheetValues(tab(s, name))[0][0], /^GAGAL memuat data — .*Supabase sign-in failed for viewer@example\.com: HTTP 400: Invalid login credentials/, name);
  }
  assert.doesNotMatch(JSON.stringify(sheetValues(tab(s, 'Status Data'))), /expired-password/);
  assert.doesNotMatch(s.console.lines.join('\n') + s.Logger.lines.join('\n'), /expired-password/);
});

test('without settings every tab says which Script Properties are missing', () => {
  const s = loadWithSupabase({ now: MANIFEST.now, properties: {} });

  s.call('refreshNow');

  assert.equal(s.UrlFetchApp.requests.length, 0);
  assert.match(sheetValues(tab(s, 'Ringkasan'))[0][0], /Script Properties missing: SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_EMAIL, SUPABASE_PASSWORD/);
});

test('an empty mirror says there is no data for the day instead of showing zeros', () => {
  const s = loadWithSupabase({ now: MANIFEST.now, rest: () => json(200, []) });

  s.call('scheduledRefresh');

  assert.equal(sheetValues(tab(s, 'Ringkasan'))[0][0], 'Belum ada data untuk tanggal 2026-11-20 · diambil 2026-11-21 06:00:00 WIB');
  assert.deepEqual(sheetValues(tab(s, 'Ringkasan'))[2], ['Pendapatan (termasuk pajak)', '', '', '']);
  assert.equal(tab(s, 'Ringkasan').getRange(1, 1).getBackground(), '#fff2cc');
  assert.deepEqual(sheetValues(tab(s, 'Status Data')).slice(2, 6).map((r) => r[2]), ['KOSONG', 'KOSONG', 'KOSONG', 'KOSONG']);
});

test('a failed read of the warehouse names falls back to ids and leaves the KPI tabs correct', () => {
  const s = refreshed({ warehouses: () => json(403, { code: '42501', message: 'permission denied for table warehouse' }) });

  const inventory = sheetValues(tab(s, 'Inventori'));

  assert.match(inventory[0][0], /^Data tanggal 2026-11-19/);
  assert.deepEqual(inventory.slice(2).map((r) => r[0]), ['Gudang 11', 'Gudang 12', 'Gudang 21']);
  assert.ok(sheetValues(tab(s, 'Status Data')).some((r) => r[0] === 'warehouses (warehouse)' && r[2] === 'GAGAL'));
});

test('a refresh while another one holds the lock writes nothing and says so', () => {
  const s = loadWithSupabase({ now: MANIFEST.now, rest: fixtureRest() });
  s.LockService.heldBy = {}; // another execution (the morning trigger) is refreshing

  s.call('refreshNow');

  assert.equal(s.UrlFetchApp.requests.length, 0);
  assert.deepEqual(s.spreadsheet.getSheets(), []);
  assert.equal(s.spreadsheet.toasts.at(-1).msg, 'KPI 2026-11-20: pembaruan lain sedang berjalan; coba lagi sebentar lagi');
  assert.deepEqual(s.LockService.waits, [30000]);
});

test('the lock is released after a refresh, also after one that failed', () => {
  const s = loadWithSupabase({ now: MANIFEST.now, rest: () => json(500, { message: 'down' }) });

  s.call('refreshNow');
  s.call('refreshNow');

  assert.equal(s.LockService.heldBy, null);
  assert.equal(s.LockService.waits.length, 0);
});
