"""Serving: a generated project under wrk, against a bare FastAPI endpoint (the ceiling).

    python bench/serving.py [--duration S] [--repeat N] [--framework F | --project DIR --python PY]

Without ``--project`` it generates a project (``--framework``: model_framework, sklearn by
default) in a temporary folder, installs it into a virtualenv of its own and trains its model
(about a minute).  /predict's baseline is a bare FastAPI POST that validates the same body
with the project's own schema and answers at once.  All servers run with
the same uvicorn settings: one worker, uvloop and httptools (``uvicorn[standard]``), on
loopback.  Needs wrk (Debian: ``apt-get install wrk``; ``make bench`` installs it).

The three servers (the bare app, the project, the project with batching on) run at once
and each round measures every figure once, a ratio's two sides back to back: a shared
machine that slows down for a while slows both sides of a ratio alike.  Each ratio is the
median of its rounds' ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from _common import print_table, verdict

from fastml_scaffold import new_project

PREFIX = "IRIS_SERVICE_"
FLOWER = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
# The ceiling (GET /) and the baseline of /predict: a bare POST that validates the same body
# with the project's own schema and answers at once.
BARE_APP = """
from fastapi import FastAPI

from app.schemas import PredictRequest

app = FastAPI()


@app.get("/")
async def root() -> dict[str, bool]:
    return {"ok": True}


@app.post("/validate")
async def validate(body: PredictRequest) -> dict[str, bool]:
    return {"ok": True}
"""
POST_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{body}]]
"""
# wrk's own threads and connections: two threads for two cores, as the issue measured.
THREADS, CONNECTIONS = 2, 16


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=4, help="seconds per wrk run")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of runs (medians)")
    parser.add_argument("--project", type=Path, help="a generated project, installed and trained")
    parser.add_argument("--python", type=Path, help="the Python of --project's virtualenv")
    parser.add_argument(
        "--framework", default="sklearn", help="model_framework of the generated project"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/serving.py needs wrk: apt-get install wrk (or make bench).")

    with tempfile.TemporaryDirectory(prefix="fastml-serving-") as scratch:
        work = Path(scratch)
        if args.project and args.python:
            project, python = args.project.resolve(), args.python.absolute()
        else:
            project, python = _prepare_project(work, args.framework)
        bench = Bench(project, python, work, args.duration, args.repeat)
        bench.run()


def _prepare_project(work: Path, framework: str) -> tuple[Path, Path]:
    print(f"Generating, installing and training a {framework} project...", flush=True)
    answers = {"model_framework": framework}
    project = new_project("Iris Service", output_dir=work, answers=answers).project_dir
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    python = work / "venv" / "bin" / "python"
    extra = ".[train]" if framework == "onnx" else "."  # onnx trains with skl2onnx
    _quiet([python, "-m", "pip", "install", "--quiet", extra], cwd=project)
    _quiet([python, "-m", "app.train"], cwd=project)
    return project, python


class Bench:
    def __init__(self, project: Path, python: Path, work: Path, duration: int, repeat: int):
        self.project, self.python, self.work = project, python, work
        self.duration, self.repeat = duration, repeat
        (work / "bare.py").write_text(BARE_APP)

    def run(self) -> None:
        one = self._post_script("one", [FLOWER])
        many = self._post_script("many", [FLOWER] * 64)
        batching = {f"{PREFIX}BATCHING__ENABLED": "true"}
        with (
            self._server("bare") as bare,
            self._server("app") as app,
            self._server("app", batching) as batched,
        ):
            rounds = [self._round(bare, app, batched, one, many) for _ in range(self.repeat)]
        self._report(rounds)

    def _round(self, bare: str, app: str, batched: str, one: Path, many: Path) -> dict[str, Run]:
        """Every figure once; the two sides of each ratio measured back to back."""
        return {
            "ceiling": self._wrk_once(f"{bare}/"),
            "validate1": self._wrk_once(f"{bare}/validate", one),
            "predict1": self._wrk_once(f"{app}/predict", one),
            "livez": self._wrk_once(f"{app}/livez"),
            "predict64": self._wrk_once(f"{app}/predict", many),
            "off32": self._wrk_once(f"{app}/predict", one, connections=32),
            "on32": self._wrk_once(f"{batched}/predict", one, connections=32),
            "livez_idle": self._wrk_once(f"{app}/livez", connections=1, threads=1),
            "livez_loaded": self._livez_under_load(app, one),
        }

    # -- measurements -------------------------------------------------------------------

    def _wrk_once(
        self,
        url: str,
        script: Path | None = None,
        *,
        connections: int = CONNECTIONS,
        threads: int = THREADS,
    ) -> Run:
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{self.duration}s", "--latency"]
        if script is not None:
            command += ["-s", str(script)]
        output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
        return Run.parse(output)

    def _livez_under_load(self, url: str, one: Path) -> Run:
        """/livez from one client while 32 others keep /predict saturated."""
        load = subprocess.Popen(
            ["wrk", "-t1", "-c32", f"-d{self.duration + 2}s", "-s", str(one), f"{url}/predict"],
            stdout=subprocess.DEVNULL,
        )
        try:
            time.sleep(1)  # let the load build up first
            return self._wrk_once(f"{url}/livez", connections=1, threads=1)
        finally:
            load.wait()

    # -- servers ------------------------------------------------------------------------

    @contextmanager
    def _server(self, which: str, env: dict[str, str] | None = None) -> Iterator[str]:
        port = _free_port()
        base = {**os.environ, **(env or {})}
        if which == "bare":
            command = [
                str(self.python),
                "-m",
                "uvicorn",
                "bare:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ]
            cwd = self.work
        else:
            base.update(
                {
                    f"{PREFIX}HOST": "127.0.0.1",
                    f"{PREFIX}PORT": str(port),
                    f"{PREFIX}LOG_LEVEL": "warning",
                }
            )
            command, cwd = [str(self.python), "-m", "app"], self.project
        process = subprocess.Popen(command, cwd=cwd, env=base)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url + ("/" if which == "bare" else "/readyz"), process)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)

    def _post_script(self, name: str, instances: list[dict[str, float]]) -> Path:
        path = self.work / f"{name}.lua"
        path.write_text(POST_SCRIPT.format(body=json.dumps({"instances": instances})))
        return path

    # -- report -------------------------------------------------------------------------

    def _report(self, rounds: list[dict[str, Run]]) -> None:
        def median(figure: Callable[[dict[str, Run]], float]) -> float:
            return statistics.median(figure(r) for r in rounds)

        def rps(name: str) -> Callable[[dict[str, Run]], float]:
            return lambda r: r[name].rps

        ceiling = median(rps("ceiling"))
        predict1 = median(lambda r: r["predict1"].rps / r["validate1"].rps)
        rows64 = median(lambda r: r["predict64"].rps * 64 / r["predict1"].rps)
        batching = median(lambda r: r["on32"].rps / r["off32"].rps)
        loaded = median(lambda r: r["livez_loaded"].p99_ms / r["livez_idle"].p99_ms)
        rows = [
            ["bare FastAPI GET / (ceiling)", f"{ceiling:,.0f} req/s", "1.00x", ""],
            [
                "GET /livez",
                f"{median(rps('livez')):,.0f} req/s",
                _x(median(lambda r: r["livez"].rps / r["ceiling"].rps)),
                "",
            ],
            [
                "bare POST validating the same body",
                f"{median(rps('validate1')):,.0f} req/s",
                _x(median(lambda r: r["validate1"].rps / r["ceiling"].rps)),
                "",
            ],
            [
                "POST /predict, 1 instance",
                f"{median(rps('predict1')):,.0f} req/s",
                _x(predict1) + " of the bare POST",
                verdict(predict1, at_least=0.5),
            ],
            [
                "POST /predict, 64 instances",
                f"{median(lambda r: r['predict64'].rps * 64):,.0f} rows/s",
                _x(rows64) + " of 1-instance rows/s",
                verdict(rows64, at_least=20),
            ],
            ["32 clients, batching off", f"{median(rps('off32')):,.0f} req/s", "1.00x", ""],
            [
                "32 clients, batching on",
                f"{median(rps('on32')):,.0f} req/s",
                _x(batching) + " of off",
                verdict(batching, at_least=2),
            ],
            [
                "/livez p99, idle",
                f"{median(lambda r: r['livez_idle'].p99_ms):.2f} ms",
                "1.00x",
                "",
            ],
            [
                "/livez p99, /predict saturated",
                f"{median(lambda r: r['livez_loaded'].p99_ms):.2f} ms",
                _x(loaded) + " of idle",
                verdict(loaded, at_most=3),
            ],
        ]
        print_table(
            f"Serving, wrk -t{THREADS} -c{CONNECTIONS} unless said, {self.duration} s runs, "
            f"{self.repeat} rounds; figures and ratios are medians over the rounds",
            ["what", "median", "ratio", "target"],
            rows,
        )


class Run:
    """One wrk run's requests per second and 99th-percentile latency."""

    def __init__(self, rps: float, p99_ms: float) -> None:
        self.rps, self.p99_ms = rps, p99_ms

    @classmethod
    def parse(cls, output: str) -> Run:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
        p99 = re.search(r"^\s+99%\s+([\d.]+\w+)", output, re.MULTILINE).group(1)  # type: ignore[union-attr]
        non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
        if non_2xx:
            print(f"warning: {non_2xx.group(1)} responses were not 2xx", file=sys.stderr)
        return cls(rps, _ms(p99))


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _x(ratio: float) -> str:
    return f"{ratio:.2f}x"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"The server for {url} exited with code {process.returncode}.")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{url} did not answer within 60 s.")


def _quiet(command: list[object], cwd: Path) -> None:
    subprocess.run([str(part) for part in command], cwd=cwd, check=True, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
