'use strict';
// The fakes may only offer what the real services offer: every public method of a fake must be
// declared on the matching interface of @types/google-apps-script, so a script that passes here does
// not call something Apps Script lacks. (State the tests read lives in plain properties.)
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const fakes = require('./support/fakes');

const TYPES = path.join(__dirname, '..', 'node_modules', '@types', 'google-apps-script');

const SHAPES = [
  ['FakeSpreadsheetApp', 'spreadsheet', 'SpreadsheetApp'],
  ['FakeSpreadsheet', 'spreadsheet', 'Spreadsheet'],
  ['FakeSheet', 'spreadsheet', 'Sheet'],
  ['FakeRange', 'spreadsheet', 'Range'],
  ['FakeEmbeddedChart', 'spreadsheet', 'EmbeddedChart'],
  ['FakeEmbeddedChartBuilder', 'spreadsheet', 'EmbeddedChartBuilder'],
  ['FakeUi', 'base', 'Ui'],
  ['FakeMenu', 'base', 'Menu'],
  ['FakePromptResponse', 'base', 'PromptResponse'],
  ['FakeLogger', 'base', 'Logger'],
  ['FakeUrlFetchApp', 'url-fetch', 'UrlFetchApp'],
  ['FakeHTTPResponse', 'url-fetch', 'HTTPResponse'],
  ['FakePropertiesService', 'properties', 'PropertiesService'],
  ['FakeProperties', 'properties', 'Properties'],
  ['FakeCacheService', 'cache', 'CacheService'],
  ['FakeCache', 'cache', 'Cache'],
  ['FakeScriptApp', 'script', 'ScriptApp'],
  ['FakeTrigger', 'script', 'Trigger'],
  ['FakeTriggerBuilder', 'script', 'TriggerBuilder'],
  ['FakeClockTriggerBuilder', 'script', 'ClockTriggerBuilder'],
  ['FakeUtilities', 'utilities', 'Utilities'],
  ['FakeHtmlService', 'html', 'HtmlService'],
  ['FakeHtmlOutput', 'html', 'HtmlOutput'],
  ['FakeLockService', 'lock', 'LockService'],
  ['FakeLock', 'lock', 'Lock'],
  ['FakeMailApp', 'mail', 'MailApp'],
];

/** Method names declared in `interface name { ... }` of one .d.ts file. */
function declaredMethods(file, name) {
  const text = fs.readFileSync(path.join(TYPES, `google-apps-script.${file}.d.ts`), 'utf8');
  const start = text.search(new RegExp(`\\binterface ${name}(\\s+extends[^{]+)?\\s*\\{`));
  assert.ok(start >= 0, `interface ${name} in ${file}`);
  let depth = 0;
  let end = text.indexOf('{', start);
  for (let i = end; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) { end = i; break; }
  }
  const body = text.slice(text.indexOf('{', start), end);
  // A deprecated method is declared behind its /** @deprecated ... */ comment on the same line.
  return new Set([...body.matchAll(/^\s{12}(?:\/\*\*[^*]*\*\/\s*)?(\w+)\s*[(<]/gm)].map((m) => m[1]));
}

function publicMethods(cls) {
  return Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== 'constructor' && !n.startsWith('_'));
}

for (const [fake, file, iface] of SHAPES) {
  test(`${fake} offers only methods of ${iface}`, () => {
    const declared = declaredMethods(file, iface);
    assert.ok(declared.size > 0);

    const extra = publicMethods(fakes[fake]).filter((m) => !declared.has(m));

    assert.deepEqual(extra, []);
  });
}

test('the shape check itself catches a method the real service lacks', () => {
  class FakeWithTypo { getValuez() {} }

  const extra = publicMethods(FakeWithTypo).filter((m) => !declaredMethods('spreadsheet', 'Range').has(m));

  assert.deepEqual(extra, ['getValuez']);
});

test('the fake HTTP response keeps the real return shapes', () => {
  const response = new fakes.FakeHTTPResponse(206, '[]', { 'Content-Range': '0-0/*' });

  assert.equal(typeof response.getResponseCode(), 'number');
  assert.equal(typeof response.getContentText(), 'string');
  assert.deepEqual(response.getHeaders(), { 'Content-Range': '0-0/*' });
});

test('UrlFetchApp without muteHttpExceptions throws on an HTTP error, as Apps Script does', () => {
  const fetcher = new fakes.FakeUrlFetchApp(() => ({ code: 500, body: 'boom' }));

  assert.throws(() => fetcher.fetch('https://example.test/x'), /Request failed for https:\/\/example\.test\/x returned code 500/);
  assert.equal(fetcher.fetch('https://example.test/x', { muteHttpExceptions: true }).getResponseCode(), 500);
});

test('Range.setValues refuses data of the wrong shape, as Sheets does', () => {
  const sheet = new fakes.FakeSpreadsheet().insertSheet('x');

  assert.throws(() => sheet.getRange(1, 1, 2, 2).setValues([[1, 2]]), /The data has 1 but the range has 2/);
  assert.throws(() => sheet.getRange(1, 1, 1, 2).setValues([[1, undefined]]), /Cannot convert undefined/);
});

test('the cache forgets entries after their time, and never keeps one over 6 hours', () => {
  const clock = new fakes.FakeClock('2026-01-01T00:00:00Z');
  const cache = new fakes.FakeCache(clock);
  cache.put('a', '1', 60);
  cache.put('b', '2', 999999);

  clock.advance(60 * 1000);

  assert.equal(cache.get('a'), null);
  assert.equal(cache.get('b'), '2');
  clock.advance(6 * 3600 * 1000);
  assert.equal(cache.get('b'), null);
});

test('a date-like string becomes a date unless the cell is already plain text, as typed input does', () => {
  const sheet = new fakes.FakeSpreadsheet().insertSheet('x');

  sheet.getRange(1, 1).setValue('2026-11-19');
  sheet.getRange(1, 2).setNumberFormat('@').setValue('2026-11-19');

  assert.ok(sheet.getRange(1, 1).getValue() instanceof Date);
  assert.equal(sheet.getRange(1, 2).getValue(), '2026-11-19');
});

test('a range outside a new sheet\'s 1000 × 26 grid is an error until rows or columns are inserted, as in Sheets', () => {
  const sheet = new fakes.FakeSpreadsheet().insertSheet('x');

  assert.throws(() => sheet.getRange(1, 1, 1, 42), /outside the dimensions of the sheet/);
  sheet.insertColumnsAfter(26, 16);
  assert.equal(sheet.getRange(1, 1, 1, 42).getLastColumn(), 42);
  assert.throws(() => sheet.getRange(1000, 1, 2, 1), /outside the dimensions/);
});
