"""A real MS Project binary file (``sample.mpp`` of the interop samples, written by MS Project) read through MPXJ.

CI installs the ``mpp`` extra and has Java, so there this test must run; elsewhere it is skipped when MPXJ or
Java is missing, saying which. The samples are read from ``../shared/interop-samples`` (never copied here).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from oeuvre.interop import mpp
from oeuvre.interop.mspdi import read_mspdi
from oeuvre.planning.models import Dependency, Task
from tests.conftest import IN_CI
from tests.requirements.test_reqif_tools import SAMPLES

MSPDI = SAMPLES / "mspdi"
pytestmark = pytest.mark.skipif(not (MSPDI / "sample.mpp").exists(), reason=f"no interop samples at {SAMPLES}")


def _mpxj_or_skip() -> None:
    missing = mpp.mpp_support()
    if missing is not None:
        assert not IN_CI, f"CI installs the mpp extra and has Java: {missing}"
        pytest.skip(missing)


def test_the_mpp_reads_as_the_same_project_as_its_xml_twin() -> None:
    _mpxj_or_skip()
    binary = mpp.read_mpp(MSPDI / "sample.mpp")
    xml = read_mspdi((MSPDI / "sample.xml").read_bytes())
    assert binary.start == xml.start
    names = [t.name for t in binary.tasks]
    assert [t.name for t in xml.tasks] == names[: len(xml.tasks)]  # the binary holds a few more tasks after them
    assert len(binary.links) == len(xml.links) == 6
    assert sorted(r.name for r in binary.resources) == sorted(r.name for r in xml.resources)


@pytest.mark.django_db
def test_the_plan_import_command_takes_the_mpp(personas: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _mpxj_or_skip()
    monkeypatch.setenv("LANGUAGE", "fr")
    out = io.StringIO()
    call_command(
        "plan", "import", str(MSPDI / "sample.mpp"), "--project", personas.project.code, "--user", "moe", stdout=out
    )
    tasks = Task.objects.filter(project=personas.project)
    assert "Importé : 4 lots, 17 tâches, 1 jalon, 6 liens, 2 nouvelles ressources" in " ".join(out.getvalue().split())
    assert {"Second Task", "Assigned Task 1", "Related Task 6b"} <= set(tasks.values_list("name", flat=True))
    assert Dependency.objects.filter(successor__project=personas.project).count() >= 1
