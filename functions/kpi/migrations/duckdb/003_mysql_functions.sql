-- MySQL functions the shared KPI SQL uses that DuckDB spells differently. With these macros one SQL
-- text runs on TiDB, MariaDB and DuckDB. (TiDB/MariaDB sessions run with time_zone '+00:00'.)
CREATE OR REPLACE MACRO unix_timestamp(ts) AS epoch(ts);
