// Names shared by every file. Apps Script loads all files into one global scope, so these are
// plain globals; files are loaded in name order, hence the 00_ prefix.

/** Script Properties keys (set through KPI › Atur koneksi, never in code). */
const PROP_SUPABASE_URL = 'SUPABASE_URL';
const PROP_SUPABASE_ANON_KEY = 'SUPABASE_ANON_KEY';
const PROP_SUPABASE_EMAIL = 'SUPABASE_EMAIL';
const PROP_SUPABASE_PASSWORD = 'SUPABASE_PASSWORD';
/** The day a user pinned with KPI › Pilih tanggal, in that user's User Properties; absent means "yesterday". */
const PROP_KPI_DATE = 'KPI_DATE';
/** Who gets the morning alert e-mail (comma-separated addresses); absent means no e-mail. */
const PROP_ALERT_EMAILS = 'ALERT_EMAILS';
/** Expected lag per mirror table, e.g. 'fleet_kpi_daily=2'; tables not named keep DEFAULT_MAX_LAG_DAYS. */
const PROP_MAX_LAG_DAYS = 'KPI_MAX_LAG_DAYS';

const BUSINESS_TZ = 'Asia/Jakarta';
const TOKEN_CACHE_KEY = 'supabase_session_v1';
/** CacheService keeps an entry at most 6 hours. */
const TOKEN_CACHE_MAX_SECONDS = 21600;
/** Refresh the access token this long before it expires, so a long refresh never runs on a dead one. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;
const REST_PAGE_SIZE = 1000;
const REST_MAX_PAGES = 50;
const REST_MAX_ATTEMPTS = 3;
/** How long a refresh waits for another one to finish before giving up. */
const REFRESH_LOCK_WAIT_MS = 30 * 1000;

const SALES_SERIES_DAYS = 90;
/** Inventory and fleet history: enough for month-to-date against the same days of last month. */
const HISTORY_DAYS = 62;
const COMPARE_DAYS = 7;
const SPARKLINE_DAYS = 30;
const TOP_PRODUCTS = 20;
/** SKUs listed on Inventori under "SKU stok habis"; the rest is "+N lainnya". */
const STOCKOUT_LIST_ROWS = 10;
/**
 * Days a table's newest data_date may be behind today before it is red (1 = yesterday's data is there).
 * The fleet mirror is written from scans that close a day late, so a day more is normal there.
 */
const DEFAULT_MAX_LAG_DAYS = { sales_kpi_daily: 1, sales_kpi_daily_by_product: 1, inventory_kpi_daily: 1, fleet_kpi_daily: 2 };

const TAB_SUMMARY = 'Ringkasan';
const TAB_SALES = 'Penjualan & Laba';
const TAB_TOP_PRODUCTS = 'Produk Teratas';
const TAB_INVENTORY = 'Inventori';
const TAB_FLEET = 'Armada';
const TAB_STATUS = 'Status Data';
/** Edited by the users: one target per KPI; the script creates it once and never overwrites it. */
const TAB_TARGET = 'Target';
const DASHBOARD_TABS = [TAB_SUMMARY, TAB_SALES, TAB_TOP_PRODUCTS, TAB_INVENTORY, TAB_FLEET, TAB_STATUS];
const SPREADSHEET_LOCALE = 'id_ID';

const FORMAT_RUPIAH = '"Rp"#,##0';
const FORMAT_PERCENT = '0.0%';
const FORMAT_COUNT = '#,##0';
// Patterns use ',' for grouping and '.' for decimals; the id_ID locale shows them as '.' and ','
// (Rp15.500.000, 29,0%). A quantity gets FORMAT_COUNT when whole, so no trailing separator shows.
const FORMAT_QTY = '#,##0.0##';
const FORMAT_DECIMAL = '#,##0.0';
const FORMAT_DATE = 'dd/mm/yyyy';
const FORMAT_TEXT = '@';
/** A relative change (0.052 shows +5,2%). */
const FORMAT_CHANGE = '+0.0%;-0.0%;0.0%';
/** A difference of two rates in percentage points (1.8 shows +1,8 pp). */
const FORMAT_POINTS = '+0.0" pp";-0.0" pp";0.0" pp"';

const COLOR_ERROR = '#f4cccc';
const COLOR_WARNING = '#fff2cc';
const COLOR_OK = '#d9ead3';
const COLOR_HEADER = '#eeeeee';
const COLOR_SECTION = '#cfe2f3';
const COLOR_TOTAL = '#f3f3f3';
const FONT_GOOD = '#137333';
const FONT_BAD = '#c5221f';

/** Status lines longer than this are cut; the whole text goes into the cell's note. */
const STATUS_MAX_CHARS = 240;
/** Rows left empty under a chart placed between two tables (a chart floats over cells). */
const CHART_BLOCK_ROWS = 16;
const CHART_WIDTH = 460;
const CHART_HEIGHT = 300;

/** Row layout of every tab: row 1 says where the data comes from (or what failed), row 2 is the header. */
const STATUS_ROW = 1;
const HEADER_ROW = 2;
const FIRST_DATA_ROW = 3;

const TRIGGER_HANDLER = 'scheduledRefresh';
const TRIGGER_HOUR = 6;
/** A morning whose data was not there at 06:00 gets one more refresh this much later. */
const RETRY_HANDLER = 'retryRefresh';
const RETRY_AFTER_MS = 2 * 60 * 60 * 1000;
const SETUP_HTML_FILE = 'src/Setup';
