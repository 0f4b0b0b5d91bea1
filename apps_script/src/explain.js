// What a failed read means, in Indonesian, for the people who read the sheet. The raw message (often
// an English PostgREST or Postgres text) stays available in the cell's note for whoever fixes it.

/** [pattern on the raw message, explanation]; the first match wins. */
const ERROR_EXPLANATIONS = [
  [/Script Properties missing/, 'Koneksi belum diatur: buka menu KPI › Atur koneksi Supabase.'],
  [/KPI_MAX_LAG_DAYS/, 'Setelan KPI_MAX_LAG_DAYS salah tulis (contoh benar: fleet_kpi_daily=2); batas bawaan dipakai.'],
  [/Invalid login credentials|invalid_credentials/, 'Email atau kata sandi pengguna Supabase salah: perbaiki lewat menu KPI › Atur koneksi Supabase.'],
  [/Invalid API key/, 'Anon key Supabase salah: salin ulang dari Project Settings › API ke menu KPI › Atur koneksi Supabase.'],
  [/PGRST202|Could not find the function/, 'Fungsi status mirror belum ada di Supabase: minta tim data menjalankan "nkpipe migrate".'],
  [/PGRST205|42P01|Could not find the table|relation .* does not exist/, 'Tabel belum ada di Supabase: minta tim data menjalankan "nkpipe migrate".'],
  [/42703|PGRST204|column .* does not exist/, 'Kolom tidak dikenal: versi skrip dan tabel Supabase tidak cocok; minta tim data menjalankan "nkpipe migrate" dan memperbarui skrip.'],
  [/42501|permission denied/, 'Akses ditolak oleh Supabase: hak akses tabel belum diberikan (nkpipe migrate) atau kunci yang dipakai salah.'],
  [/JWT expired|PGRST30\d/, 'Sesi masuk Supabase kedaluwarsa dan tidak bisa diperbarui: coba Refresh sekarang.'],
  [/HTTP 429/, 'Supabase menolak karena terlalu banyak permintaan: coba lagi beberapa menit lagi.'],
  [/HTTP 5\d\d|network error|Address unavailable|timed out/i, 'Supabase tidak menjawab (gangguan server atau jaringan): coba Refresh sekarang beberapa menit lagi; bila berulang, hubungi tim data.'],
  [/more than \d+ pages/, 'Data terlalu banyak untuk satu pengambilan: hubungi tim data.'],
];

/** What each read is, in the users' words, for "GAGAL memuat data <what>". */
const READ_LABELS = {
  sales_daily: 'penjualan', top_products: 'produk teratas', inventory_daily: 'inventori', fleet_daily: 'armada',
  organizations: 'nama organisasi', warehouses: 'nama gudang', memberships: 'akses pengguna',
  mirror_status: 'isi tabel mirror', pos_shops: 'penjualan per toko', stockouts: 'daftar SKU stok habis',
};

/**
 * @param {string} name a read of dashboardQueries_
 * @returns {string}
 */
function readLabel_(name) {
  if (name.indexOf('latest_') === 0) return 'tanggal terakhir ' + name.slice('latest_'.length);
  return /** @type {Object<string, string>} */ (READ_LABELS)[name] || name;
}

/**
 * @param {string} raw
 * @returns {string} the Indonesian explanation of a read's error message
 */
function explainError_(raw) {
  for (let i = 0; i < ERROR_EXPLANATIONS.length; i++) {
    const entry = /** @type {[RegExp, string]} */ (ERROR_EXPLANATIONS[i]);
    if (entry[0].test(raw)) return entry[1];
  }
  return 'Pengambilan data gagal; pesan asli ada di catatan sel ini: teruskan ke tim data.';
}
