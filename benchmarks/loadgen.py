"""Load generation over loopback: wrk when installed, else a bounded Python client.

wrk (C, event-driven) is the load client of record: it costs little CPU, so the server is
what gets measured. When wrk is missing, :func:`python_load` stands in: an asyncio client
holding keep-alive connections, bounded by a duration and/or a request count. It is far
slower than wrk, so its figures are lower and only comparable with each other; the report
says which client produced them.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.cases import HttpCase

WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
"""Multipliers from wrk's latency units to milliseconds."""


@dataclass(frozen=True)
class LoadResult:
    """What one load run measured."""

    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    client: str


def wrk_executable() -> str | None:
    """The path of ``wrk``, or ``None`` if it is not installed."""
    return shutil.which("wrk")


def wrk_version(executable: str) -> str:
    """wrk's version line (``wrk -v`` prints it, then usage, and exits non-zero)."""
    completed = subprocess.run(
        [executable, "-v"], capture_output=True, text=True, timeout=10, check=False
    )
    lines = (completed.stdout or completed.stderr).strip().splitlines()
    return lines[0].split(" Copyright")[0].strip() if lines else "wrk (unknown version)"


def _wrk_script(case: HttpCase) -> str | None:
    """A Lua script making wrk send ``case``'s method, body and content type, if not a GET."""
    if case.method == "GET" and not case.body:
        return None
    lines = [f'wrk.method = "{case.method}"', f"wrk.body = {case.body.decode('latin-1')!r}"]
    if case.content_type is not None:
        lines.append(f'wrk.headers["Content-Type"] = "{case.content_type}"')
    return "\n".join(lines) + "\n"


def _milliseconds(text: str) -> float:
    """Convert a wrk latency such as ``1.23ms`` or ``850.00us`` to milliseconds."""
    found = re.fullmatch(r"([0-9.]+)([a-z]+)", text.strip())
    if found is None or found.group(2) not in WRK_UNITS:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(found.group(1)) * WRK_UNITS[found.group(2)]


def parse_wrk(output: str) -> LoadResult:
    """Read requests/s, p50, p99, request count and errors out of ``wrk --latency`` output."""
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", output, re.MULTILINE))
    total = re.search(r"^\s*(\d+) requests in ([0-9.]+)(\w+)", output, re.MULTILINE)
    rate = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.MULTILINE)
    if total is None or rate is None or "50" not in percentiles or "99" not in percentiles:
        raise ValueError(f"could not parse wrk output: {output[-300:]!r}")
    errors = sum(
        int(count) for count in re.findall(r"(?:connect|read|write|timeout) (\d+)", output)
    )
    non_success = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_success is not None:
        errors += int(non_success.group(1))
    seconds = _milliseconds(total.group(2) + total.group(3)) / 1e3
    return LoadResult(
        requests=int(total.group(1)),
        seconds=seconds,
        requests_per_second=float(rate.group(1)),
        p50_ms=_milliseconds(percentiles["50"]),
        p99_ms=_milliseconds(percentiles["99"]),
        errors=errors,
        client="wrk",
    )


def wrk_load(
    executable: str,
    port: int,
    case: HttpCase,
    seconds: int,
    connections: int,
    preexec: Callable[[], None] | None = None,
) -> LoadResult:
    """Load ``case`` on ``port`` with wrk (one thread) for ``seconds`` seconds.

    ``preexec`` runs in the wrk process before it starts (the caller pins it to a core).
    """
    command = [
        executable,
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "5s",
        "--latency",
    ]
    script = _wrk_script(case)
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        if script is not None:
            script_path = Path(folder) / "request.lua"
            script_path.write_text(script)
            command += ["--script", str(script_path)]
        command.append(f"http://127.0.0.1:{port}{case.target}")
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=False,
            preexec_fn=preexec,
        )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    return parse_wrk(completed.stdout)


def encode_request(case: HttpCase, port: int) -> bytes:
    """The bytes of an HTTP/1.1 keep-alive request for ``case``."""
    lines = [
        f"{case.method} {case.target} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "User-Agent: erlen-benchmarks",
    ]
    if case.body or case.method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(case.body)}")
    if case.content_type is not None:
        lines.append(f"Content-Type: {case.content_type}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + case.body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the server will close the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    closing = headers.get("connection", "").lower() == "close"
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.read()
        closing = True
    return status, closing


async def _python_load(
    port: int,
    cases: list[HttpCase],
    connections: int,
    seconds: float | None,
    total: int | None,
) -> LoadResult:
    payloads = [encode_request(case, port) for case in cases]
    expected = [case.status for case in cases]
    latencies: list[float] = []
    errors = 0
    issued = 0
    started = time.perf_counter()
    deadline = started + seconds if seconds is not None else None

    def more() -> bool:
        if total is not None and issued >= total:
            return False
        return deadline is None or time.perf_counter() < deadline

    async def connection() -> None:
        nonlocal issued, errors
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        try:
            while more():
                index = issued % len(payloads)
                issued += 1
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                assert reader is not None
                sent = time.perf_counter()
                try:
                    writer.write(payloads[index])
                    status, closing = await asyncio.wait_for(_read_response(reader), 10)
                except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
                    errors += 1
                    writer.close()
                    reader = writer = None
                    continue
                latencies.append(time.perf_counter() - sent)
                if status != expected[index]:
                    errors += 1
                if closing:
                    writer.close()
                    reader = writer = None
        finally:
            if writer is not None:
                writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        requests_per_second=len(latencies) / elapsed if elapsed > 0 else 0.0,
        p50_ms=statistics.median(ordered) * 1e3,
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3,
        errors=errors,
        client="python",
    )


def python_load(
    port: int,
    cases: list[HttpCase],
    connections: int,
    seconds: float | None = None,
    total: int | None = None,
) -> LoadResult:
    """Send ``cases`` round-robin to ``port`` over keep-alive connections.

    Stops after ``seconds`` or after ``total`` requests, whichever comes first (at least
    one of the two must be given, so the run is always bounded). A response whose status
    is not the case's expected one counts as an error.
    """
    if seconds is None and total is None:
        raise ValueError("python_load needs a duration or a request count")
    return asyncio.run(_python_load(port, cases, connections, seconds, total))
