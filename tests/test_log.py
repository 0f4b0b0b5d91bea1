from __future__ import annotations

import io
import json
import logging

from shared.log import configure_logging, get_logger, log_context


def test_json_lines_carry_severity_message_and_context():
    buf = io.StringIO()
    configure_logging(json_lines=True, stream=buf)
    with log_context(run_id="r1", stage="extract", dataset="pos", date="2026-11-20"):
        get_logger("t").warning("rows %d", 5, extra={"fields": {"rows": 5}})
    get_logger("t").warning("outside")
    first, second = (json.loads(line) for line in buf.getvalue().splitlines())
    assert {k: first[k] for k in ("severity", "message", "run_id", "stage", "dataset", "date", "rows")} == {
        "severity": "WARNING",
        "message": "rows 5",
        "run_id": "r1",
        "stage": "extract",
        "dataset": "pos",
        "date": "2026-11-20",
        "rows": 5,
    }
    assert "run_id" not in second


def test_text_lines_on_a_terminal_are_readable():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    buf = Tty()
    configure_logging(stream=buf)
    with log_context(stage="profit", date="2026-11-20"):
        get_logger("t").warning("done")
    assert buf.getvalue() == "warning [profit 2026-11-20] done\n"


def test_odoorpc_logger_never_runs_at_debug():
    configure_logging(json_lines=True, level="DEBUG", stream=io.StringIO())
    assert logging.getLogger("odoorpc").getEffectiveLevel() >= logging.WARNING
