'use strict';
// In-memory stand-ins for the Apps Script services the dashboard uses. Method names, arguments and
// return types follow the real services (checked against @types/google-apps-script by
// fakes_shape.test.js); state a test needs to look at sits in plain properties, never in extra methods.

const fs = require('node:fs');
const path = require('node:path');

/** A clock the tests move; the sandbox's Date and the cache expiry read it. */
class FakeClock {
  constructor(iso) {
    this.now = Date.parse(iso);
  }
  advance(ms) {
    this.now += ms;
  }
}

/** A Date class for the sandbox whose "now" is the fake clock. */
function makeDateClass(clock) {
  class SandboxDate extends Date {
    constructor(...args) {
      if (args.length === 0) super(clock.now);
      else super(...args);
    }
    static now() {
      return clock.now;
    }
  }
  return SandboxDate;
}

// ---------------------------------------------------------------- SpreadsheetApp

function columnLetter(column) {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

function checkCell(value) {
  const ok = value === null || ['string', 'number', 'boolean'].includes(typeof value) || value instanceof Date;
  if (!ok) throw new Error(`Cannot convert ${String(value)} to a cell value (${typeof value})`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`Cannot write ${value} into a cell`);
}

/**
 * What Sheets stores for a written value: like typed input, a 'YYYY-MM-DD' string becomes a date unless
 * the cell is already formatted as plain text ('@'). (The fake keeps the day at UTC midnight.)
 */
function asEntered(value, cell) {
  if (value === null) return '';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && cell.numberFormat !== '@') {
    return new Date(value + 'T00:00:00Z');
  }
  return value;
}

class FakeRange {
  constructor(sheet, row, column, numRows, numColumns) {
    for (const [name, n] of [['row', row], ['column', column], ['number of rows', numRows], ['number of columns', numColumns]]) {
      if (!Number.isInteger(n) || n < 1) throw new Error(`The ${name} of the range must be at least 1 (got ${n})`);
    }
    if (row + numRows - 1 > sheet._maxRows || column + numColumns - 1 > sheet._maxColumns) {
      throw new Error('The coordinates of the range are outside the dimensions of the sheet.');
    }
    this._sheet = sheet;
    this._row = row;
    this._column = column;
    this._numRows = numRows;
    this._numColumns = numColumns;
  }
  getSheet() { return this._sheet; }
  getRow() { return this._row; }
  getColumn() { return this._column; }
  getNumRows() { return this._numRows; }
  getNumColumns() { return this._numColumns; }
  getLastRow() { return this._row + this._numRows - 1; }
  getLastColumn() { return this._column + this._numColumns - 1; }
  getA1Notation() {
    const start = columnLetter(this._column) + this._row;
    if (this._numRows === 1 && this._numColumns === 1) return start;
    return start + ':' + columnLetter(this.getLastColumn()) + this.getLastRow();
  }
  _each(fn) {
    for (let r = 0; r < this._numRows; r++) {
      for (let c = 0; c < this._numColumns; c++) fn(this._sheet._cell(this._row + r, this._column + c), r, c);
    }
  }
  _grid(key) {
    const grid = [];
    for (let r = 0; r < this._numRows; r++) {
      const line = [];
      for (let c = 0; c < this._numColumns; c++) line.push(this._sheet._peek(this._row + r, this._column + c)[key]);
      grid.push(line);
    }
    return grid;
  }
  _checkShape(values, what) {
    if (!Array.isArray(values) || values.length !== this._numRows) {
      throw new Error(`The number of rows in the data does not match the number of rows in the range. The data has ${Array.isArray(values) ? values.length : 0} but the range has ${this._numRows}.`);
    }
    for (const line of values) {
      if (!Array.isArray(line) || line.length !== this._numColumns) {
        throw new Error(`The number of columns in the data does not match the number of columns in the range. The data has ${Array.isArray(line) ? line.length : 0} but the range has ${this._numColumns}.`);
      }
    }
    if (what === 'values') values.forEach((line) => line.forEach(checkCell));
  }
  setValue(value) { checkCell(value); this._each((cell) => { cell.value = asEntered(value, cell); }); return this; }
  setValues(values) { this._checkShape(values, 'values'); this._each((cell, r, c) => { cell.value = asEntered(values[r][c], cell); }); return this; }
  getValue() { return this._sheet._peek(this._row, this._column).value; }
  getValues() { return this._grid('value'); }
  getDisplayValue() { return String(this.getValue()); }
  setNumberFormat(format) { this._each((cell) => { cell.numberFormat = format; }); return this; }
  setNumberFormats(formats) { this._checkShape(formats, 'formats'); this._each((cell, r, c) => { cell.numberFormat = formats[r][c]; }); return this; }
  getNumberFormat() { return this._sheet._peek(this._row, this._column).numberFormat; }
  getNumberFormats() { return this._grid('numberFormat'); }
  setBackground(color) { this._each((cell) => { cell.background = color || '#ffffff'; }); return this; }
  setBackgrounds(colors) { this._checkShape(colors, 'colors'); this._each((cell, r, c) => { cell.background = colors[r][c] || '#ffffff'; }); return this; }
  getBackground() { return this._sheet._peek(this._row, this._column).background; }
  getBackgrounds() { return this._grid('background'); }
  setFontWeight(weight) { this._each((cell) => { cell.fontWeight = weight || 'normal'; }); return this; }
  getFontWeight() { return this._sheet._peek(this._row, this._column).fontWeight; }
  getFontWeights() { return this._grid('fontWeight'); }
  setFontColor(color) { this._each((cell) => { cell.fontColor = color || '#000000'; }); return this; }
  setFontColors(colors) { this._checkShape(colors, 'colors'); this._each((cell, r, c) => { cell.fontColor = colors[r][c] || '#000000'; }); return this; }
  getFontColor() { return this._sheet._peek(this._row, this._column).fontColor; }
  getFontColors() { return this._grid('fontColor'); }
  setNote(note) { this._each((cell) => { cell.note = note === null ? '' : String(note); }); return this; }
  getNote() { return this._sheet._peek(this._row, this._column).note; }
  setWrap(isWrapEnabled) { this._each((cell) => { cell.wrap = Boolean(isWrapEnabled); }); return this; }
  getWrap() { return this._sheet._peek(this._row, this._column).wrap; }
  setVerticalAlignment(alignment) { this._each((cell) => { cell.verticalAlignment = alignment || 'bottom'; }); return this; }
  getVerticalAlignment() { return this._sheet._peek(this._row, this._column).verticalAlignment; }
  /** Like Sheets: a formula cell's value is what the formula computes; the fake keeps the text only. */
  setFormula(formula) {
    if (typeof formula !== 'string' || !formula.startsWith('=')) throw new Error('Formula must start with =: ' + formula);
    this._each((cell) => { cell.formula = formula; cell.value = ''; });
    return this;
  }
  getFormula() { return this._sheet._peek(this._row, this._column).formula; }
  merge() {
    for (const m of this._sheet._merges) {
      const overlaps = m.getRow() <= this.getLastRow() && this._row <= m.getLastRow() && m.getColumn() <= this.getLastColumn() && this._column <= m.getLastColumn();
      if (overlaps) throw new Error('You must select all cells in a merged range to merge or unmerge them.');
    }
    this._sheet._merges.push(this);
    return this;
  }
  mergeAcross() { return this.merge(); }
  breakApart() {
    this._sheet._merges = this._sheet._merges.filter((m) => !(m.getRow() >= this._row && m.getLastRow() <= this.getLastRow()
      && m.getColumn() >= this._column && m.getLastColumn() <= this.getLastColumn()));
    return this;
  }
  isPartOfMerge() {
    return this._sheet._merges.some((m) => m.getRow() <= this.getLastRow() && this._row <= m.getLastRow()
      && m.getColumn() <= this.getLastColumn() && this._column <= m.getLastColumn());
  }
  getMergedRanges() {
    return this._sheet._merges.filter((m) => m.getRow() <= this.getLastRow() && this._row <= m.getLastRow()
      && m.getColumn() <= this.getLastColumn() && this._column <= m.getLastColumn());
  }
}

const EMPTY_CELL = Object.freeze({
  value: '', numberFormat: 'General', background: '#ffffff', fontWeight: 'normal', fontColor: '#000000', note: '', wrap: false,
  verticalAlignment: 'bottom', formula: '',
});

class FakeEmbeddedChart {
  constructor(state) {
    this._state = state;
  }
  getChartId() { return this._state.id; }
  getRanges() { return this._state.ranges.slice(); }
  getOptions() {
    const options = this._state.options;
    return { get: (name) => (name in options ? options[name] : null), getOrDefault: (name) => (name in options ? options[name] : null) };
  }
  getContainerInfo() {
    const p = this._state.position;
    return { getAnchorRow: () => p.row, getAnchorColumn: () => p.column, getOffsetX: () => p.offsetX, getOffsetY: () => p.offsetY };
  }
  modify() { return new FakeEmbeddedChartBuilder(this._state.sheet, this._state); }
}

class FakeEmbeddedChartBuilder {
  constructor(sheet, from) {
    this._state = {
      sheet,
      id: from ? from.id : null,
      type: from ? from.type : null,
      ranges: from ? from.ranges.slice() : [],
      options: from ? { ...from.options } : {},
      position: from ? { ...from.position } : { row: 1, column: 1, offsetX: 0, offsetY: 0 },
      numHeaders: from ? from.numHeaders : -1,
    };
  }
  addRange(range) {
    if (range.getSheet() !== this._state.sheet) throw new Error('Chart ranges must be on the sheet of the chart');
    this._state.ranges.push(range);
    return this;
  }
  clearRanges() { this._state.ranges = []; return this; }
  removeRange(range) {
    this._state.ranges = this._state.ranges.filter((r) => r.getA1Notation() !== range.getA1Notation());
    return this;
  }
  getRanges() { return this._state.ranges.slice(); }
  setChartType(type) { this._state.type = type; return this; }
  getChartType() { return this._state.type; }
  setNumHeaders(headers) { this._state.numHeaders = headers; return this; }
  setOption(option, value) { this._state.options[option] = value; return this; }
  setPosition(anchorRowPos, anchorColPos, offsetX, offsetY) {
    this._state.position = { row: anchorRowPos, column: anchorColPos, offsetX, offsetY };
    return this;
  }
  build() {
    if (!this._state.type) throw new Error('Chart type is not set');
    return new FakeEmbeddedChart({ ...this._state, ranges: this._state.ranges.slice(), options: { ...this._state.options } });
  }
}

class FakeSheet {
  constructor(spreadsheet, name) {
    this._spreadsheet = spreadsheet;
    this._name = name;
    this._cells = new Map();
    this._frozenRows = 0;
    // A new sheet's grid, as in Sheets: 1000 rows, 26 columns (A–Z); a range outside it is an error.
    this._maxRows = 1000;
    this._maxColumns = 26;
    this._merges = [];
    this._columnWidths = new Map();
    this._hiddenColumns = new Set();
    this.charts = [];
    this.autoResized = [];
  }
  _cell(row, column) {
    const key = row + ',' + column;
    if (!this._cells.has(key)) this._cells.set(key, { ...EMPTY_CELL });
    return this._cells.get(key);
  }
  _peek(row, column) {
    return this._cells.get(row + ',' + column) || EMPTY_CELL;
  }
  getName() { return this._name; }
  getParent() { return this._spreadsheet; }
  getRange(rowOrA1, column, numRows, numColumns) {
    if (typeof rowOrA1 === 'string') {
      const m = /^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$/.exec(rowOrA1);
      if (!m) throw new Error('Range not found: ' + rowOrA1);
      const col = (letters) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
      const r1 = Number(m[2]);
      const c1 = col(m[1]);
      const r2 = m[3] ? Number(m[4]) : r1;
      const c2 = m[3] ? col(m[3]) : c1;
      return new FakeRange(this, r1, c1, r2 - r1 + 1, c2 - c1 + 1);
    }
    return new FakeRange(this, rowOrA1, column, numRows === undefined ? 1 : numRows, numColumns === undefined ? 1 : numColumns);
  }
  getMaxRows() { return this._maxRows; }
  getMaxColumns() { return this._maxColumns; }
  insertRowsAfter(afterPosition, howMany) {
    if (afterPosition > this._maxRows) throw new Error('Those rows are out of bounds.');
    this._maxRows += howMany;
    return this;
  }
  insertColumnsAfter(afterPosition, howMany) {
    if (afterPosition > this._maxColumns) throw new Error('Those columns are out of bounds.');
    this._maxColumns += howMany;
    return this;
  }
  getLastRow() {
    let last = 0;
    for (const [key, cell] of this._cells) if (cell.value !== '') last = Math.max(last, Number(key.split(',')[0]));
    return last;
  }
  getLastColumn() {
    let last = 0;
    for (const [key, cell] of this._cells) if (cell.value !== '') last = Math.max(last, Number(key.split(',')[1]));
    return last;
  }
  getDataRange() {
    return new FakeRange(this, 1, 1, Math.max(this.getLastRow(), 1), Math.max(this.getLastColumn(), 1));
  }
  /** Content and formats go; notes, merges, column widths and charts stay, as in Sheets. */
  clear() {
    for (const [key, cell] of this._cells) {
      if (cell.note) this._cells.set(key, { ...EMPTY_CELL, note: cell.note });
      else this._cells.delete(key);
    }
    return this;
  }
  clearNotes() { for (const cell of this._cells.values()) cell.note = ''; return this; }
  setColumnWidth(columnPosition, width) {
    if (!Number.isInteger(width) || width < 0) throw new Error('Invalid column width ' + width);
    this._columnWidths.set(columnPosition, width);
    return this;
  }
  setColumnWidths(startColumn, numColumns, width) {
    for (let c = startColumn; c < startColumn + numColumns; c++) this.setColumnWidth(c, width);
    return this;
  }
  /** 100 px until set, as in a new sheet. */
  getColumnWidth(columnPosition) { return this._columnWidths.has(columnPosition) ? this._columnWidths.get(columnPosition) : 100; }
  hideColumns(columnIndex, numColumns = 1) { for (let c = columnIndex; c < columnIndex + numColumns; c++) this._hiddenColumns.add(c); }
  showColumns(columnIndex, numColumns = 1) { for (let c = columnIndex; c < columnIndex + numColumns; c++) this._hiddenColumns.delete(c); }
  isColumnHiddenByUser(columnPosition) { return this._hiddenColumns.has(columnPosition); }
  clearContents() { for (const cell of this._cells.values()) cell.value = ''; return this; }
  setFrozenRows(rows) { this._frozenRows = rows; }
  getFrozenRows() { return this._frozenRows; }
  autoResizeColumns(startColumn, numColumns) { this.autoResized.push([startColumn, numColumns]); return this; }
  newChart() { return new FakeEmbeddedChartBuilder(this, null); }
  getCharts() { return this.charts.map((state) => new FakeEmbeddedChart(state)); }
  insertChart(chart) {
    const state = chart._state;
    if (state.id !== null) throw new Error('This chart is already on a sheet; use updateChart');
    state.id = 'chart-' + ++this._spreadsheet._chartSeq;
    this.charts.push(state);
  }
  updateChart(chart) {
    const i = this.charts.findIndex((s) => s.id === chart._state.id);
    if (i < 0) throw new Error('The chart is not on this sheet');
    this.charts[i] = chart._state;
  }
  removeChart(chart) {
    const i = this.charts.findIndex((s) => s.id === chart._state.id);
    if (i < 0) throw new Error('The chart is not on this sheet');
    this.charts.splice(i, 1);
  }
}

class FakeSpreadsheet {
  constructor(timeZone = 'Asia/Jakarta', locale = 'en_US') {
    this._sheets = [];
    this._timeZone = timeZone;
    this._locale = locale;
    this._chartSeq = 0;
    this.toasts = [];
  }
  getSheets() { return this._sheets.slice(); }
  getSheetByName(name) { return this._sheets.find((s) => s.getName() === name) || null; }
  insertSheet(name) {
    if (this.getSheetByName(name)) throw new Error(`A sheet with the name "${name}" already exists. Please enter another name.`);
    const sheet = new FakeSheet(this, name);
    this._sheets.push(sheet);
    return sheet;
  }
  getSpreadsheetTimeZone() { return this._timeZone; }
  setSpreadsheetTimeZone(timezone) { this._timeZone = timezone; }
  getSpreadsheetLocale() { return this._locale; }
  setSpreadsheetLocale(locale) {
    if (!/^[a-z]{2}(_[A-Z]{2})?$/.test(locale)) throw new Error('Invalid locale ' + locale);
    this._locale = locale;
  }
  getUrl() { return 'https://docs.google.com/spreadsheets/d/fake-spreadsheet-id/edit'; }
  toast(msg, title, timeoutSeconds) { this.toasts.push({ msg, title, timeoutSeconds }); }
}

class FakePromptResponse {
  constructor(button, text) {
    this._button = button;
    this._text = text;
  }
  getSelectedButton() { return this._button; }
  getResponseText() { return this._text; }
}

class FakeMenu {
  constructor(ui, caption) {
    this._ui = ui;
    this.caption = caption;
    this.items = [];
  }
  addItem(caption, functionName) { this.items.push({ caption, functionName }); return this; }
  addSeparator() { this.items.push({ separator: true }); return this; }
  addSubMenu(menu) { this.items.push({ subMenu: menu }); return this; }
  addToUi() { this._ui.menus.push(this); }
}

class FakeUi {
  constructor() {
    this.Button = { OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO', CLOSE: 'CLOSE' };
    this.ButtonSet = { OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO', YES_NO_CANCEL: 'YES_NO_CANCEL' };
    this.menus = [];
    this.alerts = [];
    this.prompts = [];
    this.dialogs = [];
    /** Answers the next prompt() calls get: [{button, text}]. */
    this.promptAnswers = [];
  }
  createMenu(caption) { return new FakeMenu(this, caption); }
  alert(...args) { this.alerts.push(args); return this.Button.OK; }
  prompt(...args) {
    this.prompts.push(args);
    const answer = this.promptAnswers.shift();
    if (!answer) throw new Error('test did not queue an answer for prompt()');
    return new FakePromptResponse(answer.button, answer.text);
  }
  showModalDialog(userInterface, title) { this.dialogs.push({ userInterface, title }); }
}

class FakeSpreadsheetApp {
  constructor(spreadsheet, ui) {
    this._spreadsheet = spreadsheet;
    this._ui = ui;
  }
  getActiveSpreadsheet() { return this._spreadsheet; }
  getActive() { return this._spreadsheet; }
  getUi() { return this._ui; }
}

const FakeCharts = Object.freeze({
  ChartType: Object.freeze({ AREA: 'AREA', BAR: 'BAR', COLUMN: 'COLUMN', LINE: 'LINE', PIE: 'PIE', SCATTER: 'SCATTER', TABLE: 'TABLE' }),
});

// ---------------------------------------------------------------- UrlFetchApp

class FakeHTTPResponse {
  constructor(code, body, headers) {
    this._code = code;
    this._body = body;
    this._headers = headers || {};
  }
  getResponseCode() { return this._code; }
  getContentText() { return this._body; }
  getHeaders() { return { ...this._headers }; }
  getAllHeaders() { return { ...this._headers }; }
}

/**
 * handler(request) answers {code, body, headers} or throws (a network error). Requests are kept in
 * .requests with the URL, method, headers and payload as the script passed them.
 */
class FakeUrlFetchApp {
  constructor(handler) {
    /** Replaceable by a test after loading, e.g. with a fakeSupabase handler on the same clock. */
    this.handler = handler;
    this.requests = [];
  }
  fetch(url, params = {}) {
    const request = {
      url,
      method: String(params.method || 'get').toLowerCase(),
      headers: { ...(params.headers || {}) },
      contentType: params.contentType || null,
      payload: params.payload === undefined ? null : params.payload,
    };
    this.requests.push(request);
    const answer = this.handler(request);
    const response = new FakeHTTPResponse(answer.code, answer.body, answer.headers);
    if (answer.code >= 400 && !params.muteHttpExceptions) {
      throw new Error(`Request failed for ${url} returned code ${answer.code}. Truncated server response: ${answer.body.slice(0, 100)}`);
    }
    return response;
  }
}

// ---------------------------------------------------------------- PropertiesService, CacheService

class FakeProperties {
  constructor(initial = {}) {
    this._store = new Map(Object.entries(initial).map(([k, v]) => [k, String(v)]));
  }
  getProperty(key) { return this._store.has(key) ? this._store.get(key) : null; }
  getProperties() { return Object.fromEntries(this._store); }
  getKeys() { return [...this._store.keys()]; }
  setProperty(key, value) { this._store.set(key, String(value)); return this; }
  setProperties(properties, deleteAllOthers) {
    if (deleteAllOthers) this._store.clear();
    for (const [k, v] of Object.entries(properties)) this._store.set(k, String(v));
    return this;
  }
  deleteProperty(key) { this._store.delete(key); return this; }
  deleteAllProperties() { this._store.clear(); return this; }
}

/** User Properties belong to whoever runs the script: a test switches users through .activeUser. */
class FakePropertiesService {
  constructor(scriptProperties = {}) {
    this.script = new FakeProperties(scriptProperties);
    this.document = new FakeProperties();
    this.users = new Map();
    this.activeUser = 'owner@example.com';
  }
  getScriptProperties() { return this.script; }
  getDocumentProperties() { return this.document; }
  getUserProperties() {
    if (!this.users.has(this.activeUser)) this.users.set(this.activeUser, new FakeProperties());
    return this.users.get(this.activeUser);
  }
}

const CACHE_MAX_SECONDS = 21600;

class FakeCache {
  constructor(clock) {
    this._clock = clock;
    this._entries = new Map();
  }
  get(key) {
    const entry = this._entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this._clock.now) {
      this._entries.delete(key);
      return null;
    }
    return entry.value;
  }
  getAll(keys) {
    const found = {};
    for (const key of keys) {
      const value = this.get(key);
      if (value !== null) found[key] = value;
    }
    return found;
  }
  put(key, value, expirationInSeconds = 600) {
    if (typeof value !== 'string') throw new Error('Cache values must be strings');
    if (value.length > 100 * 1024) throw new Error('Argument too large: value');
    const seconds = Math.min(expirationInSeconds, CACHE_MAX_SECONDS);
    this._entries.set(key, { value, expiresAt: this._clock.now + seconds * 1000 });
  }
  putAll(values, expirationInSeconds) {
    for (const [k, v] of Object.entries(values)) this.put(k, v, expirationInSeconds);
  }
  remove(key) { this._entries.delete(key); }
  removeAll(keys) { for (const key of keys) this._entries.delete(key); }
}

class FakeCacheService {
  constructor(clock) {
    this.script = new FakeCache(clock);
    this.document = new FakeCache(clock);
    this.user = new FakeCache(clock);
  }
  getScriptCache() { return this.script; }
  getDocumentCache() { return this.document; }
  getUserCache() { return this.user; }
}

// ---------------------------------------------------------------- ScriptApp

class FakeTrigger {
  constructor(id, handler, config) {
    this._id = id;
    this._handler = handler;
    /** What the builder was told (hour, minute, every days, time zone): real triggers do not show it. */
    this.config = config;
  }
  getUniqueId() { return this._id; }
  getHandlerFunction() { return this._handler; }
  getEventType() { return 'CLOCK'; }
  getTriggerSource() { return 'CLOCK'; }
}

class FakeClockTriggerBuilder {
  constructor(scriptApp, handler) {
    this._scriptApp = scriptApp;
    this._handler = handler;
    this._config = {};
  }
  atHour(hour) {
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new Error('Invalid hour ' + hour);
    this._config.hour = hour;
    return this;
  }
  nearMinute(minute) { this._config.minute = minute; return this; }
  everyDays(n) { this._config.everyDays = n; return this; }
  everyHours(n) { this._config.everyHours = n; return this; }
  after(durationMilliseconds) {
    if (!Number.isInteger(durationMilliseconds) || durationMilliseconds < 0) throw new Error('Invalid duration ' + durationMilliseconds);
    this._config.afterMs = durationMilliseconds;
    return this;
  }
  everyMinutes(n) {
    if (![1, 5, 10, 15, 30].includes(n)) throw new Error('The value passed to everyMinutes must be 1, 5, 10, 15 or 30');
    this._config.everyMinutes = n;
    return this;
  }
  inTimezone(timezone) { this._config.timezone = timezone; return this; }
  create() {
    if (this._config.hour !== undefined && this._config.everyDays === undefined) {
      throw new Error('atHour() needs everyDays() or onWeekDay()');
    }
    const trigger = new FakeTrigger('trigger-' + ++this._scriptApp._seq, this._handler, { ...this._config });
    this._scriptApp.triggers.push(trigger);
    return trigger;
  }
}

class FakeTriggerBuilder {
  constructor(scriptApp, handler) {
    this._scriptApp = scriptApp;
    this._handler = handler;
  }
  timeBased() { return new FakeClockTriggerBuilder(this._scriptApp, this._handler); }
}

class FakeScriptApp {
  constructor() {
    this.triggers = [];
    this._seq = 0;
    this.EventType = { CLOCK: 'CLOCK', ON_OPEN: 'ON_OPEN', ON_EDIT: 'ON_EDIT' };
  }
  newTrigger(functionName) { return new FakeTriggerBuilder(this, functionName); }
  getProjectTriggers() { return this.triggers.slice(); }
  deleteTrigger(trigger) {
    const i = this.triggers.findIndex((t) => t.getUniqueId() === trigger.getUniqueId());
    if (i < 0) throw new Error('Trigger not found');
    this.triggers.splice(i, 1);
  }
}

// ---------------------------------------------------------------- LockService

class FakeLock {
  constructor(owner) {
    this._owner = owner;
    this._held = false;
  }
  tryLock(timeoutInMillis) {
    if (this._owner.heldBy && this._owner.heldBy !== this) {
      this._owner.waits.push(timeoutInMillis);
      return false;
    }
    this._owner.heldBy = this;
    this._held = true;
    return true;
  }
  waitLock(timeoutInMillis) {
    if (!this.tryLock(timeoutInMillis)) throw new Error('Lock timeout: another process was holding the lock for too long.');
  }
  hasLock() { return this._held; }
  releaseLock() {
    if (this._owner.heldBy === this) this._owner.heldBy = null;
    this._held = false;
  }
}

/** One document lock; a test can hold it (as another execution would) through .heldBy. */
class FakeLockService {
  constructor() {
    this.heldBy = null;
    this.waits = [];
  }
  getDocumentLock() { return new FakeLock(this); }
  getScriptLock() { return new FakeLock(this); }
  getUserLock() { return new FakeLock(this); }
}

// ---------------------------------------------------------------- MailApp

/** Keeps what would be sent in .sent; .failWith makes the next sends throw, as a used-up quota does. */
class FakeMailApp {
  constructor() {
    this.sent = [];
    this.failWith = null;
  }
  sendEmail(message, ...rest) {
    if (this.failWith) throw new Error(this.failWith);
    const mail = typeof message === 'object' ? { ...message } : { to: message, subject: rest[0], body: rest[1] };
    if (!mail.to || !mail.subject) throw new Error('Invalid argument: recipient and subject are required');
    this.sent.push(mail);
  }
  getRemainingDailyQuota() { return 100 - this.sent.length; }
}

// ---------------------------------------------------------------- Utilities, Logger, HtmlService, console

/** Only the pattern letters the script uses; an unknown letter fails loudly rather than printing junk. */
function formatDate(date, timeZone, pattern) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).formatToParts(new Date(date.getTime())).map((p) => [p.type, p.value]),
  );
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss|[A-Za-z]/g, (token) => {
    const map = { yyyy: parts.year, MM: parts.month, dd: parts.day, HH: parts.hour, mm: parts.minute, ss: parts.second };
    if (!(token in map)) throw new Error('formatDate fake does not know pattern letter ' + token);
    return map[token];
  });
}

class FakeUtilities {
  constructor(clock) {
    this._clock = clock;
    this.sleeps = [];
  }
  formatDate(date, timeZone, format) { return formatDate(date, timeZone, format); }
  sleep(milliseconds) { this.sleeps.push(milliseconds); this._clock.advance(milliseconds); }
}

class FakeLogger {
  constructor() { this.lines = []; }
  log(format, ...values) { this.lines.push([format, ...values].map(String).join(' ')); return this; }
}

class FakeHtmlOutput {
  constructor(content) {
    this._content = content;
    this._width = null;
    this._height = null;
    this._title = '';
  }
  getContent() { return this._content; }
  setWidth(width) { this._width = width; return this; }
  getWidth() { return this._width; }
  setHeight(height) { this._height = height; return this; }
  getHeight() { return this._height; }
  setTitle(title) { this._title = title; return this; }
  getTitle() { return this._title; }
}

/** Reads project HTML files the way the editor names them: 'src/Setup' is src/Setup.html. */
class FakeHtmlService {
  constructor(projectRoot) { this._root = projectRoot; }
  createHtmlOutput(html = '') { return new FakeHtmlOutput(String(html)); }
  createHtmlOutputFromFile(filename) {
    const file = path.join(this._root, filename + '.html');
    if (!fs.existsSync(file)) throw new Error('No HTML file named ' + filename + ' was found.');
    return new FakeHtmlOutput(fs.readFileSync(file, 'utf8'));
  }
}

class FakeConsole {
  constructor() { this.lines = []; }
  log(...args) { this.lines.push(['log', args.join(' ')]); }
  info(...args) { this.lines.push(['info', args.join(' ')]); }
  warn(...args) { this.lines.push(['warn', args.join(' ')]); }
  error(...args) { this.lines.push(['error', args.join(' ')]); }
}

module.exports = {
  FakeClock, makeDateClass, FakeSpreadsheetApp, FakeSpreadsheet, FakeSheet, FakeRange, FakeEmbeddedChart,
  FakeEmbeddedChartBuilder, FakeUi, FakeMenu, FakePromptResponse, FakeCharts, FakeUrlFetchApp, FakeHTTPResponse,
  FakePropertiesService, FakeProperties, FakeCacheService, FakeCache, FakeScriptApp, FakeTrigger,
  FakeTriggerBuilder, FakeClockTriggerBuilder, FakeUtilities, FakeLogger, FakeHtmlService, FakeHtmlOutput,
  FakeConsole, FakeLockService, FakeLock, FakeMailApp, formatDate, columnLetter,
};
