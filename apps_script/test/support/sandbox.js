'use strict';
// Loads every src/*.js file into one vm context, the way Apps Script shares one global scope
// between the project's files, with the fakes as the service globals.

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const fakes = require('./fakes');

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const SRC = path.join(PROJECT_ROOT, 'src');

/**
 * @param {object} options
 * @param {string} [options.now] ISO time of the fake clock
 * @param {object} [options.properties] initial Script Properties
 * @param {(request) => {code, body, headers}} [options.fetch] UrlFetchApp handler
 */
function loadScript(options = {}) {
  const clock = new fakes.FakeClock(options.now || '2026-11-20T23:00:00Z');
  const spreadsheet = new fakes.FakeSpreadsheet();
  const ui = new fakes.FakeUi();
  const services = {
    clock,
    spreadsheet,
    ui,
    SpreadsheetApp: new fakes.FakeSpreadsheetApp(spreadsheet, ui),
    Charts: fakes.FakeCharts,
    UrlFetchApp: new fakes.FakeUrlFetchApp(options.fetch || (() => { throw new Error('no fetch handler in this test'); })),
    PropertiesService: new fakes.FakePropertiesService(options.properties || {}),
    CacheService: new fakes.FakeCacheService(clock),
    ScriptApp: new fakes.FakeScriptApp(),
    Utilities: new fakes.FakeUtilities(clock),
    Logger: new fakes.FakeLogger(),
    HtmlService: new fakes.FakeHtmlService(PROJECT_ROOT),
    LockService: new fakes.FakeLockService(),
    MailApp: new fakes.FakeMailApp(),
    console: new fakes.FakeConsole(),
  };
  const context = vm.createContext({
    // The host's JSON: arrays and objects it parses compare equal with the tests' own (deepStrictEqual
    // checks prototypes, and every vm context has its own Array and Object).
    JSON,
    Date: fakes.makeDateClass(clock),
    SpreadsheetApp: services.SpreadsheetApp,
    Charts: services.Charts,
    UrlFetchApp: services.UrlFetchApp,
    PropertiesService: services.PropertiesService,
    CacheService: services.CacheService,
    ScriptApp: services.ScriptApp,
    Utilities: services.Utilities,
    Logger: services.Logger,
    HtmlService: services.HtmlService,
    LockService: services.LockService,
    MailApp: services.MailApp,
    console: services.console,
  });
  for (const file of fs.readdirSync(SRC).filter((f) => f.endsWith('.js')).sort()) {
    vm.runInContext(fs.readFileSync(path.join(SRC, file), 'utf8'), context, { filename: path.join('src', file) });
  }
  return {
    ...services,
    context,
    /** A global of the script: functions and top-level const alike (const is not on the global object). */
    global(name) {
      return vm.runInContext(name, context);
    },
    call(name, ...args) {
      return vm.runInContext(name, context)(...args);
    },
  };
}

/** Host-realm copy of a value made in the sandbox, for deepStrictEqual. */
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

/** Everything a sheet shows, as host arrays: values of the used area. */
function sheetValues(sheet) {
  return plain(sheet.getDataRange().getValues());
}

module.exports = { loadScript, plain, sheetValues, PROJECT_ROOT };

/** loadScript with the Supabase settings in Script Properties and a fake Supabase on the same clock. */
function loadWithSupabase({ rest, expiresIn, properties, now } = {}) {
  const { fakeSupabase, SETTINGS } = require('./fake_supabase');
  const script = loadScript({ now, properties: properties || SETTINGS });
  const supabase = fakeSupabase({ clock: script.clock, rest, expiresIn });
  script.UrlFetchApp.handler = supabase.handler;
  return { ...script, supabase };
}

module.exports.loadWithSupabase = loadWithSupabase;
