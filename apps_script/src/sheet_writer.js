// Writes a TabModel into its sheet: status line, header, rows, number formats, colours, notes,
// fixed column widths, frozen header, and the tab's charts (created the first time, updated in place
// afterwards).

/**
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} spreadsheet
 * @param {string} name
 * @returns {GoogleAppsScript.Spreadsheet.Sheet}
 */
function ensureSheet_(spreadsheet, name) {
  return spreadsheet.getSheetByName(name) || spreadsheet.insertSheet(name);
}

/**
 * The status line as it fits a laptop screen: long texts are cut, the whole text goes in the note.
 * @param {{text: string, note?: string}} status
 * @returns {{text: string, note: string}}
 */
function fittedStatus_(status) {
  const full = status.text;
  // The fetch time at the end stays; the message before it is what gets cut.
  const cut = full.lastIndexOf(' · diambil ');
  const tail = cut >= 0 ? full.slice(cut) : '';
  const head = cut >= 0 ? full.slice(0, cut) : full;
  const room = STATUS_MAX_CHARS - tail.length;
  const text = head.length > room ? head.slice(0, room - 1) + '…' + tail : full;
  const notes = [];
  if (text !== full) notes.push(full);
  if (status.note) notes.push(status.note);
  return { text: text, note: notes.join('\n\n') };
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
  const visible = model.columnWidths.length;
  // Old numbers must never stay behind looking current: contents, formats and notes go; charts stay
  // (updated below).
  sheet.clear();
  sheet.clearNotes();
  // A new sheet has 26 columns and 1000 rows; a range beyond them is an error, not an extension.
  if (sheet.getMaxColumns() < width) sheet.insertColumnsAfter(sheet.getMaxColumns(), width - sheet.getMaxColumns());
  const rowsNeeded = FIRST_DATA_ROW + model.rows.length - 1;
  if (sheet.getMaxRows() < rowsNeeded) sheet.insertRowsAfter(sheet.getMaxRows(), rowsNeeded - sheet.getMaxRows());

  // Row 1, the status line: one merged, wrapped cell over the visible columns. It never sizes a column.
  const statusColor = model.status.level === 'error' ? COLOR_ERROR : model.status.level === 'warning' ? COLOR_WARNING : COLOR_OK;
  const status = fittedStatus_(model.status);
  const statusRow = sheet.getRange(STATUS_ROW, 1, 1, visible);
  statusRow.breakApart();
  statusRow.merge().setBackground(statusColor).setWrap(true).setVerticalAlignment('middle');
  sheet.getRange(STATUS_ROW, 1).setNumberFormat(FORMAT_TEXT).setValue(status.text).setFontWeight('bold').setNote(status.note || null);

  sheet.getRange(HEADER_ROW, 1, 1, width)
    .setNumberFormat(FORMAT_TEXT)
    .setValues([model.headers])
    .setFontWeight('bold')
    .setBackground(COLOR_HEADER)
    .setWrap(true)
    .setVerticalAlignment('middle');

  if (model.rows.length) writeBody_(sheet, model, width);
  sheet.setFrozenRows(HEADER_ROW);
  model.columnWidths.forEach(function (px, i) { sheet.setColumnWidth(i + 1, px); });
  if (model.hiddenColumns) {
    sheet.showColumns(model.hiddenColumns.start, model.hiddenColumns.count);
    sheet.hideColumns(model.hiddenColumns.start, model.hiddenColumns.count);
  }
  upsertCharts_(sheet, model.charts || []);
  return sheet;
}

/**
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {TabModel} model
 * @param {number} width
 */
function writeBody_(sheet, model, width) {
  const body = sheet.getRange(FIRST_DATA_ROW, 1, model.rows.length, width);
  // Formats first: Sheets parses a written '2026-11-19' by the cell's format, so a text column
  // must already be text ('@') or it becomes a date (and a date column must already be a date).
  body.setNumberFormats(model.cellFormats || model.rows.map(function () { return model.columnFormats.slice(); }));
  body.setValues(model.rows.map(function (row) {
    return row.map(function (v) { return v === null || v === undefined ? '' : v; });
  }));
  const backgrounds = model.rowBackgrounds;
  if (backgrounds) {
    body.setBackgrounds(backgrounds.map(function (color) {
      /** @type {string[]} */
      const cells = [];
      for (let i = 0; i < width; i++) cells.push(color || '#ffffff');
      return cells;
    }));
  }
  const colors = model.fontColors;
  if (colors) {
    body.setFontColors(colors.map(function (row) {
      /** @type {string[]} */
      const cells = [];
      for (let i = 0; i < width; i++) cells.push((row && row[i]) || '#000000');
      return cells;
    }));
  }
  // Section headers and totals: bold, and wrapped so a long label never hides behind the next cell.
  (model.boldRows || []).forEach(function (i) { sheet.getRange(FIRST_DATA_ROW + i, 1, 1, width).setFontWeight('bold').setWrap(true); });
  (model.wrapColumns || []).forEach(function (column) {
    sheet.getRange(FIRST_DATA_ROW, column, model.rows.length, 1).setWrap(true);
  });
  (model.notes || []).forEach(function (n) { sheet.getRange(FIRST_DATA_ROW + n.row, n.column + 1).setNote(n.text); });
  (model.formulas || []).forEach(function (f) { sheet.getRange(FIRST_DATA_ROW + f.row, f.column + 1).setFormula(f.formula); });
}

/**
 * The tab's charts, matched to the existing ones by position: existing ones are modified, extra ones
 * removed, none piled up.
 * @param {GoogleAppsScript.Spreadsheet.Sheet} sheet
 * @param {ChartSpec[]} specs
 */
function upsertCharts_(sheet, specs) {
  const charts = sheet.getCharts();
  for (let i = specs.length; i < charts.length; i++) sheet.removeChart(charts[i]);
  specs.forEach(function (spec, i) {
    const existing = i < charts.length ? charts[i] : null;
    let builder = existing ? existing.modify().clearRanges() : sheet.newChart();
    builder = builder
      .setChartType(chartType_(spec.type))
      .setNumHeaders(1)
      .setPosition(spec.anchorRow, spec.anchorColumn, spec.offsetX || 0, 0)
      .setOption('title', spec.title)
      .setOption('width', CHART_WIDTH)
      .setOption('height', CHART_HEIGHT)
      .setOption('legend', { position: 'bottom' })
      // Rows run newest first; the time axis still reads left (old) to right (new).
      .setOption('hAxis', spec.newestFirst ? { direction: -1 } : {});
    spec.columns.forEach(function (column) {
      builder = builder.addRange(sheet.getRange(spec.firstRow, column, spec.rowCount + 1, 1));
    });
    if (existing) {
      sheet.updateChart(builder.build());
    } else {
      sheet.insertChart(builder.build());
    }
  });
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
