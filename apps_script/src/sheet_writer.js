// Writes a TabModel into its sheet: status line, header, rows, number formats, frozen header, and one
// chart that is created the first time and updated in place afterwards.

/**
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} spreadsheet
 * @param {string} name
 * @returns {GoogleAppsScript.Spreadsheet.Sheet}
 */
function ensureSheet_(spreadsheet, name) {
  return spreadsheet.getSheetByName(name) || spreadsheet.insertSheet(name);
}

/**
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} spreadsheet
 * @param {string} name
 * @param {TabModel} model
 * @returns {GoogleAppsScript.Spreadsheet.Sheet}
 */
function writeTab_(spreadsheet, name, model) {
  const sheet = ensureSheet_(spreadsheet, name);
  const width = model.headers.length;
  // Old numbers must never stay behind looking current: contents and formats go, charts stay (updated below).
  sheet.clear();

  const statusColor = model.status.level === 'error' ? COLOR_ERROR : model.status.level === 'warning' ? COLOR_WARNING : COLOR_OK;
  const statusRow = sheet.getRange(STATUS_ROW, 1, 1, width);
  statusRow.setBackground(statusColor);
  sheet.getRange(STATUS_ROW, 1).setNumberFormat(FORMAT_TEXT).setValue(model.status.text).setFontWeight('bold');

  sheet.getRange(HEADER_ROW, 1, 1, width)
    .setNumberFormat(FORMAT_TEXT)
    .setValues([model.headers])
    .setFontWeight('bold')
    .setBackground(COLOR_HEADER);

  if (model.rows.length) {
    const body = sheet.getRange(FIRST_DATA_ROW, 1, model.rows.length, width);
    // Formats first: Sheets parses a written '2026-11-19' by the cell's format, so a text column
    // must already be text ('@') or it becomes a date (and a date column must already be a date).
    body.setNumberFormats(model.cellFormats || model.rows.map(function () { return model.columnFormats.slice(); }));
    body.setValues(model.rows.map(function (row) {
      return row.map(function (v) { return v === null || v === undefined ? '' : v; });
    }));
    if (model.rowBackgrounds) {
      body.setBackgrounds(model.rowBackgrounds.map(function (color) {
        /** @type {string[]} */
        const cells = [];
        for (let i = 0; i < width; i++) cells.push(color || '#ffffff');
        return cells;
      }));
    }
  }
  sheet.setFrozenRows(HEADER_ROW);
  if (model.chart) upsertChart_(sheet, model.chart, model.rows.length);
  sheet.autoResizeColumns(1, width);
  return sheet;
}

/**
 * One chart per tab: the first existing chart is modified, extra ones removed, none piled up.
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {ChartSpec} spec
 * @param {number} rowCount data rows under the header
 */
function upsertChart_(sheet, spec, rowCount) {
  const charts = sheet.getCharts();
  for (let i = 1; i < charts.length; i++) sheet.removeChart(charts[i]);
  const existing = charts.length ? charts[0] : null;
  let builder = existing ? existing.modify().clearRanges() : sheet.newChart();
  builder = builder
    .setChartType(chartType_(spec.type))
    .setNumHeaders(1)
    .setPosition(HEADER_ROW, spec.anchorColumn, 0, 0)
    .setOption('title', spec.title)
    .setOption('legend', { position: 'bottom' });
  spec.columns.forEach(function (column) {
    builder = builder.addRange(sheet.getRange(HEADER_ROW, column, rowCount + 1, 1));
  });
  if (existing) {
    sheet.updateChart(builder.build());
  } else {
    sheet.insertChart(builder.build());
  }
}

/**
 * @param {'LINE' | 'BAR' | 'COLUMN'} type
 * @returns {GoogleAppsScript.Charts.ChartType}
 */
function chartType_(type) {
  if (type === 'LINE') return Charts.ChartType.LINE;
  if (type === 'BAR') return Charts.ChartType.BAR;
  return Charts.ChartType.COLUMN;
}
