'use strict';
// A simulated day for the "Hari Ini" tab: last week's same weekday by hour on two tills, and today as
// the pipeline's intraday refresh leaves it at a given time (10% above last week, the hour the refresh
// fell in only in part). Rows are in PostgREST's wire format.
const { json } = require('./fake_supabase');

const TODAY = '2026-11-20'; // a Friday
const LAST_WEEK = '2026-11-13';
const CONFIGS = [1, 2];
const HOURS = [];
for (let h = 8; h <= 21; h++) HOURS.push(h);

const HOURLY_PATH = '/rest/v1/sales_kpi_hourly?select=data_date,org_id,config_id,hour,revenue_tax_in,gross_profit,'
  + 'transactions,lines,provisional,as_of&data_date=gte.2026-11-13&data_date=lte.2026-11-20'
  + '&order=data_date.asc,org_id.asc,config_id.asc,hour.asc&limit=1000&offset=0';
const PRODUCTS_PATH = '/rest/v1/sales_kpi_daily_by_product?select=org_id,product_id,product_name,revenue_tax_in,'
  + 'gross_profit,quantity,provisional,as_of&data_date=eq.2026-11-20&order=revenue_tax_in.desc,org_id.asc,product_id.asc&limit=10';

/** Last week's hour on one till: the shape of a day (quiet morning, busy evening). */
function lastWeekHour(hour, config) {
  const revenue = 100000 * (1 + (hour % 5)) * config;
  const transactions = 4 + (hour % 3);
  return { revenue, grossProfit: revenue / 4, transactions };
}

/** A row the way PostgREST returns it (numeric as JSON numbers, timestamptz with an offset). */
function row(day, config, hour, figures, provisional, asOf) {
  return {
    data_date: day, org_id: 1, config_id: config, hour,
    revenue_tax_in: Math.round(figures.revenue * 100) / 100,
    gross_profit: Math.round(figures.grossProfit * 100) / 100,
    transactions: figures.transactions, lines: figures.transactions * 2,
    provisional, as_of: asOf,
  };
}

/** WIB 'HH:MM' of day D as a UTC ISO instant. */
function wib(hhmm, day = TODAY) {
  const [h, m] = hhmm.split(':').map(Number);
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCMinutes(h * 60 + m - 7 * 60);
  return d.toISOString();
}

/** The mirror's rows after the pipeline's intraday refresh at `asOfHHMM` WIB: today sells 10% above
 * last week, the hour the refresh fell in only in part. */
function mirrorAt(asOfHHMM) {
  const asOf = asOfHHMM ? wib(asOfHHMM).replace('.000Z', '+00:00') : null;
  const [H, M] = asOfHHMM ? asOfHHMM.split(':').map(Number) : [0, 0];
  const rows = [];
  for (const c of CONFIGS) for (const h of HOURS) rows.push(row(LAST_WEEK, c, h, lastWeekHour(h, c), false, '2026-11-13T17:00:00+00:00'));
  if (asOf) {
    for (const c of CONFIGS) {
      for (const h of HOURS) {
        if (h > H || (h === H && M === 0)) continue;
        const part = h < H ? 1 : M / 60;
        const lw = lastWeekHour(h, c);
        rows.push(row(TODAY, c, h, { revenue: lw.revenue * 1.1 * part, grossProfit: lw.grossProfit * 1.1 * part,
          transactions: Math.max(1, Math.round(lw.transactions * part)) }, true, asOf));
      }
    }
  }
  const products = asOf ? [
    { org_id: 1, product_id: 7, product_name: 'Kopi Susu Gula Aren', revenue_tax_in: 900000, gross_profit: 300000, quantity: 60, provisional: true, as_of: asOf },
    { org_id: 1, product_id: 9, product_name: null, revenue_tax_in: 400000, gross_profit: 90000, quantity: 12.5, provisional: true, as_of: asOf },
  ] : [];
  return { rows, products };
}

function restFor(state) {
  return (pathAndQuery) => {
    if (state.fail && pathAndQuery === HOURLY_PATH) return json(503, { code: 'PGRST000', details: null, hint: null, message: 'upstream down' });
    if (pathAndQuery === HOURLY_PATH) return json(200, state.mirror.rows, { 'Content-Range': `0-${state.mirror.rows.length - 1}/*` });
    if (pathAndQuery === PRODUCTS_PATH) return json(200, state.mirror.products);
    return json(400, { code: 'PGRST100', details: null, hint: null, message: 'unexpected read ' + pathAndQuery });
  };
}

module.exports = { TODAY, LAST_WEEK, HOURS, HOURLY_PATH, PRODUCTS_PATH, mirrorAt, restFor, wib };
