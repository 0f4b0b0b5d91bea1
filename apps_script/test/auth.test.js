'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadWithSupabase, plain } = require('./support/sandbox');
const { json, SETTINGS, SUPABASE_URL, ANON_KEY, EMAIL, PASSWORD } = require('./support/fake_supabase');

test('signs in with the password grant and the anon key, then reuses the cached token', () => {
  const s = loadWithSupabase();
  const settings = s.call('readSettings_');

  const first = s.call('getAccessToken_', settings);
  const second = s.call('getAccessToken_', settings);

  assert.equal(first, 'access-1');
  assert.equal(second, 'access-1');
  assert.equal(s.UrlFetchApp.requests.length, 1);
  const request = s.UrlFetchApp.requests[0];
  assert.equal(request.url, SUPABASE_URL + '/auth/v1/token?grant_type=password');
  assert.equal(request.method, 'post');
  assert.equal(request.contentType, 'application/json');
  assert.equal(request.headers.apikey, ANON_KEY);
  assert.deepEqual(JSON.parse(request.payload), { email: EMAIL, password: PASSWORD });
  const cached = JSON.parse(s.CacheService.getScriptCache().get('supabase_session_v1'));
  assert.equal(cached.refreshToken, 'refresh-1');
  assert.equal(cached.expiresAt, s.clock.now + 3600 * 1000);
});

test('refreshes with the refresh token shortly before the access token expires', () => {
  const s = loadWithSupabase({ expiresIn: 3600 });
  const settings = s.call('readSettings_');
  s.call('getAccessToken_', settings);

  s.clock.advance((3600 - 4 * 60) * 1000); // inside the 5-minute margin
  const token = s.call('getAccessToken_', settings);

  assert.equal(token, 'access-2');
  assert.equal(s.supabase.state.refreshGrants, 1);
  assert.equal(s.supabase.state.passwordGrants, 1);
  const last = s.UrlFetchApp.requests.at(-1);
  assert.equal(last.url, SUPABASE_URL + '/auth/v1/token?grant_type=refresh_token');
  assert.deepEqual(JSON.parse(last.payload), { refresh_token: 'refresh-1' });
});

test('a token just outside the refresh margin is still used as it is', () => {
  const s = loadWithSupabase({ expiresIn: 3600 });
  const settings = s.call('readSettings_');
  s.call('getAccessToken_', settings);

  s.clock.advance((3600 - 6 * 60) * 1000);

  assert.equal(s.call('getAccessToken_', settings), 'access-1');
  assert.equal(s.supabase.state.refreshGrants, 0);
});

test('a refused refresh token falls back to a new password sign-in', () => {
  const s = loadWithSupabase({ expiresIn: 600 });
  const settings = s.call('readSettings_');
  s.call('getAccessToken_', settings);
  s.supabase.state.refreshTokens.clear(); // revoked on the server (e.g. signed out elsewhere)

  s.clock.advance(600 * 1000);
  const token = s.call('getAccessToken_', settings);

  assert.equal(token, 'access-2');
  assert.equal(s.supabase.state.refreshGrants, 1);
  assert.equal(s.supabase.state.passwordGrants, 2);
  assert.match(s.Logger.lines.join('\n'), /token refresh refused \(400\)/);
});

test('the cache keeps the session at most 6 hours; then the script signs in again', () => {
  const s = loadWithSupabase({ expiresIn: 3600 * 24 });
  const settings = s.call('readSettings_');
  s.call('getAccessToken_', settings);

  s.clock.advance(6 * 3600 * 1000);

  assert.equal(s.call('getAccessToken_', settings), 'access-2');
  assert.equal(s.supabase.state.passwordGrants, 2);
});

test('a session cached for another user or project is not used', () => {
  const s = loadWithSupabase();
  s.call('getAccessToken_', s.call('readSettings_'));
  s.PropertiesService.getScriptProperties().setProperty('SUPABASE_EMAIL', 'someone.else@example.com');

  assert.throws(() => s.call('getAccessToken_', s.call('readSettings_')),
    /Supabase sign-in failed for someone\.else@example\.com: HTTP 400: Invalid login credentials/);
  assert.equal(s.supabase.state.passwordGrants, 2);
});

test('a wrong password fails with the server message and never shows the password', () => {
  const s = loadWithSupabase({ properties: { ...SETTINGS, SUPABASE_PASSWORD: 'wrong-password-123' } });

  let message = '';
  try {
    s.call('getAccessToken_', s.call('readSettings_'));
  } catch (err) {
    message = err.message;
  }

  assert.equal(message, 'Supabase sign-in failed for viewer@example.com: HTTP 400: Invalid login credentials');
  assert.equal(s.CacheService.getScriptCache().get('supabase_session_v1'), null);
});

test('a wrong anon key is reported with the API message and hint', () => {
  const s = loadWithSupabase({ properties: { ...SETTINGS, SUPABASE_ANON_KEY: 'not-the-key' } });

  assert.throws(() => s.call('getAccessToken_', s.call('readSettings_')),
    /HTTP 401: Invalid API key \(Double check your Supabase `anon` or `service_role` API key\.\)/);
});

test('a REST 401 (token revoked early) gets one new sign-in and the read goes on', () => {
  const rows = [{ data_date: '2026-11-20' }];
  const s = loadWithSupabase({ rest: () => json(200, rows) });
  const settings = s.call('readSettings_');
  s.call('getAccessToken_', settings);
  s.supabase.state.tokens.clear(); // the server forgot every access token

  const result = s.call('fetchRows_', settings, {
    name: 'latest', table: 'sales_kpi_daily', select: ['data_date'], filters: [], order: [['data_date', 'desc']], limit: 1,
  });

  assert.deepEqual(plain(result), rows);
  assert.equal(s.supabase.state.passwordGrants, 2);
  assert.equal(s.Utilities.sleeps.length, 0);
});

test('missing Script Properties are all named in one error', () => {
  const s = loadWithSupabase({ properties: { SUPABASE_URL: 'https://x.supabase.co' } });

  assert.throws(() => s.call('readSettings_'),
    /Script Properties missing: SUPABASE_ANON_KEY, SUPABASE_EMAIL, SUPABASE_PASSWORD/);
});
