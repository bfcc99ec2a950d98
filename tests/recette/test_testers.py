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


def test_the_api_assigns_a_tester_only_with_the_version_it_read(personas: Any) -> None:
    from oeuvre.accounts.services import token_create

    campaign = h.campaign(personas, cases=[h.make_case(personas)])
    planned = campaign.planned_tests.get()
    _token, raw = token_create(user=personas.amoa, name="t")
    client = personas.client(personas.amoa)
    headers = {"Authorization": f"Bearer {raw}"}
    base = f"/api/projects/{personas.project.code}/recette/campaigns/{campaign.pk}/planned-tests"
    listed = client.get(base, headers=headers).json()
    assert listed[0]["version"] == planned.version == 1
    url = f"{base}/{planned.pk}"
    before = planned.tester
    first, second = [u for u in (personas.contributor, personas.amoe, personas.moe) if u != before][:2]
    body = {"tester": first.username}
    assert client.patch(url, body, content_type="application/json", headers=headers).status_code == 428
    stale = client.patch(url, body, content_type="application/json", headers={**headers, "If-Match": '"0"'})
    assert stale.status_code == 412
    planned.refresh_from_db()
    assert planned.tester == before  # nothing was written by the refused edits
    done = client.patch(url, body, content_type="application/json", headers={**headers, "If-Match": '"1"'})
    assert done.status_code == 200
    assert done["ETag"] == '"2"'
    assert done.json()["tester"] == first.username
    # The second manager, who read version 1 too, is told instead of overwriting.
    other = {"tester": second.username}
    late = client.patch(url, other, content_type="application/json", headers={**headers, "If-Match": '"1"'})
    assert late.status_code == 412
    planned.refresh_from_db()
    assert planned.tester == first
    change = planned.history.order_by("-history_id").first()
    assert change is not None
    assert change.history_user == personas.amoa


def test_the_page_refuses_a_stale_assignment(personas: Any) -> None:
    campaign = h.campaign(personas, cases=[h.make_case(personas)])
    planned = campaign.planned_tests.get()
    client = personas.client(personas.amoa)
    url = f"/p/{personas.project.code}/recette/campaigns/{campaign.pk}/planned/{planned.pk}/tester/"
    page = client.get(f"/p/{personas.project.code}/recette/campaigns/{campaign.pk}/").content.decode()
    assert 'name="version" value="1"' in page
    first, second = [u for u in (personas.contributor, personas.amoe, personas.moe) if u != planned.tester][:2]
    client.post(url, {"tester": first.pk, "version": "1"})
    client.post(url, {"tester": second.pk, "version": "1"})  # read before the first save
    planned.refresh_from_db()
    assert planned.tester == first
    assert planned.version == 2
