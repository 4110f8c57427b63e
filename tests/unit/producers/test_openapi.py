from pathlib import Path

from producers.intake.cli import render_openapi

COMMITTED = Path(__file__).parents[3] / "docs" / "openapi" / "intake.json"


def test_committed_openapi_matches_the_routes() -> None:
    assert COMMITTED.read_text() == render_openapi(), (
        "docs/openapi/intake.json has drifted; "
        "run: pantau dev intake-openapi docs/openapi/intake.json"
    )


def test_the_spec_has_the_open311_and_agency_routes() -> None:
    paths = set(__import__("json").loads(render_openapi())["paths"])
    georeport = {"/discovery", "/services", "/services/{service_code}", "/requests",
                 "/requests/{service_request_id}"}  # fmt: skip
    assert {f"{path}.{kind}" for path in georeport for kind in ("json", "xml")} <= paths
    assert "/api/v1/complaint-events" in paths
