// Pure builders: fetched rows in, a TabModel out (what each tab shows). No service is touched here,
// so the Node tests check the numbers without a spreadsheet.

/**
 * @typedef {Object} FetchResult
 * @property {Array<Object<string, any>> | null} rows null when the fetch failed
 * @property {string} error '' when it worked
 */

/**
 * @typedef {Object} RefreshContext
 * @property {string} day the business day shown
 * @property {string} today today's business day at fetch time
 * @property {Date} fetchedAt
 * @property {Object<string, FetchResult>} results by query name
 */

/**
 * @typedef {Object} ChartSpec
 * @property {'LINE' | 'BAR' | 'COLUMN'} type
 * @property {string} title
 * @property {number[]} columns 1-based; the first is the category axis
 * @property {number} anchorColumn where the chart sits (row 2 of that column)
 */

/**
 * @typedef {Object} TabModel
 * @property {{text: string, level: 'ok' | 'warning' | 'error'}} status
 * @property {string[]} headers
 * @property {any[][]} rows
 * @property {string[]} columnFormats one number format per column
 * @property {string[][]} [cellFormats] per row, overrides columnFormats
 * @property {Array<string | null>} [rowBackgrounds] per row
 * @property {ChartSpec} [chart]
 */

/**
 * @param {unknown} value
 * @returns {number | null}
 */
function toNumber_(value) {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return isNaN(n) ? null : n;
}

/**
 * @param {number | null} numerator
 * @param {number | null} denominator
 * @returns {number | null}
 */
function ratio_(numerator, denominator) {
  if (numerator === null || denominator === null || denominator === 0) return null;
  return numerator / denominator;
}

/**
 * @param {Array<number | null>} values
 * @returns {number | null}
 */
function mean_(values) {
  const present = values.filter(function (v) { return v !== null; });
  if (!present.length) return null;
  return present.reduce(function (a, b) { return /** @type {number} */ (a) + /** @type {number} */ (b); }, 0) / present.length;
}

/**
 * @param {number | null} a
 * @param {number | null} b
 * @returns {number | null}
 */
function difference_(a, b) {
  return a === null || b === null ? null : a - b;
}

/**
 * @param {RefreshContext} ctx
 * @param {string[]} names
 * @returns {string[]} "name: error" for each failed fetch among names
 */
function failures_(ctx, names) {
  return names
    .filter(function (n) { return ctx.results[n] && ctx.results[n].error; })
    .map(function (n) { return ctx.results[n].error; });
}

/**
 * The status line of a tab that shows day D.
 * @param {RefreshContext} ctx
 * @param {string[]} names queries the tab depends on
 * @param {boolean} hasRowsForDay
 * @returns {{text: string, level: 'ok' | 'warning' | 'error'}}
 */
function tabStatus_(ctx, names, hasRowsForDay) {
  const fetched = 'diambil ' + formatJakartaTime_(ctx.fetchedAt);
  const failed = failures_(ctx, names);
  if (failed.length) {
    return { text: 'GAGAL memuat data — ' + failed.join(' | ') + ' · ' + fetched, level: 'error' };
  }
  if (!hasRowsForDay) {
    return { text: 'Belum ada data untuk tanggal ' + ctx.day + ' · ' + fetched, level: 'warning' };
  }
  return { text: 'Data tanggal ' + ctx.day + ' · ' + fetched, level: 'ok' };
}

/**
 * @param {RefreshContext} ctx
 * @param {string} name
 * @returns {Array<Object<string, any>>}
 */
function rowsOf_(ctx, name) {
  const result = ctx.results[name];
  return result && result.rows ? result.rows : [];
}

/**
 * Labels from the organization and warehouse tables; an id without a name (or a failed read of the
 * names) falls back to the id, so the KPI numbers never depend on the names.
 * @param {RefreshContext} ctx
 * @returns {{org: (id: unknown) => string, warehouse: (id: unknown) => string}}
 */
function nameLookup_(ctx) {
  /** @type {Object<string, string>} */
  const orgs = {};
  /** @type {Object<string, string>} */
  const warehouses = {};
  rowsOf_(ctx, 'organizations').forEach(function (row) {
    if (row.name) orgs[String(row.id)] = String(row.name);
  });
  rowsOf_(ctx, 'warehouses').forEach(function (row) {
    const parts = [row.code, row.name].filter(function (p) { return p !== null && p !== undefined && p !== ''; });
    if (parts.length) warehouses[String(row.id)] = parts.join(' · ');
  });
  return {
    org: function (id) { return orgs[String(id)] || 'Organisasi ' + id; },
    warehouse: function (id) { return warehouses[String(id)] || 'Gudang ' + id; },
  };
}

/**
 * Sales summed over every organisation the user may see, per day.
 * @param {Array<Object<string, any>>} rows sales_kpi_daily rows
 * @returns {Object<string, {revenue: number, cogs: number, profit: number, quantity: number, transactions: number, lines: number, costMissing: number}>}
 */
function salesTotalsByDay_(rows) {
  /** @type {Object<string, {revenue: number, cogs: number, profit: number, quantity: number, transactions: number, lines: number, costMissing: number}>} */
  const byDay = {};
  rows.forEach(function (row) {
    const day = String(row.data_date);
    const t = byDay[day] || (byDay[day] = { revenue: 0, cogs: 0, profit: 0, quantity: 0, transactions: 0, lines: 0, costMissing: 0 });
    t.revenue += toNumber_(row.revenue_tax_in) || 0;
    t.cogs += toNumber_(row.cogs_tax_in) || 0;
    t.profit += toNumber_(row.gross_profit) || 0;
    t.quantity += toNumber_(row.quantity) || 0;
    t.transactions += toNumber_(row.transactions) || 0;
    t.lines += toNumber_(row.lines) || 0;
    t.costMissing += toNumber_(row.cost_missing_lines) || 0;
  });
  return byDay;
}

/**
 * Fleet delivered / on-time per day, over all vehicles.
 * @param {Array<Object<string, any>>} rows fleet_kpi_daily rows
 * @returns {Object<string, {delivered: number, onTime: number}>}
 */
function fleetTotalsByDay_(rows) {
  /** @type {Object<string, {delivered: number, onTime: number}>} */
  const byDay = {};
  rows.forEach(function (row) {
    const day = String(row.data_date);
    const t = byDay[day] || (byDay[day] = { delivered: 0, onTime: 0 });
    t.delivered += toNumber_(row.shipments_delivered) || 0;
    t.onTime += toNumber_(row.on_time_delivered) || 0;
  });
  return byDay;
}

/**
 * Stockout skus per day, over all warehouses.
 * @param {Array<Object<string, any>>} rows inventory_kpi_daily rows
 * @returns {Object<string, number>}
 */
function stockoutsByDay_(rows) {
  /** @type {Object<string, number>} */
  const byDay = {};
  rows.forEach(function (row) {
    const day = String(row.data_date);
    byDay[day] = (byDay[day] || 0) + (toNumber_(row.stockout_sku_count) || 0);
  });
  return byDay;
}

/**
 * @param {string} day
 * @returns {string[]} the COMPARE_DAYS days before day, oldest first
 */
function compareDays_(day) {
  /** @type {string[]} */
  const days = [];
  for (let i = COMPARE_DAYS; i >= 1; i--) days.push(addDays_(day, -i));
  return days;
}

/**
 * Ringkasan: KPI cards for the day beside the average of the 7 days before it.
 * @param {RefreshContext} ctx
 * @returns {TabModel}
 */
function buildSummaryTab_(ctx) {
  const sales = salesTotalsByDay_(rowsOf_(ctx, 'sales_daily'));
  const fleet = fleetTotalsByDay_(rowsOf_(ctx, 'fleet_daily'));
  const stockouts = stockoutsByDay_(rowsOf_(ctx, 'inventory_daily'));
  const before = compareDays_(ctx.day);
  const today = sales[ctx.day];
  const salesBefore = before.filter(function (d) { return sales[d]; }).map(function (d) { return sales[d]; });
  /** @param {(t: {revenue: number, cogs: number, profit: number, quantity: number, transactions: number, lines: number, costMissing: number}) => number} pick */
  const sumBefore = function (pick) {
    return salesBefore.length ? salesBefore.reduce(function (acc, t) { return acc + pick(t); }, 0) : null;
  };
  const fleetToday = fleet[ctx.day];
  const fleetBefore = before.filter(function (d) { return fleet[d]; }).map(function (d) { return fleet[d]; });
  const deliveredBefore = fleetBefore.length ? fleetBefore.reduce(function (a, t) { return a + t.delivered; }, 0) : null;
  const onTimeBefore = fleetBefore.length ? fleetBefore.reduce(function (a, t) { return a + t.onTime; }, 0) : null;

  /** @type {Array<[string, number | null, number | null, string]>} */
  const cards = [
    ['Pendapatan (termasuk pajak)', today ? today.revenue : null,
      mean_(salesBefore.map(function (t) { return t.revenue; })), FORMAT_RUPIAH],
    ['Laba kotor', today ? today.profit : null,
      mean_(salesBefore.map(function (t) { return t.profit; })), FORMAT_RUPIAH],
    ['Margin laba kotor', today ? ratio_(today.profit, today.revenue) : null,
      ratio_(sumBefore(function (t) { return t.profit; }), sumBefore(function (t) { return t.revenue; })), FORMAT_PERCENT],
    ['Transaksi', today ? today.transactions : null,
      mean_(salesBefore.map(function (t) { return t.transactions; })), FORMAT_COUNT],
    ['Rata-rata belanja per transaksi', today ? ratio_(today.revenue, today.transactions) : null,
      ratio_(sumBefore(function (t) { return t.revenue; }), sumBefore(function (t) { return t.transactions; })), FORMAT_RUPIAH],
    ['Pengiriman tepat waktu', fleetToday ? ratio_(fleetToday.onTime, fleetToday.delivered) : null,
      ratio_(onTimeBefore, deliveredBefore), FORMAT_PERCENT],
    ['SKU stok habis', ctx.day in stockouts ? stockouts[ctx.day] : null,
      mean_(before.map(function (d) { return d in stockouts ? stockouts[d] : null; })), FORMAT_COUNT],
  ];
  return {
    status: tabStatus_(ctx, ['sales_daily', 'fleet_daily', 'inventory_daily'], Boolean(today)),
    headers: ['Indikator', 'Nilai ' + ctx.day, 'Rata-rata 7 hari sebelumnya', 'Selisih'],
    rows: cards.map(function (c) { return [c[0], c[1], c[2], difference_(c[1], c[2])]; }),
    columnFormats: [FORMAT_TEXT, FORMAT_COUNT, FORMAT_COUNT, FORMAT_COUNT],
    cellFormats: cards.map(function (c) { return [FORMAT_TEXT, c[3], c[3], c[3]]; }),
  };
}

/**
 * Penjualan & Laba: one row per day of the last 90 days that has data, with a line chart.
 * @param {RefreshContext} ctx
 * @returns {TabModel}
 */
function buildSalesTab_(ctx) {
  const sales = salesTotalsByDay_(rowsOf_(ctx, 'sales_daily'));
  const days = Object.keys(sales).sort();
  return {
    status: tabStatus_(ctx, ['sales_daily'], ctx.day in sales),
    headers: ['Tanggal', 'Pendapatan', 'HPP', 'Laba kotor', 'Margin', 'Transaksi', 'Rata-rata belanja',
      'Baris tanpa biaya'],
    rows: days.map(function (d) {
      const t = sales[d];
      return [d, t.revenue, t.cogs, t.profit, ratio_(t.profit, t.revenue), t.transactions,
        ratio_(t.revenue, t.transactions), t.costMissing];
    }),
    columnFormats: [FORMAT_DATE, FORMAT_RUPIAH, FORMAT_RUPIAH, FORMAT_RUPIAH, FORMAT_PERCENT, FORMAT_COUNT,
      FORMAT_RUPIAH, FORMAT_COUNT],
    chart: { type: 'LINE', title: 'Pendapatan dan laba kotor, 90 hari', columns: [1, 2, 4], anchorColumn: 10 },
  };
}

/**
 * Produk Teratas: the day's top products by gross profit, with a bar chart.
 * @param {RefreshContext} ctx
 * @returns {TabModel}
 */
function buildTopProductsTab_(ctx) {
  const rows = rowsOf_(ctx, 'top_products');
  return {
    status: tabStatus_(ctx, ['top_products'], rows.length > 0),
    headers: ['Peringkat', 'Produk', 'ID produk', 'Pendapatan', 'Laba kotor', 'Margin', 'Kuantitas', 'Baris'],
    rows: rows.map(function (row, i) {
      const revenue = toNumber_(row.revenue_tax_in);
      const profit = toNumber_(row.gross_profit);
      const name = row.product_name === null || row.product_name === undefined || row.product_name === ''
        ? 'Produk ' + row.product_id
        : String(row.product_name);
      return [i + 1, name, toNumber_(row.product_id), revenue, profit, ratio_(profit, revenue),
        toNumber_(row.quantity), toNumber_(row.lines)];
    }),
    columnFormats: [FORMAT_COUNT, FORMAT_TEXT, FORMAT_TEXT, FORMAT_RUPIAH, FORMAT_RUPIAH, FORMAT_PERCENT, FORMAT_QTY,
      FORMAT_COUNT],
    chart: { type: 'BAR', title: 'Laba kotor per produk, ' + ctx.day, columns: [2, 5], anchorColumn: 10 },
  };
}

/**
 * Inventori: the day's movements and closing stock per warehouse, with a column chart.
 * @param {RefreshContext} ctx
 * @returns {TabModel}
 */
function buildInventoryTab_(ctx) {
  const rows = rowsOf_(ctx, 'inventory_daily').filter(function (r) { return String(r.data_date) === ctx.day; });
  const names = nameLookup_(ctx);
  return {
    status: tabStatus_(ctx, ['inventory_daily'], rows.length > 0),
    headers: ['Gudang', 'Organisasi', 'Penerimaan', 'Pengeluaran', 'Penyesuaian', 'Perubahan bersih', 'Stok akhir',
      'SKU stok habis', 'SKU aktif', 'Transaksi'],
    rows: rows.map(function (r) {
      return [names.warehouse(r.warehouse_id), names.org(r.org_id), toNumber_(r.receipts_qty), toNumber_(r.issues_qty),
        toNumber_(r.adjustments_qty), toNumber_(r.net_change_qty), toNumber_(r.closing_qty),
        toNumber_(r.stockout_sku_count), toNumber_(r.active_sku_count), toNumber_(r.tx_count)];
    }),
    columnFormats: [FORMAT_TEXT, FORMAT_TEXT, FORMAT_QTY, FORMAT_QTY, FORMAT_QTY, FORMAT_QTY, FORMAT_QTY, FORMAT_COUNT,
      FORMAT_COUNT, FORMAT_COUNT],
    rowBackgrounds: rows.map(function (r) { return (toNumber_(r.stockout_sku_count) || 0) > 0 ? COLOR_WARNING : null; }),
    chart: { type: 'COLUMN', title: 'Penerimaan, pengeluaran dan stok akhir per gudang, ' + ctx.day,
      columns: [1, 3, 4, 7], anchorColumn: 12 },
  };
}

/**
 * Armada: the day's deliveries per vehicle.
 * @param {RefreshContext} ctx
 * @returns {TabModel}
 */
function buildFleetTab_(ctx) {
  const rows = rowsOf_(ctx, 'fleet_daily').filter(function (r) { return String(r.data_date) === ctx.day; });
  const names = nameLookup_(ctx);
  return {
    status: tabStatus_(ctx, ['fleet_daily'], rows.length > 0),
    headers: ['Kendaraan', 'Organisasi', 'Berangkat', 'Terkirim', 'Gagal', 'Tepat waktu', 'Rata-rata menit kirim',
      'Jarak (km)', 'Scan'],
    rows: rows.map(function (r) {
      return ['Kendaraan ' + r.vehicle_id, names.org(r.org_id), toNumber_(r.shipments_dispatched),
        toNumber_(r.shipments_delivered), toNumber_(r.shipments_failed), toNumber_(r.on_time_rate),
        toNumber_(r.avg_delivery_minutes), toNumber_(r.distance_km), toNumber_(r.scan_events)];
    }),
    columnFormats: [FORMAT_TEXT, FORMAT_TEXT, FORMAT_COUNT, FORMAT_COUNT, FORMAT_COUNT, FORMAT_PERCENT, FORMAT_DECIMAL,
      FORMAT_DECIMAL, FORMAT_COUNT],
    rowBackgrounds: rows.map(function (r) { return (toNumber_(r.shipments_failed) || 0) > 0 ? COLOR_WARNING : null; }),
  };
}

/**
 * Status Data: the newest data_date of every mirror table (stale when older than yesterday), then
 * every fetch of this refresh with its row count or its error.
 * @param {RefreshContext} ctx
 * @param {RestQuery[]} queries
 * @returns {TabModel}
 */
function buildStatusTab_(ctx, queries) {
  const yesterday = addDays_(ctx.today, -1);
  /** @type {any[][]} */
  const rows = [];
  /** @type {Array<string | null>} */
  const backgrounds = [];
  let problems = 0;
  MIRROR_TABLES.forEach(function (table) {
    const result = ctx.results['latest_' + table];
    if (!result || result.error) {
      rows.push([table, '', 'GAGAL', result ? result.error : 'tidak diambil']);
      backgrounds.push(COLOR_ERROR);
      problems++;
    } else if (!result.rows || !result.rows.length) {
      rows.push([table, '', 'KOSONG', 'tabel belum berisi data']);
      backgrounds.push(COLOR_ERROR);
      problems++;
    } else {
      const latest = String(result.rows[0].data_date);
      const stale = latest < yesterday;
      rows.push([table, latest, stale ? 'BASI' : 'OK',
        stale ? 'lebih lama dari kemarin (' + yesterday + ')' : 'terbaru']);
      backgrounds.push(stale ? COLOR_ERROR : COLOR_OK);
      if (stale) problems++;
    }
  });
  rows.push(['', '', '', '']);
  backgrounds.push(null);
  rows.push(['Pengambilan', 'Baris', 'Status', 'Keterangan']);
  backgrounds.push(COLOR_HEADER);
  queries.forEach(function (q) {
    const result = ctx.results[q.name];
    const failed = !result || Boolean(result.error);
    rows.push([q.name + ' (' + q.table + ')', failed ? '' : String((result.rows || []).length),
      failed ? 'GAGAL' : 'OK', failed ? (result ? result.error : 'tidak diambil') : '']);
    backgrounds.push(failed ? COLOR_ERROR : null);
    if (failed) problems++;
  });
  rows.push(['', '', '', '']);
  backgrounds.push(null);
  rows.push(['Tanggal ditampilkan', ctx.day, '', '']);
  backgrounds.push(null);
  rows.push(['Waktu pengambilan', formatJakartaTime_(ctx.fetchedAt), '', '']);
  backgrounds.push(null);
  const fetched = 'diambil ' + formatJakartaTime_(ctx.fetchedAt);
  return {
    status: problems
      ? { text: problems + ' masalah: data basi atau pengambilan gagal (lihat baris merah) · ' + fetched, level: 'error' }
      : { text: 'Semua data terbaru · ' + fetched, level: 'ok' },
    headers: ['Tabel', 'Data terakhir', 'Status', 'Keterangan'],
    rows: rows,
    columnFormats: [FORMAT_TEXT, FORMAT_TEXT, FORMAT_TEXT, FORMAT_TEXT],
    rowBackgrounds: backgrounds,
  };
}
