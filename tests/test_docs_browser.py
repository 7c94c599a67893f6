"""/docs and /redoc of a real generated server, opened in headless Chromium with every other
host unreachable, as on a machine without internet access.

The DOM after the pages' scripts ran must list the API's operations, and no request the
pages made may have left for another host (Chromium's net log says which requests a page
started; the browser's own update checks are not the page's).  Screenshots are kept in
build/test-artifacts/.  scripts/install-browser.sh installs Debian's chromium (CI runs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support import run, running_app

from fastml_scaffold import new_project

pytestmark = [pytest.mark.template, pytest.mark.browser]

ARTIFACTS = Path(__file__).resolve().parents[1] / "build" / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Every host but this machine's loopback is unreachable, as offline.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--virtual-time-budget=15000",  # let the pages' scripts fetch and render the schema
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("no chromium here: bash scripts/install-browser.sh installs it")
    return found


@pytest.fixture(scope="module")
def auth_project(tmp_path_factory: pytest.TempPathFactory, project_python: Path) -> Path:
    """A project with API keys, installed beside the default one (the same libraries)."""
    output = tmp_path_factory.mktemp("auth")
    made = new_project("Keyed Service", output_dir=output, answers={"auth": "api_key"})
    run([project_python, "-m", "pip", "install", "--quiet", "-e", "."], cwd=made.project_dir)
    return made.project_dir


def _serve(project: Path, python: Path, log: Path) -> Iterator[str]:
    # /livez: the docs need no model.  API_KEYS: needed by the auth project, ignored else.
    with running_app(project, python, log, until="/livez", env=_KEY) as url:
        yield url


_KEY = {"KEYED_SERVICE_API_KEYS": "a-key"}


@pytest.fixture(scope="module")
def served(
    project: Path, project_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    yield from _serve(project, project_python, tmp_path_factory.mktemp("log") / "server.log")


@pytest.fixture(scope="module")
def served_with_keys(
    auth_project: Path, project_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    yield from _serve(auth_project, project_python, tmp_path_factory.mktemp("log") / "server.log")


def _open(url: str, work: Path, name: str) -> tuple[str, list[str]]:
    """The DOM of ``url`` after its scripts ran, and the URLs of the requests it started;
    a screenshot goes to build/test-artifacts/<name>.png."""
    chromium = _chromium()
    net_log = work / f"{name}-net.json"
    dom = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={work / f'{name}-profile-dom'}",
            f"--log-net-log={net_log}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={work / f'{name}-profile-shot'}",
            "--window-size=1280,1600",
            f"--screenshot={ARTIFACTS / f'{name}.png'}",
            url,
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return dom, _page_requests(net_log, url)


def _page_requests(net_log: Path, url: str) -> list[str]:
    """The URLs of the requests that the page at ``url`` started (the initiator is its
    origin), from Chromium's net log."""
    text = net_log.read_text(encoding="utf-8")
    try:
        log = json.loads(text)
    except ValueError:  # a log whose browser was stopped before it closed the JSON
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    return [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start_job and event.get("params", {}).get("initiator") == origin
    ]


@pytest.mark.parametrize(
    ("page", "operation"), [("/docs", 'data-path="/predict"'), ("/redoc", "/predict")]
)
def test_docs_pages_render_offline_from_the_server_alone(
    served: str, tmp_path: Path, page: str, operation: str
) -> None:
    dom, requests = _open(f"{served}{page}", tmp_path, f"docs{page.replace('/', '-')}")

    assert operation in dom  # rendered by the page's script, from /openapi.json
    assert f"{served}/openapi.json" in requests
    elsewhere = [url for url in requests if not url.startswith(f"{served}/")]
    assert elsewhere == []


def test_swagger_ui_offers_authorize_when_the_api_needs_a_key(
    served_with_keys: str, tmp_path: Path
) -> None:
    dom, _ = _open(f"{served_with_keys}/docs", tmp_path, "docs-with-api-key")

    assert "btn authorize" in dom
    assert 'data-path="/predict"' in dom
