// Status Data: is each mirror table as fresh as it should be, can this user see it, and did every
// read of this refresh work. The same judgement (tableHealth_) feeds every tab's status line and the
// morning alert, so the three never disagree.

/**
 * @typedef {Object} TableHealth
 * @property {string} table
 * @property {string} latest newest data_date the user sees, '' when none
 * @property {number} maxLagDays
 * @property {'ok' | 'stale' | 'empty' | 'hidden' | 'failed'} state
 * @property {string} explanation Indonesian, for the sheet and the e-mail
 * @property {string} raw the read's own error message, '' when none
 */

/** What Status Data writes in its Status column for each state. */
const HEALTH_LABELS = { ok: 'OK', stale: 'BASI', empty: 'KOSONG', hidden: 'TIDAK TERLIHAT', failed: 'GAGAL' };

/**
 * @param {RefreshContext} ctx
 * @param {string} table a mirror table
 * @returns {TableHealth}
 */
function tableHealth_(ctx, table) {
  const lags = ctx.maxLagDays || DEFAULT_MAX_LAG_DAYS;
  const maxLagDays = /** @type {Object<string, number>} */ (lags)[table] || 1;
  const result = ctx.results['latest_' + table];
  /** @type {TableHealth} */
  const health = { table: table, latest: '', maxLagDays: maxLagDays, state: 'ok', explanation: '', raw: '' };
  if (!result || result.error) {
    health.state = 'failed';
    health.raw = result ? result.error : 'not fetched';
    health.explanation = explainError_(health.raw);
    return health;
  }
  if (result.rows && result.rows.length) {
    health.latest = String(result.rows[0].data_date);
    const due = addDays_(ctx.today, -maxLagDays);
    if (health.latest < due) {
      health.state = 'stale';
      health.explanation = 'terlambat: seharusnya sudah ada data ' + dayLabel_(due) + ' — periksa jalannya pipeline (tab Status ETL)';
    } else {
      health.explanation = health.latest >= addDays_(ctx.today, -1)
        ? 'terbaru'
        : 'sesuai batas (boleh tertinggal ' + maxLagDays + ' hari)';
    }
    return health;
  }
  const status = ctx.results.mirror_status;
  const counted = status && !status.error && status.rows
    ? status.rows.filter(function (r) { return r.table_name === table; })[0]
    : undefined;
  if (counted && counted.has_rows) {
    health.state = 'hidden';
    health.explanation = hasNoMembership_(ctx)
      ? 'tabel berisi data, tetapi pengguna ini belum diberi akses (user_org_role)'
      : 'tabel berisi data, tetapi tidak untuk organisasi/gudang pengguna ini';
  } else if (counted) {
    health.state = 'empty';
    health.explanation = 'tabel belum berisi data: pipeline belum pernah mengisi mirror';
  } else {
    health.state = 'empty';
    health.raw = status && status.error ? status.error : '';
    health.explanation = 'tidak ada baris yang terlihat (belum ada data, atau pengguna tidak punya akses'
      + (health.raw ? ': jumlah baris tidak bisa dicek — ' + explainError_(health.raw) : '') + ')';
  }
  return health;
}

/**
 * @typedef {Object} DashboardHealth
 * @property {TableHealth[]} tables
 * @property {string[]} failedReads names of the reads that failed
 * @property {boolean} noMembership
 * @property {string[]} problems one Indonesian line per thing someone must act on
 * @property {boolean} dataNotThereYet a table lacks yesterday's data although everything could be read
 */

/**
 * @param {RefreshContext} ctx
 * @param {RestQuery[]} queries
 * @returns {DashboardHealth}
 */
function dashboardHealth_(ctx, queries) {
  const tables = MIRROR_TABLES.map(function (t) { return tableHealth_(ctx, t); });
  const failedReads = queries.filter(function (q) { return !ctx.results[q.name] || ctx.results[q.name].error; })
    .map(function (q) { return q.name; });
  const noMembership = hasNoMembership_(ctx);
  /** @type {string[]} */
  const problems = [];
  if (noMembership) problems.push('Pengguna ' + (ctx.viewer || 'Supabase') + ' belum diberi akses ke organisasi mana pun.');
  tables.forEach(function (h) {
    if (h.state !== 'ok' && h.state !== 'failed') problems.push(h.table + ': ' + HEALTH_LABELS[h.state] + ' — ' + h.explanation);
  });
  failedReads.forEach(function (name) {
    const result = ctx.results[name];
    problems.push('Pengambilan ' + name + ' gagal — ' + explainError_(result ? result.error : 'not fetched'));
  });
  (ctx.settingsErrors || []).forEach(function (e) { problems.push(explainError_(e)); });
  return {
    tables: tables,
    failedReads: failedReads,
    noMembership: noMembership,
    problems: problems,
    dataNotThereYet: tables.some(function (h) { return h.state === 'stale' || h.state === 'empty'; }),
  };
}

/** Columns of the table section; a new per-table fact is one more entry here and in tableStatusRow_. */
const STATUS_HEADERS = ['Tabel', 'Data terakhir', 'Batas wajar', 'Status', 'Keterangan'];

/**
 * @param {TableHealth} h
 * @returns {any[]}
 */
function tableStatusRow_(h) {
  return [h.table, h.latest ? dayLabel_(h.latest) : '', 'maks. ' + h.maxLagDays + ' hari', HEALTH_LABELS[h.state], h.explanation];
}

/**
 * @param {RefreshContext} ctx
 * @returns {string}
 */
function accessText_(ctx) {
  const names = nameLookup_(ctx);
  return rowsOf_(ctx, 'memberships').map(function (m) {
    return names.org(m.org_id) + (m.warehouse_id === null || m.warehouse_id === undefined ? ' (semua gudang)' : ' (gudang ' + names.warehouse(m.warehouse_id) + ')');
  }).join('; ');
}

/**
 * @param {RefreshContext} ctx
 * @param {RestQuery[]} queries
 * @param {string[]} recipients who gets the morning alert e-mail
 * @returns {TabModel}
 */
function buildStatusTab_(ctx, queries, recipients) {
  const health = dashboardHealth_(ctx, queries);
  const width = STATUS_HEADERS.length;
  /** @type {any[][]} */
  const rows = [];
  /** @type {Array<string | null>} */
  const backgrounds = [];
  /** @type {number[]} */
  const bold = [];
  /** @type {CellNote[]} */
  const notes = [];
  /**
   * @param {any[]} row
   * @param {string | null} color
   * @param {string} [note] raw error text, on the Keterangan cell
   */
  const push = function (row, color, note) {
    while (row.length < width) row.push('');
    if (note) notes.push({ row: rows.length, column: width - 1, text: note });
    rows.push(row);
    backgrounds.push(color);
  };
  const section = function (/** @type {string[]} */ titles) {
    bold.push(rows.length);
    push(titles.slice(), COLOR_HEADER);
  };
  health.tables.forEach(function (h) {
    push(tableStatusRow_(h), h.state === 'ok' ? COLOR_OK : COLOR_ERROR, h.raw);
  });
  push([], null);
  section(['Akses pengguna', 'Organisasi', '', 'Status', 'Keterangan']);
  const membership = ctx.results.memberships;
  if (!membership || membership.error) {
    push([ctx.viewer || '', '', '', 'GAGAL', explainError_(membership ? membership.error : 'not fetched')], COLOR_ERROR,
      membership ? membership.error : '');
  } else if (health.noMembership) {
    push([ctx.viewer || '', '0', '', 'TIDAK ADA AKSES', 'minta admin menambahkan baris di user_org_role untuk pengguna ini'], COLOR_ERROR);
  } else {
    const orgs = rowsOf_(ctx, 'memberships').map(function (m) { return String(m.org_id); })
      .filter(function (id, i, all) { return all.indexOf(id) === i; });
    push([ctx.viewer || '', String(orgs.length), '', 'OK', accessText_(ctx)], COLOR_OK);
  }
  push([], null);
  section(['Pengambilan', 'Baris', '', 'Status', 'Keterangan']);
  queries.forEach(function (q) {
    const result = ctx.results[q.name];
    const failed = !result || Boolean(result.error);
    const raw = result ? result.error : 'not fetched';
    push([q.name + ' (' + q.table + ')', failed ? '' : String((result.rows || []).length), '', failed ? 'GAGAL' : 'OK',
      failed ? explainError_(raw) : ''], failed ? COLOR_ERROR : null, failed ? raw : '');
  });
  push([], null);
  section(['Refresh ini', '', '', '', '']);
  push(['Tanggal ditampilkan', '', '', '', dayLabel_(ctx.day) + (ctx.pinned ? ' — dipilih manual (Pilih tanggal)' : ' — kemarin')], null);
  push(['Waktu pengambilan', '', '', '', formatJakartaTime_(ctx.fetchedAt)], null);
  push(['Email peringatan', '', '', '', recipients.length ? recipients.join(', ') : 'tidak diatur (Script Property ALERT_EMAILS)'], null);
  if (ctx.retryAt) push(['Percobaan ulang', '', '', '', ctx.retryAt + ': data belum lengkap, refresh otomatis sekali lagi'], COLOR_WARNING);
  (ctx.settingsErrors || []).forEach(function (e) {
    push(['Setelan', '', '', 'GAGAL', explainError_(e)], COLOR_ERROR, e);
  });
  const fetched = 'diambil ' + formatJakartaTime_(ctx.fetchedAt);
  const count = health.problems.length;
  return {
    status: count
      ? { text: count + ' masalah perlu ditindak (baris merah) · ' + fetched, level: 'error', note: health.problems.join('\n') }
      : { text: 'Semua data sesuai jadwal · ' + fetched, level: 'ok' },
    headers: STATUS_HEADERS.slice(),
    rows: rows,
    columnFormats: STATUS_HEADERS.map(function () { return FORMAT_TEXT; }),
    columnWidths: [330, 120, 100, 130, 520],
    rowBackgrounds: backgrounds,
    boldRows: bold,
    notes: notes,
    wrapColumns: [width],
  };
}
