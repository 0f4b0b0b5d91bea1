// Writes the "Hari Ini" tab (see today.js) and its entry points: the menu item, the 30-minute trigger.
//
// Layout: row 1 the status line (freshness "per HH:MM WIB", sementara/final, late flag), then three
// blocks: the comparison with last week (A2:E7), the cumulative revenue by hour (A9:C…) with its
// line chart, and today's top products (G2:K…).

const TODAY_COMPARE_HEADERS = ['Ukuran', 'Hari ini', 'Minggu lalu (jam sama)', 'Selisih', 'Selisih %'];
const TODAY_HOURLY_HEADERS = ['Sampai jam', 'Hari ini (kumulatif)', 'Minggu lalu (kumulatif)'];
const TODAY_TOP_HEADERS = ['#', 'Produk teratas hari ini', 'Pendapatan', 'Laba kotor', 'Qty'];
const TODAY_HOURLY_HEADER_ROW = 9;
const TODAY_TOP_COLUMN = 7;
const TODAY_WIDTH = TODAY_TOP_COLUMN + TODAY_TOP_HEADERS.length - 1;
/** Pixels per column A..K: the measures, four figures, a gap, then rank, product and three figures. */
const TODAY_COLUMN_WIDTHS = [190, 125, 150, 115, 80, 24, 36, 220, 115, 115, 70];

/**
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {number} row
 * @param {number} column
 * @param {string[]} headers
 */
function writeTodayHeader_(sheet, row, column, headers) {
  sheet.getRange(row, column, 1, headers.length)
    .setNumberFormat(FORMAT_TEXT)
    .setValues([headers])
    .setFontWeight('bold')
    .setBackground(COLOR_HEADER);
}

/**
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {number} row
 * @param {number} column
 * @param {any[][]} rows
 * @param {string[][]} formats
 */
function writeTodayBlock_(sheet, row, column, rows, formats) {
  if (!rows.length) return;
  const range = sheet.getRange(row, column, rows.length, rows[0].length);
  range.setNumberFormats(formats);
  range.setValues(rows.map(function (r) {
    return r.map(function (v) { return v === null || v === undefined ? '' : v; });
  }));
}

/**
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} spreadsheet
 * @param {TodayModel} model
 * @returns {GoogleAppsScript.Spreadsheet.Sheet}
 */
function writeTodayTab_(spreadsheet, model) {
  const sheet = spreadsheet.getSheetByName(TAB_TODAY) || spreadsheet.insertSheet(TAB_TODAY);
  sheet.clear(); // no number of an earlier refresh may stay behind looking current
  const color = model.status.level === 'error' ? COLOR_ERROR : model.status.level === 'warning' ? COLOR_WARNING : COLOR_OK;
  // Row 1, the status line: one merged, wrapped cell over the tab's columns (as on the other tabs).
  const statusRow = sheet.getRange(STATUS_ROW, 1, 1, TODAY_WIDTH);
  statusRow.breakApart();
  statusRow.merge().setBackground(color).setWrap(true).setVerticalAlignment('middle');
  sheet.getRange(STATUS_ROW, 1).setNumberFormat(FORMAT_TEXT).setValue(model.status.text).setFontWeight('bold');

  writeTodayHeader_(sheet, HEADER_ROW, 1, TODAY_COMPARE_HEADERS);
  writeTodayBlock_(sheet, FIRST_DATA_ROW, 1, model.compare, model.compareFormats.map(function (f, i) {
    // the margin's difference is in percentage points (a fraction, shown as %); no relative change
    return [FORMAT_TEXT, f, f, f, i === 2 ? FORMAT_TEXT : FORMAT_PERCENT];
  }));

  writeTodayHeader_(sheet, TODAY_HOURLY_HEADER_ROW, 1, TODAY_HOURLY_HEADERS);
  writeTodayBlock_(sheet, TODAY_HOURLY_HEADER_ROW + 1, 1, model.cumulative, model.cumulative.map(function () {
    return [FORMAT_TEXT, FORMAT_RUPIAH, FORMAT_RUPIAH];
  }));

  writeTodayHeader_(sheet, HEADER_ROW, TODAY_TOP_COLUMN, TODAY_TOP_HEADERS);
  writeTodayBlock_(sheet, FIRST_DATA_ROW, TODAY_TOP_COLUMN, model.top, model.top.map(function () {
    return [FORMAT_COUNT, FORMAT_TEXT, FORMAT_RUPIAH, FORMAT_RUPIAH, FORMAT_QTY];
  }));

  sheet.setFrozenRows(STATUS_ROW);
  TODAY_COLUMN_WIDTHS.forEach(function (px, i) { sheet.setColumnWidth(i + 1, px); });
  upsertTodayChart_(sheet, model);
  return sheet;
}

/**
 * The cumulative-by-hour line chart of today and last week; created once, then updated in place.
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {TodayModel} model
 */
function upsertTodayChart_(sheet, model) {
  const charts = sheet.getCharts();
  for (let i = 1; i < charts.length; i++) sheet.removeChart(charts[i]);
  const existing = charts.length ? charts[0] : null;
  let builder = existing ? existing.modify().clearRanges() : sheet.newChart();
  builder = builder
    .setChartType(Charts.ChartType.LINE)
    .setNumHeaders(1)
    .setPosition(TODAY_HOURLY_HEADER_ROW + 5, TODAY_TOP_COLUMN, 0, 0)
    .setOption('title', 'Pendapatan kumulatif: hari ini vs ' + dayLabel_(model.lastWeek))
    .setOption('legend', { position: 'bottom' });
  for (let column = 1; column <= TODAY_HOURLY_HEADERS.length; column++) {
    builder = builder.addRange(sheet.getRange(TODAY_HOURLY_HEADER_ROW, column, model.cumulative.length + 1, 1));
  }
  if (existing) {
    sheet.updateChart(builder.build());
  } else {
    sheet.insertChart(builder.build());
  }
}

/**
 * Fetches and rewrites "Hari Ini"; a failed read says so on the tab instead of showing old numbers.
 * @returns {{ok: boolean, message: string}}
 */
function refreshTodayTab_() {
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(REFRESH_LOCK_WAIT_MS)) {
    const busy = 'Hari Ini: pembaruan lain sedang berjalan; coba lagi sebentar lagi';
    logInfo_(busy);
    return { ok: false, message: busy };
  }
  try {
    const now = new Date();
    const today = businessToday_(now);
    const results = fetchAll_(todayQueries_(today), 'Hari Ini ' + today).results;
    const model = buildTodayModel_({ today: today, now: now, hourly: results.today_hourly, products: results.today_products });
    writeTodayTab_(SpreadsheetApp.getActiveSpreadsheet(), model);
    const ok = model.status.level !== 'error';
    const message = ok
      ? 'Hari Ini ' + today + (model.asOfText ? ' per ' + model.asOfText + ' WIB' : '') + ' diperbarui'
      : model.status.text;
    if (ok) logInfo_(message);
    return { ok: ok, message: message };
  } finally {
    lock.releaseLock();
  }
}

/** Menu: refresh "Hari Ini" now. */
function refreshToday() {
  const summary = refreshTodayTab_();
  SpreadsheetApp.getActiveSpreadsheet().toast(summary.message, 'KPI', 10);
}

/** The 30-minute trigger. */
function scheduledTodayRefresh() {
  refreshTodayTab_();
}

/**
 * Menu: (re)install the 30-minute "Hari Ini" trigger; never more than one.
 * @returns {GoogleAppsScript.Script.Trigger}
 */
function installTodayTrigger() {
  removeTodayTrigger();
  const trigger = ScriptApp.newTrigger(TODAY_TRIGGER_HANDLER).timeBased().everyMinutes(TODAY_TRIGGER_MINUTES).create();
  SpreadsheetApp.getActiveSpreadsheet().toast('Hari Ini diperbarui otomatis setiap ' + TODAY_TRIGGER_MINUTES + ' menit.', 'KPI', 10);
  return trigger;
}

/**
 * Menu: remove the "Hari Ini" trigger(s).
 * @returns {number} how many were removed
 */
function removeTodayTrigger() {
  return removeTriggers_(TODAY_TRIGGER_HANDLER);
}
