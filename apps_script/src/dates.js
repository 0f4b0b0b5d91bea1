// Business days are 'YYYY-MM-DD' strings in Asia/Jakarta; arithmetic is done on UTC midnights so no
// local time zone of the script runtime can shift a day.

/**
 * @param {string} text
 * @returns {boolean}
 */
function isIsoDay_(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(text + 'T00:00:00Z');
  return !isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

/**
 * @param {string} day 'YYYY-MM-DD'
 * @param {number} days may be negative
 * @returns {string}
 */
function addDays_(day, days) {
  const date = new Date(day + 'T00:00:00Z');
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/**
 * Today's business day in Jakarta.
 * @param {Date} now
 * @returns {string}
 */
function businessToday_(now) {
  return Utilities.formatDate(now, BUSINESS_TZ, 'yyyy-MM-dd');
}

/**
 * @param {Date} now
 * @returns {string}
 */
function businessYesterday_(now) {
  return addDays_(businessToday_(now), -1);
}

/**
 * The fetch time as the users read it.
 * @param {Date} when
 * @returns {string}
 */
function formatJakartaTime_(when) {
  return Utilities.formatDate(when, BUSINESS_TZ, 'yyyy-MM-dd HH:mm:ss') + ' WIB';
}
