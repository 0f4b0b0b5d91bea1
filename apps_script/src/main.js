// Entry points: the KPI menu, the refresh, the daily trigger. Everything a menu item or trigger calls
// is a global without a trailing underscore; helpers end in _ so they stay private to the script.

/** Adds the KPI menu when the sheet opens. */
function onOpen() {
  SpreadsheetApp.getUi()
    .createMenu('KPI')
    .addItem('Refresh sekarang', 'refreshNow')
    .addItem('Pilih tanggal…', 'chooseDate')
    .addItem('Tampilkan kemarin', 'showYesterday')
    .addItem('Hari Ini: perbarui sekarang', 'refreshToday')
    .addItem('Hari Ini: pasang pembaruan tiap 30 menit', 'installTodayTrigger')
    .addSeparator()
    .addItem('Atur koneksi Supabase…', 'showSetupDialog')
    .addItem('Pasang pemicu harian (06:00 WIB)', 'installDailyTrigger')
    .addItem('Hapus pemicu harian', 'removeDailyTrigger')
    .addToUi();
}

/**
 * The day to show for the user who clicked: the day they pinned (in their own User Properties, so
 * nobody else's refresh follows it), or yesterday in Jakarta.
 * @param {Date} now
 * @returns {{day: string, pinned: boolean}}
 */
function selectedDay_(now) {
  const pinned = PropertiesService.getUserProperties().getProperty(PROP_KPI_DATE);
  if (pinned && isIsoDay_(pinned) && pinned < businessToday_(now)) return { day: pinned, pinned: true };
  return { day: businessYesterday_(now), pinned: false };
}

/** Menu: refresh the shown day now. */
function refreshNow() {
  const selected = selectedDay_(new Date());
  const summary = refreshDashboard_(selected.day, { pinned: selected.pinned, mayRetry: false });
  SpreadsheetApp.getActiveSpreadsheet().toast(summary.message, 'KPI', 10);
}

/** Menu: ask for a day, pin it for this user, refresh. */
function chooseDate() {
  const ui = SpreadsheetApp.getUi();
  const answer = ui.prompt('Pilih tanggal', 'Tanggal data (YYYY-MM-DD):', ui.ButtonSet.OK_CANCEL);
  if (answer.getSelectedButton() !== ui.Button.OK) return;
  const day = answer.getResponseText().trim();
  const today = businessToday_(new Date());
  if (!isIsoDay_(day)) {
    ui.alert('Tanggal tidak valid: "' + day + '". Gunakan format YYYY-MM-DD, misalnya ' + addDays_(today, -1) + '.');
    return;
  }
  if (day >= today) {
    ui.alert('Data tanggal ' + day + ' belum tersedia: data paling baru adalah kemarin (' + addDays_(today, -1) + ').');
    return;
  }
  PropertiesService.getUserProperties().setProperty(PROP_KPI_DATE, day);
  refreshNow();
}

/** Menu: unpin this user's day and show yesterday again. */
function showYesterday() {
  PropertiesService.getUserProperties().deleteProperty(PROP_KPI_DATE);
  refreshNow();
}

/**
 * Daily trigger: always yesterday (a user's pinned day never applies). Ends in an error when a read
 * failed, so Apps Script's own failure e-mail reaches the trigger's owner; data that is not there yet
 * gets one more try later in the morning; what is still wrong then is e-mailed to ALERT_EMAILS.
 */
function scheduledRefresh() {
  runScheduledRefresh_(true);
}

/** The one later attempt scheduledRefresh sets up when the morning's data was not complete. */
function retryRefresh() {
  removeTriggers_(RETRY_HANDLER);
  runScheduledRefresh_(false);
}

/**
 * @param {boolean} mayRetry the first attempt of the morning
 */
function runScheduledRefresh_(mayRetry) {
  const day = businessYesterday_(new Date());
  const summary = refreshDashboard_(day, { pinned: false, mayRetry: mayRetry });
  let mailError = '';
  if (summary.problems.length && !summary.retryAt) {
    try {
      sendAlertMail_(day, summary.problems);
    } catch (err) {
      mailError = errorMessage_(err);
      logError_('KPI alert e-mail for ' + day + ' failed: ' + mailError);
    }
  }
  if (summary.failed.length || mailError) {
    throw new Error(summary.message + (mailError ? ' (e-mail peringatan gagal: ' + mailError + ')' : ''));
  }
}

/**
 * A short e-mail to ALERT_EMAILS: what is wrong, where to look. None configured sends nothing.
 * @param {string} day
 * @param {string[]} problems
 * @returns {boolean} whether an e-mail was sent
 */
function sendAlertMail_(day, problems) {
  const recipients = readAlertRecipients_();
  if (!recipients.length) return false;
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  MailApp.sendEmail({
    to: recipients.join(','),
    subject: 'KPI ' + dayLabel_(day) + ': ' + problems.length + ' masalah pada dashboard',
    body: 'Dashboard KPI untuk ' + dayLabel_(day) + ' (diperbarui ' + formatJakartaTime_(new Date()) + ') perlu perhatian:\n\n'
      + problems.map(function (p) { return '- ' + p; }).join('\n')
      + '\n\nLihat tab ' + TAB_STATUS + ': ' + spreadsheet.getUrl()
      + '\nPanduan: docs/panduan-operasional.md, bagian "Dashboard".',
  });
  logInfo_('KPI alert e-mail for ' + day + ' sent to ' + recipients.length + ' recipient(s)');
  return true;
}

/**
 * One later refresh of the same morning; an earlier one still pending is replaced.
 * @returns {string} when it will run, as the users read it
 */
function scheduleRetry_() {
  removeTriggers_(RETRY_HANDLER);
  ScriptApp.newTrigger(RETRY_HANDLER).timeBased().after(RETRY_AFTER_MS).create();
  return 'sekitar ' + formatJakartaTime_(new Date(new Date().getTime() + RETRY_AFTER_MS)).slice(11, 16) + ' WIB';
}

/**
 * @typedef {Object} RefreshSummary
 * @property {boolean} ok
 * @property {string} message
 * @property {string[]} failed names of failed reads
 * @property {string[]} problems what someone must act on (Indonesian)
 * @property {string} retryAt when the later attempt runs; '' when none was scheduled
 */

/**
 * Fetches every query for day and rewrites every tab. A failed fetch never stops the others: its
 * tabs say what failed, Status Data lists it, and it is logged.
 * @param {string} day
 * @param {{pinned: boolean, mayRetry: boolean}} options
 * @returns {RefreshSummary}
 */
function refreshDashboard_(day, options) {
  // The morning trigger and a click on "Refresh sekarang" must not write the tabs at the same time.
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(REFRESH_LOCK_WAIT_MS)) {
    const busy = 'KPI ' + day + ': pembaruan lain sedang berjalan; coba lagi sebentar lagi';
    logInfo_(busy);
    return { ok: false, message: busy, failed: [], problems: [], retryAt: options.mayRetry ? scheduleRetry_() : '' };
  }
  try {
    return refreshLocked_(day, options);
  } finally {
    lock.releaseLock();
  }
}

/**
 * @param {string} day
 * @param {{pinned: boolean, mayRetry: boolean}} options
 * @returns {RefreshSummary}
 */
function refreshLocked_(day, options) {
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  applySpreadsheetLocale_(spreadsheet);
  const now = new Date();
  const queries = dashboardQueries_(day);
  const fetched = fetchAll_(queries, 'KPI refresh for ' + day);
  const results = fetched.results;
  const settings = fetched.settings;
  /** @type {string[]} */
  const settingsErrors = [];
  /** @type {Object<string, number>} */
  let maxLagDays = DEFAULT_MAX_LAG_DAYS;
  try {
    maxLagDays = readMaxLagDays_();
  } catch (err) {
    settingsErrors.push(errorMessage_(err));
  }
  // The dashboard's own tabs first, in their order; the Target tab (created once) after them.
  DASHBOARD_TABS.forEach(function (name) { ensureSheet_(spreadsheet, name); });
  /** @type {RefreshContext} */
  const ctx = {
    day: day, today: businessToday_(now), fetchedAt: now, results: results, maxLagDays: maxLagDays,
    targets: readTargets_(spreadsheet), pinned: options.pinned, viewer: settings ? settings.email : '',
    settingsErrors: settingsErrors,
  };
  const health = dashboardHealth_(ctx, queries);
  const retryAt = options.mayRetry && (health.dataNotThereYet || health.failedReads.length) ? scheduleRetry_() : '';
  ctx.retryAt = retryAt;
  // an unverified or stale day is said at the top of every tab (src/banner.js)
  const banner = dataBanner_(ctx);
  writeTab_(spreadsheet, TAB_SUMMARY, withBanner_(buildSummaryTab_(ctx), banner));
  writeTab_(spreadsheet, TAB_SALES, withBanner_(buildSalesTab_(ctx), banner));
  writeTab_(spreadsheet, TAB_TOP_PRODUCTS, withBanner_(buildTopProductsTab_(ctx), banner));
  writeTab_(spreadsheet, TAB_INVENTORY, withBanner_(buildInventoryTab_(ctx), banner));
  writeTab_(spreadsheet, TAB_FLEET, withBanner_(buildFleetTab_(ctx), banner));
  writeTab_(spreadsheet, TAB_STATUS, withBanner_(buildStatusTab_(ctx, queries, readAlertRecipients_()), banner));

  const failed = health.failedReads;
  const message = failed.length
    ? 'KPI ' + day + ': ' + failed.length + ' pengambilan gagal (' + failed.join(', ') + ') — lihat tab ' + TAB_STATUS
    : health.problems.length
      ? 'KPI ' + day + ' diperbarui, ' + health.problems.length + ' masalah — lihat tab ' + TAB_STATUS
      : 'KPI ' + day + ' diperbarui';
  logInfo_(message);
  return { ok: failed.length === 0, message: message, failed: failed, problems: health.problems, retryAt: retryAt };
}

/**
 * Menu: (re)install the daily 06:00 Asia/Jakarta trigger; never more than one.
 * @returns {GoogleAppsScript.Script.Trigger}
 */
function installDailyTrigger() {
  removeDailyTrigger();
  applySpreadsheetLocale_(SpreadsheetApp.getActiveSpreadsheet());
  const trigger = ScriptApp.newTrigger(TRIGGER_HANDLER)
    .timeBased()
    .everyDays(1)
    .atHour(TRIGGER_HOUR)
    .nearMinute(0)
    .inTimezone(BUSINESS_TZ)
    .create();
  logInfo_('Installed the daily KPI refresh at ' + TRIGGER_HOUR + ':00 ' + BUSINESS_TZ);
  SpreadsheetApp.getActiveSpreadsheet().toast('Pembaruan otomatis terpasang: setiap hari sekitar ' + ('0' + TRIGGER_HOUR).slice(-2)
    + ':00 WIB (data kemarin).', 'KPI', 10);
  return trigger;
}

/**
 * Menu: remove the daily trigger(s) this script installed, and a pending later attempt.
 * @returns {number} how many daily triggers were removed
 */
function removeDailyTrigger() {
  removeTriggers_(RETRY_HANDLER);
  return removeTriggers_(TRIGGER_HANDLER);
}

/**
 * @param {string} handler
 * @returns {number} how many were removed
 */
function removeTriggers_(handler) {
  let removed = 0;
  ScriptApp.getProjectTriggers().forEach(function (trigger) {
    if (trigger.getHandlerFunction() === handler) {
      ScriptApp.deleteTrigger(trigger);
      removed++;
    }
  });
  return removed;
}

/** @param {string} message */
function logInfo_(message) {
  Logger.log(message);
}

/** @param {string} message */
function logError_(message) {
  console.error(message);
  Logger.log('ERROR ' + message);
}
