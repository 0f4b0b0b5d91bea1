#!/usr/bin/env bash
# Local MariaDB (TiDB stand-in) and PostgreSQL (Supabase stand-in) for the test suite.
#
#   scripts/services.sh start    start both (idempotent: running servers are reused)
#   scripts/services.sh stop     stop only the servers this script started (by their pid files)
#   scripts/services.sh status   say what runs where
#   scripts/services.sh env      print the `export NKPIPE_TEST_...` lines for the tests
#
# Runs as root without systemd. Data lives in private directories under <repo>/.services/ (gitignored);
# passwords are throwaway values generated there on first start.
# Overrides: NKPIPE_SERVICES_DIR, NKPIPE_MYSQL_PORT (default 33306), NKPIPE_PG_PORT (default 55432).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${NKPIPE_SERVICES_DIR:-$REPO/.services}"
MYSQL_PORT="${NKPIPE_MYSQL_PORT:-33306}"
PG_PORT="${NKPIPE_PG_PORT:-55432}"
PG_BIN="${NKPIPE_PG_BIN:-/usr/lib/postgresql/15/bin}"
TEST_USER="nkpipe"

# The servers run as the mysql/postgres users, which must reach their data directories: a checkout
# under a private home (e.g. /root) keeps server data in /var/tmp instead.
server_root() {
  local fallback
  fallback="/var/tmp/nkpipe-services-$(printf '%s' "$STATE" | md5sum | cut -c1-10)"
  if [[ -d "$STATE/mariadb" || -d "$STATE/postgres" ]]; then
    printf '%s' "$STATE"
  elif [[ -d "$fallback" ]]; then
    printf '%s' "$fallback"
  elif mkdir -p "$STATE" 2>/dev/null && runuser -u nobody -- test -x "$STATE" 2>/dev/null; then
    printf '%s' "$STATE"
  else
    printf '%s' "$fallback"
  fi
}
SERVER_ROOT="$(server_root)"

MY_DIR="$SERVER_ROOT/mariadb"
MY_DATA="$MY_DIR/data"
MY_PID="$MY_DIR/mariadbd.pid"
MY_LOG="$MY_DIR/error.log"
PG_DIR="$SERVER_ROOT/postgres"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/server.log"
ENV_FILE="$STATE/env.sh"

say() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

# Unix socket paths are limited to ~107 bytes; a deep checkout falls back to a short /tmp path.
short_dir() {
  local wanted="$1" name="$2"
  if (( ${#wanted} <= 80 )); then
    printf '%s' "$wanted"
  else
    printf '/tmp/nkpipe-%s-%s' "$name" "$(printf '%s' "$STATE" | md5sum | cut -c1-10)"
  fi
}
MY_SOCK_DIR="$(short_dir "$MY_DIR/run" mysql)"
MY_SOCK="$MY_SOCK_DIR/mariadbd.sock"
PG_SOCK_DIR="$(short_dir "$PG_DIR/run" pg)"

# Hex only: safe inside SQL literals and URLs without quoting.
password_for() {
  local file="$STATE/$1.password"
  if [[ ! -s "$file" ]]; then
    (umask 077; od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$file")
  fi
  cat "$file"
}

pid_alive() {  # pid_alive <pidfile> <process name>
  local pid
  [[ -s "$1" ]] || return 1
  pid="$(head -n1 "$1" | tr -dc '0-9')"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]]
}

need_root() { [[ "$(id -u)" == 0 ]] || die "must run as root (starts servers as the mysql/postgres users)"; }

# ---------------------------------------------------------------- MariaDB
mysql_root() { mariadb --no-defaults --protocol=socket --socket="$MY_SOCK" -uroot "$@"; }

mysql_running() { pid_alive "$MY_PID" mariadbd; }

mysql_start() {
  command -v /usr/sbin/mariadbd >/dev/null || die "mariadb-server is not installed (apt-get install mariadb-server)"
  id mysql >/dev/null 2>&1 || die "system user 'mysql' is missing (reinstall mariadb-server)"
  if mysql_running; then
    say "MariaDB already running (pid $(cat "$MY_PID"), port $MYSQL_PORT)"
  else
    mkdir -p "$MY_DIR" "$MY_SOCK_DIR"
    rm -f "$MY_PID" "$MY_SOCK"
    if [[ ! -d "$MY_DATA/mysql" ]]; then
      say "initialising MariaDB data directory $MY_DATA"
      rm -rf "$MY_DATA"
      mkdir -p "$MY_DATA"
      chown -R mysql:mysql "$MY_DIR" "$MY_SOCK_DIR"
      mariadb-install-db --no-defaults --user=mysql --datadir="$MY_DATA" \
        --auth-root-authentication-method=socket --skip-test-db >"$MY_DIR/install.log" 2>&1 \
        || { tail -n 20 "$MY_DIR/install.log" >&2; die "mariadb-install-db failed (log: $MY_DIR/install.log)"; }
    fi
    chown -R mysql:mysql "$MY_DIR" "$MY_SOCK_DIR"
    say "starting MariaDB on 127.0.0.1:$MYSQL_PORT"
    # utf8mb4_bin and ONLY_FULL_GROUP_BY are TiDB's defaults: without them MariaDB accepts SQL TiDB rejects.
    start-stop-daemon --start --quiet --background --pidfile "$MY_PID" --exec /usr/sbin/mariadbd -- \
      --no-defaults --user=mysql --datadir="$MY_DATA" --socket="$MY_SOCK" --pid-file="$MY_PID" \
      --log-error="$MY_LOG" --bind-address=127.0.0.1 --port="$MYSQL_PORT" --skip-name-resolve \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
      --sql-mode=ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION \
      --max-connections=500 --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 \
      9>&-  # the start lock must not outlive this script in the server
  fi
  local tries=0
  until mariadb-admin --no-defaults --protocol=socket --socket="$MY_SOCK" -uroot ping >/dev/null 2>&1; do
    tries=$((tries + 1))
    if (( tries > 120 )); then
      tail -n 30 "$MY_LOG" >&2 || true
      die "MariaDB did not answer within 60 s (log: $MY_LOG)"
    fi
    sleep 0.5
  done
  local pw
  pw="$(password_for mysql)"
  # Fed on stdin so the password never shows in a process list.
  mysql_root <<SQL
CREATE USER IF NOT EXISTS '$TEST_USER'@'127.0.0.1' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS '$TEST_USER'@'%' IDENTIFIED BY '$pw';
ALTER USER '$TEST_USER'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER '$TEST_USER'@'%' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$TEST_USER'@'%' WITH GRANT OPTION;
SQL
  say "MariaDB ready: 127.0.0.1:$MYSQL_PORT user $TEST_USER"
}

mysql_stop() {
  if mysql_running; then
    local pid
    pid="$(head -n1 "$MY_PID" | tr -dc '0-9')"
    say "stopping MariaDB (pid $pid)"
    start-stop-daemon --stop --quiet --pidfile "$MY_PID" --exec /usr/sbin/mariadbd --retry TERM/60/KILL/5 || true
    rm -f "$MY_PID"
  else
    say "MariaDB not running (no live pid in $MY_PID)"
  fi
}

# ---------------------------------------------------------------- PostgreSQL
as_postgres() { runuser -u postgres -- "$@"; }

pg_running() { [[ -f "$PG_DATA/PG_VERSION" ]] && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

pg_start() {
  [[ -x "$PG_BIN/pg_ctl" ]] || die "PostgreSQL 15 is not installed (apt-get install postgresql)"
  id postgres >/dev/null 2>&1 || die "system user 'postgres' is missing (reinstall postgresql)"
  mkdir -p "$PG_DIR" "$PG_SOCK_DIR"
  chown postgres:postgres "$PG_DIR" "$PG_SOCK_DIR"
  as_postgres test -w "$PG_DIR" || die "user postgres cannot write $PG_DIR; set NKPIPE_SERVICES_DIR to a world-traversable folder"
  if pg_running; then
    say "PostgreSQL already running (port $PG_PORT)"
  else
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
      say "initialising PostgreSQL cluster $PG_DATA"
      rm -rf "$PG_DATA"
      as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 \
        || { tail -n 20 "$PG_DIR/initdb.log" >&2; die "initdb failed (log: $PG_DIR/initdb.log)"; }
    fi
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    # Durability off: throwaway test data, and the suite must stay fast on 2 cores.
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
      -o "-p $PG_PORT -k $PG_SOCK_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null 9>&- \
      || { tail -n 30 "$PG_LOG" >&2 || true; die "PostgreSQL did not start (log: $PG_LOG)"; }
  fi
  local pw
  pw="$(password_for pg)"
  as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres >/dev/null <<SQL
SELECT 'CREATE ROLE $TEST_USER LOGIN SUPERUSER' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$TEST_USER')
\gexec
ALTER ROLE $TEST_USER WITH LOGIN SUPERUSER PASSWORD '$pw';
SQL
  say "PostgreSQL ready: 127.0.0.1:$PG_PORT role $TEST_USER"
}

pg_stop() {
  if pg_running; then
    say "stopping PostgreSQL ($PG_DATA)"
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null || true
  else
    say "PostgreSQL not running (no live postmaster for $PG_DATA)"
  fi
}

# ---------------------------------------------------------------- env
write_env() {
  local my_pw pg_pw
  my_pw="$(password_for mysql)"
  pg_pw="$(password_for pg)"
  (umask 077; cat >"$ENV_FILE" <<ENV
export NKPIPE_TEST_MYSQL_HOST=127.0.0.1
export NKPIPE_TEST_MYSQL_PORT=$MYSQL_PORT
export NKPIPE_TEST_MYSQL_USER=$TEST_USER
export NKPIPE_TEST_MYSQL_PASSWORD=$my_pw
export NKPIPE_TEST_PG_DSN=postgresql://$TEST_USER:$pg_pw@127.0.0.1:$PG_PORT/postgres
ENV
  )
}

status() {
  local rc=0
  if mysql_running; then
    echo "mariadb: running pid $(head -n1 "$MY_PID") 127.0.0.1:$MYSQL_PORT datadir $MY_DATA"
  else
    echo "mariadb: stopped"; rc=3
  fi
  if pg_running; then
    echo "postgres: running 127.0.0.1:$PG_PORT datadir $PG_DATA"
  else
    echo "postgres: stopped"; rc=3
  fi
  return "$rc"
}

case "${1:-}" in
  start)
    need_root
    mkdir -p "$STATE"
    # Several shells may run scripts/test at once: one start at a time.
    exec 9>"$STATE/.start.lock"
    flock 9
    mysql_start
    pg_start
    write_env
    ;;
  stop)
    need_root
    mysql_stop
    pg_stop
    ;;
  status)
    status
    ;;
  env)
    [[ -s "$ENV_FILE" ]] || die "no $ENV_FILE yet: run 'scripts/services.sh start' first"
    cat "$ENV_FILE"
    ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
