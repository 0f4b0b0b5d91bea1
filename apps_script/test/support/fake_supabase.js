'use strict';
// A UrlFetchApp handler that behaves like Supabase for the script: GoTrue's token endpoint (password
// and refresh_token grants, single-use refresh tokens, expiring access tokens) and PostgREST GETs
// answered by a routes function. Answers use the real services' status codes and error bodies.

const SUPABASE_URL = 'https://project-ref.supabase.co';
const ANON_KEY = 'anon-key-for-tests';
const EMAIL = 'viewer@example.com';
const PASSWORD = 'correct horse battery staple';

const SETTINGS = {
  SUPABASE_URL,
  SUPABASE_ANON_KEY: ANON_KEY,
  SUPABASE_EMAIL: EMAIL,
  SUPABASE_PASSWORD: PASSWORD,
};

function json(code, body, headers = {}) {
  return { code, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } };
}

/**
 * @param {object} options
 * @param {FakeClock} options.clock
 * @param {(pathAndQuery: string, request) => {code, body, headers}} [options.rest]
 * @param {number} [options.expiresIn] access token life in seconds
 */
function fakeSupabase({ clock, rest = () => json(404, { code: 'PGRST205', message: 'no route' }), expiresIn = 3600 }) {
  const state = { issued: 0, passwordGrants: 0, refreshGrants: 0, tokens: new Map(), refreshTokens: new Set(), restCalls: [] };

  function issue() {
    const n = ++state.issued;
    const accessToken = `access-${n}`;
    const refreshToken = `refresh-${n}`;
    state.tokens.set(accessToken, clock.now + expiresIn * 1000);
    state.refreshTokens.add(refreshToken);
    return json(200, {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: expiresIn,
      expires_at: Math.floor(clock.now / 1000) + expiresIn,
      refresh_token: refreshToken,
      user: { id: '00000000-0000-0000-0000-00000000000a', email: EMAIL, aud: 'authenticated', role: 'authenticated' },
    });
  }

  function handler(request) {
    if (!request.url.startsWith(SUPABASE_URL + '/')) throw new Error('Address unavailable: ' + request.url);
    const pathAndQuery = request.url.slice(SUPABASE_URL.length);
    if (request.headers.apikey !== ANON_KEY) {
      return json(401, { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' });
    }
    if (pathAndQuery.startsWith('/auth/v1/token?')) {
      if (request.method !== 'post') return json(405, { code: 405, error_code: 'method_not_allowed', msg: 'Method not allowed' });
      const grant = new URLSearchParams(pathAndQuery.split('?')[1]).get('grant_type');
      const body = JSON.parse(request.payload || '{}');
      if (grant === 'password') {
        state.passwordGrants++;
        if (body.email !== EMAIL || body.password !== PASSWORD) {
          return json(400, { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
        }
        return issue();
      }
      if (grant === 'refresh_token') {
        state.refreshGrants++;
        if (!state.refreshTokens.delete(body.refresh_token)) {
          return json(400, { code: 400, error_code: 'refresh_token_not_found', msg: 'Invalid Refresh Token: Refresh Token Not Found' });
        }
        return issue();
      }
      return json(400, { code: 400, error_code: 'validation_failed', msg: 'unsupported_grant_type' });
    }
    if (pathAndQuery.startsWith('/rest/v1/')) {
      const bearer = (request.headers.Authorization || '').replace(/^Bearer /, '');
      const expiresAt = state.tokens.get(bearer);
      if (expiresAt === undefined) return json(401, { code: 'PGRST301', details: null, hint: null, message: 'No suitable key or wrong key type' });
      if (expiresAt <= clock.now) return json(401, { code: 'PGRST303', details: null, hint: null, message: 'JWT expired' });
      state.restCalls.push(pathAndQuery);
      return rest(pathAndQuery, request);
    }
    return json(404, { message: 'not found' });
  }

  return { handler, state };
}

module.exports = { fakeSupabase, json, SETTINGS, SUPABASE_URL, ANON_KEY, EMAIL, PASSWORD };
