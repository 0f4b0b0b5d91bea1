// The Target tab: the users type a daily target beside each KPI of Ringkasan. The script creates the
// tab once (KPI names, empty targets) and afterwards only reads it.

/** What each KPI's target is written in, for the users typing it. */
const TARGET_HINTS = {
  'Pendapatan (termasuk pajak)': 'rupiah per hari, mis. 15000000',
  'Laba kotor': 'rupiah per hari',
  'Margin laba kotor': 'persen, mis. 30%',
  'Transaksi': 'jumlah per hari',
  'Rata-rata belanja per transaksi': 'rupiah',
  'Pengiriman tepat waktu': 'persen, mis. 95%',
  'SKU stok habis': 'jumlah paling banyak (lebih kecil lebih baik)',
};

/**
 * Targets by KPI label; a blank or text cell is no target. Creates the tab when it is missing.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} spreadsheet
 * @returns {Object<string, number>}
 */
function readTargets_(spreadsheet) {
  let sheet = spreadsheet.getSheetByName(TAB_TARGET);
  if (!sheet) {
    sheet = spreadsheet.insertSheet(TAB_TARGET);
    const rows = [['Indikator', 'Target harian', 'Cara mengisi']].concat(SUMMARY_KPIS.map(function (k) {
      return [k.label, '', /** @type {Object<string, string>} */ (TARGET_HINTS)[k.label] || ''];
    }));
    sheet.getRange(1, 1, rows.length, 3).setValues(rows);
    // Each target in its KPI's format, so 30% typed shows 30,0% and 15000000 shows Rp15.000.000.
    sheet.getRange(2, 2, SUMMARY_KPIS.length, 1).setNumberFormats(SUMMARY_KPIS.map(function (k) { return [k.format]; }));
    sheet.getRange(1, 1, 1, 3).setFontWeight('bold').setBackground(COLOR_HEADER);
    sheet.setFrozenRows(1);
    sheet.setColumnWidth(1, 230);
    sheet.setColumnWidth(2, 130);
    sheet.setColumnWidth(3, 300);
    return {};
  }
  /** @type {Object<string, number>} */
  const targets = {};
  const last = sheet.getLastRow();
  if (last < 2) return targets;
  sheet.getRange(2, 1, last - 1, 2).getValues().forEach(function (row) {
    // Sheets stores what the users type as numbers (30% is 0.3); text in the cell is no target.
    if (row[0] && typeof row[1] === 'number') targets[String(row[0]).trim()] = row[1];
  });
  return targets;
}
