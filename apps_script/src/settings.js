// Connection settings live in Script Properties; the setup dialog writes them. The password never
// leaves the server side: the dialog can replace it but never reads it back.

/**
 * @typedef {Object} Settings
 * @property {string} url Supabase project URL without a trailing slash
 * @property {string} anonKey the project's anon (public) key
 * @property {string} email the Supabase user whose row-level security decides what the sheet shows
 * @property {string} password
 */

/**
 * @returns {Settings}
 */
const HTTPS_URL_ = /^https:\/\/[^\s/]+/;

function readSettings_() {
  const props = PropertiesService.getScriptProperties();
  const url = (props.getProperty(PROP_SUPABASE_URL) || '').trim().replace(/\/+$/, '');
  const anonKey = (props.getProperty(PROP_SUPABASE_ANON_KEY) || '').trim();
  const email = (props.getProperty(PROP_SUPABASE_EMAIL) || '').trim();
  const password = props.getProperty(PROP_SUPABASE_PASSWORD) || '';
  /** @type {string[]} */
  const missing = [];
  if (!url) missing.push(PROP_SUPABASE_URL);
  if (!anonKey) missing.push(PROP_SUPABASE_ANON_KEY);
  if (!email) missing.push(PROP_SUPABASE_EMAIL);
  if (!password) missing.push(PROP_SUPABASE_PASSWORD);
  if (missing.length) {
    throw new Error('Script Properties missing: ' + missing.join(', ') + ' (menu KPI › Atur koneksi Supabase)');
  }
  // The password and the tokens travel to this URL: never over plain HTTP, even if set by hand.
  if (!HTTPS_URL_.test(url)) {
    throw new Error(PROP_SUPABASE_URL + ' must start with https:// (menu KPI › Atur koneksi Supabase)');
  }
  return { url: url, anonKey: anonKey, email: email, password: password };
}

/**
 * What the setup dialog may show: everything but the password.
 * @returns {{url: string, email: string, hasAnonKey: boolean, hasPassword: boolean}}
 */
function getSettingsForDialog() {
  const props = PropertiesService.getScriptProperties();
  return {
    url: props.getProperty(PROP_SUPABASE_URL) || '',
    email: props.getProperty(PROP_SUPABASE_EMAIL) || '',
    hasAnonKey: Boolean(props.getProperty(PROP_SUPABASE_ANON_KEY)),
    hasPassword: Boolean(props.getProperty(PROP_SUPABASE_PASSWORD)),
  };
}

/**
 * Called by the setup dialog. Blank anon key or password keeps the stored one (a blank password only
 * while the URL and the email stay as they are). Only https:// URLs. Signs in once to check
 * the settings and returns a message for the dialog.
 * @param {{url?: string, anonKey?: string, email?: string, password?: string}} form
 * @returns {{ok: boolean, message: string}}
 */
function saveSettings(form) {
  const url = String(form.url || '').trim().replace(/\/+$/, '');
  const email = String(form.email || '').trim();
  if (!HTTPS_URL_.test(url)) {
    return { ok: false, message: 'URL Supabase harus diawali https:// (contoh https://abcd.supabase.co)' };
  }
  if (!email || email.indexOf('@') < 1) {
    return { ok: false, message: 'Email pengguna Supabase tidak valid' };
  }
  const props = PropertiesService.getScriptProperties();
  // The stored password is only ever sent to the URL and user it was entered for: whoever points the
  // sheet elsewhere must know the password, or the sign-in check would hand it to the new host.
  const storedUrl = (props.getProperty(PROP_SUPABASE_URL) || '').trim().replace(/\/+$/, '');
  const storedEmail = (props.getProperty(PROP_SUPABASE_EMAIL) || '').trim();
  if (!form.password && props.getProperty(PROP_SUPABASE_PASSWORD) && (url !== storedUrl || email !== storedEmail)) {
    return { ok: false, message: 'URL atau email berubah: masukkan lagi kata sandi pengguna Supabase' };
  }
  /** @type {Object<string, string>} */
  const updates = {};
  updates[PROP_SUPABASE_URL] = url;
  updates[PROP_SUPABASE_EMAIL] = email;
  if (form.anonKey && String(form.anonKey).trim()) updates[PROP_SUPABASE_ANON_KEY] = String(form.anonKey).trim();
  if (form.password) updates[PROP_SUPABASE_PASSWORD] = String(form.password);
  props.setProperties(updates);
  clearSessionCache_();
  applySpreadsheetLocale_(SpreadsheetApp.getActiveSpreadsheet());
  try {
    const settings = readSettings_();
    getAccessToken_(settings);
    return { ok: true, message: 'Tersambung sebagai ' + email };
  } catch (err) {
    return { ok: false, message: 'Tersimpan, tetapi masuk gagal: ' + errorMessage_(err) };
  }
}

/** Menu item: the setup dialog. */
function showSetupDialog() {
  const html = HtmlService.createHtmlOutputFromFile(SETUP_HTML_FILE).setWidth(460).setHeight(420);
  SpreadsheetApp.getUi().showModalDialog(html, 'Koneksi Supabase');
}

/**
 * @param {unknown} err
 * @returns {string}
 */
function errorMessage_(err) {
  // Duck-typed: an Error thrown by a built-in service is not always an instance of this realm's Error.
  if (err && typeof err === 'object' && 'message' in err) return String(/** @type {{message: unknown}} */ (err).message);
  return String(err);
}

/**
 * The expected lag per mirror table: DEFAULT_MAX_LAG_DAYS, overridden by KPI_MAX_LAG_DAYS
 * ('fleet_kpi_daily=2, inventory_kpi_daily=1'). A malformed entry is an error naming it, so a typo
 * never silently turns an alarm off.
 * @returns {Object<string, number>}
 */
function readMaxLagDays_() {
  /** @type {Object<string, number>} */
  const lags = {};
  Object.keys(DEFAULT_MAX_LAG_DAYS).forEach(function (table) {
    lags[table] = /** @type {Object<string, number>} */ (DEFAULT_MAX_LAG_DAYS)[table];
  });
  const text = (PropertiesService.getScriptProperties().getProperty(PROP_MAX_LAG_DAYS) || '').trim();
  if (!text) return lags;
  text.split(',').map(function (p) { return p.trim(); }).filter(Boolean).forEach(function (entry) {
    const match = /^([a-z_]+)\s*=\s*(\d{1,2})$/.exec(entry);
    if (!match || !(match[1] in lags)) {
      throw new Error(PROP_MAX_LAG_DAYS + ': "' + entry + '" is not <table>=<days> for one of ' + Object.keys(lags).join(', '));
    }
    lags[match[1]] = Number(match[2]);
  });
  return lags;
}

/**
 * Alert recipients from ALERT_EMAILS; none configured is an empty list.
 * @returns {string[]}
 */
function readAlertRecipients_() {
  const text = PropertiesService.getScriptProperties().getProperty(PROP_ALERT_EMAILS) || '';
  return text.split(/[,;\s]+/).map(function (a) { return a.trim(); }).filter(function (a) { return a.indexOf('@') > 0; });
}

/**
 * Indonesian number and date formats and the business time zone for the whole spreadsheet; cheap
 * to repeat, so every refresh makes sure of it.
 * @param {GoogleAppsScript.Spreadsheet.Spreadsheet} spreadsheet
 */
function applySpreadsheetLocale_(spreadsheet) {
  if (spreadsheet.getSpreadsheetLocale() !== SPREADSHEET_LOCALE) spreadsheet.setSpreadsheetLocale(SPREADSHEET_LOCALE);
  if (spreadsheet.getSpreadsheetTimeZone() !== BUSINESS_TZ) spreadsheet.setSpreadsheetTimeZone(BUSINESS_TZ);
}
