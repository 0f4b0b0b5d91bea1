// The warning every tab carries at the top when its numbers must not be trusted blindly: a day whose
// data failed a check of the pipeline (sales_kpi_daily.verified = false). (A stale day is said by the
// status line itself: tabStatus_'s "Belum ada data untuk D — data terakhir D'".) Pure: built once per
// refresh from the fetched rows, then put in front of each tab's status line by withBanner_ (the one
// call each tab's model goes through, in main.js, Status Data included).

/** How many unverified dates the banner names before it says "and N more". */
const BANNER_MAX_DAYS = 5;

/**
 * @typedef {Object} Banner
 * @property {string} text
 * @property {'warning' | 'error'} level
 */

/**
 * The days among the fetched sales rows that are not verified, oldest first.
 * @param {RefreshContext} ctx
 * @returns {string[]}
 */
function unverifiedDays_(ctx) {
  /** @type {Object<string, boolean>} */
  const days = {};
  rowsOf_(ctx, 'sales_daily').forEach(function (row) {
    // an older mirror without the column has no flag: nothing to warn about
    if (row.verified === false) days[String(row.data_date)] = true;
  });
  return Object.keys(days).sort();
}

/**
 * @param {RefreshContext} ctx
 * @returns {Banner | null} null when every shown number is verified and fresh
 */
function dataBanner_(ctx) {
  /** @type {string[]} */
  const parts = [];
  const days = unverifiedDays_(ctx);
  if (days.length) {
    const named = days.slice(-BANNER_MAX_DAYS).map(dayLabel_).join(', ');
    const more = days.length > BANNER_MAX_DAYS ? ' dan ' + (days.length - BANNER_MAX_DAYS) + ' tanggal lain' : '';
    parts.push('Angka tanggal ' + named + more + ' belum terverifikasi: pemeriksaan otomatis menemukan ' +
      'selisih dengan Odoo, angka bisa kurang (lihat tab Status ETL)');
  }
  // red: the operators act on these numbers at 07:00
  return parts.length ? { text: parts.join(' · '), level: 'error' } : null;
}

/**
 * The tab's model with the banner in front of its status line (its level the worse of the two).
 * @param {TabModel} model
 * @param {Banner | null} banner
 * @returns {TabModel}
 */
function withBanner_(model, banner) {
  if (!banner) return model;
  const level = banner.level === 'error' || model.status.level === 'error' ? 'error' : 'warning';
  return Object.assign({}, model, { status: { text: banner.text + ' · ' + model.status.text, level: level } });
}
