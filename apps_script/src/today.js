// "Hari Ini": today so far (the intraday refresh, every 30 minutes in store hours) against the same
// weekday last week up to the same time. Reads and the pure builder are here; today_sheet.js writes
// the tab and holds the menu and trigger entry points.
//
// The figures of today are provisional ("sementara"): they hold the sales up to the refresh's as_of
// time, and the nightly run replaces them with the final day. Both days are read from
// sales_kpi_hourly (POS sales by hour of the order, Asia/Jakarta), so they compare like with like;
// the hour the refresh fell in counts for last week in proportion (14:30 = hours to 14:00 plus half
// of 14:00-15:00).

const TAB_TODAY = 'Hari Ini';
/** Store hours in WIB (whole hours): the chart's axis, and when an old refresh counts as late. */
const TODAY_OPEN_HOUR = 8;
const TODAY_CLOSE_HOUR = 22;
/** A refresh older than this during store hours is flagged (the pipeline refreshes every 30 minutes). */
const TODAY_STALE_MINUTES = 60;
const TODAY_TOP_PRODUCTS = 10;
const TODAY_TRIGGER_HANDLER = 'scheduledTodayRefresh';
const TODAY_TRIGGER_MINUTES = 30;

const HOURLY_COLUMNS = ['data_date', 'org_id', 'config_id', 'hour', 'revenue_tax_in', 'gross_profit', 'transactions',
  'lines', 'provisional', 'as_of'];
const TODAY_PRODUCT_COLUMNS = ['org_id', 'product_id', 'product_name', 'revenue_tax_in', 'gross_profit', 'quantity',
  'provisional', 'as_of'];

/**
 * @typedef {Object} TodayInput
 * @property {string} today business day 'YYYY-MM-DD'
 * @property {Date} now when the tab is built
 * @property {FetchResult} hourly sales_kpi_hourly of last week's same weekday .. today
 * @property {FetchResult} products today's sales_kpi_daily_by_product, best first
 */

/**
 * @typedef {Object} TodayModel
 * @property {{text: string, level: 'ok' | 'warning' | 'error'}} status
 * @property {string} day
 * @property {string} lastWeek
 * @property {string | null} asOfText 'HH:MM' WIB of the last refresh, null when there is none
 * @property {boolean} provisional
 * @property {boolean} stale
 * @property {any[][]} compare [label, today, last week, difference, difference %]
 * @property {string[]} compareFormats number format per compare row (columns 2-4)
 * @property {any[][]} cumulative ['HH:00' (by then), today's revenue by then | null, last week's by then]
 * @property {any[][]} top [rank, product, revenue, gross profit, quantity]
 */

/**
 * The reads of one "Hari Ini" refresh.
 * @param {string} today
 * @returns {RestQuery[]}
 */
function todayQueries_(today) {
  const lastWeek = addDays_(today, -7);
  return [
    {
      name: 'today_hourly',
      table: 'sales_kpi_hourly',
      select: HOURLY_COLUMNS,
      // the 8 days from last week's same weekday to today: a few hundred rows at most, one request
      filters: [['data_date', 'gte', lastWeek], ['data_date', 'lte', today]],
      order: [['data_date', 'asc'], ['org_id', 'asc'], ['config_id', 'asc'], ['hour', 'asc']],
    },
    {
      name: 'today_products',
      table: 'sales_kpi_daily_by_product',
      select: TODAY_PRODUCT_COLUMNS,
      filters: [['data_date', 'eq', today]],
      order: [['revenue_tax_in', 'desc'], ['org_id', 'asc'], ['product_id', 'asc']],
      limit: TODAY_TOP_PRODUCTS,
    },
  ];
}

/**
 * @typedef {Object} DayTotals
 * @property {number} revenue
 * @property {number} grossProfit
 * @property {number} transactions
 */

/**
 * Sums of hourly rows, each weighted (1 = the whole hour).
 * @param {Array<Object<string, any>>} rows
 * @param {(hour: number) => number} weight
 * @returns {DayTotals}
 */
function sumHours_(rows, weight) {
  /** @type {DayTotals} */
  const totals = { revenue: 0, grossProfit: 0, transactions: 0 };
  rows.forEach(function (row) {
    const w = weight(Number(row.hour));
    totals.revenue += w * (toNumber_(row.revenue_tax_in) || 0);
    totals.grossProfit += w * (toNumber_(row.gross_profit) || 0);
    totals.transactions += w * (toNumber_(row.transactions) || 0);
  });
  return totals;
}

/**
 * Minutes since midnight WIB of an instant.
 * @param {Date} when
 * @returns {number}
 */
function jakartaMinutes_(when) {
  const hhmm = Utilities.formatDate(when, BUSINESS_TZ, 'HH:mm').split(':');
  return Number(hhmm[0]) * 60 + Number(hhmm[1]);
}

/**
 * @param {number} hour
 * @returns {string}
 */
function hourLabel_(hour) {
  return ('0' + hour).slice(-2) + ':00';
}

/**
 * The "Hari Ini" tab from its two reads (pure: no service but Utilities.formatDate).
 * @param {TodayInput} input
 * @returns {TodayModel}
 */
function buildTodayModel_(input) {
  const today = input.today;
  const lastWeek = addDays_(today, -7);
  const errors = [input.hourly.error, input.products.error].filter(function (e) { return e; });
  const hourly = input.hourly.rows || [];
  const todayRows = hourly.filter(function (r) { return r.data_date === today; });
  const weekRows = hourly.filter(function (r) { return r.data_date === lastWeek; });

  // The last refresh: the newest as_of of today's rows (all rows of one refresh carry the same).
  const stamps = todayRows.filter(function (r) { return r.as_of; }).map(function (r) {
    return new Date(String(r.as_of)).getTime();
  });
  /** @type {Date | null} */
  const asOfDate = stamps.length ? new Date(Math.max.apply(null, stamps)) : null;
  const provisional = todayRows.some(function (r) { return r.provisional === true; });
  const nowMinutes = jakartaMinutes_(input.now);
  const inStoreHours = nowMinutes >= TODAY_OPEN_HOUR * 60 && nowMinutes < TODAY_CLOSE_HOUR * 60;
  const ageMinutes = asOfDate ? (input.now.getTime() - asOfDate.getTime()) / 60000 : null;
  const final = todayRows.length > 0 && !provisional;
  const stale = inStoreHours && !errors.length && !final && (ageMinutes === null || ageMinutes > TODAY_STALE_MINUTES);

  // Today counts up to as_of; last week up to the same time of day (the current hour in proportion).
  // A final day (the nightly run's) is whole on both sides.
  const cutoff = !final && asOfDate ? jakartaMinutes_(asOfDate) : 24 * 60;
  const cutHour = Math.floor(cutoff / 60);
  const cutFraction = (cutoff % 60) / 60;
  const todayTotals = sumHours_(todayRows, function () { return 1; });
  const weekTotals = sumHours_(weekRows, function (hour) {
    return hour < cutHour ? 1 : hour === cutHour ? cutFraction : 0;
  });

  /**
   * @param {string} label
   * @param {number | null} now
   * @param {number | null} before
   * @param {boolean} relative whether a difference in percent makes sense (not for the margin)
   * @returns {any[]}
   */
  function compareRow(label, now, before, relative) {
    const diff = now === null || before === null ? null : now - before;
    return [label, now, before, diff, relative ? ratio_(diff, before) : null];
  }
  const todayMargin = ratio_(todayTotals.grossProfit, todayTotals.revenue);
  const weekMargin = ratio_(weekTotals.grossProfit, weekTotals.revenue);
  const compare = [
    compareRow('Pendapatan (termasuk pajak)', todayTotals.revenue, weekTotals.revenue, true),
    compareRow('Laba kotor', todayTotals.grossProfit, weekTotals.grossProfit, true),
    compareRow('Margin laba kotor', todayMargin, weekMargin, false),
    compareRow('Transaksi', todayTotals.transactions, Math.round(weekTotals.transactions), true),
    compareRow('Rata-rata keranjang', ratio_(todayTotals.revenue, todayTotals.transactions),
      ratio_(weekTotals.revenue, weekTotals.transactions), true),
  ];
  const compareFormats = [FORMAT_RUPIAH, FORMAT_RUPIAH, FORMAT_PERCENT, FORMAT_COUNT, FORMAT_RUPIAH];
  if (input.hourly.rows === null) {
    // nothing read: no figure at all rather than zeros that look like a quiet day
    compare.forEach(function (r) { r.splice(1, 4, null, null, null, null); });
  }

  // Cumulative revenue by the end of each hour: today's line stops at the refresh.
  const hours = hourly.map(function (r) { return Number(r.hour); });
  const first = Math.min.apply(null, [TODAY_OPEN_HOUR].concat(hours));
  const last = Math.max.apply(null, [TODAY_CLOSE_HOUR - 1].concat(hours));
  /** @type {any[][]} */
  const cumulative = [];
  let todaySum = 0;
  let weekSum = 0;
  for (let hour = first; input.hourly.rows !== null && hour <= last; hour++) {
    const at = function (/** @type {Object<string, any>} */ r) { return Number(r.hour) === hour; };
    todaySum += sumHours_(todayRows.filter(at), function () { return 1; }).revenue;
    weekSum += sumHours_(weekRows.filter(at), function () { return 1; }).revenue;
    // a row is the total by the end of its hour; today's only once that hour is over (a part of an
    // hour against last week's whole hour would look like a shortfall)
    const reached = todayRows.length > 0 && (hour + 1) * 60 <= cutoff;
    cumulative.push([hourLabel_(hour + 1), reached ? todaySum : null, weekSum]);
  }

  const top = (input.products.rows || []).map(function (r, i) {
    return [i + 1, r.product_name || ('Produk #' + r.product_id), toNumber_(r.revenue_tax_in),
      toNumber_(r.gross_profit), toNumber_(r.quantity)];
  });

  const asOfText = asOfDate && !final ? Utilities.formatDate(asOfDate, BUSINESS_TZ, 'HH:mm') : null;
  const fetched = 'diambil ' + formatJakartaTime_(input.now);
  const vs = ' · dibandingkan ' + dayLabel_(lastWeek) + (asOfText ? ' s.d. ' + asOfText : ' (hari penuh)');
  /** @type {{text: string, level: 'ok' | 'warning' | 'error'}} */
  let status;
  if (errors.length) {
    status = { text: 'Hari Ini ' + dayLabel_(today) + ': pengambilan gagal — ' + errors.join('; ') + ' · ' + fetched, level: 'error' };
  } else if (!todayRows.length) {
    status = {
      text: 'Hari Ini ' + dayLabel_(today) + ': belum ada data hari ini (pembaruan tiap 30 menit, '
        + hourLabel_(TODAY_OPEN_HOUR) + '–' + hourLabel_(TODAY_CLOSE_HOUR) + ' WIB) · ' + fetched,
      level: stale ? 'warning' : 'ok',
    };
  } else {
    const when = final ? ' · final (hari penuh)' : ' · per ' + asOfText + ' WIB (sementara: angka final setelah proses malam)';
    const late = stale ? ' · TERLAMBAT: pembaruan terakhir lebih dari ' + TODAY_STALE_MINUTES + ' menit lalu' : '';
    status = {
      text: 'Hari Ini ' + dayLabel_(today) + when + vs + late + ' · ' + fetched,
      level: stale ? 'warning' : 'ok',
    };
  }
  return {
    status: status,
    day: today,
    lastWeek: lastWeek,
    asOfText: asOfText,
    provisional: provisional,
    stale: stale,
    compare: compare,
    compareFormats: compareFormats,
    cumulative: cumulative,
    top: top,
  };
}
