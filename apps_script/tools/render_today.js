'use strict';
// Renders the "Hari Ini" tab of a simulated day (test/support/today_day.js) with the dashboard's own
// renderer (tools/render_tabs.js: Sheets-like HTML of the fakes) to PNG through headless Chromium,
// to look at the tab the way a user would: on time at 14:35, and late (the 12:00 refresh at 13:30).
//
//   node tools/render_today.js [out-dir]   (default ../docs/img/dashboard; needs `chromium`)

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { loadWithSupabase } = require('../test/support/sandbox');
const { mirrorAt, restFor, wib } = require('../test/support/today_day');
const { renderSheetHtml } = require('./render_tabs');

/** name -> [the pipeline's last refresh, when the sheet refreshes] (WIB). */
const MOMENTS = { 'hari-ini': ['14:30', '14:35'], 'hari-ini-late': ['12:00', '13:30'] };

function main() {
  const out = path.resolve(process.argv[2] || path.join(__dirname, '..', '..', 'docs', 'img', 'dashboard'));
  fs.mkdirSync(out, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'render-today-'));
  for (const [name, [asOf, now]] of Object.entries(MOMENTS)) {
    const s = loadWithSupabase({ now: wib(now), rest: restFor({ mirror: mirrorAt(asOf) }) });
    s.call('refreshToday');
    const html = path.join(work, name + '.html');
    fs.writeFileSync(html, renderSheetHtml(s.spreadsheet, s.spreadsheet.getSheetByName('Hari Ini')));
    const png = path.join(out, name + '.png');
    execFileSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars',
      '--window-size=1366,768', `--screenshot=${png}`, 'file://' + html], { stdio: 'ignore', timeout: 60000 });
    console.log('wrote', path.relative(process.cwd(), png));
  }
  fs.rmSync(work, { recursive: true, force: true });
}

main();
