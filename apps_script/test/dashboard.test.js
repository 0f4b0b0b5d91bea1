'use strict';
// A whole refresh against the REST fixtures that tests/test_apps_script_fixtures.py makes from the
// real PostgreSQL mirror (rows as the viewer user sees them under row-level security), on a normal,
// a stale and a failed morning, and for a user without grants.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadWithSupabase, sheetValues, plain } = require('./support/sandbox');
const { json, fakeSupabase } = require('./support/fake_supabase');
const { MANIFEST, fixtureRest, loadFixtures, withoutDay, addDays } = require('./support/fixture_rest');

const DAY = MANIFEST.day; // 2026-11-19, yesterday for the 06:00 WIB refresh on 2026-11-20
const FIXTURE = loadFixtures();
const TABS = ['Ringkasan', 'Penjualan & Laba', 'Produk Teratas', 'Inventori', 'Armada', 'Status Data', 'Target'];
const FETCHED = 'diambil 2026-11-20 06:00:00 WIB';

function refreshed(options = {}) {
  const s = loadWithSupabase({ now: MANIFEST.now, rest: fixtureRest(options), properties: options.properties });
  s.call('refreshNow');
  return s;
}

function tab(s, name) {
  const sheet = s.spreadsheet.getSheetByName(name);
  assert.ok(sheet, 'tab ' + name);
  return sheet;
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

test('every tab: a status line merged over the visible columns, a bold wrapped header, frozen rows, fixed widths', () => {
  const s = refreshed();

  assert.deepEqual(s.spreadsheet.getSheets().map((sh) => sh.getName()), TABS);
  for (const name of TABS.slice(0, 6)) {
    const sheet = tab(s, name);
    assert.equal(sheet.getFrozenRows(), 2, name);
    assert.equal(sheet.getRange(2, 1).getFontWeight(), 'bold', name);
    assert.equal(sheet.getRange(2, 1).getWrap(), true, name);
    assert.match(String(sheet.getRange(1, 1).getValue()), new RegExp(FETCHED), name);
    assert.equal(sheet.getRange(1, 1).getWrap(), true, name);
    assert.equal(sheet._merges.length, 1, name);
    assert.equal(sheet._merges[0].getRow(), 1, name);
    assert.deepEqual(sheet.autoResized, [], name + ': never sized by the status line');
    const widths = [...sheet._columnWidths.values()];
    assert.ok(widths.length >= 5 && widths.every((w) => w <= 520), name);
  }
  assert.equal(s.spreadsheet.toasts.at(-1).msg, 'KPI 2026-11-19 diperbarui');
});

test('the spreadsheet is switched to Indonesian formats and Jakarta time', () => {
  const s = refreshed();

  assert.equal(s.spreadsheet.getSpreadsheetLocale(), 'id_ID');
  assert.equal(s.spreadsheet.getSpreadsheetTimeZone(), 'Asia/Jakarta');
});

test('the visible columns of each tab fit a laptop screen, charts included', () => {
  const s = refreshed();
  const LAPTOP = 1366 - 46; // the row numbers take 46 px

  for (const name of TABS.slice(0, 6)) {
    const sheet = tab(s, name);
    const right = (column) => [...Array(column - 1).keys()].reduce((x, i) => x + (sheet.isColumnHiddenByUser(i + 1) ? 0 : sheet.getColumnWidth(i + 1)), 0);
    let widest = right(sheet.getRange(2, 1).getMergedRanges().length ? sheet._merges[0].getLastColumn() + 1 : 1);
    for (const chart of sheet.getCharts()) {
      const info = chart.getContainerInfo();
      widest = Math.max(widest, right(info.getAnchorColumn()) + info.getOffsetX() + chart.getOptions().get('width'));
    }
    assert.ok(widest <= LAPTOP, `${name}: ${widest} px wide`);
  }
});

test('Ringkasan: the day against last week, the 7 days before and the month, in rupiah, percent and points', () => {
  const s = refreshed();
  const sales = FIXTURE.sales_daily.rows;
  const fleet = FIXTURE.fleet_daily.rows;
  const dayRows = sales.filter((r) => r.data_date === DAY);
  const weekAgo = sales.filter((r) => r.data_date === addDays(DAY, -7));
  const before = Array.from({ length: 7 }, (_, i) => addDays(DAY, -7 + i));
  const beforeDays = before.filter((d) => sales.some((r) => r.data_date === d));
  const beforeRows = sales.filter((r) => beforeDays.includes(r.data_date));
  const month = sales.filter((r) => r.data_date >= '2026-11-01' && r.data_date <= DAY);
  const lastMonth = sales.filter((r) => r.data_date >= '2026-10-01' && r.data_date <= '2026-10-19');
  const fleetDay = fleet.filter((r) => r.data_date === DAY);
  const sheet = tab(s, 'Ringkasan');

  const values = sheetValues(sheet);

  assert.deepEqual(values[1].slice(0, 4), ['Indikator', 'Kam 19/11/2026', 'Minggu lalu Kam 12/11', 'vs minggu lalu']);
  const byLabel = Object.fromEntries(values.slice(2, 9).map((r) => [r[0], r.slice(1)]));
  const revenue = byLabel['Pendapatan (termasuk pajak)'];
  close(revenue[0], sum(dayRows, 'revenue_tax_in'), 'revenue');
  close(revenue[1], sum(weekAgo, 'revenue_tax_in'), 'revenue last week');
  close(revenue[2], Math.round((revenue[0] / revenue[1] - 1) * 1000) / 1000, 'revenue change');
  close(revenue[3], sum(beforeRows, 'revenue_tax_in') / beforeDays.length, 'revenue 7d');
  close(revenue[5], sum(month, 'revenue_tax_in'), 'revenue month to date');
  close(revenue[6], sum(lastMonth, 'revenue_tax_in'), 'revenue same days last month');
  const margin = byLabel['Margin laba kotor'];
  close(margin[0], sum(dayRows, 'gross_profit') / sum(dayRows, 'revenue_tax_in'), 'margin');
  close(margin[2], Math.round((margin[0] - margin[1]) * 1000) / 10, 'margin change in points');
  close(byLabel['Pengiriman tepat waktu'][0], sum(fleetDay, 'on_time_delivered') / sum(fleetDay, 'shipments_delivered'), 'on time');
  close(byLabel['SKU stok habis'][0], sum(FIXTURE.inventory_daily.rows.filter((r) => r.data_date === DAY), 'stockout_sku_count'), 'stockouts');
  assert.ok(beforeDays.length < 7, 'the fixture has a day without sales in the 7 days: the average is over days with data');

  const formats = plain(sheet.getRange(3, 2, 7, 3).getNumberFormats());
  assert.deepEqual(formats.map((r) => r[0]), ['"Rp"#,##0', '"Rp"#,##0', '0.0%', '#,##0', '"Rp"#,##0', '0.0%', '#,##0']);
  assert.deepEqual(formats.map((r) => r[2]), ['+0.0%;-0.0%;0.0%', '+0.0%;-0.0%;0.0%', '+0.0" pp";-0.0" pp";0.0" pp"',
    '+0.0%;-0.0%;0.0%', '+0.0%;-0.0%;0.0%', '+0.0" pp";-0.0" pp";0.0" pp"', '+0.0%;-0.0%;0.0%']);
  assert.equal(sheet.getRange(3, 4).getFontColor(), revenue[2] > 0 ? '#137333' : '#c5221f');
  assert.equal(sheet.getRange(3, 12).getFormula(), '=SPARKLINE(M3:AP3)');
  assert.ok(sheet.isColumnHiddenByUser(13) && sheet.isColumnHiddenByUser(42) && !sheet.isColumnHiddenByUser(12));
  assert.equal(sheet.getMaxColumns(), 42, 'the grid was widened beyond Z for the sparkline data');
  close(sheet.getRange(3, 42).getValue(), revenue[0], 'the sparkline ends with the day');
  const orgs = values.slice(values.findIndex((r) => r[0] === 'Per organisasi — Kam 19/11/2026') + 1).slice(0, 2);
  assert.deepEqual(orgs.map((r) => r[0]), ['New Khatulistiwa', 'PT Mitra'], 'row-level security: org 3 is not there');
  const warehouses = values.slice(values.findIndex((r) => r[0] === 'Per gudang — Kam 19/11/2026') + 1).slice(0, 3);
  assert.deepEqual(warehouses.map((r) => r[0]), ['JKT · Jakarta', 'BDG · Bandung', 'SBY · Surabaya']);
});

test('Ringkasan reads the targets the users typed into the Target tab, which the script never overwrites', () => {
  const s = refreshed();
  const target = tab(s, 'Target');
  assert.deepEqual(sheetValues(target)[0], ['Indikator', 'Target harian', 'Cara mengisi']);
  assert.deepEqual(plain(target.getRange(2, 2, 7, 1).getNumberFormats()).map((r) => r[0]),
    ['"Rp"#,##0', '"Rp"#,##0', '0.0%', '#,##0', '"Rp"#,##0', '0.0%', '#,##0']);
  target.getRange(2, 2).setValue(16000000);
  target.getRange(4, 2).setValue(0.3);

  s.call('refreshNow');

  const rows = sheetValues(tab(s, 'Ringkasan')).slice(2, 9);
  const revenue = rows[0];
  assert.equal(revenue[9], 16000000);
  close(revenue[10], Math.round((revenue[1] / 16000000 - 1) * 1000) / 1000, 'revenue against target');
  close(rows[2][10], Math.round((rows[2][1] - 0.3) * 1000) / 10, 'margin against target, in points');
  assert.equal(sheetValues(target)[1][1], 16000000, 'the typed target is still there');
});

test('Penjualan & Laba: the 90 days with data, newest first, and a chart drawn oldest to newest', () => {
  const s = refreshed();
  const days = [...new Set(FIXTURE.sales_daily.rows.map((r) => r.data_date))].sort().reverse();
  const sheet = tab(s, 'Penjualan & Laba');

  const values = sheetValues(sheet);

  assert.deepEqual(values[1], ['Tanggal', 'Pendapatan', 'HPP', 'Laba kotor', 'Margin', 'Transaksi', 'Rata-rata belanja', 'Baris tanpa biaya']);
  assert.deepEqual(values.slice(2).map((r) => r[0].slice(0, 10)), days, 'dates, written into date-formatted cells');
  assert.equal(days[0], DAY, 'yesterday is row 3');
  assert.deepEqual(plain(sheet.getRange(3, 1, 1, 8).getNumberFormats())[0],
    ['dd/mm/yyyy', '"Rp"#,##0', '"Rp"#,##0', '"Rp"#,##0', '0.0%', '#,##0', '"Rp"#,##0', '#,##0']);
  const charts = sheet.getCharts();
  assert.equal(charts.length, 1);
  const last = days.length + 2;
  assert.deepEqual(charts[0].getRanges().map((r) => r.getA1Notation()), [`A2:A${last}`, `B2:B${last}`, `D2:D${last}`]);
  assert.deepEqual(plain(charts[0].getOptions().get('hAxis')), { direction: -1 });
  assert.deepEqual([charts[0].getContainerInfo().getAnchorRow(), charts[0].getContainerInfo().getAnchorColumn()], [2, 9]);
});

test('Produk Teratas: the 20 products with the highest gross profit, ranked, with a bar chart', () => {
  const s = refreshed();
  const sheet = tab(s, 'Produk Teratas');

  const rows = sheetValues(sheet).slice(2);

  assert.equal(rows.length, 20);
  assert.deepEqual(rows.map((r) => r[0]), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual(rows.map((r) => r[8]), FIXTURE.top_products.rows.map((r) => String(r.product_id)));
  const nameless = FIXTURE.top_products.rows.findIndex((r) => r.product_name === null);
  assert.ok(nameless >= 0, 'the fixture has a product without a name');
  assert.equal(rows[nameless][1], 'Produk ' + FIXTURE.top_products.rows[nameless].product_id);
  assert.equal(sheet.getRange(3, 7).getNumberFormat(), '#,##0', 'a whole quantity shows without a separator');
  assert.deepEqual(sheet.getCharts()[0].getRanges().map((r) => r.getA1Notation()), ['B2:B22', 'E2:E22']);
});

test('Inventori: warehouses of the day with a total, stockouts highlighted, flows and closing stock on two charts', () => {
  const s = refreshed();
  const expected = FIXTURE.inventory_daily.rows.filter((r) => r.data_date === DAY);
  const sheet = tab(s, 'Inventori');

  const values = sheetValues(sheet);

  const warehouse = Object.fromEntries(FIXTURE.warehouses.rows.map((w) => [w.id, `${w.code} · ${w.name}`]));
  const day = values.slice(2, 2 + expected.length);
  assert.deepEqual(day.map((r) => r[0]), expected.map((r) => warehouse[r.warehouse_id]));
  assert.deepEqual(day.map((r) => [r[2], r[3], r[4], r[6], r[7]]),
    expected.map((r) => [r.receipts_qty, r.issues_qty, r.adjustments_qty, r.closing_qty, r.stockout_sku_count]));
  const total = values[2 + expected.length];
  assert.equal(total[0], 'Total (3 gudang)');
  close(total[6], sum(expected, 'closing_qty'), 'total closing stock');
  const colours = plain(sheet.getRange(3, 1, expected.length, 1).getBackgrounds()).map((r) => r[0]);
  assert.deepEqual(colours, expected.map((r) => (r.stockout_sku_count > 0 ? '#fff2cc' : '#ffffff')));
  const trendHeader = values.findIndex((r) => r[0] === 'Tren harian (semua gudang)');
  const trend = values.slice(trendHeader + 1);
  assert.equal(trend.length, 30, 'the 30 days up to the day');
  assert.equal(trend[0][0].slice(0, 10), DAY);
  const charts = sheet.getCharts();
  assert.deepEqual(charts.map((c) => c.getRanges().map((r) => r.getA1Notation())), [
    [`A${trendHeader + 1}:A${trendHeader + 31}`, `C${trendHeader + 1}:C${trendHeader + 31}`, `D${trendHeader + 1}:D${trendHeader + 31}`],
    [`A${trendHeader + 1}:A${trendHeader + 31}`, `G${trendHeader + 1}:G${trendHeader + 31}`],
  ]);
  assert.ok(charts.every((c) => c.getContainerInfo().getAnchorRow() === expected.length + 5), 'right under the day, on screen');
  assert.equal(sheet.getRange(3, 3).getNumberFormat(), '#,##0', 'receipts of 411 show as 411');
  assert.equal(sheet.getRange(3, 4).getNumberFormat(), '#,##0.0##', 'issues of 350.25 keep their decimals');
});

test('Armada: vehicles of the day with a total; one with nothing delivered has no rate, not 0%', () => {
  const s = refreshed();
  const expected = FIXTURE.fleet_daily.rows.filter((r) => r.data_date === DAY);

  const values = sheetValues(tab(s, 'Armada'));

  const rows = values.slice(2, 2 + expected.length);
  assert.deepEqual(rows.map((r) => r[0]), expected.map((r) => 'Kendaraan ' + r.vehicle_id));
  assert.deepEqual(rows.map((r) => [r[2], r[3], r[4], r[5], r[6]]),
    expected.map((r) => [r.shipments_dispatched, r.shipments_delivered, r.shipments_failed, r.on_time_rate ?? '', r.avg_delivery_minutes ?? '']));
  assert.ok(expected.some((r) => r.on_time_rate === null));
  const total = values[2 + expected.length];
  assert.deepEqual(total.slice(0, 5), [`Total (${expected.length} kendaraan)`, '', sum(expected, 'shipments_dispatched'),
    sum(expected, 'shipments_delivered'), sum(expected, 'shipments_failed')]);
  close(total[5], sum(expected, 'on_time_delivered') / sum(expected, 'shipments_delivered'), 'total on-time rate');
  assert.equal(tab(s, 'Armada').getCharts().length, 2);
});

test('Status Data on a normal morning: every table within its lag, the user\'s access, every read', () => {
  const s = refreshed();
  const sheet = tab(s, 'Status Data');

  const values = sheetValues(sheet);

  assert.deepEqual(values.slice(2, 6).map((r) => r.slice(0, 4)), [
    ['sales_kpi_daily', 'Jum 20/11/2026', 'maks. 1 hari', 'OK'],
    ['sales_kpi_daily_by_product', 'Jum 20/11/2026', 'maks. 1 hari', 'OK'],
    ['inventory_kpi_daily', 'Jum 20/11/2026', 'maks. 1 hari', 'OK'],
    ['fleet_kpi_daily', 'Kam 19/11/2026', 'maks. 2 hari', 'OK'],
  ]);
  assert.equal(values[0][0], 'Semua data sesuai jadwal · ' + FETCHED);
  const access = values[values.findIndex((r) => r[0] === 'Akses pengguna') + 1];
  assert.deepEqual(access, ['viewer@example.com', '2', '', 'OK', 'New Khatulistiwa (semua gudang); PT Mitra (gudang SBY · Surabaya)']);
  const fetches = values.filter((r) => / \(\w+\)$/.test(r[0]));
  assert.deepEqual(fetches.map((r) => [r[0], r[3]]), MANIFEST.queries.map((q) => [`${q.name} (${q.table})`, 'OK']));
});

test('a stale morning: the day is not in the mirror; tabs say so with the last day, Status Data is red, a retry is set', () => {
  const s = loadWithSupabase({ now: MANIFEST.now, rest: fixtureRest({ rows: withoutDay(DAY) }) });

  s.call('scheduledRefresh');

  const summary = sheetValues(tab(s, 'Ringkasan'));
  assert.equal(summary[0][0], 'Belum ada data untuk Kam 19/11/2026 — data terakhir Rab 18/11/2026; dicoba lagi sekitar 08:00 WIB · ' + FETCHED);
  assert.equal(tab(s, 'Ringkasan').getRange(1, 1).getBackground(), '#fff2cc');
  assert.deepEqual(summary[2].slice(0, 3), ['Pendapatan (termasuk pajak)', '', FIXTURE.sales_daily.rows.filter((r) => r.data_date === addDays(DAY, -7)).reduce((a, r) => a + r.revenue_tax_in, 0)]);
  const status = sheetValues(tab(s, 'Status Data'));
  assert.deepEqual(status.slice(2, 6).map((r) => r[3]), ['BASI', 'BASI', 'BASI', 'OK'], 'the fleet may be a day behind');
  assert.equal(tab(s, 'Status Data').getRange(3, 1).getBackground(), '#f4cccc');
  assert.ok(status.some((r) => r[0] === 'Percobaan ulang'));
  assert.deepEqual(s.ScriptApp.getProjectTriggers().map((t) => [t.getHandlerFunction(), t.config.afterMs]), [['retryRefresh', 7200000]]);
});

test('a failed read is explained on its tabs and on Status Data, the raw text in a note, old numbers gone', () => {
  const s = refreshed();
  const failing = { inventory_daily: () => json(500, { code: 'XX000', message: 'could not read block 42' }) };
  s.UrlFetchApp.handler = fakeSupabase({ clock: s.clock, rest: fixtureRest({ overrides: failing }) }).handler;

  s.call('refreshNow');

  const inventory = tab(s, 'Inventori');
  const values = sheetValues(inventory);
  assert.equal(values[0][0], 'GAGAL memuat data inventori — Supabase tidak menjawab (gangguan server atau jaringan): coba Refresh sekarang beberapa menit lagi; bila berulang, hubungi tim data. · ' + FETCHED);
  assert.equal(inventory.getRange(1, 1).getNote(), 'Pesan asli:\ninventory_daily (inventory_kpi_daily): HTTP 500: could not read block 42');
  assert.ok(values.slice(2).every((r) => r.every((v) => v === '' || /^Tren harian/.test(v) || typeof v === 'string')), 'no numbers of the previous refresh are left');
  assert.equal(inventory.getRange(1, 1).getBackground(), '#f4cccc');
  assert.match(sheetValues(tab(s, 'Ringkasan'))[0][0], /^GAGAL memuat data inventori/);
  assert.match(sheetValues(tab(s, 'Armada'))[0][0], /^Data Kam 19\/11\/2026/);
  const status = tab(s, 'Status Data');
  const row = sheetValues(status).findIndex((r) => r[0] === 'inventory_daily (inventory_kpi_daily)');
  assert.equal(sheetValues(status)[row][3], 'GAGAL');
  assert.equal(status.getRange(row + 1, 5).getNote(), 'inventory_daily (inventory_kpi_daily): HTTP 500: could not read block 42');
  assert.deepEqual(s.console.lines.filter((l) => l[0] === 'error'),
    [['error', 'KPI refresh for 2026-11-19: inventory_daily (inventory_kpi_daily): HTTP 500: could not read block 42']]);
  assert.match(s.spreadsheet.toasts.at(-1).msg, /1 pengambilan gagal \(inventory_daily\)/);
});

test('a long error is cut on the status line, the fetch time kept, the whole text in the note', () => {
  const long = 'x'.repeat(400);
  const s = refreshed({ overrides: { sales_daily: () => json(500, { message: long }) } });

  const cell = tab(s, 'Penjualan & Laba').getRange(1, 1);

  assert.ok(String(cell.getValue()).length <= 240);
  assert.match(String(cell.getValue()), new RegExp(' · ' + FETCHED + '$'));
  assert.match(cell.getNote(), new RegExp(long));
});

test('a user without grants sees "no access" on every tab and TIDAK TERLIHAT on Status Data (fixtures from RLS)', () => {
  const s = refreshed({ fixtures: loadFixtures('no_access') });

  for (const name of TABS.slice(0, 5)) {
    assert.match(sheetValues(tab(s, name))[0][0], /^Tidak ada akses: pengguna viewer@example\.com belum diberi organisasi mana pun/, name);
    assert.equal(tab(s, name).getRange(1, 1).getBackground(), '#f4cccc', name);
  }
  const status = sheetValues(tab(s, 'Status Data'));
  assert.deepEqual(status.slice(2, 6).map((r) => r[3]), ['TIDAK TERLIHAT', 'TIDAK TERLIHAT', 'TIDAK TERLIHAT', 'TIDAK TERLIHAT']);
  assert.equal(status[status.findIndex((r) => r[0] === 'Akses pengguna') + 1][3], 'TIDAK ADA AKSES');
});

test('a sign-in failure is one error, explained on every tab, never the password', () => {
  const s = loadWithSupabase({ now: MANIFEST.now, rest: fixtureRest() });
  s.PropertiesService.getScriptProperties().setProperty('SUPABASE_PASSWORD', 'expired-password');

  assert.throws(() => s.call('scheduledRefresh'), /14 pengambilan gagal/);

  assert.equal(s.supabase.state.passwordGrants, 1);
  assert.equal(s.supabase.state.restCalls.length, 0);
  for (const name of TABS.slice(0, 5)) {
    const cell = tab(s, name).getRange(1, 1);
    assert.match(String(cell.getValue()), /^GAGAL memuat data .* — Email atau kata sandi pengguna Supabase salah/, name);
    assert.match(cell.getNote(), /Supabase sign-in failed for viewer@example\.com: HTTP 400: Invalid login credentials/, name);
  }
  const everything = JSON.stringify(sheetValues(tab(s, 'Status Data'))) + s.console.lines.join('\n') + s.Logger.lines.join('\n');
  assert.doesNotMatch(everything, /expired-password/);
});

test('without settings every tab says to set up the connection', () => {
  const s = loadWithSupabase({ now: MANIFEST.now, properties: {} });

  s.call('refreshNow');

  assert.equal(s.UrlFetchApp.requests.length, 0);
  assert.match(sheetValues(tab(s, 'Ringkasan'))[0][0], /Koneksi belum diatur: buka menu KPI › Atur koneksi Supabase/);
  assert.match(tab(s, 'Ringkasan').getRange(1, 1).getNote(), /Script Properties missing: SUPABASE_URL, SUPABASE_ANON_KEY, SUPABASE_EMAIL, SUPABASE_PASSWORD/);
});

test('an empty mirror says there is no data for the day instead of showing zeros', () => {
  const tables = ['fleet_kpi_daily', 'inventory_kpi_daily', 'sales_kpi_daily', 'sales_kpi_daily_by_product'];
  const s = loadWithSupabase({ now: MANIFEST.now, rest: (p) => json(200,
    p.includes('/rpc/kpi_mirror_status') ? tables.map((t) => ({ table_name: t, has_rows: false }))
      : p.startsWith('/rest/v1/user_org_role') ? [{ org_id: 1, warehouse_id: null, role: 'viewer' }]
        : []) });

  s.call('refreshNow');

  assert.equal(sheetValues(tab(s, 'Ringkasan'))[0][0], 'Belum ada data untuk Kam 19/11/2026 · ' + FETCHED);
  assert.deepEqual(sheetValues(tab(s, 'Ringkasan'))[2].slice(0, 4), ['Pendapatan (termasuk pajak)', '', '', '']);
  assert.deepEqual(sheetValues(tab(s, 'Status Data')).slice(2, 6).map((r) => r[3]), ['KOSONG', 'KOSONG', 'KOSONG', 'KOSONG']);
});

test('a failed read of the warehouse names falls back to ids and leaves the KPI tabs correct', () => {
  const s = refreshed({ overrides: { warehouses: () => json(403, { code: '42501', message: 'permission denied for table warehouse' }) } });

  const inventory = sheetValues(tab(s, 'Inventori'));

  assert.match(inventory[0][0], /^Data Kam 19\/11\/2026/);
  assert.deepEqual(inventory.slice(2, 5).map((r) => r[0]), ['Gudang 11', 'Gudang 12', 'Gudang 21']);
  assert.ok(sheetValues(tab(s, 'Status Data')).some((r) => r[0] === 'warehouses (warehouse)' && r[3] === 'GAGAL'));
});

test('a second refresh updates the charts in place: none are piled up', () => {
  const s = refreshed();
  const ids = Object.fromEntries(TABS.map((n) => [n, tab(s, n).getCharts().map((c) => c.getChartId())]));

  s.call('refreshNow');
  s.call('refreshNow');

  for (const name of TABS) assert.deepEqual(tab(s, name).getCharts().map((c) => c.getChartId()), ids[name], name);
  assert.deepEqual(TABS.map((n) => tab(s, n).getCharts().length), [0, 1, 1, 2, 2, 0, 0]);
});

test('a refresh while another one holds the lock writes nothing and says so', () => {
  const s = loadWithSupabase({ now: MANIFEST.now, rest: fixtureRest() });
  s.LockService.heldBy = {}; // another execution (the morning trigger) is refreshing

  s.call('refreshNow');

  assert.equal(s.UrlFetchApp.requests.length, 0);
  assert.deepEqual(s.spreadsheet.getSheets(), []);
  assert.equal(s.spreadsheet.toasts.at(-1).msg, 'KPI 2026-11-19: pembaruan lain sedang berjalan; coba lagi sebentar lagi');
  assert.deepEqual(s.LockService.waits, [30000]);
});

test('the lock is released after a refresh, also after one that failed', () => {
  const s = loadWithSupabase({ now: MANIFEST.now, rest: () => json(500, { message: 'down' }) });

  s.call('refreshNow');
  s.call('refreshNow');

  assert.equal(s.LockService.heldBy, null);
  assert.equal(s.LockService.waits.length, 0);
});

test('Ringkasan per toko (POS): each shop of the day summed over its hours, against the same weekday last week', () => {
  const s = refreshed();
  const lastWeek = addDays(DAY, -7);
  const hours = FIXTURE.pos_shops.rows;
  const shops = [...new Set(hours.filter((r) => r.data_date === DAY || r.data_date === lastWeek)
    .map((r) => `${r.org_id}/${r.config_id}`))]
    .sort((a, b) => a.split('/')[0] - b.split('/')[0] || a.split('/')[1] - b.split('/')[1]);
  const total = (key, date, field) => sum(hours.filter((r) => `${r.org_id}/${r.config_id}` === key && r.data_date === date), field);

  const values = sheetValues(tab(s, 'Ringkasan'));

  const header = values.findIndex((r) => /^Per toko \(POS\) — Kam 19\/11\/2026$/.test(r[0]));
  assert.ok(header > 0);
  assert.deepEqual(values[header].slice(0, 9), ['Per toko (POS) — Kam 19/11/2026', 'Pendapatan', 'Minggu lalu',
    'vs minggu lalu', 'Laba kotor', 'Margin', 'Transaksi', 'Rata-rata belanja', 'Organisasi']);
  const rows = values.slice(header + 1, header + 1 + shops.length);
  assert.deepEqual(rows.map((r) => [r[0], r[8]]), [['POS tanpa toko', 'New Khatulistiwa'], ['POS #1', 'New Khatulistiwa'],
    ['POS #2', 'New Khatulistiwa'], ['POS #5', 'PT Mitra']], 'org 3 (not the viewer\'s) is not there');
  shops.forEach((key, i) => {
    close(rows[i][1], total(key, DAY, 'revenue_tax_in'), key + ' revenue');
    close(rows[i][6], total(key, DAY, 'transactions'), key + ' transactions');
    if (total(key, lastWeek, 'transactions')) {
      close(rows[i][2], total(key, lastWeek, 'revenue_tax_in'), key + ' last week');
    } else {
      assert.deepEqual([rows[i][2], rows[i][3]], ['', ''], key + ': no sales last week, no change');
    }
  });
  const pos1 = total('1/1', DAY, 'revenue_tax_in');
  close(rows[1][3], Math.round(((pos1 - total('1/1', lastWeek, 'revenue_tax_in')) / total('1/1', lastWeek, 'revenue_tax_in')) * 1000) / 1000,
    'POS #1 vs last week');
  close(rows[1][5], total('1/1', DAY, 'gross_profit') / pos1, 'POS #1 margin');
});

test('Inventori: the SKUs out of stock at the end of the day, capped with "+N lainnya"', () => {
  const s = refreshed();
  const listed = FIXTURE.stockouts.rows;
  const counted = sum(FIXTURE.inventory_daily.rows.filter((r) => r.data_date === DAY), 'stockout_sku_count');
  const warehouse = Object.fromEntries(FIXTURE.warehouses.rows.map((w) => [w.id, `${w.code} · ${w.name}`]));
  const sheet = tab(s, 'Inventori');

  const values = sheetValues(sheet);

  const header = values.findIndex((r) => r[0] === 'SKU stok habis — Kam 19/11/2026');
  assert.ok(header > 0);
  assert.equal(listed.length, 10, 'the read stops at STOCKOUT_LIST_ROWS');
  assert.deepEqual(values.slice(header + 1, header + 11).map((r) => r.slice(0, 4)),
    listed.map((r) => [warehouse[r.warehouse_id], r.org_id === 1 ? 'New Khatulistiwa' : 'PT Mitra', r.sku, r.closing_qty]));
  assert.deepEqual(values[header + 11].slice(0, 2), [`+${counted - 10} lainnya`, `dari ${counted} SKU`]);
  assert.equal(sheet.getRange(header + 2, 1).getBackground(), '#fff2cc');
  assert.ok(header > sheet.getCharts()[0].getContainerInfo().getAnchorRow(), 'under the charts, which stay on screen');
  assert.ok(header < values.findIndex((r) => r[0] === 'Tren harian (semua gudang)'));
});

test('Armada says that vehicle names and failure reasons are not in the data', () => {
  const s = refreshed();
  const expected = FIXTURE.fleet_daily.rows.filter((r) => r.data_date === DAY);

  const values = sheetValues(tab(s, 'Armada'));

  assert.match(values[2 + expected.length + 1][0], /^Catatan: data operasional tidak mencatat nama kendaraan atau alasan gagal kirim/);
});
