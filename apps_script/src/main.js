// Entry points: the KPI menu, the refresh, the daily trigger. Everything a menu item or trigger calls
// is a global without a trailing underscore; helpers end in _ so they stay private to the script.

/** Adds the KPI menu when the sheet opens. */
function onOpen() {
  SpreadsheetApp.getUi()
    .createMenu('KPI')
    .addItem('Refresh sekarang', 'refreshNow')
    .addItem('Pilih tanggal…', 'chooseDate')
    .addItem('Tampilkan kemarin', 'showYesterday')
    .addSeparator()
    .addItem('Atur koneksi Supabase…', 'showSetupDialog')
    .addItem('Pasang pemicu harian (06:00 WIB)', 'installDailyTrigger')
    .addItem('Hapus pemicu harian', 'removeDailyTrigger')
    .addToUi();
}

/**
 * The day to show: the pinned one, or yesterday in Jakarta.
 * @param {Date} now
 * @returns {string}
 */
function selectedDay_(now) {
  const pinned = PropertiesService.getScriptProperties().getProperty(PROP_KPI_DATE);
  return pinned && isIsoDay_(pinned) ? pinned : businessYesterday_(now);
}

/** Menu: refresh the shown day now. */
function refreshNow() {
  const summary = refreshDashboard_(selectedDay_(new Date()));
  SpreadsheetApp.getActiveSpreadsheet().toast(summary.message, 'KPI', 10);
}

/** Menu: ask for a day, pin it, refresh. */
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
  PropertiesService.getScriptProperties().setProperty(PROP_KPI_DATE, day);
  refreshNow();
}

/** Menu: unpin the day and show yesterday again. */
function showYesterday() {
  PropertiesService.getScriptProperties().deleteProperty(PROP_KPI_DATE);
  refreshNow();
}

/** Daily trigger: always yesterday, so a pinned day never hides the new morning's data. */
function scheduledRefresh() {
  PropertiesService.getScriptProperties().deleteProperty(PROP_KPI_DATE);
  refreshDashboard_(businessYesterday_(new Date()));
}

/**
 * Fetches every query for day and rewrites every tab. A failed fetch never stops the others: its
 * tabs say what failed, Status Data lists it, and it is logged.
 * @param {string} day
 * @returns {{ok: boolean, message: string, failed: string[]}}
 */
function refreshDashboard_(day) {
  // The morning trigger and a click on "Refresh sekarang" must not write the tabs at the same time.
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(REFRESH_LOCK_WAIT_MS)) {
    const busy = 'KPI ' + day + ': pembaruan lain sedang berjalan; coba lagi sebentar lagi';
    logInfo_(busy);
    return { ok: false, message: busy, failed: [] };
  }
  try {
    return refreshLocked_(day);
  } finally {
    lock.releaseLock();
  }
}

/**
 * @param {string} day
 * @returns {{ok: boolean, message: string, failed: string[]}}
 */
function refreshLocked_(day) {
  const spreadsheet = SpreadsheetApp.getActiveSpreadsheet();
  const now = new Date();
  const queries = dashboardQueries_(day);
  /** @type {Object<string, FetchResult>} */
  const results = {};
  /** @type {Settings | null} */
  let settings = null;
  let setupError = '';
  try {
    const candidate = readSettings_();
    getAccessToken_(candidate); // one sign-in up front: a bad password is one error, not eight
    settings = candidate;
  } catch (err) {
    setupError = errorMessage_(err);
    logError_('KPI refresh for ' + day + ': ' + setupError);
  }
  queries.forEach(function (query) {
    if (!settings) {
      results[query.name] = { rows: null, error: query.name + ': ' + setupError };
      return;
    }
    try {
      results[query.name] = { rows: fetchRows_(settings, query), error: '' };
    } catch (err) {
      const message = errorMessage_(err);
      results[query.name] = { rows: null, error: message };
      logError_('KPI refresh for ' + day + ': ' + message);
    }
  });
  /** @type {RefreshContext} */
  const ctx = { day: day, today: businessToday_(now), fetchedAt: now, results: results };
  writeTab_(spreadsheet, TAB_SUMMARY, buildSummaryTab_(ctx));
  writeTab_(spreadsheet, TAB_SALES, buildSalesTab_(ctx));
  writeTab_(spreadsheet, TAB_TOP_PRODUCTS, buildTopProductsTab_(ctx));
  writeTab_(spreadsheet, TAB_INVENTORY, buildInventoryTab_(ctx));
  writeTab_(spreadsheet, TAB_FLEET, buildFleetTab_(ctx));
  writeTab_(spreadsheet, TAB_STATUS, buildStatusTab_(ctx, queries));

  const failed = queries.filter(function (q) { return results[q.name].error; }).map(function (q) { return q.name; });
  const message = failed.length
    ? 'KPI ' + day + ': ' + failed.length + ' pengambilan gagal (' + failed.join(', ') + ') — lihat tab ' + TAB_STATUS
    : 'KPI ' + day + ' diperbarui';
  logInfo_(message);
  return { ok: failed.length === 0, message: message, failed: failed };
}

/**
 * Menu: (re)install the daily 06:00 Asia/Jakarta trigger; never more than one.
 * @returns {GoogleAppsScript.Script.Trigger}
 */
function installDailyTrigger() {
  removeDailyTrigger();
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
 * Menu: remove the daily trigger(s) this script installed.
 * @returns {number} how many were removed
 */
function removeDailyTrigger() {
  let removed = 0;
  ScriptApp.getProjectTriggers().forEach(function (trigger) {
    if (trigger.getHandlerFunction() === TRIGGER_HANDLER) {
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
