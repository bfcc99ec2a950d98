"""A planned test goes only to someone whose role may run tests: the list offers no reader, the service refuses one."""

from __future__ import annotations

from typing import Any

import pytest

from oeuvre.core.errors import ValidationFailed
from oeuvre.recette.selectors import testbook as selectors
from oeuvre.recette.services import testbook as services
from tests.recette import testbook_helpers as h

pytestmark = pytest.mark.django_db


def test_it_offers_only_members_who_may_run_tests(personas: Any) -> None:
    offered = set(selectors.testers(personas.project))
    assert personas.contributor in offered
    assert personas.amoe in offered
    assert personas.reader not in offered
    assert personas.outsider not in offered
    campaign = h.campaign(personas, cases=[h.make_case(personas)])
    page = personas.client(personas.amoa).get(f"/p/alpha/recette/campaigns/{campaign.pk}/").content.decode()
    assert f'<option value="{personas.contributor.pk}"' in page
    assert f'<option value="{personas.reader.pk}"' not in page


def test_it_refuses_to_assign_a_test_to_a_reader(personas: Any) -> None:
    campaign = h.campaign(personas, cases=[h.make_case(personas)])
    planned = campaign.planned_tests.get()
    with pytest.raises(ValidationFailed) as caught:
        services.planned_test_assign(actor=personas.amoa, planned_test=planned, tester=personas.reader)
    assert "tester" in caught.value.errors
