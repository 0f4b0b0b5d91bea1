// Sign-in to Supabase Auth (GoTrue) with the password grant, so PostgREST sees a real user and
// row-level security decides which organisations and warehouses the sheet shows. The session is kept
// in the script cache and renewed with the refresh token shortly before the access token expires.

/**
 * @typedef {Object} Session
 * @property {string} url which project the session belongs to
 * @property {string} email which user the session belongs to
 * @property {string} accessToken
 * @property {string} refreshToken
 * @property {number} expiresAt epoch milliseconds
 */

/**
 * A valid access token for the configured user: the cached one, a refreshed one, or a new sign-in.
 * @param {Settings} settings
 * @returns {string}
 */
function getAccessToken_(settings) {
  const cached = readCachedSession_(settings);
  if (cached) {
    if (cached.expiresAt - TOKEN_REFRESH_MARGIN_MS > Date.now()) return cached.accessToken;
    const refreshed = refreshSession_(settings, cached.refreshToken);
    if (refreshed) return refreshed.accessToken;
  }
  return signIn_(settings).accessToken;
}

/**
 * @param {Settings} settings
 * @returns {Session | null}
 */
function readCachedSession_(settings) {
  const text = CacheService.getScriptCache().get(TOKEN_CACHE_KEY);
  if (!text) return null;
  try {
    const session = /** @type {Session} */ (JSON.parse(text));
    // Settings changed since the session was made: it belongs to someone else.
    if (session.url !== settings.url || session.email !== settings.email) return null;
    return session;
  } catch (err) {
    return null;
  }
}

function clearSessionCache_() {
  CacheService.getScriptCache().remove(TOKEN_CACHE_KEY);
}

/**
 * @param {Settings} settings
 * @returns {Session}
 */
function signIn_(settings) {
  const response = postAuthToken_(settings, 'password', { email: settings.email, password: settings.password });
  if (response.getResponseCode() !== 200) {
    throw new Error('Supabase sign-in failed for ' + settings.email + ': ' + describeHttpError_(response));
  }
  return storeSession_(settings, response);
}

/**
 * @param {Settings} settings
 * @param {string} refreshToken
 * @returns {Session | null} null when the refresh token is no longer accepted (then sign in again)
 */
function refreshSession_(settings, refreshToken) {
  if (!refreshToken) return null;
  const response = postAuthToken_(settings, 'refresh_token', { refresh_token: refreshToken });
  if (response.getResponseCode() !== 200) {
    logInfo_('Supabase token refresh refused (' + response.getResponseCode() + '); signing in again');
    clearSessionCache_();
    return null;
  }
  return storeSession_(settings, response);
}

/**
 * @param {Settings} settings
 * @param {string} grantType
 * @param {Object<string, string>} body
 * @returns {GoogleAppsScript.URL_Fetch.HTTPResponse}
 */
function postAuthToken_(settings, grantType, body) {
  return UrlFetchApp.fetch(settings.url + '/auth/v1/token?grant_type=' + encodeURIComponent(grantType), {
    method: 'post',
    contentType: 'application/json',
    headers: { apikey: settings.anonKey },
    payload: JSON.stringify(body),
    muteHttpExceptions: true,
  });
}

/**
 * @param {Settings} settings
 * @param {GoogleAppsScript.URL_Fetch.HTTPResponse} response
 * @returns {Session}
 */
function storeSession_(settings, response) {
  /** @type {{access_token?: string, refresh_token?: string, expires_in?: number, expires_at?: number}} */
  let body;
  try {
    body = JSON.parse(response.getContentText());
  } catch (err) {
    throw new Error('Supabase sign-in answered something that is not JSON');
  }
  if (!body.access_token) throw new Error('Supabase sign-in answered without an access_token');
  const now = Date.now();
  const expiresAt = body.expires_in
    ? now + Number(body.expires_in) * 1000
    : body.expires_at
      ? Number(body.expires_at) * 1000
      : now + 3600 * 1000;
  /** @type {Session} */
  const session = {
    url: settings.url,
    email: settings.email,
    accessToken: body.access_token,
    refreshToken: body.refresh_token || '',
    expiresAt: expiresAt,
  };
  // Kept as long as the cache allows: past the access token's life the refresh token still renews it.
  CacheService.getScriptCache().put(TOKEN_CACHE_KEY, JSON.stringify(session), TOKEN_CACHE_MAX_SECONDS);
  return session;
}

/**
 * One line for a failed HTTP answer: the status and the server's own message (GoTrue and PostgREST
 * spell it differently). Never includes request headers, so no key or token ends up in a message.
 * @param {GoogleAppsScript.URL_Fetch.HTTPResponse} response
 * @returns {string}
 */
function describeHttpError_(response) {
  const code = response.getResponseCode();
  const text = response.getContentText() || '';
  let detail = text.slice(0, 300);
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object') {
      detail = String(body.error_description || body.msg || body.message || body.error || detail);
      if (body.hint) detail += ' (' + body.hint + ')';
    }
  } catch (err) {
    // not JSON: keep the start of the text
  }
  return 'HTTP ' + code + (detail ? ': ' + detail.replace(/\s+/g, ' ').trim() : '');
}
