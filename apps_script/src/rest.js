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
  return '/rest/v1/' + encodeURIComponent(query.table) + '?' + parts.join('&');
}

/**
 * Every row of a query, page by page (limit/offset on a stable order) until a short page.
 * @param {Settings} settings
 * @param {RestQuery} query
 * @returns {Array<Object<string, any>>}
 */
function fetchRows_(settings, query) {
  if (query.limit) return fetchPage_(settings, query, buildRestPath_(query, query.limit, null));
  /** @type {Array<Object<string, any>>} */
  let rows = [];
  for (let page = 0; page < REST_MAX_PAGES; page++) {
    const chunk = fetchPage_(settings, query, buildRestPath_(query, REST_PAGE_SIZE, page * REST_PAGE_SIZE));
    rows = rows.concat(chunk);
    if (chunk.length < REST_PAGE_SIZE) return rows;
  }
  throw new Error(query.name + ': more than ' + REST_MAX_PAGES * REST_PAGE_SIZE + ' rows; narrow the query');
}

/**
 * One GET with the user's token. A 401 (token revoked or expired early) gets one new sign-in; 429,
 * 5xx and network errors are retried with a short pause; anything else fails at once.
 * @param {Settings} settings
 * @param {RestQuery} query
 * @param {string} path
 * @returns {Array<Object<string, any>>}
 */
function fetchPage_(settings, query, path) {
  let signedInAgain = false;
  /** @type {string} */
  let lastError = '';
  for (let attempt = 1; attempt <= REST_MAX_ATTEMPTS; attempt++) {
    /** @type {GoogleAppsScript.URL_Fetch.HTTPResponse} */
    let response;
    try {
      response = UrlFetchApp.fetch(settings.url + path, {
        method: 'get',
        headers: {
          apikey: settings.anonKey,
          Authorization: 'Bearer ' + getAccessToken_(settings),
          Accept: 'application/json',
        },
        muteHttpExceptions: true,
      });
    } catch (err) {
      lastError = 'network error: ' + errorMessage_(err);
      pauseBeforeRetry_(attempt);
      continue;
    }
    const code = response.getResponseCode();
    if (code === 200 || code === 206) {
      const rows = JSON.parse(response.getContentText());
      if (!Array.isArray(rows)) throw new Error(query.name + ': expected a JSON array from ' + query.table);
      return rows;
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
