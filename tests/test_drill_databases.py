"""Drill 5: the databases behind the KPI stage going down.

- TiDB (a private MariaDB, never the shared one) is SIGKILLed in the middle of the KPI stage's
  transaction for a day that already has a copy: the stage fails with a clear transient error, and
  after the server restarts (crash recovery) the previous copy of the day is there, exactly, with
  its old `updated_at`. The rerun then writes the new copy.
- Supabase down (nothing listening): the mirror is recorded failed while the TiDB side is complete;
  the next `run --stages mirror` repairs it (rows, counts and checksums equal TiDB's).
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from functions.cli import main
from functions.kpi import load_ops_into
from functions.kpi.store import connect_mysql
from functions.pipeline import run_days
from shared.config import Secret
from shared.errors import TransientError
from shared.lake import open_lake
from tests.fixtures.drills import (
    DrillWorld,
    counting_sql,
    kpi_rows,
    latest_status,
    mirror_rows,
    settings_environ,
)
from tests.fixtures.services import free_port

MARIADBD = "/usr/sbin/mariadbd"


class PrivateMariaDB:
    """A mariadbd of this test module only (tmp datadir, free port, unix socket for root setup)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        # Unix socket paths are short: keep the socket in a short /tmp folder.
        self.sock_dir = Path(tempfile.mkdtemp(prefix="nkdrill-my-"))
        self.socket = self.sock_dir / "mariadbd.sock"
        self.port = free_port()
        self.user = "nkdrill"
        self.password = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None

    def install(self) -> None:
        with open(self.root / "install.log", "wb") as log:
            subprocess.run(
                ["mariadb-install-db", "--no-defaults", *self._user_option(), f"--datadir={self.data}",
                 "--auth-root-authentication-method=socket", "--skip-test-db"],
                stdout=log, stderr=subprocess.STDOUT, check=True, timeout=120,
            )  # fmt: skip

    def _user_option(self) -> list[str]:
        return ["--user=root"] if os.geteuid() == 0 else []

    def start(self) -> PrivateMariaDB:
        argv = [
            MARIADBD, "--no-defaults", *self._user_option(), f"--datadir={self.data}", f"--socket={self.socket}",
            f"--pid-file={self.root / 'mariadbd.pid'}", f"--log-error={self.root / 'error.log'}",
            "--bind-address=127.0.0.1", f"--port={self.port}", "--skip-name-resolve",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin",
            "--sql-mode=ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
            "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION",
            "--innodb-buffer-pool-size=32M", "--skip-log-bin",
        ]  # fmt: skip
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mariadbd exited: {(self.root / 'error.log').read_text()[-2000:]}")
            try:
                self._root_connection().close()
                return self
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.1)
        raise RuntimeError("the private mariadbd did not start within 60 s")

    def _root_connection(self):
        import pymysql

        return pymysql.connect(unix_socket=str(self.socket), user="root", autocommit=True, connect_timeout=2)

    def create_user_and_database(self, database: str) -> None:
        connection = self._root_connection()
        try:
            with connection.cursor() as cursor:
                # Identifiers and the password are ours (hex/letters), not input.
                cursor.execute(f"CREATE USER IF NOT EXISTS '{self.user}'@'127.0.0.1' IDENTIFIED BY '{self.password}'")
                cursor.execute(f"GRANT ALL PRIVILEGES ON *.* TO '{self.user}'@'127.0.0.1'")
                cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{database}`")
        finally:
            connection.close()

    def kill(self) -> None:
        """SIGKILL, by pid: only the server this module started."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        shutil.rmtree(self.sock_dir, ignore_errors=True)
        shutil.rmtree(self.data, ignore_errors=True)  # ~100 MB; pytest keeps old tmp folders


@pytest.fixture(scope="module")
def private_mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateMariaDB]:
    server = PrivateMariaDB(tmp_path_factory.mktemp("private-mariadb"))
    server.install()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def tidb_settings(world: DrillWorld, case: Path, server: PrivateMariaDB, database: str, **extra):
    return world.settings(
        case, tidb_host="127.0.0.1", tidb_port=server.port, tidb_user=server.user,
        tidb_password=Secret(server.password), tidb_database=database, **extra,
    )  # fmt: skip


def prepare_ops(settings, day) -> None:
    """The operational tables (PTMMM schema) and a day of operations in the KPI store of `settings`."""
    with connect_mysql(
        settings.tidb_host, settings.tidb_port, settings.tidb_user, settings.tidb_password.reveal(), settings.tidb_database
    ) as store:
        store.run_file("sql/ops_schema_mysql.sql")
    load_ops_into(settings, [day])


RECEIPT_ID = 990_000_001


def set_receipt(settings, day, present: bool) -> None:
    """One more stock receipt on `day` (or not): the copy of the day with it differs from the one without."""
    from functions.kpi.store import open_store
    from shared.dates import business_day_window

    start, _end = business_day_window(day, settings.tz)
    at = start.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=3)
    with open_store(settings) as store:
        store.execute("DELETE FROM inventory_tx WHERE id = :id", {"id": RECEIPT_ID})
        if present:
            (warehouse, org) = store.query("SELECT warehouse_id, org_id FROM inventory_tx ORDER BY id LIMIT 1")[0]
            store.execute(
                "INSERT INTO inventory_tx (id, org_id, warehouse_id, sku, tx_type, qty, unit_cost, tx_at, ref) "
                "VALUES (:id, :org, :warehouse, 'DRILL-SKU', 'receipt', 77, 1.5, :at, 'drill')",
                {"id": RECEIPT_ID, "org": org, "warehouse": warehouse, "at": at},
            )


def test_tidb_killed_mid_transaction_keeps_the_previous_copy_of_the_day(
    drill_world: DrillWorld, private_mariadb: PrivateMariaDB, tmp_path, monkeypatch
):
    import pymysql.cursors

    world = drill_world
    day = world.day
    private_mariadb.create_user_and_database("kpi_drill")
    case = world.copy_state("profit", tmp_path / "case")
    settings = tidb_settings(world, case, private_mariadb, "kpi_drill")
    lake = open_lake(settings.data_lake_root, 0)
    prepare_ops(settings, day)

    # The new copy of the day (with one more receipt), and how many statements its run makes.
    set_receipt(settings, day, present=True)
    with counting_sql() as counter:
        run_days(settings, lake, [day], ["kpi"])
    new_copy = kpi_rows(settings, day)
    # The previous copy (without it), in place when the server dies.
    set_receipt(settings, day, present=False)
    run_days(settings, lake, [day], ["kpi"])
    previous = kpi_rows(settings, day, clock=True)
    assert without_clock(previous) != new_copy
    set_receipt(settings, day, present=True)

    # Kill the server before a seeded-random statement of the run: the day's DELETE and some inserts
    # have run inside the open transaction.
    nth = random.Random("drill-tidb").randint(4, counter["sql"] - 1)
    real_execute = pymysql.cursors.Cursor.execute
    seen = {"n": 0}

    def execute(self, query, args=None):  # noqa: ANN001, ANN202 — pymysql's own signature
        seen["n"] += 1
        if seen["n"] == nth:
            private_mariadb.kill()
        return real_execute(self, query, args)

    monkeypatch.setattr(pymysql.cursors.Cursor, "execute", execute)
    time.sleep(1.1)  # a new copy would carry a later updated_at (second precision)
    with pytest.raises(TransientError, match="TiDB/MySQL error 20") as info:
        run_days(settings, lake, [day], ["kpi"])
    monkeypatch.undo()
    assert seen["n"] == nth
    assert "\n" not in str(info.value)
    assert latest_status(case / "lake", "kpi", "kpi", day) == "failed"

    private_mariadb.start()  # crash recovery on the same data
    assert kpi_rows(settings, day, clock=True) == previous, "the killed transaction left a trace"

    results = run_days(settings, lake, [day], ["kpi"])
    assert [r.status for r in results] == ["success"]
    assert kpi_rows(settings, day) == new_copy


def without_clock(rows: dict[str, list[str]]) -> dict[str, list[str]]:
    """Canonical rows with the trailing updated_at field cut off (it is the last column of each table)."""
    return {table: sorted(row.rsplit("|", 1)[0] for row in lines) for table, lines in rows.items()}


def test_supabase_down_marks_the_mirror_failed_and_the_next_mirror_repairs_it(
    drill_world: DrillWorld, mysql_database, supabase_db, tmp_path, monkeypatch, capsys
):
    world = drill_world
    day = world.day
    case = world.copy_state("profit", tmp_path / "case")
    nobody = f"postgresql://nkpipe:unused@127.0.0.1:{free_port()}/postgres"  # nothing listens there
    settings = world.settings(
        case, tidb_host=mysql_database["host"], tidb_port=mysql_database["port"], tidb_user=mysql_database["user"],
        tidb_password=Secret(mysql_database["password"]), tidb_database=mysql_database["database"],
        supabase_db_url=Secret(nobody),
    )  # fmt: skip
    lake = open_lake(settings.data_lake_root, 0)
    prepare_ops(settings, day)

    progress = []
    with pytest.raises(TransientError, match="Supabase database unavailable"):
        run_days(settings, lake, [day], ["kpi", "mirror"], progress=progress.append)
    assert [(r.stage, r.status) for r in progress] == [("kpi", "success"), ("mirror", "failed")]
    assert latest_status(case / "lake", "kpi", "kpi", day) == "success"
    assert latest_status(case / "lake", "mirror", "mirror", day) == "failed"
    tidb = kpi_rows(settings, day, clock=True)
    assert sum(map(len, tidb.values())) > 0

    # The next mirror run, Supabase back: `nkpipe run --stages mirror`.
    monkeypatch.chdir(tmp_path)
    for name, value in settings_environ(settings.replace(supabase_db_url=Secret(supabase_db))).items():
        monkeypatch.setenv(name, value)
    assert main(["run", "--date", day.isoformat(), "--stages", "mirror"]) == 0, capsys.readouterr().err
    assert latest_status(case / "lake", "mirror", "mirror", day) == "success"
    assert mirror_rows(supabase_db, day) == tidb
    import json

    record = json.loads((case / "lake" / "metadata" / "latest" / "mirror" / "mirror" / f"{day}.json").read_text())
    assert record["rows"] == {table: len(rows) for table, rows in tidb.items()}
