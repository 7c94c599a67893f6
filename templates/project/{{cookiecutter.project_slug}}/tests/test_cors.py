"""CORS: browsers on the origins in CORS_ORIGINS may call the API; others, and every
origin when the setting is empty (the default), get no CORS headers."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

ALLOWED = "https://app.example.com"
PREFLIGHT = {
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type",
}


def test_an_allowed_origin_may_call_the_api(make_client: Callable[..., TestClient]) -> None:
    client = make_client(cors_origins=[ALLOWED])

    preflight = client.options("/predict", headers={"origin": ALLOWED, **PREFLIGHT})

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in preflight.headers["access-control-allow-methods"]


@pytest.mark.parametrize("origins", [[], [ALLOWED]], ids=["no-cors", "another-origin"])
def test_other_origins_get_no_cors_headers(
    make_client: Callable[..., TestClient], origins: list[str]
) -> None:
    client = make_client(cors_origins=origins)

    preflight = client.options("/predict", headers={"origin": "https://evil.example", **PREFLIGHT})
    simple = client.get("/livez", headers={"origin": "https://evil.example"})

    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in simple.headers


def test_origins_come_from_a_comma_separated_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.config import Settings

    prefix = Settings.model_config.get("env_prefix", "")
    monkeypatch.setenv(f"{prefix}CORS_ORIGINS", f"{ALLOWED}, http://localhost:3000")

    assert Settings().cors_origins == [ALLOWED, "http://localhost:3000"]
