// Names shared by every file. Apps Script loads all files into one global scope, so these are
// plain globals; files are loaded in name order, hence the 00_ prefix.

/** Script Properties keys (set through KPI › Atur koneksi, never in code). */
const PROP_SUPABASE_URL = 'SUPABASE_URL';
const PROP_SUPABASE_ANON_KEY = 'SUPABASE_ANON_KEY';
const PROP_SUPABASE_EMAIL = 'SUPABASE_EMAIL';
const PROP_SUPABASE_PASSWORD = 'SUPABASE_PASSWORD';
/** The day the user pinned with KPI › Pilih tanggal; absent means "yesterday". */
const PROP_KPI_DATE = 'KPI_DATE';

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
const COMPARE_DAYS = 7;
const TOP_PRODUCTS = 20;

const TAB_SUMMARY = 'Ringkasan';
const TAB_SALES = 'Penjualan & Laba';
const TAB_TOP_PRODUCTS = 'Produk Teratas';
const TAB_INVENTORY = 'Inventori';
const TAB_FLEET = 'Armada';
const TAB_STATUS = 'Status Data';
const DASHBOARD_TABS = [TAB_SUMMARY, TAB_SALES, TAB_TOP_PRODUCTS, TAB_INVENTORY, TAB_FLEET, TAB_STATUS];

const FORMAT_RUPIAH = '"Rp"#,##0';
const FORMAT_PERCENT = '0.0%';
const FORMAT_COUNT = '#,##0';
const FORMAT_QTY = '#,##0.###';
const FORMAT_DECIMAL = '#,##0.0';
const FORMAT_DATE = 'yyyy-mm-dd';
const FORMAT_TEXT = '@';

const COLOR_ERROR = '#f4cccc';
const COLOR_WARNING = '#fff2cc';
const COLOR_OK = '#d9ead3';
const COLOR_HEADER = '#eeeeee';

/** Row layout of every tab: row 1 says where the data comes from (or what failed), row 2 is the header. */
const STATUS_ROW = 1;
const HEADER_ROW = 2;
const FIRST_DATA_ROW = 3;

const TRIGGER_HANDLER = 'scheduledRefresh';
const TRIGGER_HOUR = 6;
const SETUP_HTML_FILE = 'src/Setup';
