'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadWithSupabase, plain } = require('./support/sandbox');
const { json } = require('./support/fake_supabase');

const INVENTORY_QUERY = {
  name: 'inventory_daily',
  table: 'inventory_kpi_daily',
  select: ['data_date', 'warehouse_id', 'closing_qty'],
  filters: [['data_date', 'gte', '2026-11-13'], ['data_date', 'lte', '2026-11-20']],
  order: [['data_date', 'asc'], ['warehouse_id', 'asc']],
};

/**
 * PostgREST over an in-memory table: honours limit and offset, caps an answer at maxRows (Supabase's
 * "max rows" setting) and counts the rows when asked with Prefer: count=exact, as paging relies on.
 */
function pagedTable(total, { maxRows = Infinity } = {}) {
  const rows = Array.from({ length: total }, (_, i) => ({ data_date: '2026-11-20', warehouse_id: i + 1, closing_qty: i * 1.5 }));
  return (pathAndQuery, request) => {
    const params = new URLSearchParams(pathAndQuery.split('?')[1]);
    const limit = Math.min(Number(params.get('limit')), maxRows);
    const offset = Number(params.get('offset') || 0);
    const page = rows.slice(offset, offset + limit);
    const counted = request.headers.Prefer === 'count=exact' ? String(total) : '*';
    const range = page.length ? `${offset}-${offset + page.length - 1}/${counted}` : `*/${counted}`;
    return json(offset + page.length < total ? 206 : 200, page, { 'Content-Range': range });
  };
}

/** The same without Content-Range: paging then ends at the first short page. */
function uncountedTable(total) {
  const table = pagedTable(total);
  return (pathAndQuery, request) => {
    const answer = table(pathAndQuery, { headers: {} });
    return { ...answer, headers: { 'Content-Type': 'application/json' } };
  };
}

test('the PostgREST path carries select, filters, order, limit and offset', () => {
  const s = loadWithSupabase();

  const pathAndQuery = s.call('buildRestPath_', INVENTORY_QUERY, 1000, 2000);

  assert.equal(pathAndQuery, '/rest/v1/inventory_kpi_daily?select=data_date,warehouse_id,closing_qty'
    + '&data_date=gte.2026-11-13&data_date=lte.2026-11-20&order=data_date.asc,warehouse_id.asc&limit=1000&offset=2000');
});

test('a function read goes to /rest/v1/rpc/ with the same select, order and limit', () => {
  const s = loadWithSupabase();
  const query = { name: 'mirror_status', table: 'kpi_mirror_status', rpc: true, select: ['table_name', 'has_rows'], filters: [],
    order: [['table_name', 'asc']], limit: 20 };

  const path = s.call('buildRestPath_', query, 20, null);

  assert.equal(path, '/rest/v1/rpc/kpi_mirror_status?select=table_name,has_rows&order=table_name.asc&limit=20');
});

test('filter values are URL-encoded', () => {
  const s = loadWithSupabase();
  const query = { ...INVENTORY_QUERY, filters: [['product_name', 'eq', 'Kopi & Teh 1+1']], order: [] };

  const pathAndQuery = s.call('buildRestPath_', query, 20, null);

  assert.equal(pathAndQuery, '/rest/v1/inventory_kpi_daily?select=data_date,warehouse_id,closing_qty'
    + '&product_name=eq.Kopi%20%26%20Teh%201%2B1&limit=20');
});

test('pages with limit/offset until a short page and returns every row in order', () => {
  const s = loadWithSupabase({ rest: pagedTable(2500) });
  const settings = s.call('readSettings_');

  const rows = plain(s.call('fetchRows_', settings, INVENTORY_QUERY));

  assert.equal(rows.length, 2500);
  assert.deepEqual(rows.map((r) => r.warehouse_id), Array.from({ length: 2500 }, (_, i) => i + 1));
  assert.deepEqual(s.supabase.state.restCalls.map((p) => new URLSearchParams(p.split('?')[1]).get('offset')),
    ['0', '1000', '2000']);
});

test('with the count, a table of exactly one page is one request', () => {
  const s = loadWithSupabase({ rest: pagedTable(1000) });

  const rows = s.call('fetchRows_', s.call('readSettings_'), INVENTORY_QUERY);

  assert.equal(rows.length, 1000);
  assert.equal(s.supabase.state.restCalls.length, 1);
});

test('a server that caps rows per answer (max rows 300) still gives every row', () => {
  const s = loadWithSupabase({ rest: pagedTable(1000, { maxRows: 300 }) });

  const rows = plain(s.call('fetchRows_', s.call('readSettings_'), INVENTORY_QUERY));

  assert.deepEqual(rows.map((r) => r.warehouse_id), Array.from({ length: 1000 }, (_, i) => i + 1));
  assert.deepEqual(s.supabase.state.restCalls.map((p) => new URLSearchParams(p.split('?')[1]).get('offset')),
    ['0', '300', '600', '900']);
});

test('without a count, paging ends at a short page (and a full last page needs one empty page)', () => {
  const s = loadWithSupabase({ rest: uncountedTable(2000) });

  const rows = s.call('fetchRows_', s.call('readSettings_'), INVENTORY_QUERY);

  assert.equal(rows.length, 2000);
  assert.equal(s.supabase.state.restCalls.length, 3);
});

test('an empty table is one request and no rows', () => {
  const s = loadWithSupabase({ rest: pagedTable(0) });

  const rows = plain(s.call('fetchRows_', s.call('readSettings_'), INVENTORY_QUERY));

  assert.deepEqual(rows, []);
  assert.equal(s.supabase.state.restCalls.length, 1);
});

test('a query with a fixed limit is one request without offset', () => {
  const s = loadWithSupabase({ rest: pagedTable(50) });
  const query = { ...INVENTORY_QUERY, limit: 20 };

  const rows = s.call('fetchRows_', s.call('readSettings_'), query);

  assert.equal(rows.length, 20);
  assert.equal(s.supabase.state.restCalls.length, 1);
  assert.doesNotMatch(s.supabase.state.restCalls[0], /offset=/);
  assert.equal(s.UrlFetchApp.requests.at(-1).headers.Prefer, undefined, 'no count needed for a fixed limit');
});

test('sends the anon key and the user token, never the password', () => {
  const s = loadWithSupabase({ rest: pagedTable(1) });

  s.call('fetchRows_', s.call('readSettings_'), INVENTORY_QUERY);

  const get = s.UrlFetchApp.requests.find((r) => r.url.includes('/rest/v1/'));
  assert.equal(get.method, 'get');
  assert.deepEqual(get.headers, { apikey: 'anon-key-for-tests', Authorization: 'Bearer access-1', Accept: 'application/json', Prefer: 'count=exact' });
  assert.equal(get.payload, null);
});

test('503 and 429 are retried after a pause; the third answer counts', () => {
  const answers = [json(503, { message: 'upstream down' }), json(429, { message: 'slow down' }), json(200, [{ data_date: '2026-11-20' }])];
  const s = loadWithSupabase({ rest: () => answers.shift() });

  const rows = plain(s.call('fetchRows_', s.call('readSettings_'), { ...INVENTORY_QUERY, limit: 1 }));

  assert.deepEqual(rows, [{ data_date: '2026-11-20' }]);
  assert.deepEqual(s.Utilities.sleeps, [1000, 2000]);
});

test('a server that keeps failing gives one error naming the query, the table and the answer', () => {
  const s = loadWithSupabase({ rest: () => json(503, { message: 'upstream down' }) });

  assert.throws(() => s.call('fetchRows_', s.call('readSettings_'), INVENTORY_QUERY),
    { message: 'inventory_daily (inventory_kpi_daily): HTTP 503: upstream down' });
  assert.equal(s.supabase.state.restCalls.length, 3);
  assert.deepEqual(s.Utilities.sleeps, [1000, 2000]);
});

test('a 400 (e.g. a renamed column) fails at once with the PostgREST message and hint', () => {
  const s = loadWithSupabase({
    rest: () => json(400, { code: '42703', details: null, hint: 'Perhaps you meant to reference the column "inventory_kpi_daily.closing_qty".', message: 'column inventory_kpi_daily.closing_stock does not exist' }),
  });

  assert.throws(() => s.call('fetchRows_', s.call('readSettings_'), INVENTORY_QUERY),
    { message: 'inventory_daily (inventory_kpi_daily): HTTP 400: column inventory_kpi_daily.closing_stock does not exist (Perhaps you meant to reference the column "inventory_kpi_daily.closing_qty".)' });
  assert.equal(s.supabase.state.restCalls.length, 1);
  assert.deepEqual(s.Utilities.sleeps, []);
});

test('network errors are retried, then reported', () => {
  const s = loadWithSupabase();
  const settings = s.call('readSettings_');
  s.call('getAccessToken_', settings);
  s.UrlFetchApp.handler = () => { throw new Error('DNS error: https://project-ref.supabase.co'); };

  assert.throws(() => s.call('fetchRows_', settings, INVENTORY_QUERY),
    { message: 'inventory_daily (inventory_kpi_daily): network error: DNS error: https://project-ref.supabase.co' });
  assert.deepEqual(s.Utilities.sleeps, [1000, 2000]);
});

test('an answer that is not an array is an error, not an empty table', () => {
  const s = loadWithSupabase({ rest: () => json(200, { message: 'oops' }) });

  assert.throws(() => s.call('fetchRows_', s.call('readSettings_'), INVENTORY_QUERY),
    { message: 'inventory_daily: expected a JSON array from inventory_kpi_daily' });
});
