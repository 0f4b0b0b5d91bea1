'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadWithSupabase, loadScript, plain } = require('./support/sandbox');
const { json, SETTINGS } = require('./support/fake_supabase');

// 2026-11-20 23:00 UTC is 2026-11-21 06:00 in Jakarta: "yesterday" there is 2026-11-20.
const NOW = '2026-11-20T23:00:00Z';

/** A mirror without KPI rows; the viewer has a grant, so empty means "no data yet". */
function emptyMirror() {
  return loadWithSupabase({ now: NOW, rest: (p) => json(200, p.startsWith('/rest/v1/user_org_role') ? [{ org_id: 1, warehouse_id: null, role: 'viewer' }] : []) });
}

test('onOpen adds the KPI menu whose items call global functions of the script', () => {
  const s = loadScript();

  s.call('onOpen');

  assert.equal(s.ui.menus.length, 1);
  const menu = s.ui.menus[0];
  assert.equal(menu.caption, 'KPI');
  const items = menu.items.filter((i) => !i.separator);
  assert.deepEqual(items.map((i) => i.functionName),
    ['refreshNow', 'chooseDate', 'showYesterday', 'refreshToday', 'installTodayTrigger', 'showSetupDialog',
      'installDailyTrigger', 'removeDailyTrigger']);
  for (const item of items) {
    assert.equal(typeof s.context[item.functionName], 'function', item.functionName);
    assert.doesNotMatch(item.functionName, /_$/, 'menu items cannot call private (underscore) functions');
  }
});

test('installDailyTrigger makes one daily 06:00 Asia/Jakarta trigger, however often it is run', () => {
  const s = loadScript();
  s.ScriptApp.newTrigger('someoneElsesHandler').timeBased().everyDays(1).atHour(1).create();

  s.call('installDailyTrigger');
  s.call('installDailyTrigger');

  const ours = s.ScriptApp.getProjectTriggers().filter((t) => t.getHandlerFunction() === 'scheduledRefresh');
  assert.equal(ours.length, 1);
  assert.deepEqual(ours[0].config, { everyDays: 1, hour: 6, minute: 0, timezone: 'Asia/Jakarta' });
  assert.equal(ours[0].getEventType(), 'CLOCK');
  assert.equal(s.ScriptApp.getProjectTriggers().length, 2, 'other triggers are left alone');
  assert.equal(s.spreadsheet.toasts.at(-1).msg, 'Pembaruan otomatis terpasang: setiap hari sekitar 06:00 WIB (data kemarin).');
  assert.equal(typeof s.context.scheduledRefresh, 'function');
});

test('removeDailyTrigger removes only the dashboard triggers (the daily one and a pending retry)', () => {
  const s = loadScript();
  s.ScriptApp.newTrigger('someoneElsesHandler').timeBased().everyDays(1).atHour(1).create();
  s.call('installDailyTrigger');
  s.ScriptApp.newTrigger('retryRefresh').timeBased().after(3600000).create();

  const removed = s.call('removeDailyTrigger');

  assert.equal(removed, 1);
  assert.deepEqual(s.ScriptApp.getProjectTriggers().map((t) => t.getHandlerFunction()), ['someoneElsesHandler']);
});

test('appsscript.json runs the script in Asia/Jakarta on V8 and may send the alert e-mail', () => {
  const manifest = require('../appsscript.json');

  assert.equal(manifest.timeZone, 'Asia/Jakarta');
  assert.equal(manifest.runtimeVersion, 'V8');
  assert.ok(manifest.oauthScopes.includes('https://www.googleapis.com/auth/script.send_mail'));
});

test('installing the trigger also sets the spreadsheet to Indonesian formats and Jakarta time', () => {
  const s = loadScript();

  s.call('installDailyTrigger');

  assert.equal(s.spreadsheet.getSpreadsheetLocale(), 'id_ID');
  assert.equal(s.spreadsheet.getSpreadsheetTimeZone(), 'Asia/Jakarta');
});

test('without a pinned day the dashboard shows yesterday in Jakarta', () => {
  const s = loadScript({ now: '2026-11-20T16:59:59Z' }); // 23:59:59 on the 20th in Jakarta

  assert.deepEqual(plain(s.call('selectedDay_', new (s.global('Date'))())), { day: '2026-11-19', pinned: false });
  s.clock.advance(1000); // midnight in Jakarta
  assert.deepEqual(plain(s.call('selectedDay_', new (s.global('Date'))())), { day: '2026-11-20', pinned: false });
});

test('chooseDate pins a valid past day for this user and refreshes the dashboard for it', () => {
  const s = emptyMirror();
  s.ui.promptAnswers.push({ button: 'OK', text: ' 2026-11-02 ' });

  s.call('chooseDate');

  assert.equal(s.PropertiesService.getUserProperties().getProperty('KPI_DATE'), '2026-11-02');
  assert.equal(s.PropertiesService.getScriptProperties().getProperty('KPI_DATE'), null, 'never for everyone');
  assert.ok(s.supabase.state.restCalls.some((p) => p.includes('data_date=eq.2026-11-02')));
  assert.match(s.spreadsheet.toasts.at(-1).msg, /^KPI 2026-11-02 diperbarui/);
  assert.match(String(s.spreadsheet.getSheetByName('Ringkasan').getRange(1, 1).getValue()), /^Belum ada data untuk Sen 02\/11\/2026/);
  assert.deepEqual(s.ui.alerts, []);
});

test('chooseDate refuses a malformed day and a day without data yet, and changes nothing', () => {
  const s = emptyMirror();
  s.ui.promptAnswers.push({ button: 'OK', text: '2026-02-30' }, { button: 'OK', text: '2026-11-21' });

  s.call('chooseDate');
  s.call('chooseDate');

  assert.equal(s.PropertiesService.getUserProperties().getProperty('KPI_DATE'), null);
  assert.equal(s.UrlFetchApp.requests.length, 0);
  assert.match(s.ui.alerts[0][0], /Tanggal tidak valid: "2026-02-30"/);
  assert.match(s.ui.alerts[1][0], /Data tanggal 2026-11-21 belum tersedia: data paling baru adalah kemarin \(2026-11-20\)/);
});

test('chooseDate cancelled does nothing', () => {
  const s = emptyMirror();
  s.ui.promptAnswers.push({ button: 'CANCEL', text: '2026-11-01' });

  s.call('chooseDate');

  assert.equal(s.PropertiesService.getUserProperties().getProperty('KPI_DATE'), null);
  assert.equal(s.UrlFetchApp.requests.length, 0);
});

test('a pinned day is per user: another user and the daily trigger show yesterday, the pin stays its owner\'s', () => {
  const s = emptyMirror();
  s.PropertiesService.activeUser = 'rina@example.com';
  s.PropertiesService.getUserProperties().setProperty('KPI_DATE', '2026-10-01');

  s.call('refreshNow');
  const rina = s.supabase.state.restCalls.filter((p) => p.includes('data_date=eq.'));
  s.PropertiesService.activeUser = 'budi@example.com';
  s.call('refreshNow');
  s.call('scheduledRefresh');
  const others = s.supabase.state.restCalls.filter((p) => p.includes('data_date=eq.')).slice(rina.length);

  assert.match(rina[0], /data_date=eq\.2026-10-01/);
  // top products and the stockout list of each of the two refreshes
  assert.deepEqual(others.map((p) => /data_date=eq\.([\d-]+)/.exec(p)[1]), ['2026-11-20', '2026-11-20', '2026-11-20', '2026-11-20']);
  s.PropertiesService.activeUser = 'rina@example.com';
  assert.equal(s.PropertiesService.getUserProperties().getProperty('KPI_DATE'), '2026-10-01');
});

test('the status line says when a day was chosen by hand', () => {
  const s = emptyMirror();
  s.PropertiesService.getUserProperties().setProperty('KPI_DATE', '2026-10-01');

  s.call('refreshNow');

  const status = s.spreadsheet.getSheetByName('Status Data').getDataRange().getValues();
  assert.ok(status.some((r) => r[0] === 'Tanggal ditampilkan' && r[4] === 'Kam 01/10/2026 — dipilih manual (Pilih tanggal)'));
});

test('a pinned day in the past that is no longer valid falls back to yesterday', () => {
  const s = loadScript({ now: NOW });
  s.PropertiesService.getUserProperties().setProperty('KPI_DATE', '2026-11-21'); // today: no data yet

  assert.deepEqual(plain(s.call('selectedDay_', new (s.global('Date'))())), { day: '2026-11-20', pinned: false });
});

test('showYesterday unpins this user\'s day', () => {
  const s = emptyMirror();
  s.PropertiesService.getUserProperties().setProperty('KPI_DATE', '2026-10-01');

  s.call('showYesterday');

  assert.equal(s.PropertiesService.getUserProperties().getProperty('KPI_DATE'), null);
  assert.ok(s.supabase.state.restCalls.some((p) => p.includes('data_date=eq.2026-11-20')));
});

test('the setup dialog is the project HTML file and calls back saveSettings', () => {
  const s = loadScript();

  s.call('showSetupDialog');

  assert.equal(s.ui.dialogs.length, 1);
  assert.equal(s.ui.dialogs[0].title, 'Koneksi Supabase');
  const html = s.ui.dialogs[0].userInterface.getContent();
  assert.match(html, /\.saveSettings\(/);
  assert.match(html, /\.getSettingsForDialog\(\)/);
  assert.equal(typeof s.context.saveSettings, 'function');
  assert.equal(typeof s.context.getSettingsForDialog, 'function');
});

test('saveSettings stores the settings, signs in to check them and drops the old session', () => {
  const s = loadWithSupabase({ properties: {} });
  s.CacheService.getScriptCache().put('supabase_session_v1', '{"url":"old"}', 600);

  const result = plain(s.call('saveSettings', {
    url: SETTINGS.SUPABASE_URL + '/', anonKey: SETTINGS.SUPABASE_ANON_KEY, email: SETTINGS.SUPABASE_EMAIL, password: SETTINGS.SUPABASE_PASSWORD,
  }));

  assert.deepEqual(result, { ok: true, message: 'Tersambung sebagai viewer@example.com' });
  assert.deepEqual(s.PropertiesService.getScriptProperties().getProperties(), SETTINGS);
  assert.equal(s.spreadsheet.getSpreadsheetLocale(), 'id_ID');
  assert.equal(JSON.parse(s.CacheService.getScriptCache().get('supabase_session_v1')).accessToken, 'access-1');
});

test('saveSettings with blank secret fields keeps the stored ones; the dialog never gets them back', () => {
  const s = loadWithSupabase();

  const result = plain(s.call('saveSettings', { url: SETTINGS.SUPABASE_URL, anonKey: '', email: SETTINGS.SUPABASE_EMAIL, password: '' }));
  const shown = plain(s.call('getSettingsForDialog'));

  assert.equal(result.ok, true);
  assert.deepEqual(s.PropertiesService.getScriptProperties().getProperties(), SETTINGS);
  assert.deepEqual(shown, { url: SETTINGS.SUPABASE_URL, email: SETTINGS.SUPABASE_EMAIL, hasAnonKey: true, hasPassword: true });
});

test('saveSettings rejects a bad URL or email before storing anything', () => {
  const s = loadWithSupabase({ properties: {} });

  const badUrl = plain(s.call('saveSettings', { url: 'project-ref.supabase.co', email: 'a@b.co', password: 'x' }));
  const badEmail = plain(s.call('saveSettings', { url: 'https://x.supabase.co', email: 'nobody', password: 'x' }));

  assert.equal(badUrl.ok, false);
  assert.match(badUrl.message, /https:\/\//);
  assert.equal(badEmail.ok, false);
  assert.deepEqual(s.PropertiesService.getScriptProperties().getProperties(), {});
});

test('saveSettings refuses plain http:// before storing or sending anything', () => {
  const s = loadWithSupabase({ properties: {} });

  const result = plain(s.call('saveSettings', {
    url: 'http://x.supabase.co', anonKey: SETTINGS.SUPABASE_ANON_KEY, email: SETTINGS.SUPABASE_EMAIL, password: 'pw',
  }));

  assert.equal(result.ok, false);
  assert.match(result.message, /https:\/\//);
  assert.deepEqual(s.PropertiesService.getScriptProperties().getProperties(), {});
  assert.equal(s.UrlFetchApp.requests.length, 0);
});

test('a plain http:// URL set by hand in Script Properties is refused before any sign-in', () => {
  const s = loadWithSupabase({ properties: { ...SETTINGS, SUPABASE_URL: 'http://x.supabase.co' } });

  assert.throws(() => s.call('readSettings_'), /SUPABASE_URL must start with https:\/\//);
  assert.equal(s.UrlFetchApp.requests.length, 0);
});

test('saveSettings will not send the stored password to a new URL or user: it must be typed again', () => {
  const s = loadWithSupabase();

  const moved = plain(s.call('saveSettings', { url: 'https://attacker.example', anonKey: '', email: SETTINGS.SUPABASE_EMAIL, password: '' }));
  const otherUser = plain(s.call('saveSettings', { url: SETTINGS.SUPABASE_URL, anonKey: '', email: 'boss@example.com', password: '' }));

  assert.equal(moved.ok, false);
  assert.match(moved.message, /masukkan lagi kata sandi/);
  assert.equal(otherUser.ok, false);
  assert.deepEqual(s.PropertiesService.getScriptProperties().getProperties(), SETTINGS);
  assert.equal(s.UrlFetchApp.requests.length, 0, 'nothing was posted anywhere');

  const retyped = plain(s.call('saveSettings', { url: SETTINGS.SUPABASE_URL + '/', anonKey: '', email: SETTINGS.SUPABASE_EMAIL, password: '' }));
  assert.equal(retyped.ok, true, 'the same URL (trailing slash aside) keeps the stored password');
});

test('saveSettings with a wrong password keeps the settings and says the sign-in failed', () => {
  const s = loadWithSupabase({ properties: {} });

  const result = plain(s.call('saveSettings', { ...{ url: SETTINGS.SUPABASE_URL, anonKey: SETTINGS.SUPABASE_ANON_KEY, email: SETTINGS.SUPABASE_EMAIL }, password: 'nope' }));

  assert.equal(result.ok, false);
  assert.equal(result.message, 'Tersimpan, tetapi masuk gagal: Supabase sign-in failed for viewer@example.com: HTTP 400: Invalid login credentials');
});
