// Pure builders: fetched rows in, a TabModel out (what each tab shows). No service is touched here,
// so the Node tests check the numbers without a spreadsheet. This file has the shared parts: the
// models, number helpers, the per-day totals and the status line every tab starts with.

/**
 * @typedef {Object} FetchResult
 * @property {Array<Object<string, any>> | null} rows null when the fetch failed
 * @property {string} error '' when it worked
 */

/**
 * @typedef {Object} RefreshContext
 * @property {string} day the business day shown
 * @property {string} today today's business day at fetch time
 * @property {Date} fetchedAt
 * @property {Object<string, FetchResult>} results by query name
 * @property {Object<string, number>} [maxLagDays] expected lag per mirror table (DEFAULT_MAX_LAG_DAYS)
 * @property {Object<string, number>} [targets] daily target per KPI label, from the Target tab
 * @property {boolean} [pinned] the day was chosen with Pilih tanggal (not yesterday)
 * @property {string} [viewer] the Supabase user whose row-level security applies
 * @property {string[]} [settingsErrors] settings that could not be read (their defaults were used)
 * @property {string} [retryAt] when the morning's later attempt runs ('' or absent: none)
 */

/**
 * @typedef {Object} ChartSpec
 * @property {'LINE' | 'BAR' | 'COLUMN'} type
 * @property {string} title
 * @property {number} firstRow 1-based sheet row of the series' header
 * @property {number} rowCount data rows under that header
 * @property {number[]} columns 1-based; the first is the category axis
 * @property {number} anchorRow
 * @property {number} anchorColumn
 * @property {number} [offsetX] pixels right of the anchor column's left edge
 * @property {boolean} [newestFirst] rows run newest first: the time axis is drawn reversed
 */

/**
 * @typedef {Object} CellNote
 * @property {number} row 0-based index into rows; -1 is the status line
 * @property {number} column 0-based
 * @property {string} text
 */

/**
 * @typedef {Object} TabModel
 * @property {{text: string, level: 'ok' | 'warning' | 'error', note?: string}} status
 * @property {string[]} headers
 * @property {any[][]} rows every row as wide as headers
 * @property {string[]} columnFormats one number format per column
 * @property {number[]} columnWidths pixels, one per visible column (never sized by content)
 * @property {string[][]} [cellFormats] per row, overrides columnFormats
 * @property {Array<string | null>} [rowBackgrounds] per row
 * @property {number[]} [boldRows] 0-based indices into rows (section headers, totals)
 * @property {Array<Array<string | null> | null>} [fontColors] per row and column (up/down colours)
 * @property {CellNote[]} [notes]
 * @property {Array<{row: number, column: number, formula: string}>} [formulas] 0-based row and column
 * @property {number[]} [wrapColumns] 1-based columns whose long texts wrap
 * @property {{start: number, count: number}} [hiddenColumns] 1-based helper columns (sparkline data)
 * @property {ChartSpec[]} [charts]
 */

/**
 * @param {unknown} value
 * @returns {number | null}
 */
function toNumber_(value) {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return isNaN(n) ? null : n;
}

/**
 * @param {number | null} numerator
 * @param {number | null} denominator
 * @returns {number | null}
 */
function ratio_(numerator, denominator) {
  if (numerator === null || denominator === null || denominator === 0) return null;
  return numerator / denominator;
}

/**
 * @param {Array<number | null>} values
 * @returns {number | null}
 */
function mean_(values) {
  const present = /** @type {number[]} */ (values.filter(function (v) { return v !== null; }));
  if (!present.length) return null;
  return present.reduce(function (a, b) { return a + b; }, 0) / present.length;
}

/**
 * A quantity's format: whole numbers without a decimal separator (411, not "411.").
 * @param {number | null} value
 * @returns {string}
 */
function qtyFormat_(value) {
  return value === null || Math.round(value) === value ? FORMAT_COUNT : FORMAT_QTY;
}

/**
 * @param {RefreshContext} ctx
 * @param {string} name
 * @returns {Array<Object<string, any>>}
 */
function rowsOf_(ctx, name) {
  const result = ctx.results[name];
  return result && result.rows ? result.rows : [];
}

/**
 * @param {RefreshContext} ctx
 * @param {string[]} names
 * @returns {string[]} the raw error of each failed fetch among names
 */
function failures_(ctx, names) {
  return names
    .filter(function (n) { return ctx.results[n] && ctx.results[n].error; })
    .map(function (n) { return ctx.results[n].error; });
}

/**
 * True when the user's grants were read and there are none: row-level security then hides every row.
 * @param {RefreshContext} ctx
 * @returns {boolean}
 */
function hasNoMembership_(ctx) {
  const result = ctx.results.memberships;
  return Boolean(result && !result.error && result.rows && result.rows.length === 0);
}

/**
 * Labels from the organization and warehouse tables; an id without a name (or a failed read of the
 * names) falls back to the id, so the KPI numbers never depend on the names.
 * @param {RefreshContext} ctx
 * @returns {{org: (id: unknown) => string, warehouse: (id: unknown) => string}}
 */
function nameLookup_(ctx) {
  /** @type {Object<string, string>} */
  const orgs = {};
  /** @type {Object<string, string>} */
  const warehouses = {};
  rowsOf_(ctx, 'organizations').forEach(function (row) {
    if (row.name) orgs[String(row.id)] = String(row.name);
  });
  rowsOf_(ctx, 'warehouses').forEach(function (row) {
    const parts = [row.code, row.name].filter(function (p) { return p !== null && p !== undefined && p !== ''; });
    if (parts.length) warehouses[String(row.id)] = parts.join(' · ');
  });
  return {
    org: function (id) { return orgs[String(id)] || 'Organisasi ' + id; },
    warehouse: function (id) { return warehouses[String(id)] || 'Gudang ' + id; },
  };
}

/**
 * @typedef {{days: number, revenue: number, cogs: number, profit: number, quantity: number, transactions: number, lines: number, costMissing: number}} SalesTotals
 * @typedef {{vehicles: number, dispatched: number, delivered: number, failed: number, onTime: number, minutesWeighted: number, minutesCount: number, distance: number, scans: number}} FleetTotals
 * @typedef {{warehouses: number, receipts: number, issues: number, adjustments: number, net: number, closing: number, stockouts: number, activeSkus: number, tx: number}} InventoryTotals
 */

/** Per-day sums: totals field → mirror column. */
const SALES_SUMS = { revenue: 'revenue_tax_in', cogs: 'cogs_tax_in', profit: 'gross_profit', quantity: 'quantity',
  transactions: 'transactions', lines: 'lines', costMissing: 'cost_missing_lines' };
const FLEET_SUMS = { dispatched: 'shipments_dispatched', delivered: 'shipments_delivered', failed: 'shipments_failed',
  onTime: 'on_time_delivered', distance: 'distance_km', scans: 'scan_events' };
const INVENTORY_SUMS = { receipts: 'receipts_qty', issues: 'issues_qty', adjustments: 'adjustments_qty', net: 'net_change_qty',
  closing: 'closing_qty', stockouts: 'stockout_sku_count', activeSkus: 'active_sku_count', tx: 'tx_count' };

/**
 * Sums of the given columns per data_date (a null counts as 0), with the number of rows as countField.
 * @param {Array<Object<string, any>>} rows
 * @param {Object<string, string>} columns totals field → column
 * @param {string} countField
 * @returns {Object<string, Object<string, number>>}
 */
function sumsByDay_(rows, columns, countField) {
  /** @type {Object<string, Object<string, number>>} */
  const byDay = {};
  const fields = Object.keys(columns);
  rows.forEach(function (row) {
    const day = String(row.data_date);
    let t = byDay[day];
    if (!t) {
      t = byDay[day] = {};
      t[countField] = 0;
      fields.forEach(function (f) { t[f] = 0; });
    }
    t[countField] += 1;
    fields.forEach(function (f) { t[f] += toNumber_(row[columns[f]]) || 0; });
  });
  return byDay;
}

/**
 * Sales summed over the given rows (every organisation the user may see), per day.
 * @param {Array<Object<string, any>>} rows sales_kpi_daily rows
 * @returns {Object<string, SalesTotals>}
 */
function salesTotalsByDay_(rows) {
  return /** @type {Object<string, SalesTotals>} */ (/** @type {unknown} */ (sumsByDay_(rows, SALES_SUMS, 'days')));
}

/**
 * Fleet totals per day over the given vehicle rows. The average delivery time is weighted by the
 * deliveries it was measured on.
 * @param {Array<Object<string, any>>} rows fleet_kpi_daily rows
 * @returns {Object<string, FleetTotals>}
 */
function fleetTotalsByDay_(rows) {
  const byDay = /** @type {Object<string, FleetTotals>} */ (/** @type {unknown} */ (sumsByDay_(rows, FLEET_SUMS, 'vehicles')));
  Object.keys(byDay).forEach(function (day) { byDay[day].minutesWeighted = 0; byDay[day].minutesCount = 0; });
  rows.forEach(function (row) {
    const delivered = toNumber_(row.shipments_delivered) || 0;
    const minutes = toNumber_(row.avg_delivery_minutes);
    if (minutes === null || delivered <= 0) return;
    const t = byDay[String(row.data_date)];
    t.minutesWeighted += minutes * delivered;
    t.minutesCount += delivered;
  });
  return byDay;
}

/**
 * Inventory totals per day over the given warehouse rows.
 * @param {Array<Object<string, any>>} rows inventory_kpi_daily rows
 * @returns {Object<string, InventoryTotals>}
 */
function inventoryTotalsByDay_(rows) {
  return /** @type {Object<string, InventoryTotals>} */ (/** @type {unknown} */ (sumsByDay_(rows, INVENTORY_SUMS, 'warehouses')));
}

/**
 * The status line of a tab that shows day D: the one place that decides what a tab's first row says
 * (failed reads, no access, no data for the day, or where the numbers come from). A banner for a
 * further condition of the tables belongs here too, so every tab shows it the same way.
 * @param {RefreshContext} ctx
 * @param {string[]} names queries the tab depends on
 * @param {string[]} tables mirror tables the tab shows
 * @param {boolean} hasRowsForDay
 * @returns {{text: string, level: 'ok' | 'warning' | 'error', note?: string}}
 */
function tabStatus_(ctx, names, tables, hasRowsForDay) {
  const fetched = 'diambil ' + formatJakartaTime_(ctx.fetchedAt);
  const failed = failures_(ctx, names);
  if (failed.length) {
    const what = names.filter(function (n) { return ctx.results[n] && ctx.results[n].error; }).map(readLabel_);
    const explained = failed.map(explainError_).filter(function (e, i, all) { return all.indexOf(e) === i; });
    return { text: 'GAGAL memuat data ' + what.join(', ') + ' — ' + explained.join(' ') + ' · ' + fetched, level: 'error',
      note: 'Pesan asli:\n' + failed.join('\n') };
  }
  if (hasNoMembership_(ctx)) {
    return {
      text: 'Tidak ada akses: pengguna ' + (ctx.viewer || 'Supabase ini') + ' belum diberi organisasi mana pun (user_org_role) — hubungi admin data · ' + fetched,
      level: 'error',
    };
  }
  const shown = 'Data ' + dayLabel_(ctx.day) + (ctx.pinned ? ' (tanggal dipilih manual; menu KPI › Tampilkan kemarin)' : '');
  if (!hasRowsForDay) {
    const latest = tables.map(function (t) { return tableHealth_(ctx, t); });
    const hidden = latest.filter(function (h) { return h.state === 'hidden'; });
    if (hidden.length) {
      return { text: 'Tidak ada baris yang boleh dilihat pengguna ini untuk ' + dayLabel_(ctx.day) + ' — ' + hidden[0].explanation + ' · ' + fetched, level: 'error' };
    }
    const newest = latest.map(function (h) { return h.latest; }).filter(Boolean).sort().pop();
    return {
      text: 'Belum ada data untuk ' + dayLabel_(ctx.day) + (newest ? ' — data terakhir ' + dayLabel_(newest) : '')
        + (ctx.retryAt ? '; dicoba lagi ' + ctx.retryAt : '') + ' · ' + fetched,
      level: 'warning',
    };
  }
  return { text: shown + ' · ' + fetched, level: 'ok' };
}

/**
 * The up/down colour of a change: green when it goes the good way.
 * @param {number | null} change
 * @param {boolean} higherIsBetter
 * @returns {string | null}
 */
function changeColor_(change, higherIsBetter) {
  if (change === null || change === 0) return null;
  return (change > 0) === higherIsBetter ? FONT_GOOD : FONT_BAD;
}
