'use strict';
// The banner on every tab: an unverified day (sales_kpi_daily.verified = false in the mirror) is said
// at the top of each tab, in Indonesian, in red, before the tab's own status; a verified refresh has
// no banner. (A stale day is the status line's own "Belum ada data … data terakhir …".)
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { loadScript, loadWithSupabase, sheetValues } = require('./support/sandbox');
const { json } = require('./support/fake_supabase');

const FIXTURES = path.join(__dirname, 'fixtures');
const MANIFEST = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'queries.json'), 'utf8'));
const DAY = MANIFEST.day;
const FIXTURE = Object.fromEntries(MANIFEST.queries.map((q) => [q.name, JSON.parse(fs.readFileSync(path.join(FIXTURES, q.name + '.json'), 'utf8'))]));
const TABS = ['Ringkasan', 'Penjualan & Laba', 'Produk Teratas', 'Inventori', 'Armada', 'Status Data'];
const RED = '#f4cccc';

/** PostgREST answering the fixture paths, with some fixtures' rows replaced. */
function restWith(rowsByName = {}) {
  const byPath = new Map(MANIFEST.queries.map((q) => [q.path, q.name]));
  return (pathAndQuery) => {
    const name = byPath.get(pathAndQuery);
    if (!name) return json(400, { code: 'PGRST100', message: 'no fixture for ' + pathAndQuery });
    const rows = rowsByName[name] || FIXTURE[name].rows;
    return json(200, rows, { 'Content-Range': rows.length ? `0-${rows.length - 1}/*` : '*/*' });
  };
}

function refreshed(rowsByName) {
  const s = loadWithSupabase({ now: MANIFEST.now, rest: restWith(rowsByName) });
  s.PropertiesService.getScriptProperties().setProperty('KPI_DATE', DAY);
  s.call('refreshNow');
  return s;
}

function statusLine(s, name) {
  const sheet = s.spreadsheet.getSheetByName(name);
  return { text: String(sheetValues(sheet)[0][0]), background: sheet.getRange(1, 1).getBackground() };
}

function salesWithUnverified(days) {
  return FIXTURE.sales_daily.rows.map((row) => (days.includes(row.data_date) ? { ...row, verified: false } : row));
}

test('an unverified day puts a red banner on every tab, naming the day, above the tab status', () => {
  const s = refreshed({ sales_daily: salesWithUnverified([DAY]) });

  for (const name of TABS) {
    const line = statusLine(s, name);
    assert.ok(line.text.startsWith('Angka tanggal Kam 19/11/2026 belum terverifikasi: '), `${name}: ${line.text}`); // DAY, as the tabs say days
    assert.match(line.text, /lihat tab Status ETL/, name);
    assert.match(line.text, / · .*diambil .* WIB$/, name); // the tab's own status follows
    assert.equal(line.background, RED, name);
  }
  // the numbers are still shown: the data is kept, only flagged
  const summary = sheetValues(s.spreadsheet.getSheetByName('Ringkasan'));
  assert.ok(summary.length > 3);
});

test('a verified, fresh refresh has no banner', () => {
  const s = refreshed();

  for (const name of TABS) {
    const line = statusLine(s, name);
    assert.doesNotMatch(line.text, /terverifikasi/, name);
  }
});

test('dataBanner_: many unverified days are named up to five; none unverified, no banner', () => {
  const s = loadScript();
  const days = ['2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13', '2026-11-14', '2026-11-15', '2026-11-16'];
  const ctx = {
    day: '2026-11-16', today: '2026-11-21', fetchedAt: new Date('2026-11-20T23:00:00Z'),
    results: {
      sales_daily: { rows: [...days.map((d) => ({ data_date: d, verified: false })), { data_date: '2026-11-09', verified: true },
        { data_date: '2026-11-08' }], error: '' },
      latest_sales_kpi_daily: { rows: [{ data_date: '2026-11-16' }], error: '' },
    },
  };

  const result = s.call('dataBanner_', ctx);

  assert.equal(result.level, 'error');
  assert.ok(result.text.startsWith('Angka tanggal Kam 12/11/2026, Jum 13/11/2026, Sab 14/11/2026, Min 15/11/2026, Sen 16/11/2026 dan 2 tanggal lain belum terverifikasi: '), result.text);
  assert.equal(s.call('dataBanner_', { ...ctx, results: { sales_daily: { rows: [{ data_date: '2026-11-20', verified: true }], error: '' } } }), null);
});
