'use strict';
// "Hari Ini" (src/today.js, src/today_sheet.js) over a simulated day: the pipeline refreshes today's
// provisional rows every 30 minutes in store hours, the sheet refreshes a few minutes later, and the tab
// shows the growing day against the same weekday last week up to the same time.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadWithSupabase, sheetValues, plain } = require('./support/sandbox');
const { json } = require('./support/fake_supabase');

const { TODAY, LAST_WEEK, HOURS, HOURLY_PATH, PRODUCTS_PATH, mirrorAt, restFor, wib } = require('./support/today_day');

function expectedTotals(asOfHHMM) {
  const [H, M] = asOfHHMM.split(':').map(Number);
  const { rows } = mirrorAt(asOfHHMM);
  const today = rows.filter((r) => r.data_date === TODAY);
  const week = rows.filter((r) => r.data_date === LAST_WEEK);
  const w = (h) => (h < H ? 1 : h === H ? M / 60 : 0);
  const sum = (list, key, weight) => list.reduce((a, r) => a + weight(r.hour) * r[key], 0);
  return {
    today: { revenue: sum(today, 'revenue_tax_in', () => 1), gp: sum(today, 'gross_profit', () => 1), tx: sum(today, 'transactions', () => 1) },
    week: { revenue: sum(week, 'revenue_tax_in', w), gp: sum(week, 'gross_profit', w), tx: sum(week, 'transactions', w) },
  };
}

function close(actual, expected, what) {
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} != ${expected}`);
}

function todayTab(s) {
  const sheet = s.spreadsheet.getSheetByName('Hari Ini');
  assert.ok(sheet, 'the Hari Ini tab exists');
  return sheet;
}

test('through store hours the tab shows the growing day against last week up to the same time', () => {
  const state = { mirror: mirrorAt(null) };
  const s = loadWithSupabase({ now: wib('08:05'), rest: restFor(state) });
  let previousRevenue = -1;
  let refreshes = 0;
  for (let minutes = 8 * 60 + 30; minutes <= 21 * 60 + 30; minutes += 30) {
    const hhmm = ('0' + Math.floor(minutes / 60)).slice(-2) + ':' + ('0' + (minutes % 60)).slice(-2);
    state.mirror = mirrorAt(hhmm); // the pipeline's intraday run at hh:mm
    s.clock.now = Date.parse(wib(hhmm)) + 5 * 60000; // the sheet's trigger a few minutes later
    s.supabase.state.restCalls.length = 0;
    s.call('scheduledTodayRefresh');
    refreshes++;

    assert.deepEqual(s.supabase.state.restCalls, [HOURLY_PATH, PRODUCTS_PATH], 'two reads per refresh');
    const sheet = todayTab(s);
    const status = String(sheet.getRange(1, 1).getValue());
    assert.match(status, new RegExp('^Hari Ini Jum 20/11/2026 · per ' + hhmm + ' WIB \\(sementara'));
    assert.match(status, new RegExp('dibandingkan Jum 13/11/2026 s\\.d\\. ' + hhmm));
    assert.doesNotMatch(status, /TERLAMBAT/);
    assert.equal(sheet.getRange(1, 1).getBackground(), '#d9ead3');

    const expected = expectedTotals(hhmm);
    const values = sheetValues(sheet);
    assert.deepEqual(values[1].slice(0, 5), ['Ukuran', 'Hari ini', 'Minggu lalu (jam sama)', 'Selisih', 'Selisih %']);
    const [revenue, gp, margin, tx, basket] = values.slice(2, 7);
    assert.equal(revenue[0], 'Pendapatan (termasuk pajak)');
    close(revenue[1], expected.today.revenue, hhmm + ' revenue today');
    close(revenue[2], expected.week.revenue, hhmm + ' revenue last week');
    close(revenue[3], expected.today.revenue - expected.week.revenue, hhmm + ' difference');
    close(gp[1], expected.today.gp, hhmm + ' gross profit');
    close(margin[1], expected.today.gp / expected.today.revenue, hhmm + ' margin');
    close(tx[1], expected.today.tx, hhmm + ' transactions');
    assert.equal(tx[2], Math.round(expected.week.tx), hhmm + ' last week transactions, whole');
    close(basket[1], expected.today.revenue / expected.today.tx, hhmm + ' basket');
    // today sells 10% above last week at every hour: the revenue and profit differences say so
    close(revenue[4], 0.1, hhmm + ' +10%');
    assert.ok(revenue[1] > previousRevenue, hhmm + ': the day grows');
    previousRevenue = revenue[1];

    // cumulative by hour: today's line stops at the refresh, last week's goes on to closing time
    const hourly = values.slice(9, 9 + HOURS.length);
    assert.deepEqual(hourly.map((r) => r[0]), HOURS.map((h) => ('0' + (h + 1)).slice(-2) + ':00'));
    const [H] = hhmm.split(':').map(Number);
    for (const [label, todayCum, weekCum] of hourly) {
      const end = Number(label.slice(0, 2));
      if (end <= H) assert.equal(typeof todayCum, 'number', label + ' is over: today has it');
      else assert.equal(todayCum, '', label + ' is not over at the refresh: blank');
      assert.equal(typeof weekCum, 'number');
    }
    // by the end of every hour that is over, today is 10% above last week
    for (const [label, todayCum, weekCum] of hourly.filter((r) => r[1] !== '')) close(todayCum, weekCum * 1.1, label);
    close(hourly.at(-1)[2], mirrorAt(hhmm).rows.filter((r) => r.data_date === LAST_WEEK).reduce((a, r) => a + r.revenue_tax_in, 0), 'last week whole day');

    // today's top products, best first; a product without a name is shown by its id
    assert.deepEqual(values[1].slice(6, 11), ['#', 'Produk teratas hari ini', 'Pendapatan', 'Laba kotor', 'Qty']);
    assert.deepEqual(values.slice(2, 4).map((r) => r.slice(6, 11)), [
      [1, 'Kopi Susu Gula Aren', 900000, 300000, 60],
      [2, 'Produk #9', 400000, 90000, 12.5],
    ]);
  }
  assert.equal(refreshes, 27);
  // one line chart, updated in place: the hour, today and last week, from the hourly header row down
  const charts = todayTab(s).getCharts();
  assert.equal(charts.length, 1);
  assert.deepEqual(plain(charts[0].getRanges().map((r) => [r.getRow(), r.getColumn(), r.getNumRows()])),
    [[9, 1, HOURS.length + 1], [9, 2, HOURS.length + 1], [9, 3, HOURS.length + 1]]);
});

test('a refresh older than an hour in store hours is flagged; after closing it is not', () => {
  const state = { mirror: mirrorAt('12:00') };
  const s = loadWithSupabase({ now: wib('13:30'), rest: restFor(state) });
  s.call('refreshToday');
  let sheet = todayTab(s);
  assert.match(String(sheet.getRange(1, 1).getValue()), /per 12:00 WIB .*TERLAMBAT: pembaruan terakhir lebih dari 60 menit lalu/);
  assert.equal(sheet.getRange(1, 1).getBackground(), '#fff2cc');
  assert.equal(s.spreadsheet.toasts.at(-1).msg, 'Hari Ini 2026-11-20 per 12:00 WIB diperbarui');

  // exactly an hour is still on time
  s.clock.now = Date.parse(wib('13:00'));
  s.call('refreshToday');
  assert.doesNotMatch(String(todayTab(s).getRange(1, 1).getValue()), /TERLAMBAT/);

  // the last refresh of the day at 21:30, read at 23:40: the store is closed, nothing is late
  state.mirror = mirrorAt('21:30');
  s.clock.now = Date.parse(wib('23:40'));
  s.call('refreshToday');
  sheet = todayTab(s);
  assert.match(String(sheet.getRange(1, 1).getValue()), /per 21:30 WIB \(sementara/);
  assert.doesNotMatch(String(sheet.getRange(1, 1).getValue()), /TERLAMBAT/);
});

test('before the first refresh of the day the tab says there is nothing yet, late only in store hours', () => {
  const state = { mirror: mirrorAt(null) };
  const s = loadWithSupabase({ now: wib('07:10'), rest: restFor(state) });
  s.call('refreshToday');
  assert.match(String(todayTab(s).getRange(1, 1).getValue()), /belum ada data hari ini \(pembaruan tiap 30 menit, 08:00–22:00 WIB\)/);
  assert.equal(todayTab(s).getRange(1, 1).getBackground(), '#d9ead3');
  s.clock.now = Date.parse(wib('09:30'));
  s.call('refreshToday');
  assert.equal(todayTab(s).getRange(1, 1).getBackground(), '#fff2cc');
  // last week's line is there already; today's is blank
  const hourly = sheetValues(todayTab(s)).slice(9, 9 + HOURS.length);
  assert.ok(hourly.every((r) => r[1] === '' && typeof r[2] === 'number'));
});

test('a failed read says so and leaves no number of an earlier refresh behind', () => {
  const state = { mirror: mirrorAt('10:00') };
  const s = loadWithSupabase({ now: wib('10:05'), rest: restFor(state) });
  s.call('refreshToday');
  assert.equal(typeof sheetValues(todayTab(s))[2][1], 'number');
  state.fail = true;
  s.clock.now = Date.parse(wib('10:35'));
  s.call('refreshToday');
  const sheet = todayTab(s);
  assert.match(String(sheet.getRange(1, 1).getValue()), /pengambilan gagal — today_hourly \(sales_kpi_hourly\): HTTP 503: upstream down/);
  assert.equal(sheet.getRange(1, 1).getBackground(), '#f4cccc');
  const values = sheetValues(sheet);
  assert.deepEqual(values[2].slice(0, 5), ['Pendapatan (termasuk pajak)', '', '', '', ''], 'no figure it could not read');
  assert.ok(values.slice(9).every((r) => r[0] === '' && r[1] === ''), 'no hourly rows either');
  assert.deepEqual(values[2].slice(6, 8), [1, 'Kopi Susu Gula Aren'], 'the read that worked is shown');
});

test('the nightly run makes the day final: whole day on both sides, no sementara mark', () => {
  const s = loadWithSupabase({ now: wib('23:50'), rest: () => json(400, {}) });
  const final = mirrorAt('21:30').rows.map((r) => (r.data_date === TODAY ? { ...r, provisional: false, as_of: '2026-11-20T17:00:00+00:00' } : r));
  const model = plain(s.call('buildTodayModel_', {
    today: TODAY, now: new Date(Date.parse(wib('23:50'))),
    hourly: { rows: final, error: '' }, products: { rows: [], error: '' },
  }));
  assert.match(model.status.text, /^Hari Ini Jum 20\/11\/2026 · final \(hari penuh\) · dibandingkan Jum 13\/11\/2026 \(hari penuh\)/);
  assert.equal(model.provisional, false);
  assert.equal(model.stale, false);
  const weekAll = final.filter((r) => r.data_date === LAST_WEEK).reduce((a, r) => a + r.revenue_tax_in, 0);
  close(model.compare[0][2], weekAll, 'last week whole');
});

test('installTodayTrigger makes one 30-minute trigger, however often it is run', () => {
  const s = loadWithSupabase({ now: wib('09:00') });
  s.call('installDailyTrigger');
  s.call('installTodayTrigger');
  s.call('installTodayTrigger');
  const mine = s.ScriptApp.getProjectTriggers().filter((t) => t.getHandlerFunction() === 'scheduledTodayRefresh');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].config.everyMinutes, 30);
  assert.equal(s.ScriptApp.getProjectTriggers().length, 2, 'the daily trigger stays');
  assert.equal(s.call('removeTodayTrigger'), 1);
  assert.equal(s.ScriptApp.getProjectTriggers().length, 1);
});
