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

const WEEKDAYS_ID = ['Min', 'Sen', 'Sel', 'Rab', 'Kam', 'Jum', 'Sab'];

/**
 * How a day is written in labels: 'Kam 19/11/2026'.
 * @param {string} day 'YYYY-MM-DD'
 * @returns {string}
 */
function dayLabel_(day) {
  const weekday = WEEKDAYS_ID[new Date(day + 'T00:00:00Z').getUTCDay()];
  return weekday + ' ' + day.slice(8, 10) + '/' + day.slice(5, 7) + '/' + day.slice(0, 4);
}

/**
 * @param {string} day
 * @returns {string} the first day of day's month
 */
function monthStart_(day) {
  return day.slice(0, 8) + '01';
}

/**
 * The days from the first of day's month up to day, and the same stretch of the month before (cut at
 * that month's end: 31 March compares with 1–28/29 February).
 * @param {string} day
 * @returns {{current: string[], previous: string[]}}
 */
function monthToDate_(day) {
  const start = monthStart_(day);
  const previousStart = monthStart_(addDays_(start, -1));
  /** @type {string[]} */
  const current = [];
  for (let d = start; d <= day; d = addDays_(d, 1)) current.push(d);
  /** @type {string[]} */
  const previous = [];
  for (let i = 0, d = previousStart; i < current.length && d < start; i++, d = addDays_(d, 1)) previous.push(d);
  return { current: current, previous: previous };
}

/**
 * @param {string} last
 * @param {number} count
 * @returns {string[]} count days ending with last, oldest first
 */
function daysEnding_(last, count) {
  /** @type {string[]} */
  const days = [];
  for (let i = count - 1; i >= 0; i--) days.push(addDays_(last, -i));
  return days;
}
