"""The example app passes `erlen check --strict` (URL verification, src/erlen/verify/).

Every literal ``url_for`` of the app's templates and modules must build: no error and
no warning.  (The pagination macro's computed endpoints are listed as unverifiable,
which is not a failure.)  The URL-verification feature was built alongside this app:
the test skips only on an ImportError of ``erlen.verify``, so it cannot fail before
that feature is installed; any other failure is a real one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

from .conftest import dispose, make_app

REPO = Path(__file__).resolve().parents[2]


def test_example_app_passes_erlen_check(tmp_path: t.Any) -> None:
    try:
        from erlen.verify import check_app  # noqa: F401
    except ImportError as e:
        pytest.skip(f"erlen.verify is not installed (URL verification): {e}")

    app = make_app(f"sqlite:///{tmp_path / 'verify.db'}")
    try:
        findings = app.check_urls()
    finally:
        dispose(app)
    problems = [finding for finding in findings if finding.severity in ("error", "warning")]
    assert problems == [], "\n".join(f"{f.location}: {f.message} ({f.fix})" for f in problems)

    # The command a developer runs.
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp_path / 'verify.db'}",
        SECRET_KEY="check",
        ERLEN_SKIP_DOTENV="1",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "erlen",
            "--app",
            "examples.taskmanager:create_app",
            "check",
            "--strict",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stdout + result.stderr
