'use strict';
// Writes test/fixtures/queries.json: the PostgREST reads one refresh makes for the fixture day.
// Run it (npm run fixtures:manifest) after changing src/queries.js, then regenerate the rows with
// UPDATE_APPS_SCRIPT_FIXTURES=1 scripts/test tests/test_apps_script_fixtures.py.
const fs = require('node:fs');
const path = require('node:path');
const { loadScript } = require('./sandbox');

const DAY = '2026-11-19';
const NOW = '2026-11-19T23:00:00Z'; // 06:00 WIB on 2026-11-20: DAY is yesterday
const VIEWER = '6f1c2a52-0d6e-4c3a-9a57-5b7f3f1d0a11';
/** A signed-in user without any grant: its answers are in fixtures/no_access/. */
const NO_ACCESS = '3c7d9e21-5a4b-4f60-8e2d-9b1a0c6f4e77';

const script = loadScript({ now: NOW });
const pageSize = script.global('REST_PAGE_SIZE');
const queries = script.call('dashboardQueries_', DAY).map((q) => ({
  name: q.name,
  table: q.table,
  path: script.call('buildRestPath_', q, q.limit || pageSize, q.limit ? null : 0),
}));
const manifest = {
  about: `The PostgREST reads of one dashboard refresh (the 06:00 WIB trigger on 2026-11-20, showing yesterday ${DAY}). `
    + 'test/dashboard.test.js checks the script makes exactly these; tests/test_apps_script_fixtures.py runs them '
    + 'against the PostgreSQL mirror as the viewer user and writes <name>.json (and as a user without grants: no_access/<name>.json).',
  day: DAY,
  now: NOW,
  viewer_user_id: VIEWER,
  no_access_user_id: NO_ACCESS,
  queries,
};
fs.writeFileSync(path.join(__dirname, '..', 'fixtures', 'queries.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`wrote ${queries.length} queries for ${DAY}`);
