"""The shared service fixtures work: a round trip on each, and the guarantees tests rely on."""

from __future__ import annotations

import os
import socket

import pytest

from tests.fixtures.services import (
    RUN_SCRIPTS_TEST,
    TEST_PROJECT,
    free_port,
    fresh_mysql_database,
    fresh_pg_database,
    mysql_params_from_env,
    pg_dsn_from_env,
    with_database,
)

# ---------------------------------------------------------------- helpers and isolation


def test_free_port_can_be_bound_on_loopback():
    port = free_port()

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))

    assert 1024 <= port <= 65535


def test_lake_root_is_an_empty_folder(lake_root, tmp_path):
    assert lake_root.is_dir()
    assert lake_root.parent == tmp_path
    assert list(lake_root.iterdir()) == []


def test_cloud_clients_cannot_reach_real_endpoints():
    from google.auth.compute_engine import _metadata

    assert os.environ["GOOGLE_CLOUD_PROJECT"] == TEST_PROJECT
    assert "GOOGLE_APPLICATION_CREDENTIALS" not in os.environ
    assert "STORAGE_EMULATOR_HOST" not in os.environ
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"
    # Read by google-auth at import: proves the environment was set before any Google import.
    assert _metadata._NO_GCE_CHECK is True
    assert _metadata._GCE_METADATA_HOST == "127.0.0.1:9"
    assert _metadata.is_on_gce(request=None) is False


def test_missing_mysql_env_fails_and_says_how_to_run():
    with pytest.raises(
        pytest.fail.Exception, match="NKPIPE_TEST_MYSQL_PASSWORD not set: run the suite through scripts/test"
    ):
        mysql_params_from_env(
            {
                "NKPIPE_TEST_MYSQL_HOST": "127.0.0.1",
                "NKPIPE_TEST_MYSQL_PORT": "1",
                "NKPIPE_TEST_MYSQL_USER": "u",
            }
        )


def test_missing_pg_env_fails_and_says_how_to_run():
    with pytest.raises(pytest.fail.Exception, match="NKPIPE_TEST_PG_DSN not set") as caught:
        pg_dsn_from_env({})

    assert RUN_SCRIPTS_TEST in str(caught.value)


def test_with_database_keeps_credentials_and_host():
    expected = "postgresql://u:p@127.0.0.1:55432/other"

    result = with_database("postgresql://u:p@127.0.0.1:55432/postgres", "other")

    assert result == expected


# ---------------------------------------------------------------- MariaDB


def _mysql(params, **extra):
    import pymysql

    return pymysql.connect(
        host=params["host"],
        port=params["port"],
        user=params["user"],
        password=params["password"],
        database=params.get("database"),
        charset="utf8mb4",
        autocommit=True,
        **extra,
    )


def test_mysql_database_round_trip(mysql_database):
    expected = [(1, "Ayam"), (2, None), (3, "ayam")]

    with _mysql(mysql_database) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(20) NULL)")
        cursor.executemany(
            "INSERT INTO item (id, name) VALUES (%s, %s)", [(3, "ayam"), (1, "Ayam"), (2, None)]
        )
        cursor.execute("SELECT id, name FROM item ORDER BY id")
        result = list(cursor.fetchall())
        cursor.execute("SELECT DATABASE()")
        current = cursor.fetchone()[0]

    assert result == expected
    assert current == mysql_database["database"]


def test_mysql_behaves_like_tidb_defaults(mysql_database):
    import pymysql

    with _mysql(mysql_database) as conn, conn.cursor() as cursor:
        cursor.execute("CREATE TABLE t (k VARCHAR(10), v INT)")
        cursor.execute("INSERT INTO t VALUES ('a', 1), ('A', 2)")
        # utf8mb4_bin: case-sensitive comparison, as in TiDB.
        cursor.execute("SELECT COUNT(*) FROM t WHERE k = 'a'")
        matches = cursor.fetchone()[0]
        # ONLY_FULL_GROUP_BY: a non-aggregated, non-grouped column is an error, as in TiDB.
        with pytest.raises(pymysql.err.OperationalError, match="GROUP BY"):
            cursor.execute("SELECT k, v FROM t GROUP BY k")

    assert matches == 1


def _mysql_schemas(params):
    with _mysql(params) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT schema_name FROM information_schema.schemata")
        return {row[0] for row in cursor.fetchall()}


def test_mysql_database_is_empty(mysql_database):
    with _mysql(mysql_database) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()")
        tables = cursor.fetchone()[0]

    assert tables == 0


def test_fresh_mysql_database_is_dropped_on_exit(mysql_server):
    with fresh_mysql_database(mysql_server, "t_dropcheck_mysql") as params:
        with _mysql(params) as conn, conn.cursor() as cursor:
            cursor.execute("CREATE TABLE left_behind (id INT)")
        during = _mysql_schemas(mysql_server)
    after = _mysql_schemas(mysql_server)

    assert "t_dropcheck_mysql" in during
    assert "t_dropcheck_mysql" not in after


def test_fresh_mysql_database_refuses_unsafe_names(mysql_server):
    with pytest.raises(ValueError, match="unsafe database name"):
        with fresh_mysql_database(mysql_server, "x`; DROP DATABASE mysql; --"):
            pass


# ---------------------------------------------------------------- PostgreSQL


def test_pg_database_round_trip(pg_database):
    import psycopg

    expected = [(1, "Ayam"), (2, None)]

    with psycopg.connect(pg_database) as conn:
        conn.execute("CREATE TABLE item (id int PRIMARY KEY, name text)")
        with conn.cursor() as cursor:
            cursor.executemany("INSERT INTO item VALUES (%s, %s)", [(2, None), (1, "Ayam")])
        result = conn.execute("SELECT id, name FROM item ORDER BY id").fetchall()
        current = conn.execute("SELECT current_database()").fetchone()[0]

    assert result == expected
    assert pg_database.endswith("/" + current)


def _pg_databases(dsn):
    import psycopg

    with psycopg.connect(dsn) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_pg_database_is_empty(pg_database):
    import psycopg

    with psycopg.connect(pg_database) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]

    assert tables == 0


def test_fresh_pg_database_is_dropped_on_exit_even_with_open_sessions(pg_server):
    import psycopg

    with fresh_pg_database(pg_server, "t_dropcheck_pg") as dsn:
        lingering = psycopg.connect(dsn)
        lingering.execute("CREATE TABLE left_behind (id int)")
        lingering.commit()
        during = _pg_databases(pg_server)
    after = _pg_databases(pg_server)
    lingering.close()

    assert "t_dropcheck_pg" in during
    assert "t_dropcheck_pg" not in after


# ---------------------------------------------------------------- GCS: fake-gcs-server


def test_gcs_bucket_round_trip_with_real_client(gcs_bucket, gcs_emulator):
    expected = b"date,qty\n2026-11-20,\n"

    gcs_bucket.client.bucket(gcs_bucket.name).blob("raw/x/date=2026-11-20/part-0.csv").upload_from_string(
        expected
    )
    result = (
        gcs_bucket.client.bucket(gcs_bucket.name).blob("raw/x/date=2026-11-20/part-0.csv").download_as_bytes()
    )

    assert result == expected
    assert os.environ["STORAGE_EMULATOR_HOST"] == gcs_emulator
    assert gcs_bucket.root_url == f"gs://{gcs_bucket.name}"


def test_fake_gcs_honours_generation_preconditions(gcs_bucket):
    from google.api_core.exceptions import PreconditionFailed

    blob = gcs_bucket.client.bucket(gcs_bucket.name).blob("metadata/lock.json")
    blob.upload_from_string(b"{}", if_generation_match=0)  # create only if absent
    generation = gcs_bucket.client.bucket(gcs_bucket.name).get_blob("metadata/lock.json").generation

    with pytest.raises(PreconditionFailed, match="412"):
        blob.upload_from_string(b'{"again": 1}', if_generation_match=0)
    with pytest.raises(PreconditionFailed, match="412"):
        blob.upload_from_string(b'{"stale": 1}', if_generation_match=generation + 1000)
    blob.upload_from_string(b'{"next": 1}', if_generation_match=generation)

    assert blob.download_as_bytes() == b'{"next": 1}'


def test_gcs_buckets_are_fresh_per_test(gcs_bucket):
    assert list(gcs_bucket.client.list_blobs(gcs_bucket.name)) == []


def test_storage_emulator_host_is_restored_after_gcs_tests():
    assert "STORAGE_EMULATOR_HOST" not in os.environ


# ---------------------------------------------------------------- GCS: gcp-storage-emulator


def test_gcs_basic_bucket_round_trip_with_real_client(gcs_basic_bucket, gcs_basic_emulator):
    expected = b"\x00parquet-ish\xff"

    gcs_basic_bucket.client.bucket(gcs_basic_bucket.name).blob("clean/a.bin").upload_from_string(expected)
    result = gcs_basic_bucket.client.bucket(gcs_basic_bucket.name).blob("clean/a.bin").download_as_bytes()

    assert result == expected
    assert os.environ["STORAGE_EMULATOR_HOST"] == gcs_basic_emulator


# ---------------------------------------------------------------- S3: moto


def test_s3_bucket_round_trip(s3_bucket):
    expected = b"a,b\n1,\n"

    s3_bucket.client.put_object(Bucket=s3_bucket.name, Key="raw/t/date=2026-11-20/part-0.csv", Body=expected)
    result = s3_bucket.client.get_object(Bucket=s3_bucket.name, Key="raw/t/date=2026-11-20/part-0.csv")[
        "Body"
    ].read()

    assert result == expected
    assert s3_bucket.endpoint.startswith("http://127.0.0.1:")
    assert os.environ["AWS_ENDPOINT_URL_S3"] == s3_bucket.endpoint
    assert s3_bucket.root_url == f"s3://{s3_bucket.name}"


def test_pyarrow_reaches_both_emulators_through_the_fixtures(gcs_bucket, s3_bucket):
    from pyarrow import fs

    gcs = fs.GcsFileSystem(
        endpoint_override=gcs_bucket.endpoint.removeprefix("http://"),
        scheme="http",
        anonymous=True,
        project_id=TEST_PROJECT,
    )
    s3 = fs.S3FileSystem(
        endpoint_override=s3_bucket.endpoint,
        access_key="testing",
        secret_key="testing",
        region="us-east-1",
        allow_delayed_open=True,
    )  # moto rejects pyarrow's multipart completion
    for filesystem, bucket in ((gcs, gcs_bucket.name), (s3, s3_bucket.name)):
        with filesystem.open_output_stream(f"{bucket}/k/part-0.bin") as out:
            out.write(b"x1")
        with filesystem.open_input_stream(f"{bucket}/k/part-0.bin") as src:
            assert src.read() == b"x1"
