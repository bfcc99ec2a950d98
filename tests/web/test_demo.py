"""The demo people find work waiting: notifications of every kind the issue names, discussions with mentions,
a go/no-go to decide, and saved searches that find something."""

from __future__ import annotations

from typing import Any

from oeuvre.accounts.models import User
from oeuvre.web.models import Comment, Notification, SavedSearch
from oeuvre.web.saved_searches import saved_search_run
from oeuvre.web.selectors import my_work


def test_the_demo_people_have_work_waiting(demo_db: Any) -> None:
    moa = User.objects.get(username="moa")
    kinds = set(Notification.objects.filter(recipient=moa, read_at=None).values_list("kind", flat=True))
    assert {"validation", "signature", "deadline", "mention"} <= kinds
    gonogo = Notification.objects.get(recipient=moa, event="release.ready_for_gonogo")
    assert gonogo.reference == "1.1.0"
    work = {g.key: g.items for g in my_work(moa)}
    assert [i.reference for i in work["gonogo"]] == ["1.1.0"]
    assert work["validations"]
    assert [i.title for i in work["signatures"]] == ["PV de la campagne de performance"]
    assert Notification.objects.filter(recipient=moa, event="pv.decided").exists()

    threads = Comment.objects.filter(parent=None, object_type__in=["requirements.exigence", "recette.anomaly"])
    assert threads.filter(object_type="requirements.exigence").count() >= 3
    assert threads.filter(object_type="recette.anomaly").count() >= 3
    assert all(c.mentions.exists() for c in threads)

    saved = {s.name: s for s in SavedSearch.objects.filter(owner=moa)}
    assert set(saved) >= {"Authentification", "Exigences de sécurité"}
    assert saved_search_run(moa, saved["Authentification"])
    assert {h.kind for h in saved_search_run(moa, saved["Exigences de sécurité"])} == {"exigence"}
    assert SavedSearch.objects.filter(owner__username="moe").exists()
