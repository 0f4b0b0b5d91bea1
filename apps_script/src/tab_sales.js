// Penjualan & Laba (the days, newest first, with a chart of the trend) and Produk Teratas.

/**
 * Penjualan & Laba: one row per day of the last 90 days that has data, newest first, with a line
 * chart beside the table drawn oldest-to-newest.
 * @param {RefreshContext} ctx
 * @returns {TabModel}
 */
function buildSalesTab_(ctx) {
  const sales = salesTotalsByDay_(rowsOf_(ctx, 'sales_daily'));
  const days = Object.keys(sales).sort().reverse();
  const headers = ['Tanggal', 'Pendapatan', 'HPP', 'Laba kotor', 'Margin', 'Transaksi', 'Rata-rata belanja', 'Baris tanpa biaya'];
  return {
    status: tabStatus_(ctx, ['sales_daily'], ['sales_kpi_daily'], ctx.day in sales),
    headers: headers,
    rows: days.map(function (d) {
      const t = sales[d];
      return [d, t.revenue, t.cogs, t.profit, ratio_(t.profit, t.revenue), t.transactions,
        ratio_(t.revenue, t.transactions), t.costMissing];
    }),
    columnFormats: [FORMAT_DATE, FORMAT_RUPIAH, FORMAT_RUPIAH, FORMAT_RUPIAH, FORMAT_PERCENT, FORMAT_COUNT,
      FORMAT_RUPIAH, FORMAT_COUNT],
    columnWidths: [92, 118, 118, 118, 64, 78, 104, 80],
    // Lines sold without a known cost make the day's profit too high: their count is red.
    fontColors: days.map(function (d) { return sales[d].costMissing > 0 ? [null, null, null, null, null, null, null, FONT_BAD] : null; }),
    charts: [{ type: 'LINE', title: 'Pendapatan dan laba kotor, ' + SALES_SERIES_DAYS + ' hari', firstRow: HEADER_ROW,
      rowCount: days.length, columns: [1, 2, 4], anchorRow: HEADER_ROW, anchorColumn: headers.length + 1, offsetX: 8,
      newestFirst: true }],
  };
}

/**
 * Produk Teratas: the day's top products by gross profit, with a bar chart.
 * @param {RefreshContext} ctx
 * @returns {TabModel}
 */
function buildTopProductsTab_(ctx) {
  const rows = rowsOf_(ctx, 'top_products');
  const names = nameLookup_(ctx);
  const headers = ['#', 'Produk', 'Organisasi', 'Pendapatan', 'Laba kotor', 'Margin', 'Kuantitas', 'Baris', 'ID produk'];
  /** @type {string[][]} */
  const formats = [];
  /** @type {any[][]} */
  const body = rows.map(function (row, i) {
    const revenue = toNumber_(row.revenue_tax_in);
    const profit = toNumber_(row.gross_profit);
    const quantity = toNumber_(row.quantity);
    const name = row.product_name === null || row.product_name === undefined || row.product_name === ''
      ? 'Produk ' + row.product_id
      : String(row.product_name);
    formats.push([FORMAT_COUNT, FORMAT_TEXT, FORMAT_TEXT, FORMAT_RUPIAH, FORMAT_RUPIAH, FORMAT_PERCENT, qtyFormat_(quantity), FORMAT_COUNT,
      FORMAT_TEXT]);
    return [i + 1, name, names.org(row.org_id), revenue, profit, ratio_(profit, revenue), quantity, toNumber_(row.lines),
      String(row.product_id)];
  });
  return {
    status: tabStatus_(ctx, ['top_products'], ['sales_kpi_daily_by_product'], rows.length > 0),
    headers: headers,
    rows: body,
    columnFormats: [FORMAT_COUNT, FORMAT_TEXT, FORMAT_TEXT, FORMAT_RUPIAH, FORMAT_RUPIAH, FORMAT_PERCENT, FORMAT_QTY, FORMAT_COUNT,
      FORMAT_TEXT],
    cellFormats: formats,
    columnWidths: [34, 210, 120, 112, 112, 64, 78, 56, 60],
    rowBackgrounds: body.map(function (r) { return r[4] !== null && r[4] < 0 ? COLOR_ERROR : null; }),
    charts: [{ type: 'BAR', title: 'Laba kotor per produk, ' + dayLabel_(ctx.day), firstRow: HEADER_ROW, rowCount: body.length,
      columns: [2, 5], anchorRow: HEADER_ROW, anchorColumn: headers.length + 1, offsetX: 8 }],
  };
}
