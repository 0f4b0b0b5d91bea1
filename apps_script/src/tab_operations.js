// Inventori and Armada share one layout: the shown day per warehouse / vehicle with a totals row
// (and a note on what the data cannot say), two charts right under it (visible without scrolling), an
// optional list (Inventori: the SKUs out of stock), then the daily trend over the last 30 days, newest
// first, that the charts draw.

/**
 * @typedef {Object} OperationsLayout
 * @property {any[][]} dayRows the shown day, one row per warehouse or vehicle
 * @property {string[][]} dayFormats
 * @property {Array<string | null>} dayBackgrounds
 * @property {any[] | null} totalRow null when the day has no rows
 * @property {string[]} totalFormats
 * @property {string[]} [notes] one text row each, under the totals
 * @property {{headers: string[], rows: any[][], formats: string[][], backgrounds: Array<string | null>}} [list] between the charts and the trend
 * @property {string[]} trendHeaders
 * @property {any[][]} trendRows newest first
 * @property {string[][]} trendFormats
 * @property {Array<Omit<ChartSpec, 'firstRow' | 'rowCount' | 'anchorRow' | 'anchorColumn' | 'offsetX'>>} charts over trend columns
 */

/**
 * Places the parts of an operations tab and the charts over the trend table.
 * @param {OperationsLayout} layout
 * @returns {{rows: any[][], cellFormats: string[][], rowBackgrounds: Array<string | null>, boldRows: number[], charts: ChartSpec[]}}
 */
function layOutOperations_(layout) {
  const width = layout.trendHeaders.length;
  const blank = function () { /** @type {any[]} */ const r = []; for (let i = 0; i < width; i++) r.push(''); return r; };
  const textFormats = function () { return layout.trendHeaders.map(function () { return FORMAT_TEXT; }); };
  const rows = layout.dayRows.slice();
  const formats = layout.dayFormats.slice();
  const backgrounds = layout.dayBackgrounds.slice();
  /** @type {number[]} */
  const bold = [];
  if (layout.totalRow) {
    bold.push(rows.length);
    rows.push(layout.totalRow);
    formats.push(layout.totalFormats);
    backgrounds.push(COLOR_TOTAL);
  }
  (layout.notes || []).forEach(function (note) {
    const r = blank();
    r[0] = note;
    rows.push(r);
    formats.push(textFormats());
    backgrounds.push(null);
  });
  rows.push(blank());
  formats.push(textFormats());
  backgrounds.push(null);
  const chartRow = FIRST_DATA_ROW + rows.length;
  for (let i = 0; i < CHART_BLOCK_ROWS; i++) {
    rows.push(blank());
    formats.push(textFormats());
    backgrounds.push(null);
  }
  /** @param {any[]} cells @param {string[]} cellFormats */
  const padded = function (cells, cellFormats) {
    const r = blank();
    const f = textFormats();
    cells.forEach(function (c, i) { r[i] = c; f[i] = cellFormats[i] || FORMAT_TEXT; });
    return { r: r, f: f };
  };
  if (layout.list) {
    const list = layout.list;
    bold.push(rows.length);
    rows.push(padded(list.headers, []).r);
    formats.push(textFormats());
    backgrounds.push(COLOR_SECTION);
    list.rows.forEach(function (cells, i) {
      const p = padded(cells, list.formats[i]);
      rows.push(p.r);
      formats.push(p.f);
      backgrounds.push(list.backgrounds[i]);
    });
    rows.push(blank());
    formats.push(textFormats());
    backgrounds.push(null);
  }
  const trendHeaderRow = FIRST_DATA_ROW + rows.length;
  bold.push(rows.length);
  rows.push(layout.trendHeaders.slice());
  formats.push(textFormats());
  backgrounds.push(COLOR_SECTION);
  layout.trendRows.forEach(function (r, i) {
    rows.push(r);
    formats.push(layout.trendFormats[i]);
    backgrounds.push(null);
  });
  const charts = layout.charts.map(function (c, i) {
    return /** @type {ChartSpec} */ ({
      type: c.type, title: c.title, columns: c.columns, newestFirst: true,
      firstRow: trendHeaderRow, rowCount: layout.trendRows.length,
      anchorRow: chartRow, anchorColumn: 1, offsetX: i * (CHART_WIDTH + 16),
    });
  });
  return { rows: rows, cellFormats: formats, rowBackgrounds: backgrounds, boldRows: bold, charts: charts };
}

/**
 * @param {Array<number | null>} values
 * @returns {string[]} a quantity format per value
 */
function qtyFormats_(values) {
  return values.map(qtyFormat_);
}

/**
 * Inventori: movements and closing stock per warehouse on the day, totals, and the 30-day trend.
 * @param {RefreshContext} ctx
 * @returns {TabModel}
 */
function buildInventoryTab_(ctx) {
  const all = rowsOf_(ctx, 'inventory_daily');
  const rows = all.filter(function (r) { return String(r.data_date) === ctx.day; });
  const names = nameLookup_(ctx);
  const byDay = inventoryTotalsByDay_(all);
  const trendDays = daysEnding_(ctx.day, SPARKLINE_DAYS).reverse().filter(function (d) { return d in byDay; });
  const day = byDay[ctx.day];
  const headers = ['Gudang', 'Organisasi', 'Penerimaan', 'Pengeluaran', 'Penyesuaian', 'Perubahan bersih', 'Stok akhir',
    'SKU stok habis', 'SKU aktif', 'Transaksi'];
  const counts = [FORMAT_COUNT, FORMAT_COUNT, FORMAT_COUNT];
  /** @type {any[][]} */
  const dayRows = rows.map(function (r) {
    return [names.warehouse(r.warehouse_id), names.org(r.org_id), toNumber_(r.receipts_qty), toNumber_(r.issues_qty),
      toNumber_(r.adjustments_qty), toNumber_(r.net_change_qty), toNumber_(r.closing_qty),
      toNumber_(r.stockout_sku_count), toNumber_(r.active_sku_count), toNumber_(r.tx_count)];
  });
  /** @type {any[] | null} */
  const totalRow = day
    ? ['Total (' + day.warehouses + ' gudang)', '', day.receipts, day.issues, day.adjustments, day.net, day.closing,
      day.stockouts, day.activeSkus, day.tx]
    : null;
  const laidOut = layOutOperations_({
    dayRows: dayRows,
    dayFormats: dayRows.map(function (r) { return [FORMAT_TEXT, FORMAT_TEXT].concat(qtyFormats_(r.slice(2, 7)), counts); }),
    dayBackgrounds: rows.map(function (r) { return (toNumber_(r.stockout_sku_count) || 0) > 0 ? COLOR_WARNING : null; }),
    totalRow: totalRow,
    totalFormats: totalRow ? [FORMAT_TEXT, FORMAT_TEXT].concat(qtyFormats_(totalRow.slice(2, 7)), counts) : [],
    trendHeaders: ['Tren harian (semua gudang)', 'Gudang', 'Penerimaan', 'Pengeluaran', 'Penyesuaian', 'Perubahan bersih',
      'Stok akhir', 'SKU stok habis', 'SKU aktif', 'Transaksi'],
    trendRows: trendDays.map(function (d) {
      const t = byDay[d];
      return [d, t.warehouses, t.receipts, t.issues, t.adjustments, t.net, t.closing, t.stockouts, t.activeSkus, t.tx];
    }),
    trendFormats: trendDays.map(function (d) {
      const t = byDay[d];
      return [FORMAT_DATE, FORMAT_COUNT].concat(qtyFormats_([t.receipts, t.issues, t.adjustments, t.net, t.closing]), counts);
    }),
    charts: [
      { type: 'COLUMN', title: 'Penerimaan dan pengeluaran per hari', columns: [1, 3, 4] },
      { type: 'LINE', title: 'Stok akhir per hari (semua gudang)', columns: [1, 7] },
    ],
    list: stockoutList_(ctx, day ? day.stockouts : 0, names),
  });
  return {
    status: tabStatus_(ctx, ['inventory_daily', 'stockouts'], ['inventory_kpi_daily'], rows.length > 0),
    headers: headers,
    rows: laidOut.rows,
    columnFormats: headers.map(function () { return FORMAT_TEXT; }),
    cellFormats: laidOut.cellFormats,
    columnWidths: [150, 132, 96, 96, 96, 110, 96, 104, 80, 84],
    rowBackgrounds: laidOut.rowBackgrounds,
    boldRows: laidOut.boldRows,
    charts: laidOut.charts,
  };
}

/**
 * "SKU stok habis": the first STOCKOUT_LIST_ROWS SKUs out of stock at the end of the day (most negative
 * first, per warehouse), and how many more there are (inventory_kpi_daily counts the same SKUs).
 * @param {RefreshContext} ctx
 * @param {number} counted stockout_sku_count summed over the day's warehouses
 * @param {{org: (id: any) => string, warehouse: (id: any) => string}} names
 * @returns {{headers: string[], rows: any[][], formats: string[][], backgrounds: Array<string | null>}}
 */
function stockoutList_(ctx, counted, names) {
  const failed = failures_(ctx, ['inventory_daily', 'stockouts']).length > 0;
  const listed = failed ? [] : rowsOf_(ctx, 'stockouts');
  /** @type {any[][]} */
  const rows = listed.map(function (r) {
    return [names.warehouse(r.warehouse_id), names.org(r.org_id), r.sku === null ? '' : String(r.sku), toNumber_(r.closing_qty)];
  });
  const formats = listed.map(function (r) { return [FORMAT_TEXT, FORMAT_TEXT, FORMAT_TEXT, qtyFormat_(toNumber_(r.closing_qty))]; });
  const more = counted - listed.length;
  if (failed) {
    rows.push(['daftar SKU tidak bisa dimuat (lihat baris status di atas)']);
    formats.push([FORMAT_TEXT]);
  } else if (!listed.length) {
    rows.push([counted > 0 ? counted + ' SKU stok habis, tetapi daftarnya belum ada di mirror' : 'tidak ada SKU yang stoknya habis']);
    formats.push([FORMAT_TEXT]);
  } else if (more > 0) {
    rows.push(['+' + more + ' lainnya', 'dari ' + counted + ' SKU']);
    formats.push([FORMAT_TEXT]);
  }
  return {
    headers: ['SKU stok habis — ' + dayLabel_(ctx.day), 'Organisasi', 'SKU', 'Stok akhir'],
    rows: rows,
    formats: formats,
    backgrounds: rows.map(function (r, i) { return i < listed.length ? COLOR_WARNING : null; }),
  };
}

/** What the fleet data cannot say: the operational tables hold vehicle ids and scan types only. */
const FLEET_DATA_NOTE = 'Catatan: data operasional tidak mencatat nama kendaraan atau alasan gagal kirim — hanya id kendaraan dan jenis scan.';

/**
 * Armada: deliveries per vehicle on the day, totals, and the 30-day trend.
 * @param {RefreshContext} ctx
 * @returns {TabModel}
 */
function buildFleetTab_(ctx) {
  const all = rowsOf_(ctx, 'fleet_daily');
  const rows = all.filter(function (r) { return String(r.data_date) === ctx.day; });
  const names = nameLookup_(ctx);
  const byDay = fleetTotalsByDay_(all);
  const trendDays = daysEnding_(ctx.day, SPARKLINE_DAYS).reverse().filter(function (d) { return d in byDay; });
  const day = byDay[ctx.day];
  const headers = ['Kendaraan', 'Organisasi', 'Berangkat', 'Terkirim', 'Gagal', 'Tepat waktu', 'Rata-rata menit kirim',
    'Jarak (km)', 'Scan'];
  const formats = [FORMAT_COUNT, FORMAT_COUNT, FORMAT_COUNT, FORMAT_PERCENT, FORMAT_DECIMAL, FORMAT_DECIMAL, FORMAT_COUNT];
  /** @param {FleetTotals} t */
  const totals = function (t) {
    return [t.dispatched, t.delivered, t.failed, ratio_(t.onTime, t.delivered), ratio_(t.minutesWeighted, t.minutesCount),
      t.distance, t.scans];
  };
  /** @type {any[][]} */
  const dayRows = rows.map(function (r) {
    return ['Kendaraan ' + r.vehicle_id, names.org(r.org_id), toNumber_(r.shipments_dispatched),
      toNumber_(r.shipments_delivered), toNumber_(r.shipments_failed), toNumber_(r.on_time_rate),
      toNumber_(r.avg_delivery_minutes), toNumber_(r.distance_km), toNumber_(r.scan_events)];
  });
  /** @type {any[] | null} */
  const totalRow = day ? /** @type {any[]} */ (['Total (' + day.vehicles + ' kendaraan)', '']).concat(totals(day)) : null;
  const laidOut = layOutOperations_({
    dayRows: dayRows,
    dayFormats: dayRows.map(function () { return [FORMAT_TEXT, FORMAT_TEXT].concat(formats); }),
    dayBackgrounds: rows.map(function (r) { return (toNumber_(r.shipments_failed) || 0) > 0 ? COLOR_WARNING : null; }),
    totalRow: totalRow,
    totalFormats: [FORMAT_TEXT, FORMAT_TEXT].concat(formats),
    notes: [FLEET_DATA_NOTE],
    trendHeaders: ['Tren harian (semua kendaraan)', 'Kendaraan', 'Berangkat', 'Terkirim', 'Gagal', 'Tepat waktu',
      'Rata-rata menit kirim', 'Jarak (km)', 'Scan'],
    trendRows: trendDays.map(function (d) { return /** @type {any[]} */ ([d, byDay[d].vehicles]).concat(totals(byDay[d])); }),
    trendFormats: trendDays.map(function () { return [FORMAT_DATE, FORMAT_COUNT].concat(formats); }),
    charts: [
      { type: 'COLUMN', title: 'Terkirim dan gagal per hari', columns: [1, 4, 5] },
      { type: 'LINE', title: 'Pengiriman tepat waktu per hari', columns: [1, 6] },
    ],
  });
  return {
    status: tabStatus_(ctx, ['fleet_daily'], ['fleet_kpi_daily'], rows.length > 0),
    headers: headers,
    rows: laidOut.rows,
    columnFormats: headers.map(function () { return FORMAT_TEXT; }),
    cellFormats: laidOut.cellFormats,
    columnWidths: [190, 132, 84, 84, 70, 92, 110, 92, 70],
    rowBackgrounds: laidOut.rowBackgrounds,
    boldRows: laidOut.boldRows,
    charts: laidOut.charts,
  };
}
