// PostgREST reads of the mirror tables. A query is data (table, columns, filters, order, limit) so
// the same description builds the URL here and is checked against the fixtures the Python suite makes
// from the real PostgreSQL mirror.

/**
 * @typedef {Object} RestQuery
 * @property {string} name what the dashboard calls this fetch (shown when it fails)
 * @property {string} table mirror table
 * @property {string[]} select columns
 * @property {Array<[string, string, string]>} filters [column, operator, value], e.g. ['data_date', 'gte', '2026-11-01']
 * @property {Array<[string, string]>} order [column, 'asc' | 'desc']
 * @property {number} [limit] a fixed limit: one request, no paging
 * @property {boolean} [rpc] table is a set-returning function read through /rest/v1/rpc/
 */

/**
 * The path and query string of one request (without the project URL).
 * @param {RestQuery} query
 * @param {number} limit
 * @param {number | null} offset null for a query with a fixed limit
 * @returns {string}
 */
function buildRestPath_(query, limit, offset) {
  /** @type {string[]} */
  const parts = ['select=' + query.select.map(encodeURIComponent).join(',')];
  query.filters.forEach(function (filter) {
    parts.push(encodeURIComponent(filter[0]) + '=' + filter[1] + '.' + encodeURIComponent(filter[2]));
  });
  if (query.order.length) {
    parts.push('order=' + query.order.map(function (o) { return encodeURIComponent(o[0]) + '.' + o[1]; }).join(','));
  }
  parts.push('limit=' + limit);
  if (offset !== null) parts.push('offset=' + offset);
  return '/rest/v1/' + (query.rpc ? 'rpc/' : '') + encodeURIComponent(query.table) + '?' + parts.join('&');
}

/**
 * Every row of a query, page by page on a stable order. PostgREST is asked for the exact count, so a
 * server that caps rows per answer (Supabase's "max rows") cannot end the paging early; without a
 * count in Content-Range, a short page ends it.
 * @param {Settings} settings
 * @param {RestQuery} query
 * @returns {Array<Object<string, any>>}
 */
function fetchRows_(settings, query) {
  if (query.limit) return fetchPage_(settings, query, buildRestPath_(query, query.limit, null), false).rows;
  /** @type {Array<Object<string, any>>} */
  let rows = [];
  let offset = 0;
  for (let page = 0; page < REST_MAX_PAGES; page++) {
    const answer = fetchPage_(settings, query, buildRestPath_(query, REST_PAGE_SIZE, offset), true);
    rows = rows.concat(answer.rows);
    offset += answer.rows.length;
    if (answer.total !== null ? offset >= answer.total || !answer.rows.length : answer.rows.length < REST_PAGE_SIZE) {
      return rows;
    }
  }
  throw new Error(query.name + ': more than ' + REST_MAX_PAGES + ' pages of rows; narrow the query');
}

/**
 * The row total in a Content-Range header such as '0-999/2500'; null when the server did not count.
 * @param {GoogleAppsScript.URL_Fetch.HTTPResponse} response
 * @returns {number | null}
 */
function contentRangeTotal_(response) {
  const headers = /** @type {Object<string, string>} */ (response.getHeaders());
  let value = '';
  Object.keys(headers).forEach(function (name) {
    if (name.toLowerCase() === 'content-range') value = String(headers[name]);
  });
  const match = /\/(\d+)\s*$/.exec(value);
  return match ? Number(match[1]) : null;
}

/**
 * One GET with the user's token. A 401 (token revoked or expired early) gets one new sign-in; 429,
 * 5xx and network errors are retried with a short pause; anything else fails at once.
 * @param {Settings} settings
 * @param {RestQuery} query
 * @param {string} path
 * @param {boolean} count ask for the exact row count (paged reads)
 * @returns {{rows: Array<Object<string, any>>, total: number | null}}
 */
function fetchPage_(settings, query, path, count) {
  let signedInAgain = false;
  /** @type {string} */
  let lastError = '';
  for (let attempt = 1; attempt <= REST_MAX_ATTEMPTS; attempt++) {
    /** @type {GoogleAppsScript.URL_Fetch.HTTPResponse} */
    let response;
    try {
      /** @type {Object<string, string>} */
      const headers = {
        apikey: settings.anonKey,
        Authorization: 'Bearer ' + getAccessToken_(settings),
        Accept: 'application/json',
      };
      if (count) headers.Prefer = 'count=exact';
      response = UrlFetchApp.fetch(settings.url + path, { method: 'get', headers: headers, muteHttpExceptions: true });
    } catch (err) {
      lastError = 'network error: ' + errorMessage_(err);
      pauseBeforeRetry_(attempt);
      continue;
    }
    const code = response.getResponseCode();
    if (code === 200 || code === 206) {
      const rows = JSON.parse(response.getContentText());
      if (!Array.isArray(rows)) throw new Error(query.name + ': expected a JSON array from ' + query.table);
      return { rows: rows, total: contentRangeTotal_(response) };
    }
    if (code === 401 && !signedInAgain) {
      signedInAgain = true;
      clearSessionCache_();
      attempt--; // a new sign-in is not a retry of a failing server
      continue;
    }
    lastError = describeHttpError_(response);
    if (code === 429 || code >= 500) {
      pauseBeforeRetry_(attempt);
      continue;
    }
    break;
  }
  throw new Error(query.name + ' (' + query.table + '): ' + lastError);
}

/**
 * A growing pause between attempts, none after the last one.
 * @param {number} attempt 1-based
 */
function pauseBeforeRetry_(attempt) {
  if (attempt < REST_MAX_ATTEMPTS) Utilities.sleep(1000 * attempt);
}

/**
 * Every query, each on its own: one sign-in up front (a bad password is one error, not one per
 * query), then a failed read never stops the others. Failures are logged under `what`.
 * @param {RestQuery[]} queries
 * @param {string} what
 * @returns {{results: Object<string, FetchResult>, settings: Settings | null}} results by query name;
 *   the settings the reads used (null when they could not be read or the sign-in failed)
 */
function fetchAll_(queries, what) {
  /** @type {Object<string, FetchResult>} */
  const results = {};
  /** @type {Settings | null} */
  let settings = null;
  let setupError = '';
  try {
    const candidate = readSettings_();
    getAccessToken_(candidate); // one sign-in up front: a bad password is one error, not one per read
    settings = candidate;
  } catch (err) {
    setupError = errorMessage_(err);
    logError_(what + ': ' + setupError);
  }
  queries.forEach(function (query) {
    if (!settings) {
      results[query.name] = { rows: null, error: query.name + ': ' + setupError };
      return;
    }
    try {
      results[query.name] = { rows: fetchRows_(settings, query), error: '' };
    } catch (err) {
      const message = errorMessage_(err);
      results[query.name] = { rows: null, error: message };
      logError_(what + ': ' + message);
    }
  });
  return { results: results, settings: settings };
}
