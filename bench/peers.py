"""Peers: the generated project against LitServe, MLServer and BentoML, same models, same files.

    python bench/peers.py [--duration S] [--rounds N] [--models pipeline,forest]
                          [--peers litserve,mlserver,bentoml] [--setups default,one,two]
                          [--json PATH]

It generates the default project, installs it into a virtualenv of its own (the scikit-learn
version it gets is pinned in every other virtualenv, so one joblib file loads everywhere) and
trains two scikit-learn estimators on iris with it:

  pipeline  StandardScaler, PolynomialFeatures, VarianceThreshold, StandardScaler,
            MinMaxScaler, LogisticRegression: about half a millisecond per predict_proba
            call, whatever the rows (it prints what it measured)
  forest    RandomForestClassifier(n_estimators=100): a few milliseconds per call

Each peer gets a virtualenv of its own under ~/.cache/fastml-bench/peers/<name>, made on the
first run (pip, by name).  Its server is a small file written here, doing what the project
does: read the JSON body, predict_proba the rows, answer label and probabilities per row
(MLServer: its stock scikit-learn runtime and Open Inference Protocol V2 JSON, probabilities
only).  Every server logs warnings only: no access logs.  Peers' telemetry is off.

Setups, by the processes each framework runs (its own knob; see the table it prints):
  default  every framework at its defaults: fastml 1 worker, LitServe 1 worker per device,
           MLServer parallel_workers=1 (its default), BentoML workers=1 (its default)
  one      as few processes as each allows: MLServer parallel_workers=0 (inference in the
           HTTP process); LitServe cannot go below an API process and an inference process
  two      two of each: fastml WORKERS=2, LitServe workers_per_device=2, MLServer
           parallel_workers=2, BentoML workers=2
A server that two setups share is started and measured once.  Every server also runs a
second time with its framework's own batching on (64 rows at most, 2 ms of waiting where the
framework has such a knob; BentoML's batching is adaptive, with its default latency budget).

Every server is started alone (the time to its first answer is its start-up time), then the
rounds: each round measures every server once per cell with wrk, back to back, while every
other server is frozen (SIGSTOP on its whole process tree), so idle servers' threads do not
steal the CPU.  Ratios are taken within a round, and reported as medians over the rounds.
Needs wrk (Debian: apt-get install wrk).  About 15 minutes with the defaults on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import print_table, verdict

from fastml_scaffold import new_project

CACHE = Path.home() / ".cache" / "fastml-bench" / "peers"
MODELS = ("pipeline", "forest")
LABELS = ["setosa", "versicolor", "virginica"]
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
FLOWER = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
MANY = 64  # instances in the "many" requests
THREADS, CONNECTIONS = 2, 16  # wrk's threads and clients, as bench/serving.py
BATCH_ROWS, BATCH_WAIT_S = 64, 0.002  # the project's batching defaults, given to every peer
PREFIX = "IRIS_SERVICE_"
QUIET = {
    "BENTOML_DO_NOT_TRACK": "True",  # BentoML's usage statistics off
    "DO_NOT_TRACK": "1",  # the common convention, for whatever else reads it
    "PYTHONWARNINGS": "ignore",
}
PEERS: dict[str, list[str]] = {  # what pip installs for each, besides scikit-learn and joblib
    "litserve": ["litserve"],
    # MLServer 1.7.1's workers do not start with uvloop 0.22 or later.
    "mlserver": ["mlserver==1.7.1", "mlserver-sklearn==1.7.1", "uvloop<0.22"],
    "bentoml": ["bentoml"],
}
SETUPS: dict[str, dict[str, int]] = {  # setup -> framework -> its own process knob
    "default": {"fastml": 1, "litserve": 1, "mlserver": 1, "bentoml": 1},
    "one": {"fastml": 1, "litserve": 1, "mlserver": 0, "bentoml": 1},
    "two": {"fastml": 2, "litserve": 2, "mlserver": 2, "bentoml": 2},
}
KNOB = {
    "fastml": "WORKERS",
    "litserve": "workers_per_device",
    "mlserver": "parallel_workers",
    "bentoml": "workers",
}

# -- what the helper virtualenvs run ------------------------------------------------------

TRAIN = """
import json, sys, time, statistics
import joblib, numpy as np
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import VarianceThreshold
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, PolynomialFeatures, StandardScaler

out, flower = sys.argv[1], json.loads(sys.argv[2])
iris = load_iris()  # columns: sepal length, sepal width, petal length, petal width
x, y = np.asarray(iris.data, dtype=np.float64), iris.target
estimators = {
    "pipeline": make_pipeline(
        StandardScaler(), PolynomialFeatures(2), VarianceThreshold(), StandardScaler(),
        MinMaxScaler(), LogisticRegression(max_iter=1000),
    ),
    "forest": RandomForestClassifier(n_estimators=100, random_state=0),
}


def cost_ms(estimator, rows):
    for _ in range(20):
        estimator.predict_proba(rows)
    runs = []
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(50):
            estimator.predict_proba(rows)
        runs.append((time.perf_counter() - started) / 50 * 1000)
    return statistics.median(runs)


report = {}
for name, estimator in estimators.items():
    estimator.fit(x, y)
    labels = [str(label) for label in iris.target_names]
    joblib.dump(
        {"estimator": estimator, "labels": labels,
         "features": ["sepal_length", "sepal_width", "petal_length", "petal_width"],
         "version": "peers-" + name},
        f"{out}/{name}.joblib",
    )
    joblib.dump(estimator, f"{out}/{name}-bare.joblib")  # what MLServer's runtime loads
    row = np.asarray([list(flower.values())], dtype=np.float64)
    report[name] = {
        "steps": [type(step).__name__ for _, step in getattr(estimator, "steps", [(0, estimator)])],
        "ms_1_row": cost_ms(estimator, row),
        "ms_64_rows": cost_ms(estimator, np.repeat(row, 64, axis=0)),
        "expected": estimator.predict_proba(row)[0].tolist(),
    }
print(json.dumps(report))
"""

VERSIONS = """
import json, sys
from importlib.metadata import version
print(json.dumps({name: version(name) for name in sys.argv[1:]}))
"""

LITSERVE_SERVICE = """
import os

import joblib
import litserve as ls
import numpy as np

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
BATCHING = os.environ["PEER_BATCHING"] == "1"


class IrisAPI(ls.LitAPI):
    def setup(self, device):
        artifact = joblib.load(os.environ["PEER_MODEL"])
        self.estimator, self.labels = artifact["estimator"], artifact["labels"]

    def decode_request(self, request):
        return [[row[name] for name in FEATURES] for row in request["instances"]]

    def predict(self, rows):
        if not BATCHING:
            return self._probabilities(rows)
        # A batch is a list of requests, each a list of rows: one model call for them all.
        probabilities = self._probabilities([row for request in rows for row in request])
        answers, start = [], 0
        for request in rows:
            answers.append(probabilities[start : start + len(request)])
            start += len(request)
        return answers

    def encode_response(self, probabilities):
        return {
            "predictions": [
                {"label": self.labels[p.index(max(p))], "probabilities": dict(zip(self.labels, p))}
                for p in probabilities
            ],
            "model_version": "litserve",
        }

    def _probabilities(self, rows):
        return self.estimator.predict_proba(np.asarray(rows, dtype=np.float64)).tolist()


if __name__ == "__main__":
    api = IrisAPI(
        max_batch_size={batch_rows} if BATCHING else 1,
        batch_timeout={batch_wait} if BATCHING else 0.0,
    )
    server = ls.LitServer(api, workers_per_device=int(os.environ["PEER_WORKERS"]))
    server.run(
        host="127.0.0.1",
        port=int(os.environ["PEER_PORT"]),
        log_level="warning",
        generate_client_file=False,
    )
""".replace("{batch_rows}", str(BATCH_ROWS)).replace("{batch_wait}", str(BATCH_WAIT_S))

BENTOML_SERVICE = """
import os
from typing import Any

import bentoml
import joblib
import numpy as np
from pydantic import BaseModel

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
BATCHING = os.environ["PEER_BATCHING"] == "1"


class Flower(BaseModel):
    sepal_length: float
    sepal_width: float
    petal_length: float
    petal_width: float


@bentoml.service(
    workers=int(os.environ["PEER_WORKERS"]), logging={"access": {"enabled": False}}
)
class Iris:
    def __init__(self) -> None:
        artifact = joblib.load(os.environ["PEER_MODEL"])
        self.estimator, self.labels = artifact["estimator"], artifact["labels"]

    def _predictions(self, instances: list[Flower]) -> list[dict[str, Any]]:
        rows = np.asarray(
            [[getattr(flower, name) for name in FEATURES] for flower in instances],
            dtype=np.float64,
        )
        return [
            {"label": self.labels[p.index(max(p))], "probabilities": dict(zip(self.labels, p))}
            for p in self.estimator.predict_proba(rows).tolist()
        ]

    if BATCHING:
        # The batch is every waiting request's instances, one after the other.
        @bentoml.api(route="/predict", batchable=True, max_batch_size={batch_rows})
        def predict(self, instances: list[Flower]) -> list[dict[str, Any]]:
            return self._predictions(instances)

    else:

        @bentoml.api(route="/predict")
        def predict(self, instances: list[Flower]) -> dict[str, Any]:
            return {"predictions": self._predictions(instances), "model_version": "bentoml"}
""".replace("{batch_rows}", str(BATCH_ROWS))

NOTES = """
Processes: fastml runs uvicorn, one process; WORKERS=n adds uvicorn's supervisor and
multiprocessing's resource tracker.  LitServe runs its main process, a multiprocessing
manager, workers_per_device inference workers, as many API-server processes and a resource
tracker.  MLServer runs one process for HTTP, gRPC and metrics, parallel_workers inference
processes and, with any, a resource tracker (0: inference in the HTTP process).  BentoML
runs its arbiter and `workers` worker processes.  MLServer answers Open Inference Protocol
V2 JSON, the probabilities alone; the others answer a label and probabilities per row.
"""

POST_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{body}]]
"""


# -- the frameworks -------------------------------------------------------------------------


@dataclass
class Launch:
    """How to start one server, and how to talk to it."""

    command: list[str]
    env: dict[str, str]
    cwd: Path
    path: str  # of the predict endpoint
    body: Callable[[list[dict[str, float]]], str]
    probabilities: Callable[[Any], list[list[float]]]  # rows of the answer, in LABELS order


def _instances_body(rows: list[dict[str, float]]) -> str:
    return json.dumps({"instances": rows})


def _v2_body(rows: list[dict[str, float]]) -> str:
    data = [row[name] for row in rows for name in FEATURES]
    tensor = {"name": "input-0", "shape": [len(rows), 4], "datatype": "FP32", "data": data}
    return json.dumps({"inputs": [tensor]})


def _rows_of_predictions(answer: Any) -> list[list[float]]:
    predictions = answer["predictions"] if isinstance(answer, dict) else answer
    return [[p["probabilities"][label] for label in LABELS] for p in predictions]


def _rows_of_v2(answer: Any) -> list[list[float]]:
    output = answer["outputs"][0]
    n, width = output["shape"]
    return [output["data"][i * width : (i + 1) * width] for i in range(n)]


class Frameworks:
    """Writes each framework's server files into ``work`` and says how to start them."""

    def __init__(self, work: Path, project: Path, pythons: dict[str, Path]) -> None:
        self.work, self.project, self.pythons = work, project, pythons
        (work / "litserve_service.py").write_text(LITSERVE_SERVICE)
        (work / "bentoml_service").mkdir(exist_ok=True)
        (work / "bentoml_service" / "service.py").write_text(BENTOML_SERVICE)

    def launch(self, framework: str, model: str, knob: int, batching: bool, port: int) -> Launch:
        artifact = self.work / "models" / f"{model}.joblib"
        base = {**os.environ, **QUIET}
        python = str(self.pythons[framework])
        if framework == "fastml":
            env = {
                f"{PREFIX}HOST": "127.0.0.1",
                f"{PREFIX}PORT": str(port),
                f"{PREFIX}LOG_LEVEL": "warning",
                f"{PREFIX}WORKERS": str(knob),
                f"{PREFIX}MODEL_PATH": str(artifact),
                f"{PREFIX}BATCHING__ENABLED": "true" if batching else "false",
            }
            command = [python, "-m", "app"]
            return Launch(
                command,
                {**base, **env},
                self.project,
                "/predict",
                _instances_body,
                _rows_of_predictions,
            )
        peer_env = {
            "PEER_MODEL": str(artifact),
            "PEER_PORT": str(port),
            "PEER_WORKERS": str(knob),
            "PEER_BATCHING": "1" if batching else "0",
        }
        if framework == "litserve":
            command = [python, str(self.work / "litserve_service.py")]
            return Launch(
                command,
                {**base, **peer_env},
                self.work,
                "/predict",
                _instances_body,
                _rows_of_predictions,
            )
        if framework == "bentoml":
            bentoml = str(Path(python).parent / "bentoml")
            command = [bentoml, "serve", "service:Iris", "--host", "127.0.0.1", "--port", str(port)]
            env = {**base, **peer_env, "BENTOML_HOME": str(self.work / "bentoml_home")}
            return Launch(
                command,
                env,
                self.work / "bentoml_service",
                "/predict",
                _instances_body,
                _rows_of_predictions,
            )
        if framework == "mlserver":
            folder = self._mlserver_folder(model, knob, batching, port)
            command = [str(Path(python).parent / "mlserver"), "start", str(folder)]
            return Launch(command, base, folder, "/v2/models/iris/infer", _v2_body, _rows_of_v2)
        raise ValueError(framework)

    def _mlserver_folder(self, model: str, knob: int, batching: bool, port: int) -> Path:
        folder = self.work / f"mlserver-{model}-{knob}-{'on' if batching else 'off'}"
        (folder / "iris").mkdir(parents=True, exist_ok=True)
        settings = {
            "host": "127.0.0.1",
            "http_port": port,
            "grpc_port": _free_port(),
            "metrics_port": _free_port(),
            "parallel_workers": knob,
            "debug": False,  # its default, True, logs every request
        }
        model_settings: dict[str, Any] = {
            "name": "iris",
            "implementation": "mlserver_sklearn.SKLearnModel",
            "parameters": {
                "uri": str(self.work / "models" / f"{model}-bare.joblib"),
                "extra": {"predict_fn": "predict_proba"},
            },
        }
        if batching:
            model_settings.update(max_batch_size=BATCH_ROWS, max_batch_time=BATCH_WAIT_S)
        (folder / "settings.json").write_text(json.dumps(settings, indent=2))
        (folder / "iris" / "model-settings.json").write_text(json.dumps(model_settings, indent=2))
        return folder


# -- servers --------------------------------------------------------------------------------


@dataclass
class Server:
    framework: str
    model: str
    knob: int
    batching: bool
    launch: Launch
    url: str
    log: Path
    process: subprocess.Popen[bytes] | None = None
    startup_s: float = 0.0
    processes: int = 0
    commands: list[str] = field(default_factory=list)  # each process's command line, cut short
    scripts: dict[str, Path] = field(default_factory=dict)
    died: bool = False

    @property
    def name(self) -> str:
        return f"{self.framework}/{self.knob}{' +batch' if self.batching else ''}"

    @property
    def variant(self) -> str:
        return f"{self.framework}/{self.knob}"


def _start(server: Server) -> None:
    """Start alone (every other server frozen) and time it to its first right answer."""
    launch = server.launch
    started = time.perf_counter()
    with server.log.open("wb") as log:
        server.process = subprocess.Popen(
            launch.command,
            cwd=launch.cwd,
            env=launch.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: frozen and killed as one
        )
    deadline = time.monotonic() + 180
    body = launch.body([FLOWER]).encode()
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            sys.exit(f"{server.name} ({server.model}) exited at start-up:\n{_tail(server.log)}")
        with suppress(OSError, ValueError):
            if _post(server.url + launch.path, body) is not None:
                server.startup_s = time.perf_counter() - started
                pids = _tree(server.process.pid)
                server.processes, server.commands = len(pids), [_command(pid) for pid in pids]
                return
        time.sleep(0.05)
    sys.exit(f"{server.name} ({server.model}) did not answer within 180 s:\n{_tail(server.log)}")


def _has_died(server: Server, label: str) -> bool:
    """Whether the server is gone; said loudly, with its log's end, the first time."""
    if server.died:
        return True
    assert server.process is not None
    if server.process.poll() is None and _tree(server.process.pid):
        return False
    server.died = True
    code = server.process.poll()
    _problem(f"{label}: the server died (exit {code}); its log ends:\n{_tail(server.log)}")
    return True


def _post(url: str, body: bytes, timeout: float = 2.0) -> Any:
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read()) if response.status == 200 else None


def _check(server: Server, expected: list[float]) -> None:
    """Every server must give the same probabilities (MLServer: to FP32 precision)."""
    for rows in (1, MANY):
        answer = _post(
            server.url + server.launch.path, server.launch.body([FLOWER] * rows).encode()
        )
        got = server.launch.probabilities(answer)
        if len(got) != rows or any(
            abs(a - b) > 1e-3 for row in got for a, b in zip(row, expected, strict=True)
        ):
            sys.exit(f"{server.name} ({server.model}) answers {got[:1]}, expected {expected}.")


def _tree(root: int) -> list[int]:
    """The live processes of a server: its process group and every descendant."""
    parents: dict[int, int] = {}
    members: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, ppid, pgrp = stat[stat.rindex(")") + 2 :].split()[:3]
        if state in ("Z", "X"):
            continue
        pid = int(entry.name)
        parents[pid] = int(ppid)
        if int(pgrp) == root:
            members.add(pid)
    for pid in parents:
        ancestor = pid
        while ancestor > 1 and ancestor not in members and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        if ancestor == root or ancestor in members:
            members.add(pid)
    return sorted(members)


def _command(pid: int) -> str:
    with suppress(OSError):
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        return " ".join(
            Path(w.decode()).name if i == 0 else w.decode() for i, w in enumerate(words)
        )[:100]
    return "?"


def _signal(server: Server, signum: int) -> None:
    if server.process is None or server.died:
        return
    for pid in _tree(server.process.pid):
        with suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def _stop(server: Server) -> None:
    if server.process is None or server.process.poll() is not None:
        return
    pids = _tree(server.process.pid)
    for signum in (signal.SIGCONT, signal.SIGTERM):
        for pid in pids:
            with suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signum)
    with suppress(subprocess.TimeoutExpired):
        server.process.wait(timeout=15)
    for pid in [*pids, *_tree(server.process.pid)]:
        with suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        server.process.wait(timeout=5)


@contextmanager
def _thawed(server: Server) -> Iterator[None]:
    _signal(server, signal.SIGCONT)
    try:
        yield
    finally:
        _signal(server, signal.SIGSTOP)


def _memory_mb(server: Server) -> tuple[float | None, float | None]:
    """RSS and PSS summed over the server's processes (PSS shares pages out fairly)."""
    rss = pss = 0
    assert server.process is not None
    for pid in _tree(server.process.pid):
        with suppress(OSError):
            status = Path(f"/proc/{pid}/status").read_text()
            rss += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            pss += int(re.search(r"Pss:\s+(\d+)", rollup).group(1))  # type: ignore[union-attr]
    return rss / 1024, pss / 1024


# -- wrk ----------------------------------------------------------------------------------


@dataclass
class Run:
    rps: float  # answers per second, whatever their status (wrk's figure)
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    errors: int

    @property
    def ok_rps(self) -> float:
        """Answers per second that were 2xx."""
        return self.rps * (1 - self.non_2xx / self.requests) if self.requests else 0.0


PROBLEMS: list[str] = []  # said again at the end, so that no one misses them


def _problem(text: str) -> None:
    PROBLEMS.append(text)
    print(f"\n!!! WARNING: {text} !!!\n", file=sys.stderr, flush=True)


def _wrk(url: str, script: Path, connections: int, duration: float, label: str) -> Run | None:
    """One wrk run; None (and a problem said) if wrk could not run it."""
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{connections}",
        f"-d{duration:g}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    except subprocess.TimeoutExpired:
        _problem(f"{label}: wrk did not finish within {duration + 60:g} s")
        return None
    output = done.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+([\d.]+\w+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+([\d.]+\w+)", output, re.MULTILINE)
    if done.returncode != 0 or not (rps and p50 and p99):
        said = (done.stderr.strip() or output.strip() or "no output").splitlines()[-1]
        _problem(f"{label}: wrk failed (exit {done.returncode}): {said}")
        return None
    requests = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    run = Run(
        float(rps.group(1)),
        _ms(p50.group(1)),
        _ms(p99.group(1)),
        int(requests.group(1)) if requests else 0,
        int(non_2xx.group(1)) if non_2xx else 0,
        sum(int(n) for n in re.findall(r"\d+", errors.group(0))) if errors else 0,
    )
    if run.non_2xx:
        _problem(f"{label}: {run.non_2xx} of {run.requests} answers were not 2xx")
    if errors:
        _problem(f"{label}: {errors.group(0)}")
    return run


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


# cell -> (on the batching server?, instances per request, clients)
CELLS: dict[str, tuple[bool, int, int]] = {
    "one16": (False, 1, 16),
    "many16": (False, MANY, 16),
    "one32": (False, 1, 32),
    "on16": (True, 1, 16),
    "on32": (True, 1, 32),
}
# figure -> (cell, what, higher is better, short name for the per-round tables)
FIGURES: dict[str, tuple[str, str, bool, str]] = {
    "1 instance, req/s": ("one16", "rps", True, "1x16 req/s"),
    "1 instance, p50": ("one16", "p50_ms", False, "1x16 p50"),
    "1 instance, p99": ("one16", "p99_ms", False, "1x16 p99"),
    f"{MANY} instances, rows/s": ("many16", "rows", True, f"{MANY}x16 rows/s"),
    f"{MANY} instances, p50": ("many16", "p50_ms", False, f"{MANY}x16 p50"),
    f"{MANY} instances, p99": ("many16", "p99_ms", False, f"{MANY}x16 p99"),
    "32 clients, batching off, req/s": ("one32", "rps", True, "1x32 off req/s"),
    "16 clients, batching on, req/s": ("on16", "rps", True, "1x16 on req/s"),
    "32 clients, batching on, req/s": ("on32", "rps", True, "1x32 on req/s"),
}


def _figure(run: Run | None, what: str) -> float | None:
    """One figure of a run; None if the run has no good answer (or never ran)."""
    if run is None or run.ok_rps <= 0:
        return None
    if what == "rps":
        return run.ok_rps
    return run.ok_rps * MANY if what == "rows" else float(getattr(run, what))


def _median(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


# -- the bench ------------------------------------------------------------------------------

Round = dict[str, dict[str, Run]]  # variant -> cell -> run


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path, frameworks: Frameworks) -> None:
        self.args, self.work, self.frameworks = args, work, frameworks
        self.variants = sorted(
            {(fw, knob) for setup in args.setups for fw, knob in SETUPS[setup].items()},
            key=lambda v: (["fastml", *PEERS].index(v[0]), v[1]),
        )
        self.variants = [v for v in self.variants if v[0] == "fastml" or v[0] in args.peers]

    def run_model(self, model: str, expected: list[float]) -> dict[str, Any]:
        print(
            f"\n=== {model}: starting {2 * len(self.variants)} servers, one at a time", flush=True
        )
        with ExitStack() as stack:
            servers: list[Server] = []
            for framework, knob in self.variants:
                for batching in (False, True):
                    server = self._server(framework, model, knob, batching)
                    stack.callback(_stop, server)
                    _start(server)
                    _check(server, expected)
                    _signal(server, signal.SIGSTOP)
                    servers.append(server)
                    print(
                        f"  {server.name:<22} {server.processes} processes, "
                        f"first answer after {server.startup_s:.1f} s",
                        flush=True,
                    )
            self._warm_up(servers)
            rounds = []
            for number in range(self.args.rounds):
                rounds.append(self._round(servers, number))
                self._print_round(model, number, rounds[-1])
            memory = {s.name: (None, None) if s.died else _memory_mb(s) for s in servers}
        return {
            "servers": {
                s.name: {
                    "framework": s.framework,
                    "knob": f"{KNOB[s.framework]}={s.knob}",
                    "batching": s.batching,
                    "processes": s.processes,
                    "commands": s.commands,
                    "startup_s": s.startup_s,
                    "rss_mb": memory[s.name][0],
                    "pss_mb": memory[s.name][1],
                    "died": s.died,
                }
                for s in servers
            },
            "rounds": [
                {v: {c: run.__dict__ for c, run in cells.items()} for v, cells in r.items()}
                for r in rounds
            ],
            "_rounds": rounds,
        }

    def _server(self, framework: str, model: str, knob: int, batching: bool) -> Server:
        port = _free_port()
        launch = self.frameworks.launch(framework, model, knob, batching, port)
        server = Server(
            framework,
            model,
            knob,
            batching,
            launch,
            f"http://127.0.0.1:{port}",
            self.work / f"log-{model}-{framework}-{knob}-{int(batching)}.txt",
        )
        for rows in (1, MANY):
            script = self.work / f"{framework}-{rows}.lua"
            script.write_text(POST_SCRIPT.format(body=launch.body([FLOWER] * rows)))
            server.scripts[str(rows)] = script
        return server

    def _warm_up(self, servers: list[Server]) -> None:
        print("  warming up...", flush=True)
        for server in servers:
            self._measure(server, "warm-up", 1, CONNECTIONS, 1)

    def _measure(
        self, server: Server, cell: str, rows: int, clients: int, duration: float
    ) -> Run | None:
        """One wrk run against the server alone; None once it has died."""
        label = f"{server.name} ({server.model}), {cell}"
        if _has_died(server, label):
            return None
        with _thawed(server):
            run = _wrk(
                server.url + server.launch.path, server.scripts[str(rows)], clients, duration, label
            )
        _has_died(server, label)
        return run

    def _round(self, servers: list[Server], number: int) -> Round:
        """Every cell once for every server, a cell's servers back to back."""
        by_variant: Round = {f"{fw}/{knob}": {} for fw, knob in self.variants}
        shift = number % len(servers)
        order = servers[shift:] + servers[:shift]  # who goes first changes every round
        for cell, (batching, rows, clients) in CELLS.items():
            for server in order:
                if server.batching != batching:
                    continue
                run = self._measure(server, cell, rows, clients, self.args.duration)
                if run is not None:
                    by_variant[server.variant][cell] = run
        return by_variant

    def _print_round(self, model: str, number: int, measured: Round) -> None:
        rows = [
            [
                variant,
                *(_show(_figure(cells.get(c), what), what) for c, what, _, _ in FIGURES.values()),
            ]
            for variant, cells in measured.items()
        ]
        print_table(
            f"{model}, round {number + 1} of {self.args.rounds} (instances x clients; "
            "'on': the same server with batching on)",
            ["server", *(short for *_, short in FIGURES.values())],
            rows,
        )


def _show(value: float | None, what: str) -> str:
    if value is None:
        return "failed"
    return f"{value:.2f} ms" if what.endswith("_ms") else f"{value:,.0f}"


# -- the report -----------------------------------------------------------------------------


def _report(args: argparse.Namespace, results: dict[str, Any]) -> list[dict[str, Any]]:
    _print_servers(results)
    print("\n" + NOTES.strip())
    for model in args.models:
        _print_medians(model, results["models"][model]["_rounds"])
    verdicts: list[dict[str, Any]] = []
    rows: list[list[str]] = []
    for model in args.models:
        rounds: list[Round] = results["models"][model]["_rounds"]
        for setup in args.setups:
            fastml = f"fastml/{SETUPS[setup]['fastml']}"
            peers = [f"{p}/{SETUPS[setup][p]}" for p in args.peers]
            for figure, (cell, what, higher, _) in FIGURES.items():
                entry = _compare(rounds, fastml, peers, cell, what, higher)
                entry.update(model=model, setup=setup, figure=figure, target=">= 1.0x")
                entry["verdict"] = (
                    "n/a: no peer answered"
                    if math.isnan(entry["ratio"])
                    else verdict(entry["ratio"], at_least=1.0)
                )
                verdicts.append(entry)
                rows.append(
                    [
                        model,
                        setup,
                        figure,
                        _show(entry["fastml"], what),
                        f"{_show(entry['best_peer'], what)} {entry['best_peer_name']}",
                        _x(entry["ratio"]),
                        entry["verdict"],
                    ]
                )
    print_table(
        "fastml / best peer, per cell: medians over the rounds of each round's ratio "
        "(latency: the best peer's over fastml's, so above 1 is fastml faster)",
        ["model", "setup", "figure", "fastml", "best peer", "ratio", "verdict (>= 1.0x)"],
        rows,
    )
    own = _own_targets(args, results)
    verdicts.extend(own)
    print_table(
        "fastml's own targets: medians over the rounds of each round's ratio",
        ["model", "fastml", "what", "ratio", "verdict"],
        [[e["model"], e["server"], e["figure"], _x(e["ratio"]), e["verdict"]] for e in own],
    )
    return verdicts


def _x(ratio: float) -> str:
    return "n/a" if math.isnan(ratio) else f"{ratio:.2f}x"


def _print_medians(model: str, rounds: list[Round]) -> None:
    rows = [
        [
            variant,
            *(
                _show(_median(_figure(r[variant].get(c), what) for r in rounds), what)
                for c, what, _, _ in FIGURES.values()
            ),
        ]
        for variant in rounds[0]
    ]
    print_table(
        f"{model}: medians over {len(rounds)} rounds (instances x clients)",
        ["server", *(short for *_, short in FIGURES.values())],
        rows,
    )


def _compare(
    rounds: list[Round], fastml: str, peers: list[str], cell: str, what: str, higher: bool
) -> dict[str, Any]:
    """fastml against the best peer of each round; a round fastml failed counts as 0."""
    ratios, best_names = [], []
    for measured in rounds:
        ours = _figure(measured[fastml].get(cell), what)
        theirs = {
            p: value for p in peers if (value := _figure(measured[p].get(cell), what)) is not None
        }
        if not theirs:
            continue  # every peer failed: nothing to compare with
        pick = max if higher else min
        best = pick(theirs, key=theirs.__getitem__)
        best_names.append(best)
        if ours is None:
            ratios.append(0.0)
        else:
            ratios.append(ours / theirs[best] if higher else theirs[best] / ours)
    medians = {p: _median(_figure(r[p].get(cell), what) for r in rounds) for p in [fastml, *peers]}
    best_peer = max(set(best_names), key=best_names.count) if best_names else None
    return {
        "fastml": medians[fastml],
        "best_peer": medians[best_peer] if best_peer else None,
        "best_peer_name": best_peer or "none",
        "peers": {p: medians[p] for p in peers},
        "ratio": statistics.median(ratios) if ratios else math.nan,
        "ratios": ratios,
    }


def _own_targets(args: argparse.Namespace, results: dict[str, Any]) -> list[dict[str, Any]]:
    entries = []
    knobs = sorted({SETUPS[setup]["fastml"] for setup in args.setups})
    for model in args.models:
        rounds: list[Round] = results["models"][model]["_rounds"]
        for knob in knobs:
            name = f"fastml/{knob}"
            for figure, ratio, target in OWN_TARGETS:
                value = _median(ratio(measured[name]) for measured in rounds)
                entries.append(
                    {
                        "model": model,
                        "server": name,
                        "figure": figure,
                        "ratio": math.nan if value is None else value,
                        "verdict": "n/a: failed" if value is None else verdict(value, **target),
                    }
                )
    return entries


def _ratio(cells: dict[str, Run], top: tuple[str, str], bottom: tuple[str, str]) -> float | None:
    a, b = _figure(cells.get(top[0]), top[1]), _figure(cells.get(bottom[0]), bottom[1])
    return None if a is None or not b else a / b


# fastml's own figures: (what, ratio of one round's cells, target)
OWN_TARGETS: list[tuple[str, Callable[[dict[str, Run]], float | None], dict[str, float]]] = [
    (
        "32 clients: batching on / off",
        lambda c: _ratio(c, ("on32", "rps"), ("one32", "rps")),
        {"at_least": 2.0},
    ),
    (
        "16 clients: batching on / off",
        lambda c: _ratio(c, ("on16", "rps"), ("one16", "rps")),
        {"at_least": 0.9},
    ),
    (
        "32 clients: batching on / off",
        lambda c: _ratio(c, ("on32", "rps"), ("one32", "rps")),
        {"at_least": 0.9},
    ),
    (
        f"{MANY} instances: p99 / p50",
        lambda c: _ratio(c, ("many16", "p99_ms"), ("many16", "p50_ms")),
        {"at_most": 3.0},
    ),
]


def _print_servers(results: dict[str, Any]) -> None:
    rows = []
    for model, measured in results["models"].items():
        for name, s in measured["servers"].items():
            rows.append(
                [
                    model,
                    name,
                    s["knob"],
                    str(s["processes"]),
                    f"{s['startup_s']:.1f} s",
                    "died" if s["died"] else f"{s['rss_mb']:.0f} MB",
                    "died" if s["died"] else f"{s['pss_mb']:.0f} MB",
                ]
            )
    print_table(
        "Servers: processes, start to first answer (alone), memory after the runs "
        "(summed over processes; RSS counts shared pages in each)",
        ["model", "server", "setting", "processes", "start-up", "RSS", "PSS"],
        rows,
    )


# -- setting up -----------------------------------------------------------------------------


def _prepare_fastml(work: Path) -> tuple[Path, Path]:
    print("Generating the default project and installing it...", flush=True)
    project = new_project("Iris Service", output_dir=work).project_dir
    python = _venv(work / "fastml-venv")
    _pip(python, ["-e", str(project)], "the generated project")
    return project, python


def _venv(folder: Path) -> Path:
    if not (folder / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    return folder / "bin" / "python"


def _pip(python: Path, requirements: list[str], what: str) -> None:
    done = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *requirements,
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
        sys.exit(f"bench/peers.py: could not install {what} ({' '.join(requirements)}): {last}")


def _peer_python(name: str, sklearn: str) -> Path:
    """The peer's own virtualenv, made (or brought to this scikit-learn) when needed."""
    folder = CACHE / name
    requirements = [*PEERS[name], f"scikit-learn=={sklearn}", "joblib"]
    stamp = folder / ".fastml-bench-requirements"
    python = _venv(folder)
    if not stamp.exists() or stamp.read_text() != "\n".join(requirements):
        print(f"Installing {name} into {folder} (once)...", flush=True)
        _pip(python, requirements, name)
        stamp.write_text("\n".join(requirements))
    return python


def _versions(python: Path, names: list[str]) -> dict[str, str]:
    output = subprocess.run(
        [str(python), "-c", VERSIONS, *names], check=True, capture_output=True, text=True
    ).stdout
    versions: dict[str, str] = json.loads(output)
    return versions


def _train(python: Path, work: Path) -> dict[str, Any]:
    (work / "models").mkdir(exist_ok=True)
    output = subprocess.run(
        [str(python), "-c", TRAIN, str(work / "models"), json.dumps(FLOWER)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    report: dict[str, Any] = json.loads(output)
    for name, model in report.items():
        print(
            f"  {name}: {' + '.join(model['steps'])}: predict_proba "
            f"{model['ms_1_row']:.2f} ms on 1 row, {model['ms_64_rows']:.2f} ms on 64 rows",
            flush=True,
        )
    return report


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(log: Path, lines: int = 15) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _names(text: str, allowed: tuple[str, ...] | list[str]) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose among {', '.join(allowed)}")
    return names


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=2, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of runs (medians)")
    parser.add_argument("--models", type=lambda t: _names(t, MODELS), default=list(MODELS))
    parser.add_argument("--peers", type=lambda t: _names(t, list(PEERS)), default=list(PEERS))
    parser.add_argument("--setups", type=lambda t: _names(t, list(SETUPS)), default=list(SETUPS))
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/peers.py needs wrk: apt-get install wrk (or make bench).")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench/peers.py: terminated"))
    began = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="fastml-peers-") as scratch:
        work = Path(scratch)
        project, fastml_python = _prepare_fastml(work)
        sklearn = _versions(fastml_python, ["scikit-learn"])["scikit-learn"]
        pythons = {"fastml": fastml_python}
        versions = {
            "fastml project": _versions(
                fastml_python, ["scikit-learn", "numpy", "fastapi", "uvicorn"]
            )
        }
        for peer in args.peers:
            pythons[peer] = _peer_python(peer, sklearn)
            packages = [p.split("=")[0].split("<")[0] for p in PEERS[peer]]
            versions[peer] = _versions(pythons[peer], [*packages, "scikit-learn", "numpy"])
        print(
            "Versions: "
            + "; ".join(
                f"{who}: " + ", ".join(f"{n} {v}" for n, v in found.items())
                for who, found in versions.items()
            )
        )
        print(f"Training on iris (scikit-learn {sklearn}); one predict_proba call costs:")
        trained = _train(fastml_python, work)
        frameworks = Frameworks(work, project, pythons)
        bench = Bench(args, work, frameworks)
        results: dict[str, Any] = {
            "settings": {k: v for k, v in vars(args).items() if k != "json"},
            "versions": versions,
            "models_trained": trained,
            "setups": {s: SETUPS[s] for s in args.setups},
            "models": {},
        }
        for model in args.models:
            results["models"][model] = bench.run_model(model, trained[model]["expected"])
        results["verdicts"] = _report(args, results)
        if PROBLEMS:
            print(
                f"\n!!! {len(PROBLEMS)} PROBLEMS (see above): every figure they touch is suspect:"
            )
            for text in PROBLEMS:
                print(f"  - {text.splitlines()[0]}")
        results["problems"] = PROBLEMS
        print(f"\nTook {(time.monotonic() - began) / 60:.1f} minutes.")
        if args.json:
            for measured in results["models"].values():
                measured.pop("_rounds")
            args.json.write_text(json.dumps(results, indent=2, default=str))
            print(f"Wrote {args.json}")


if __name__ == "__main__":
    main()
