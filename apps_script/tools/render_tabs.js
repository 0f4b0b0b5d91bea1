'use strict';
// Renders the dashboard tabs, as a full refresh on the fakes and the PostgreSQL-made fixtures leaves
// them, to PNG with headless Chromium: one picture per tab and morning (normal, stale, failed, no
// access), at a laptop's screen size, so what fits on the screen is what the picture shows.
//
//   node tools/render_tabs.js [out-dir]   (default ../docs/img/dashboard; needs `chromium`, and
//                                          `pngquant` if the pictures should be small)
//
// The HTML imitates Sheets closely enough to judge layout: column widths, hidden columns, frozen
// rows, merged status line, colours, bold, wrapping, notes (the corner triangle), id_ID number
// formats, SPARKLINE cells, and the charts at their anchors with their size and options.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { loadWithSupabase } = require('../test/support/sandbox');
const { MANIFEST, fixtureRest, loadFixtures, withoutDay } = require('../test/support/fixture_rest');
const { json } = require('../test/support/fake_supabase');
const { columnLetter } = require('../test/support/fakes');

const VIEW_WIDTH = 1366;
const VIEW_HEIGHT = 768;
const ROW_HEIGHT = 21;
const GUTTER = 46;
const CHAR_PX = 7;
const SERIES_COLORS = ['#4285f4', '#db4437', '#f4b400', '#0f9d58'];

// ---------------------------------------------------------------- number formats, as id_ID shows them

function splitSections(format) {
  const sections = [];
  let current = '';
  let quoted = false;
  for (const ch of format) {
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) { sections.push(current); current = ''; } else current += ch;
  }
  sections.push(current);
  return sections;
}

function formatNumber(value, section) {
  let out = '';
  const pattern = /"([^"]*)"|([#0,]+(?:\.[#0]+)?)|(%)|(.)/g;
  const percent = section.includes('%') && !/"[^"]*%[^"]*"/.test(section);
  const v = percent ? value * 100 : value;
  for (const m of section.matchAll(pattern)) {
    if (m[1] !== undefined) out += m[1];
    else if (m[2] !== undefined) {
      const [intPart, decPart = ''] = m[2].split('.');
      const minDec = (decPart.match(/0/g) || []).length;
      const maxDec = decPart.length;
      let text = Math.abs(v).toFixed(maxDec);
      if (maxDec > minDec) text = text.replace(new RegExp(`0{1,${maxDec - minDec}}$`), '');
      let [whole, frac = ''] = text.split('.');
      if (intPart.includes(',')) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
      out += whole + (frac ? ',' + frac : (maxDec && minDec ? ',' : ''));
    } else if (m[3] !== undefined) out += '%';
    else out += m[4];
  }
  return out;
}

function display(cell) {
  const { value, numberFormat } = cell;
  if (value === '' || value === null) return '';
  if (value instanceof Date) {
    const d = value.toISOString();
    return numberFormat === 'dd/mm/yyyy' ? `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}` : d.slice(0, 10);
  }
  if (typeof value !== 'number') return String(value);
  if (numberFormat === '@' || numberFormat === 'General') return String(value).replace('.', ',');
  const sections = splitSections(numberFormat);
  let section = sections[0];
  let v = value;
  if (value < 0 && sections.length > 1) { section = sections[1]; v = -value; }
  if (value === 0 && sections.length > 2) section = sections[2];
  const text = formatNumber(v, section);
  return value < 0 && sections.length === 1 ? '-' + text : text;
}

// ---------------------------------------------------------------- layout

function escapeHtml(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function sheetGeometry(sheet) {
  const lastRow = Math.max(sheet.getLastRow(), 2);
  const lastColumn = Math.max(sheet.getLastColumn(), 1, ...sheet.charts.map(() => 1));
  const columns = [];
  let x = GUTTER;
  for (let c = 1; c <= Math.max(lastColumn, 26); c++) {
    const width = sheet.isColumnHiddenByUser(c) ? 0 : sheet.getColumnWidth(c);
    columns.push({ c, x, width });
    x += width;
  }
  const mergedWidth = (row, column) => {
    const merge = sheet._merges.find((m) => m.getRow() === row && m.getColumn() === column);
    if (!merge) return null;
    return columns.filter((col) => col.c >= column && col.c <= merge.getLastColumn()).reduce((a, col) => a + col.width, 0);
  };
  const rows = [];
  let y = ROW_HEIGHT; // the column-letter bar
  for (let r = 1; r <= lastRow + 30; r++) {
    let lines = 1;
    for (const col of columns) {
      const cell = sheet._peek(r, col.c);
      const width = mergedWidth(r, col.c) || col.width;
      const text = cell.formula ? '' : display(cell);
      if (cell.wrap && width > 0 && text) lines = Math.max(lines, Math.ceil((text.length * CHAR_PX) / (width - 6)));
    }
    const height = Math.max(ROW_HEIGHT, lines * 17 + 4);
    rows.push({ r, y, height });
    y += height;
  }
  return { columns, rows, mergedWidth };
}

function sparklineSvg(sheet, formula, width, height) {
  const m = /^=SPARKLINE\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)$/.exec(formula);
  if (!m) return '';
  const range = sheet.getRange(`${m[1]}${m[2]}:${m[3]}${m[4]}`);
  const values = range.getValues()[0].map((v) => (typeof v === 'number' ? v : null));
  const present = values.filter((v) => v !== null);
  if (present.length < 2) return '';
  const min = Math.min(...present);
  const max = Math.max(...present);
  const points = values.map((v, i) => (v === null ? null
    : `${(4 + (i * (width - 8)) / (values.length - 1)).toFixed(1)},${(height - 4 - ((v - min) / (max - min || 1)) * (height - 8)).toFixed(1)}`))
    .filter(Boolean);
  return `<svg width="${width}" height="${height}"><polyline fill="none" stroke="#4285f4" stroke-width="1.5" points="${points.join(' ')}"/></svg>`;
}

function chartSvg(sheet, state) {
  const width = state.options.width || 400;
  const height = state.options.height || 250;
  const [categoryRange, ...seriesRanges] = state.ranges;
  const categories = categoryRange.getValues().slice(1).map((r) => display({ value: r[0], numberFormat: categoryRange.getNumberFormats()[1] ? categoryRange.getNumberFormats()[1][0] : '@' }));
  const series = seriesRanges.map((range) => ({
    name: String(range.getValues()[0][0]),
    values: range.getValues().slice(1).map((r) => (typeof r[0] === 'number' ? r[0] : null)),
  }));
  if (state.options.hAxis && state.options.hAxis.direction === -1) {
    categories.reverse();
    series.forEach((s) => s.values.reverse());
  }
  const all = series.flatMap((s) => s.values).filter((v) => v !== null);
  // Axis labels in the first series' own number format, as Sheets charts take the column's format.
  const seriesFormat = seriesRanges.length && seriesRanges[0].getNumRows() > 1 ? seriesRanges[0].getNumberFormats()[1][0] : '#,##0';
  const tickFormat = seriesFormat.includes('%') ? '0%' : '#,##0';
  const left = 78;
  const top = 34;
  const plotW = width - left - 16;
  const plotH = height - top - 62;
  let body = `<rect width="${width}" height="${height}" fill="#fff" stroke="#ccc"/>`
    + `<text x="${width / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${escapeHtml(state.options.title || '')}</text>`;
  if (all.length && categories.length) {
    const max = Math.max(0, ...all);
    const min = Math.min(0, ...all);
    const span = max - min || 1;
    const ticks = 4;
    for (let i = 0; i <= ticks; i++) {
      const v = min + (span * i) / ticks;
      const yy = top + plotH - ((v - min) / span) * plotH;
      body += `<line x1="${left}" x2="${left + plotW}" y1="${yy}" y2="${yy}" stroke="#eee"/>`
        + `<text x="${left - 4}" y="${yy + 4}" text-anchor="end" font-size="10" fill="#555">${display({ value: tickFormat === '0%' ? v : Math.round(v), numberFormat: tickFormat })}</text>`;
    }
    const n = categories.length;
    const yOf = (v) => top + plotH - ((v - min) / span) * plotH;
    if (state.type === 'BAR') {
      const band = plotH / n;
      body = `<rect width="${width}" height="${height}" fill="#fff" stroke="#ccc"/>`
        + `<text x="${width / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${escapeHtml(state.options.title || '')}</text>`;
      const labelW = 120;
      const barW = width - labelW - 24;
      series[0].values.forEach((v, i) => {
        const yy = top + i * band;
        const x0 = labelW + ((0 - min) / span) * barW;
        const x1 = labelW + (((v || 0) - min) / span) * barW;
        body += `<text x="${labelW - 4}" y="${yy + band * 0.7}" text-anchor="end" font-size="9">${escapeHtml(categories[i].slice(0, 20))}</text>`
          + `<rect x="${Math.min(x0, x1)}" y="${yy + band * 0.15}" width="${Math.abs(x1 - x0)}" height="${band * 0.7}" fill="${SERIES_COLORS[0]}"/>`;
      });
    } else if (state.type === 'COLUMN') {
      const band = plotW / n;
      series.forEach((s, k) => s.values.forEach((v, i) => {
        if (v === null) return;
        const w = (band * 0.8) / series.length;
        const x = left + i * band + band * 0.1 + k * w;
        body += `<rect x="${x}" y="${Math.min(yOf(v), yOf(0))}" width="${w}" height="${Math.abs(yOf(v) - yOf(0))}" fill="${SERIES_COLORS[k]}"/>`;
      }));
    } else {
      series.forEach((s, k) => {
        const pts = s.values.map((v, i) => (v === null ? null : `${left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1))},${yOf(v)}`)).filter(Boolean);
        body += `<polyline fill="none" stroke="${SERIES_COLORS[k]}" stroke-width="2" points="${pts.join(' ')}"/>`;
      });
    }
    if (state.type !== 'BAR') {
      const step = Math.max(1, Math.ceil(n / 6));
      categories.forEach((c, i) => {
        if (i % step) return;
        const x = state.type === 'COLUMN' ? left + (i + 0.5) * (plotW / n) : left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
        body += `<text x="${x}" y="${top + plotH + 14}" text-anchor="middle" font-size="10" fill="#555">${escapeHtml(c.slice(0, 5))}</text>`;
      });
    }
  }
  let lx = 20;
  series.forEach((s, k) => {
    body += `<rect x="${lx}" y="${height - 22}" width="10" height="10" fill="${SERIES_COLORS[k]}"/><text x="${lx + 14}" y="${height - 13}" font-size="11">${escapeHtml(s.name)}</text>`;
    lx += 24 + s.name.length * 6.5;
  });
  return `<svg width="${width}" height="${height}">${body}</svg>`;
}

function renderSheetHtml(spreadsheet, sheet) {
  const g = sheetGeometry(sheet);
  const parts = [];
  // Texts go over every cell (a text running on over empty cells must not be painted over by them).
  const texts = [];
  const frozenY = g.rows[sheet.getFrozenRows() - 1];
  for (const col of g.columns) {
    if (!col.width) continue;
    parts.push(`<div class="colhead" style="left:${col.x}px;width:${col.width}px">${columnLetter(col.c)}</div>`);
  }
  for (const row of g.rows) {
    parts.push(`<div class="rowhead" style="top:${row.y}px;height:${row.height}px">${row.r}</div>`);
    const covered = new Set();
    for (const col of g.columns) {
      if (!col.width || covered.has(col.c)) continue;
      const cell = sheet._peek(row.r, col.c);
      const merged = g.mergedWidth(row.r, col.c);
      let width = merged || col.width;
      if (merged) g.columns.filter((c) => c.c > col.c && c.x < col.x + merged).forEach((c) => covered.add(c.c));
      const text = cell.formula ? '' : display(cell);
      const numeric = typeof cell.value === 'number' || cell.value instanceof Date;
      let overflow = width;
      if (text && !numeric && !cell.wrap && !merged) {
        // Sheets lets a text run on over the empty cells to its right.
        for (const next of g.columns.filter((c) => c.c > col.c)) {
          const n = sheet._peek(row.r, next.c);
          if (n.value !== '' || n.formula || overflow >= text.length * CHAR_PX + 8) break;
          overflow += next.width;
        }
      }
      const style = [`left:${col.x}px`, `top:${row.y}px`, `width:${width}px`, `height:${row.height}px`,
        `background:${cell.background}`].join(';');
      const textStyle = [`font-weight:${cell.fontWeight}`, `color:${cell.fontColor}`, `width:${(cell.wrap ? width : overflow) - 6}px`,
        cell.wrap ? 'white-space:normal' : 'white-space:nowrap', numeric ? 'text-align:right' : 'text-align:left',
        cell.verticalAlignment === 'middle' ? 'top:50%;transform:translateY(-50%)' : 'bottom:2px'].join(';');
      const spark = cell.formula ? sparklineSvg(sheet, cell.formula, width - 4, row.height - 2) : '';
      parts.push(`<div class="cell" style="${style}">${spark}</div>`);
      if (text) texts.push(`<div class="text" style="left:${col.x + 3}px;top:${row.y}px;height:${row.height}px;width:${width}px;"><span style="${textStyle}">${escapeHtml(text)}</span></div>`);
      if (cell.note) texts.push(`<div class="note" style="left:${col.x + width - 7}px;top:${row.y}px"></div>`);
    }
  }
  parts.push(...texts);
  if (frozenY) parts.push(`<div class="frozen" style="top:${frozenY.y + frozenY.height - 2}px"></div>`);
  for (const state of sheet.charts) {
    const col = g.columns.find((c) => c.c === state.position.column);
    const row = g.rows.find((r) => r.r === state.position.row);
    parts.push(`<div class="chart" style="left:${col.x + state.position.offsetX}px;top:${row.y + state.position.offsetY}px">${chartSvg(sheet, state)}</div>`);
  }
  const tabs = spreadsheet.getSheets().map((s) => `<span class="${s === sheet ? 'tab active' : 'tab'}">${escapeHtml(s.getName())}</span>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
    body{margin:0;font-family:Arial,"Liberation Sans",sans-serif;font-size:12.5px;overflow:hidden;background:#fff}
    #grid{position:absolute;left:0;top:0}
    .colhead,.rowhead{position:absolute;background:#f8f9fa;color:#5f6368;font-size:11px;text-align:center;border-right:1px solid #dadce0;border-bottom:1px solid #dadce0;box-sizing:border-box}
    .colhead{top:0;height:${ROW_HEIGHT}px;line-height:${ROW_HEIGHT}px}
    .rowhead{left:0;width:${GUTTER}px;display:flex;align-items:center;justify-content:center}
    .cell{position:absolute;border-right:1px solid #e2e3e3;border-bottom:1px solid #e2e3e3;box-sizing:border-box;overflow:hidden}
    .text{position:absolute;overflow:visible;pointer-events:none}
    .text span{position:absolute;line-height:17px;overflow:hidden;text-overflow:clip}
    .note{position:absolute;width:0;height:0;border-left:7px solid transparent;border-top:7px solid #000}
    .frozen{position:absolute;left:0;right:0;height:3px;background:#c0c0c0}
    .chart{position:absolute;box-shadow:0 1px 3px rgba(0,0,0,.3)}
    #tabs{position:fixed;left:0;right:0;bottom:0;height:34px;background:#f1f3f4;border-top:1px solid #dadce0;padding-left:${GUTTER}px}
    .tab{display:inline-block;padding:0 14px;line-height:34px;color:#444;font-size:13px}
    .tab.active{background:#fff;color:#188038;font-weight:bold;border-bottom:3px solid #188038;line-height:31px}
  </style></head><body><div id="grid">${parts.join('')}</div><div id="tabs">${tabs}</div></body></html>`;
}

// ---------------------------------------------------------------- the mornings

function scheduled(s) {
  try {
    s.call('scheduledRefresh');
  } catch (err) {
    // A failed morning ends in an error on purpose (Apps Script then e-mails the trigger's owner).
  }
}

function refreshed(rest, options = {}) {
  const s = loadWithSupabase({ now: MANIFEST.now, rest, properties: options.properties });
  if (options.before) {
    scheduled(s);
    options.before(s);
  }
  scheduled(s);
  return s;
}

const { SETTINGS } = require('../test/support/fake_supabase');

/** What each morning looks like, and which tabs of it get a picture. */
const MORNINGS = {
  normal: {
    make: () => refreshed(fixtureRest(), {
      before: (s) => {
        // A team that has typed its targets into the Target tab the first refresh made.
        s.spreadsheet.getSheetByName('Target').getRange(2, 2, 7, 1).setValues([[16000000], [4000000], [0.27], [250], [60000], [0.9], [2]]);
      },
      properties: { ...SETTINGS, ALERT_EMAILS: 'ops-jakarta@example.com' },
    }),
    tabs: ['Ringkasan', 'Penjualan & Laba', 'Produk Teratas', 'Inventori', 'Armada', 'Status Data', 'Target'],
    // Taller pictures (<morning>-<tab>-lengkap.png) of the tabs whose lower sections a laptop shows
    // only after scrolling: Inventori's stockout list.
    tall: { Inventori: 1260 },
  },
  stale: {
    make: () => refreshed(fixtureRest({ rows: withoutDay(MANIFEST.day) }), { properties: { ...SETTINGS, ALERT_EMAILS: 'ops-jakarta@example.com' } }),
    tabs: ['Ringkasan', 'Status Data'],
  },
  failed: {
    make: () => refreshed(fixtureRest({
      overrides: {
        inventory_daily: () => json(500, { code: 'XX000', message: 'could not read block 42 in file "base/16384/24576": read only 0 of 8192 bytes' }),
        latest_inventory_kpi_daily: () => json(503, { message: 'upstream connect error or disconnect/reset before headers' }),
      },
    }), { properties: { ...SETTINGS, ALERT_EMAILS: 'ops-jakarta@example.com' } }),
    tabs: ['Ringkasan', 'Inventori', 'Status Data'],
  },
  no_access: {
    make: () => refreshed(fixtureRest({ fixtures: loadFixtures('no_access') })),
    tabs: ['Ringkasan', 'Status Data'],
  },
  // the pipeline's checks found differences for the shown day: its sales rows say verified = false
  unverified: {
    make: () => refreshed(fixtureRest({
      rows: (name, rows) => (name === 'sales_daily'
        ? rows.map((r) => (r.data_date === MANIFEST.day ? { ...r, verified: false } : r)) : rows),
    }), { properties: { ...SETTINGS, ALERT_EMAILS: 'ops-jakarta@example.com' } }),
    tabs: ['Ringkasan', 'Penjualan & Laba', 'Status Data'],
  },
};

/** Quantises the picture to a palette when pngquant is installed (a quarter of the size, same look). */
function shrink(png) {
  try {
    execFileSync('pngquant', ['--quality=70-90', '--speed', '1', '--force', '--output', png, png], { stdio: 'ignore' });
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
}

function slug(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function main() {
  const out = path.resolve(process.argv[2] || path.join(__dirname, '..', '..', 'docs', 'img', 'dashboard'));
  fs.mkdirSync(out, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'render-tabs-'));
  for (const [morning, spec] of Object.entries(MORNINGS)) {
    const s = spec.make();
    for (const name of spec.tabs) {
      const sheet = s.spreadsheet.getSheetByName(name);
      if (!sheet) throw new Error(`no tab ${name} after the ${morning} refresh`);
      const html = path.join(work, `${morning}-${slug(name)}.html`);
      fs.writeFileSync(html, renderSheetHtml(s.spreadsheet, sheet));
      const png = path.join(out, `${morning}-${slug(name)}.png`);
      execFileSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars',
        `--window-size=${VIEW_WIDTH},${VIEW_HEIGHT}`, `--screenshot=${png}`, 'file://' + html], { stdio: 'ignore' });
      shrink(png);
      console.log('wrote', path.relative(process.cwd(), png));
      const tall = /** @type {Object<string, number>} */ (spec.tall || {})[name];
      if (tall) {
        const full = path.join(out, `${morning}-${slug(name)}-lengkap.png`);
        execFileSync('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
          '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars',
          `--window-size=${VIEW_WIDTH},${tall}`, `--screenshot=${full}`, 'file://' + html], { stdio: 'ignore' });
        shrink(full);
        console.log('wrote', path.relative(process.cwd(), full));
      }
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
}

if (require.main === module) main();

module.exports = { display, renderSheetHtml, MORNINGS };
