"""The load a run reached, measured from Locust's stats history, against a criterion on the users; and Gatling's
``js/stats.js`` pushed like its JSON twin. Through the terminal, as a pipeline pushes its files."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from oeuvre.recette.services import results as services
from oeuvre.recette.services import testbook as testbook_services
from tests.design import helpers as d
from tests.interop.perfsec.helpers import FILES
from tests.recette import testbook_helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(personas: Any) -> Any:
    p95 = d.criterion(personas, threshold="2", unit="s")
    users = d.criterion(personas, metric="users", operator=">=", threshold="10", unit="users")
    crowd = d.criterion(personas, metric="users", operator=">=", threshold="500", unit="users")
    case = h.make_case(personas, title="Tir de charge Locust", type="performance")
    services.test_case_set_criteria(actor=personas.amoa, test_case=case, criteria=[p95, users, crowd])
    return testbook_services.campaign_create(
        actor=personas.amoa, project=personas.project, name="Perf Locust", kind="performance", release="1.0"
    )


def _push(path: Path) -> dict[str, Any]:
    out = io.StringIO()
    call_command("recette", "results", str(path), "--project", "alpha", "--campaign", "Perf Locust", "--user",
                 "amoe", "--json", stdout=out)  # fmt: skip
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def test_locust_stats_pushed_with_their_history_measure_the_users(personas: Any, campaign: Any, tmp_path: Path) -> None:
    shutil.copy(FILES / "locust-2.47-stats.csv", tmp_path / "run_stats.csv")
    shutil.copy(FILES / "locust-2.47-stats_history.csv", tmp_path / "run_stats_history.csv")
    data = _push(tmp_path / "run_stats.csv")
    assert data["tool"] == "locust"
    measured = {(c["metric"], c["threshold"]): (c["measured"], c["met"]) for c in data["criteria"]}
    assert measured[("users", "10")] == (12, True)  # the history's peak: 12 users
    assert measured[("users", "500")] == (12, False)  # the load a "p95 ≤ 2 s at 500 users" asks was not reached
    assert measured[("response_time_p95", "2")][1] is True


def test_locust_stats_without_their_history_leave_the_users_unmeasured(
    personas: Any, campaign: Any, tmp_path: Path
) -> None:
    shutil.copy(FILES / "locust-2.47-stats.csv", tmp_path / "run_stats.csv")
    data = _push(tmp_path / "run_stats.csv")
    measured = {(c["metric"], c["threshold"]): (c["measured"], c["met"]) for c in data["criteria"]}
    assert set(measured) == {("response_time_p95", "2")}
    assert measured[("response_time_p95", "2")][1] is True
    assert sorted(data["unmeasured"]) == ["CRT-002", "CRT-003"]  # the two criteria on the users


def test_gatlings_stats_js_is_pushed_like_its_json_twin(personas: Any, campaign: Any, tmp_path: Path) -> None:
    shutil.copy(FILES / "gatling-3.11-stats.js", tmp_path / "stats.js")
    data = _push(tmp_path / "stats.js")
    assert data["tool"] == "gatling"
    measured = {(c["metric"], c["threshold"]): (c["measured"], c["met"]) for c in data["criteria"]}
    assert measured == {("response_time_p95", "2"): (1240, True)}
    assert sorted(data["unmeasured"]) == ["CRT-002", "CRT-003"]  # Gatling's statistics do not say how many users ran
