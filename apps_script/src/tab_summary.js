// Ringkasan: "how are we doing" — the shown day against the same weekday last week, the 7 days
// before, month-to-date against the same days of last month and the users' targets, a 30-day
// sparkline per KPI, then the day per organisation, per warehouse and per POS shop (row-level security
// decides which ones the user sees).

/**
 * @typedef {Object} KpiDef
 * @property {string} label
 * @property {'sum' | 'ratio' | 'level'} kind sum: adds up over days; ratio: of two sums; level: a daily count averaged
 * @property {'sales' | 'fleet' | 'inventory'} source
 * @property {string} format
 * @property {boolean} higherIsBetter
 * @property {(t: any) => number} value sum and level kinds; for ratio the numerator
 * @property {(t: any) => number} [denominator] ratio kind
 */

/** @type {KpiDef[]} */
const SUMMARY_KPIS = [
  { label: 'Pendapatan (termasuk pajak)', kind: 'sum', source: 'sales', format: FORMAT_RUPIAH, higherIsBetter: true,
    value: function (t) { return t.revenue; } },
  { label: 'Laba kotor', kind: 'sum', source: 'sales', format: FORMAT_RUPIAH, higherIsBetter: true,
    value: function (t) { return t.profit; } },
  { label: 'Margin laba kotor', kind: 'ratio', source: 'sales', format: FORMAT_PERCENT, higherIsBetter: true,
    value: function (t) { return t.profit; }, denominator: function (t) { return t.revenue; } },
  { label: 'Transaksi', kind: 'sum', source: 'sales', format: FORMAT_COUNT, higherIsBetter: true,
    value: function (t) { return t.transactions; } },
  { label: 'Rata-rata belanja per transaksi', kind: 'ratio', source: 'sales', format: FORMAT_RUPIAH, higherIsBetter: true,
    value: function (t) { return t.revenue; }, denominator: function (t) { return t.transactions; } },
  { label: 'Pengiriman tepat waktu', kind: 'ratio', source: 'fleet', format: FORMAT_PERCENT, higherIsBetter: true,
    value: function (t) { return t.onTime; }, denominator: function (t) { return t.delivered; } },
  { label: 'SKU stok habis', kind: 'level', source: 'inventory', format: FORMAT_COUNT, higherIsBetter: false,
    value: function (t) { return t.stockouts; } },
];

/** First hidden column of the sparkline data (after the 12 visible columns). */
const SPARK_DATA_COLUMN = 13;

/**
 * A KPI over a set of days: null when none of them has data.
 * @param {KpiDef} kpi
 * @param {Object<string, any>} byDay
 * @param {string[]} days
 * @returns {number | null}
 */
function kpiOver_(kpi, byDay, days) {
  const present = days.filter(function (d) { return d in byDay; }).map(function (d) { return byDay[d]; });
  if (!present.length) return null;
  const total = present.reduce(function (acc, t) { return acc + kpi.value(t); }, 0);
  if (kpi.kind === 'sum') return total;
  if (kpi.kind === 'level') return total / present.length;
  const pickDenominator = /** @type {(t: any) => number} */ (kpi.denominator);
  return ratio_(total, present.reduce(function (acc, t) { return acc + pickDenominator(t); }, 0));
}

/**
 * The daily average of a KPI over days: sums are divided by the days with data.
 * @param {KpiDef} kpi
 * @param {Object<string, any>} byDay
 * @param {string[]} days
 * @returns {number | null}
 */
function kpiDailyAverage_(kpi, byDay, days) {
  const value = kpiOver_(kpi, byDay, days);
  if (value === null || kpi.kind !== 'sum') return value;
  return value / days.filter(function (d) { return d in byDay; }).length;
}

/**
 * How a KPI moved from reference to value: points for rates (shown "+1,8 pp"), else relative.
 * @param {KpiDef} kpi
 * @param {number | null} value
 * @param {number | null} reference
 * @returns {{change: number | null, format: string}}
 */
function kpiChange_(kpi, value, reference) {
  // Rounded to what the format shows, so a change that shows as 0,0 is 0 (no colour, no "-0,0").
  if (kpi.format === FORMAT_PERCENT) {
    return { change: value === null || reference === null ? null : Math.round((value - reference) * 1000) / 10, format: FORMAT_POINTS };
  }
  return {
    change: value === null || reference === null || reference === 0 ? null : Math.round(((value - reference) / Math.abs(reference)) * 1000) / 1000,
    format: FORMAT_CHANGE,
  };
}

/**
 * @param {number} column 1-based
 * @returns {string}
 */
function columnLetter_(column) {
  let letters = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/**
 * @param {Array<Object<string, any>>} salesRows
 * @param {Array<Object<string, any>>} fleetRows
 * @param {Array<Object<string, any>>} inventoryRows
 * @returns {{sales: Object<string, SalesTotals>, fleet: Object<string, FleetTotals>, inventory: Object<string, InventoryTotals>}}
 */
function totalsBySource_(salesRows, fleetRows, inventoryRows) {
  return {
    sales: salesTotalsByDay_(salesRows),
    fleet: fleetTotalsByDay_(fleetRows),
    inventory: inventoryTotalsByDay_(inventoryRows),
  };
}

/**
 * @typedef {{revenue: number, profit: number, transactions: number}} ShopDay
 * @typedef {{orgId: number, configId: number, day: ShopDay | null, lastWeek: ShopDay | null}} ShopTotals
 */

/**
 * The POS shops' sales of `day` and of `lastWeek`, summed over the hours of sales_kpi_hourly, one entry
 * per (organisation, POS config) with sales on either day, in organisation then config order.
 * @param {Array<Object<string, any>>} hourlyRows
 * @param {string} day
 * @param {string} lastWeek
 * @returns {ShopTotals[]}
 */
function posShopTotals_(hourlyRows, day, lastWeek) {
  /** @type {Object<string, ShopTotals>} */
  const shops = {};
  hourlyRows.forEach(function (r) {
    const date = String(r.data_date);
    const which = date === day ? 'day' : date === lastWeek ? 'lastWeek' : null;
    if (!which) return;
    const key = r.org_id + '/' + r.config_id;
    const shop = shops[key] || (shops[key] = { orgId: Number(r.org_id), configId: Number(r.config_id), day: null, lastWeek: null });
    const totals = shop[which] || (shop[which] = { revenue: 0, profit: 0, transactions: 0 });
    totals.revenue += toNumber_(r.revenue_tax_in) || 0;
    totals.profit += toNumber_(r.gross_profit) || 0;
    totals.transactions += toNumber_(r.transactions) || 0;
  });
  return Object.keys(shops).map(function (k) { return shops[k]; })
    .sort(function (a, b) { return a.orgId - b.orgId || a.configId - b.configId; });
}

/**
 * The shop's label: the mirror carries the POS config's id only (its name is not in the lake's star
 * schema), and 0 means POS orders without a config.
 * @param {number} configId
 * @returns {string}
 */
function posShopLabel_(configId) {
  return configId ? 'POS #' + configId : 'POS tanpa toko';
}

/**
 * Ringkasan.
 * @param {RefreshContext} ctx
 * @returns {TabModel}
 */
function buildSummaryTab_(ctx) {
  const salesRows = rowsOf_(ctx, 'sales_daily');
  const fleetRows = rowsOf_(ctx, 'fleet_daily');
  const inventoryRows = rowsOf_(ctx, 'inventory_daily');
  const sources = totalsBySource_(salesRows, fleetRows, inventoryRows);
  const day = ctx.day;
  const lastWeek = addDays_(day, -7);
  const week = daysEnding_(addDays_(day, -1), COMPARE_DAYS);
  const month = monthToDate_(day);
  const sparkDays = daysEnding_(day, SPARKLINE_DAYS);
  const targets = ctx.targets || {};
  const visible = SPARK_DATA_COLUMN - 1;
  const width = visible + SPARKLINE_DAYS;

  /** @type {any[][]} */
  const rows = [];
  /** @type {string[][]} */
  const formats = [];
  /** @type {Array<Array<string | null> | null>} */
  const colors = [];
  /** @type {Array<{row: number, column: number, formula: string}>} */
  const formulas = [];

  SUMMARY_KPIS.forEach(function (kpi) {
    const byDay = sources[kpi.source];
    const value = kpiOver_(kpi, byDay, [day]);
    const weekAgo = kpiOver_(kpi, byDay, [lastWeek]);
    const average = kpiDailyAverage_(kpi, byDay, week);
    const monthNow = kpiOver_(kpi, byDay, month.current);
    // Last month up to the same day of the month as the newest day with data this month, so a
    // day not delivered yet is not counted against this month.
    const withData = month.current.filter(function (d) { return d in byDay; });
    const compared = withData.length ? month.previous.slice(0, month.current.indexOf(withData[withData.length - 1]) + 1) : [];
    const monthBefore = kpiOver_(kpi, byDay, compared);
    const target = kpi.label in targets ? targets[kpi.label] : null;
    const changes = [kpiChange_(kpi, value, weekAgo), kpiChange_(kpi, value, average), kpiChange_(kpi, monthNow, monthBefore),
      kpiChange_(kpi, value, target)];
    const row = [kpi.label, value, weekAgo, changes[0].change, average, changes[1].change, monthNow, monthBefore,
      changes[2].change, target, changes[3].change, ''];
    sparkDays.forEach(function (d) { row.push(kpiOver_(kpi, byDay, [d])); });
    formulas.push({ row: rows.length, column: visible - 1,
      formula: '=SPARKLINE(' + columnLetter_(SPARK_DATA_COLUMN) + (FIRST_DATA_ROW + rows.length) + ':'
        + columnLetter_(width) + (FIRST_DATA_ROW + rows.length) + ')' });
    rows.push(row);
    const f = kpi.format;
    formats.push([FORMAT_TEXT, f, f, changes[0].format, f, changes[1].format, f, f, changes[2].format, f, changes[3].format, FORMAT_TEXT]
      .concat(sparkDays.map(function () { return f; })));
    colors.push([null, null, null, changeColor_(changes[0].change, kpi.higherIsBetter), null,
      changeColor_(changes[1].change, kpi.higherIsBetter), null, null, changeColor_(changes[2].change, kpi.higherIsBetter),
      null, changeColor_(changes[3].change, kpi.higherIsBetter), null].concat(sparkDays.map(function () { return null; })));
  });

  /** @type {Array<string | null>} */
  const backgrounds = rows.map(function () { return null; });
  /** @type {number[]} */
  const bold = [];
  /**
   * @param {any[]} cells
   * @param {string[]} cellFormats
   * @param {string | null} background
   * @param {Array<string | null>} [fonts]
   */
  const pushRow = function (cells, cellFormats, background, fonts) {
    const filled = cells.slice();
    const filledFormats = cellFormats.slice();
    while (filled.length < width) { filled.push(''); filledFormats.push(FORMAT_TEXT); }
    rows.push(filled);
    formats.push(filledFormats);
    backgrounds.push(background);
    colors.push(fonts ? fonts.concat(filled.slice(fonts.length).map(function () { return null; })) : null);
  };
  const section = function (/** @type {string[]} */ titles) {
    bold.push(rows.length);
    pushRow(titles, titles.map(function () { return FORMAT_TEXT; }), COLOR_SECTION);
  };

  const names = nameLookup_(ctx);
  pushRow([], [], null);
  section(['Per organisasi — ' + dayLabel_(day), 'Pendapatan', 'Minggu lalu', 'vs minggu lalu', 'Laba kotor', 'Margin',
    'Transaksi', 'Rata-rata belanja', 'Tepat waktu', 'SKU stok habis']);
  const orgIds = salesRows.concat(fleetRows, inventoryRows)
    .filter(function (r) { return String(r.data_date) === day || String(r.data_date) === lastWeek; })
    .map(function (r) { return Number(r.org_id); })
    .filter(function (id, i, all) { return all.indexOf(id) === i; })
    .sort(function (a, b) { return a - b; });
  orgIds.forEach(function (orgId) {
    /** @param {Object<string, any>} r */
    const ofOrg = function (r) { return Number(r.org_id) === orgId; };
    const s = salesTotalsByDay_(salesRows.filter(ofOrg));
    const f = fleetTotalsByDay_(fleetRows.filter(ofOrg));
    const inv = inventoryTotalsByDay_(inventoryRows.filter(ofOrg));
    const today = s[day];
    const revenueChange = kpiChange_(SUMMARY_KPIS[0], today ? today.revenue : null, s[lastWeek] ? s[lastWeek].revenue : null);
    pushRow([names.org(orgId), today ? today.revenue : null, s[lastWeek] ? s[lastWeek].revenue : null, revenueChange.change,
      today ? today.profit : null, today ? ratio_(today.profit, today.revenue) : null, today ? today.transactions : null,
      today ? ratio_(today.revenue, today.transactions) : null, f[day] ? ratio_(f[day].onTime, f[day].delivered) : null,
      inv[day] ? inv[day].stockouts : null],
    [FORMAT_TEXT, FORMAT_RUPIAH, FORMAT_RUPIAH, FORMAT_CHANGE, FORMAT_RUPIAH, FORMAT_PERCENT, FORMAT_COUNT, FORMAT_RUPIAH,
      FORMAT_PERCENT, FORMAT_COUNT], null, [null, null, null, changeColor_(revenueChange.change, true)]);
  });

  if (!orgIds.length) pushRow(['tidak ada data organisasi untuk hari ini'], [FORMAT_TEXT], null);

  pushRow([], [], null);
  section(['Per gudang — ' + dayLabel_(day), 'Organisasi', 'Stok akhir', 'SKU stok habis', 'Minggu lalu', 'vs minggu lalu', 'SKU aktif']);
  const warehouseRows = inventoryRows.filter(function (r) { return String(r.data_date) === day; });
  if (!warehouseRows.length) pushRow(['tidak ada data gudang untuk hari ini'], [FORMAT_TEXT], null);
  warehouseRows.forEach(function (r) {
    const before = inventoryRows.filter(function (x) {
      return String(x.data_date) === lastWeek && String(x.warehouse_id) === String(r.warehouse_id);
    })[0];
    const stockouts = toNumber_(r.stockout_sku_count);
    const stockoutsBefore = before ? toNumber_(before.stockout_sku_count) : null;
    const change = kpiChange_(SUMMARY_KPIS[6], stockouts, stockoutsBefore);
    const closing = toNumber_(r.closing_qty);
    pushRow([names.warehouse(r.warehouse_id), names.org(r.org_id), closing, stockouts, stockoutsBefore, change.change,
      toNumber_(r.active_sku_count)],
    [FORMAT_TEXT, FORMAT_TEXT, qtyFormat_(closing), FORMAT_COUNT, FORMAT_COUNT, FORMAT_CHANGE, FORMAT_COUNT],
    (stockouts || 0) > 0 ? COLOR_WARNING : null, [null, null, null, null, null, changeColor_(change.change, false)]);
  });

  pushRow([], [], null);
  // The same columns as "Per organisasi" (the widths fit them); the organisation last.
  section(['Per toko (POS) — ' + dayLabel_(day), 'Pendapatan', 'Minggu lalu', 'vs minggu lalu', 'Laba kotor', 'Margin',
    'Transaksi', 'Rata-rata belanja', 'Organisasi']);
  const shops = posShopTotals_(rowsOf_(ctx, 'pos_shops'), day, lastWeek);
  if (!shops.length) pushRow(['tidak ada penjualan POS per toko untuk hari ini'], [FORMAT_TEXT], null);
  shops.forEach(function (shop) {
    const now = shop.day;
    const before = shop.lastWeek;
    const change = kpiChange_(SUMMARY_KPIS[0], now ? now.revenue : null, before ? before.revenue : null);
    pushRow([posShopLabel_(shop.configId), now ? now.revenue : null, before ? before.revenue : null, change.change,
      now ? now.profit : null, now ? ratio_(now.profit, now.revenue) : null, now ? now.transactions : null,
      now ? ratio_(now.revenue, now.transactions) : null, names.org(shop.orgId)],
    [FORMAT_TEXT, FORMAT_RUPIAH, FORMAT_RUPIAH, FORMAT_CHANGE, FORMAT_RUPIAH, FORMAT_PERCENT, FORMAT_COUNT, FORMAT_RUPIAH,
      FORMAT_TEXT], null, [null, null, null, changeColor_(change.change, true)]);
  });

  const headers = ['Indikator', dayLabel_(day), 'Minggu lalu ' + dayLabel_(lastWeek).slice(0, 9), 'vs minggu lalu',
    'Rata-rata 7 hari', 'vs rata-rata', 'Bulan ini s.d. ' + day.slice(8, 10) + '/' + day.slice(5, 7), 'Periode sama bulan lalu',
    'vs bulan lalu', 'Target harian (tab Target)', 'vs target', 'Tren ' + SPARKLINE_DAYS + ' hari']
    .concat(sparkDays);
  return {
    status: tabStatus_(ctx, ['sales_daily', 'fleet_daily', 'inventory_daily', 'pos_shops'],
      ['sales_kpi_daily', 'fleet_kpi_daily', 'inventory_kpi_daily'], day in sources.sales),
    headers: headers,
    rows: rows,
    columnFormats: headers.map(function () { return FORMAT_TEXT; }),
    cellFormats: formats,
    columnWidths: [210, 112, 112, 76, 112, 76, 124, 124, 76, 112, 76, 120],
    rowBackgrounds: backgrounds,
    boldRows: bold,
    fontColors: colors,
    formulas: formulas,
    hiddenColumns: { start: SPARK_DATA_COLUMN, count: SPARKLINE_DAYS },
  };
}
