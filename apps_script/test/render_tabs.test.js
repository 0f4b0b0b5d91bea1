'use strict';
// tools/render_tabs.js keeps working: every morning it draws builds, and its number display is how
// the id_ID locale shows the script's formats (the pictures in the README depend on both).
const test = require('node:test');
const assert = require('node:assert/strict');
const { display, renderSheetHtml, MORNINGS } = require('../tools/render_tabs');

test('the renderer shows the script\'s formats as Sheets does in id_ID', () => {
  const cases = [
    [15500000, '"Rp"#,##0', 'Rp15.500.000'],
    [0.29, '0.0%', '29,0%'],
    [411, '#,##0', '411'],
    [350.25, '#,##0.0##', '350,25'],
    [0.052, '+0.0%;-0.0%;0.0%', '+5,2%'],
    [-1.8, '+0.0" pp";-0.0" pp";0.0" pp"', '-1,8 pp'],
    [0, '+0.0" pp";-0.0" pp";0.0" pp"', '0,0 pp'],
    [new Date('2026-11-19T00:00:00Z'), 'dd/mm/yyyy', '19/11/2026'],
  ];

  for (const [value, format, expected] of cases) assert.equal(display({ value, numberFormat: format }), expected, format);
});

test('every morning the README pictures come from renders its tabs, charts and sparklines included', () => {
  for (const [morning, spec] of Object.entries(MORNINGS)) {
    const s = spec.make();
    for (const name of spec.tabs) {
      const html = renderSheetHtml(s.spreadsheet, s.spreadsheet.getSheetByName(name));

      assert.match(html, /^<!doctype html>/, `${morning} ${name}`);
      assert.match(html, new RegExp(`class="tab active">${name.replace('&', '&amp;')}<`), `${morning} ${name}`);
    }
  }
  const normal = MORNINGS.normal.make();
  const summary = renderSheetHtml(normal.spreadsheet, normal.spreadsheet.getSheetByName('Ringkasan'));
  assert.match(summary, /<polyline fill="none" stroke="#4285f4"/, 'the sparklines are drawn');
  assert.match(summary, /Rp15\.500\.000/);
  const inventory = renderSheetHtml(normal.spreadsheet, normal.spreadsheet.getSheetByName('Inventori'));
  assert.equal((inventory.match(/class="chart"/g) || []).length, 2);
});
