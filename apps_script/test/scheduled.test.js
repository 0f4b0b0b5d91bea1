'use strict';
// The 06:00 refresh and what reaches a person: Apps Script's own failure e-mail (the run ends in an
// error), the alert e-mail to ALERT_EMAILS, and the one later attempt when the data was not there yet.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadWithSupabase } = require('./support/sandbox');
const { json, fakeSupabase, SETTINGS } = require('./support/fake_supabase');
const { MANIFEST, fixtureRest, loadFixtures, withoutDay } = require('./support/fixture_rest');

const PROPERTIES = { ...SETTINGS, ALERT_EMAILS: 'ops-jakarta@example.com, manager@example.com' };
const TWO_HOURS = 2 * 60 * 60 * 1000;

function morning(rest, properties = PROPERTIES) {
  return loadWithSupabase({ now: MANIFEST.now, rest, properties });
}

function retries(s) {
  return s.ScriptApp.getProjectTriggers().filter((t) => t.getHandlerFunction() === 'retryRefresh');
}

function deliver(s, rest) {
  s.UrlFetchApp.handler = fakeSupabase({ clock: s.clock, rest }).handler;
}

test('a normal morning: no e-mail, no retry, no error', () => {
  const s = morning(fixtureRest());

  s.call('scheduledRefresh');

  assert.deepEqual(s.MailApp.sent, []);
  assert.deepEqual(retries(s), []);
  assert.match(String(s.spreadsheet.getSheetByName('Ringkasan').getRange(1, 1).getValue()), /^Data Kam 19\/11\/2026 · diambil/);
});

test('a stale morning waits for the 08:00 retry; still stale then, the team gets one short e-mail', () => {
  const s = morning(fixtureRest({ rows: withoutDay(MANIFEST.day) }));

  s.call('scheduledRefresh');

  assert.deepEqual(s.MailApp.sent, [], 'no e-mail before the retry');
  assert.equal(retries(s).length, 1);
  assert.equal(retries(s)[0].config.afterMs, TWO_HOURS);

  s.clock.advance(TWO_HOURS);
  s.call('retryRefresh');

  assert.deepEqual(retries(s), [], 'one retry only: it removes itself and sets up no other');
  assert.equal(s.MailApp.sent.length, 1);
  const mail = s.MailApp.sent[0];
  assert.equal(mail.to, 'ops-jakarta@example.com,manager@example.com');
  assert.equal(mail.subject, 'KPI Kam 19/11/2026: 3 masalah pada dashboard');
  assert.match(mail.body, /^Dashboard KPI untuk Kam 19\/11\/2026 \(diperbarui 2026-11-20 08:00:00 WIB\) perlu perhatian:/);
  assert.match(mail.body, /- sales_kpi_daily: BASI — terlambat: seharusnya sudah ada data Kam 19\/11\/2026/);
  assert.match(mail.body, /Lihat tab Status Data: https:\/\/docs\.google\.com\/spreadsheets\/d\/fake-spreadsheet-id\/edit/);
  assert.doesNotMatch(mail.body, new RegExp(SETTINGS.SUPABASE_PASSWORD));
});

test('data that arrives before the retry: the retry refreshes and nobody is bothered', () => {
  const s = morning(fixtureRest({ rows: withoutDay(MANIFEST.day) }));
  s.call('scheduledRefresh');
  deliver(s, fixtureRest());

  s.clock.advance(TWO_HOURS);
  s.call('retryRefresh');

  assert.deepEqual(s.MailApp.sent, []);
  assert.match(String(s.spreadsheet.getSheetByName('Ringkasan').getRange(1, 1).getValue()), /^Data Kam 19\/11\/2026 · diambil 2026-11-20 08:00:00 WIB/);
});

test('a failed read ends the run in an error (Apps Script e-mails the trigger owner) and is retried; still failing, the team is told', () => {
  const failing = { overrides: { sales_daily: () => json(503, { message: 'upstream connect error' }) } };
  const s = morning(fixtureRest(failing));

  assert.throws(() => s.call('scheduledRefresh'), /^Error: KPI 2026-11-19: 1 pengambilan gagal \(sales_daily\) — lihat tab Status Data$/);
  assert.equal(retries(s).length, 1);
  assert.deepEqual(s.MailApp.sent, []);

  s.clock.advance(TWO_HOURS);
  assert.throws(() => s.call('retryRefresh'), /1 pengambilan gagal \(sales_daily\)/);

  assert.equal(s.MailApp.sent.length, 1);
  assert.match(s.MailApp.sent[0].body, /- Pengambilan sales_daily gagal — Supabase tidak menjawab/);
  assert.deepEqual(retries(s), []);
});

test('a user without grants is e-mailed at once: waiting will not fix it', () => {
  const s = morning(fixtureRest({ fixtures: loadFixtures('no_access') }));

  s.call('scheduledRefresh');

  assert.deepEqual(retries(s), []);
  assert.equal(s.MailApp.sent.length, 1);
  assert.match(s.MailApp.sent[0].body, /- Pengguna viewer@example\.com belum diberi akses ke organisasi mana pun\./);
  assert.match(s.MailApp.sent[0].body, /- sales_kpi_daily: TIDAK TERLIHAT — tabel berisi data, tetapi pengguna ini belum diberi akses/);
});

test('without ALERT_EMAILS nothing is mailed, and a failure still ends in an error', () => {
  const s = morning(fixtureRest({ overrides: { fleet_daily: () => json(500, { message: 'boom' }) } }), SETTINGS);

  assert.throws(() => s.call('scheduledRefresh'), /pengambilan gagal \(fleet_daily\)/);
  s.clock.advance(TWO_HOURS);
  assert.throws(() => s.call('retryRefresh'), /pengambilan gagal \(fleet_daily\)/);

  assert.deepEqual(s.MailApp.sent, []);
  const status = s.spreadsheet.getSheetByName('Status Data').getDataRange().getValues();
  assert.ok(status.some((r) => r[0] === 'Email peringatan' && r[4] === 'tidak diatur (Script Property ALERT_EMAILS)'));
});

test('an e-mail that cannot be sent (quota used up) fails the run, so the owner still hears of it', () => {
  const s = morning(fixtureRest({ fixtures: loadFixtures('no_access') }));
  s.MailApp.failWith = 'Service invoked too many times for one day: email.';

  assert.throws(() => s.call('scheduledRefresh'), /e-mail peringatan gagal: Service invoked too many times for one day: email\./);

  assert.ok(s.console.lines.some((l) => l[0] === 'error' && /KPI alert e-mail for 2026-11-19 failed/.test(l[1])));
});

test('a morning refresh that finds another refresh running tries again later instead of giving up', () => {
  const s = morning(fixtureRest());
  s.LockService.heldBy = {};

  s.call('scheduledRefresh');

  assert.equal(retries(s).length, 1);
  assert.equal(s.UrlFetchApp.requests.length, 0);
});

test('a KPI_MAX_LAG_DAYS typo is shown and mailed, and the default lags still apply', () => {
  const s = morning(fixtureRest(), { ...PROPERTIES, KPI_MAX_LAG_DAYS: 'fleet=2' });

  s.call('scheduledRefresh');

  const status = s.spreadsheet.getSheetByName('Status Data').getDataRange().getValues();
  assert.ok(status.some((r) => r[0] === 'Setelan' && r[3] === 'GAGAL'));
  assert.equal(status[5][2], 'maks. 2 hari');
  assert.equal(s.MailApp.sent.length, 1);
  assert.match(s.MailApp.sent[0].body, /Setelan KPI_MAX_LAG_DAYS salah tulis/);
});
