'use strict';
// The REST fixtures tests/test_apps_script_fixtures.py makes from the real PostgreSQL mirror, and a
// PostgREST stand-in that answers exactly their paths. Used by the dashboard tests and by
// tools/render_tabs.js (the pictures in the README come from the same rows).
const fs = require('node:fs');
const path = require('node:path');
const { json } = require('./fake_supabase');

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const MANIFEST = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'queries.json'), 'utf8'));

/** Fixture files by query name; folder 'no_access' holds the answers for a user without grants. */
function loadFixtures(folder = '') {
  return Object.fromEntries(MANIFEST.queries.map((q) => [q.name,
    JSON.parse(fs.readFileSync(path.join(FIXTURES, folder, q.name + '.json'), 'utf8'))]));
}

/**
 * PostgREST answering the manifest's paths from fixtures; overrides[name](path) answers instead, and
 * rows(name, rows) may change the rows of a read (a day the pipeline did not deliver). Anything else
 * is the error PostgREST gives for an unknown route.
 */
function fixtureRest({ overrides = {}, fixtures = loadFixtures(), rows: changeRows = (name, rows) => rows } = {}) {
  const byPath = new Map(MANIFEST.queries.map((q) => [q.path, q.name]));
  return (pathAndQuery, request) => {
    const name = byPath.get(pathAndQuery);
    if (name && overrides[name]) return overrides[name](pathAndQuery);
    if (!name) return json(400, { code: 'PGRST100', details: null, hint: null, message: 'no fixture for ' + pathAndQuery });
    const rows = changeRows(name, fixtures[name].rows);
    const counted = request.headers.Prefer === 'count=exact' ? String(rows.length) : '*';
    return json(200, rows, { 'Content-Range': rows.length ? `0-${rows.length - 1}/${counted}` : `*/${counted}` });
  };
}

/**
 * The mirror as it is when the pipeline has not delivered the shown day (and the day after): rows
 * from DAY on are gone, and each table's newest date is the day before.
 */
function withoutDay(day) {
  return (name, rows) => {
    if (name.startsWith('latest_')) return rows.length ? [{ data_date: addDays(day, -1) }] : rows;
    if (name === 'top_products') return []; // read for the day only (data_date=eq.DAY)
    return rows.filter((r) => !('data_date' in r) || r.data_date < day);
  };
}

function addDays(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

module.exports = { MANIFEST, FIXTURES, loadFixtures, fixtureRest, withoutDay, addDays };
