"""Endpoints of the recette testbook slice for the matrix test (HTML pages and API operations)."""

from __future__ import annotations

from typing import Any

from tests.matrix import Endpoint, if_match

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _p(p: Any) -> str:
    return f"/p/{p.project.code}/recette"


def _a(p: Any) -> str:
    return f"/api/projects/{p.project.code}/recette"


def _case(p: Any) -> Any:
    from oeuvre.recette.models import TestCase
    from oeuvre.recette.services import testbook as services
    from tests.recette.testbook_helpers import STEPS

    found = TestCase.objects.filter(project=p.project, title="Connexion").first()
    return found or services.test_case_create(actor=p.amoa, project=p.project, title="Connexion", steps=STEPS)


def _spare_case(p: Any) -> Any:
    from oeuvre.recette.models import TestCase
    from oeuvre.recette.services import testbook as services

    found = TestCase.objects.filter(project=p.project, title="À supprimer").first()
    return found or services.test_case_create(actor=p.amoa, project=p.project, title="À supprimer")


def _folder(p: Any) -> Any:
    from oeuvre.recette.models import TestFolder

    found, _ = TestFolder.objects.get_or_create(project=p.project, name="Portail")
    return found


def _campaign(p: Any) -> Any:
    from oeuvre.recette.models import Campaign, PlannedTest
    from oeuvre.recette.services import testbook as services

    found = Campaign.objects.filter(project=p.project, name="VABF").first()
    if found is None:
        found = services.campaign_create(actor=p.amoa, project=p.project, name="VABF", release="1.0")
        services.planned_tests_add(actor=p.amoa, campaign=found, test_cases=[_case(p)], tester=p.contributor)
    assert PlannedTest.objects.filter(campaign=found).exists()
    return found


def _planned(p: Any) -> Any:
    return _campaign(p).planned_tests.get()


def _execution(p: Any) -> Any:
    from oeuvre.recette.models import Execution
    from oeuvre.recette.services import testbook as services

    found = Execution.objects.filter(project=p.project).first()
    if found is None:
        campaign = _campaign(p)
        found = services.execution_start(actor=p.contributor, iteration=campaign.iterations.get(), test_case=_case(p))
        services.execution_record_step(
            actor=p.contributor, execution=found, position=1, status="ko", actual="Erreur 500"
        )
    return found


def _evidence(p: Any) -> Any:
    from oeuvre.recette.models import Evidence
    from oeuvre.recette.services import testbook as services

    found = Evidence.objects.filter(execution__project=p.project).first()
    return found or services.evidence_add(actor=p.contributor, execution=_execution(p), filename="ecran.png", data=PNG)


def _mapping(p: Any) -> Any:
    from oeuvre.recette.models import JUnitMapping

    found, _ = JUnitMapping.objects.get_or_create(
        project=p.project, junit_name="tests.test_portail.test_login", defaults={"test_case": _case(p)}
    )
    return found


def _case_form(p: Any) -> dict[str, Any]:
    case = _case(p)
    case.refresh_from_db()
    return {"version": case.version, "title": "Connexion modifiée", "type": "fonctionnel", "priority": "haute",
            "status": "pret"}  # fmt: skip


def _campaign_form(p: Any) -> dict[str, Any]:
    campaign = _campaign(p)
    campaign.refresh_from_db()
    return {"version": campaign.version, "name": "VABF", "kind": "vabf", "status": "en_cours"}


def _steps_form(p: Any) -> dict[str, Any]:
    case = _case(p)
    case.refresh_from_db()
    return {"version": case.version, "action": "add", "action_text": "Se déconnecter", "expected": "Accueil"}


def _exec_version(p: Any) -> int:
    execution = _execution(p)
    execution.refresh_from_db()
    return int(execution.version)


def _perf_campaign(p: Any) -> Any:
    from oeuvre.recette.models import Campaign
    from oeuvre.recette.services import testbook as services

    found = Campaign.objects.filter(project=p.project, name="Perf matrice").first()
    return found or services.campaign_create(
        actor=p.amoa, project=p.project, name="Perf matrice", kind="performance", release="1.0"
    )


def _results_job(p: Any) -> Any:
    from oeuvre.core.jobs import job_enqueue
    from oeuvre.core.models import Job
    from oeuvre.recette.services.results import RESULTS_JOB

    campaign = _perf_campaign(p)
    found = Job.objects.filter(kind=RESULTS_JOB, project=p.project).first()
    return found or job_enqueue(
        kind=RESULTS_JOB, params={"campaign": campaign.pk, "iteration": None, "stored": "", "filename": "tir.jtl"},
        actor=p.amoe, project=p.project, queue=False,
    )  # fmt: skip


V = "recette.view"
EDIT = "recette.edit_testbook"
MANAGE = "recette.manage_campaigns"
EXEC = "recette.execute"
IMPORT = "recette.import_results"
REPORT = "recette.report_anomaly"
B = "/api/projects/{code}/recette"

ENDPOINTS: list[Endpoint] = [
    # --- HTML pages -------------------------------------------------------------------------------------
    Endpoint("recette:testbook", "GET", lambda p: f"{_p(p)}/book/", V),
    Endpoint("recette:executions", "GET", lambda p: f"{_p(p)}/executions/", V),
    Endpoint("recette:test_case_new", "GET", lambda p: f"{_p(p)}/book/new/", EDIT),
    Endpoint(
        "recette:test_case_new",
        "POST",
        lambda p: f"{_p(p)}/book/new/",
        EDIT,
        data=lambda p: {"title": "Nouveau cas", "type": "fonctionnel", "priority": "moyenne", "status": "brouillon"},
        ok=(302,),
    ),
    Endpoint(
        "recette:folder_new",
        "POST",
        lambda p: f"{_p(p)}/book/folders/new/",
        EDIT,
        data=lambda p: {"name": "Back-office"},
        ok=(302,),
    ),
    Endpoint("recette:test_case", "GET", lambda p: f"{_p(p)}/book/{_case(p).pk}/", V),
    Endpoint("recette:test_case_edit", "GET", lambda p: f"{_p(p)}/book/{_case(p).pk}/edit/", EDIT),
    Endpoint(
        "recette:test_case_edit",
        "POST",
        lambda p: f"{_p(p)}/book/{_case(p).pk}/edit/",
        EDIT,
        data=_case_form,
        ok=(302,),
    ),
    Endpoint(
        "recette:test_case_steps",
        "POST",
        lambda p: f"{_p(p)}/book/{_case(p).pk}/steps/",
        EDIT,
        data=_steps_form,
        ok=(302,),
    ),
    Endpoint("recette:campaigns", "GET", lambda p: f"{_p(p)}/campaigns/", V),
    Endpoint("recette:campaign_new", "GET", lambda p: f"{_p(p)}/campaigns/new/", MANAGE),
    Endpoint(
        "recette:campaign_new",
        "POST",
        lambda p: f"{_p(p)}/campaigns/new/",
        MANAGE,
        data=lambda p: {"name": "VSR", "kind": "vsr", "status": "preparation"},
        ok=(302,),
    ),
    Endpoint("recette:campaign", "GET", lambda p: f"{_p(p)}/campaigns/{_campaign(p).pk}/", V),
    Endpoint("recette:campaign_edit", "GET", lambda p: f"{_p(p)}/campaigns/{_campaign(p).pk}/edit/", MANAGE),
    Endpoint(
        "recette:campaign_edit",
        "POST",
        lambda p: f"{_p(p)}/campaigns/{_campaign(p).pk}/edit/",
        MANAGE,
        data=_campaign_form,
        ok=(302,),
    ),
    Endpoint(
        "recette:campaign_plan",
        "POST",
        lambda p: f"{_p(p)}/campaigns/{_campaign(p).pk}/plan/",
        MANAGE,
        data=lambda p: {"test_cases": _spare_case(p).reference},
        ok=(302,),
    ),
    Endpoint(
        "recette:iteration_new",
        "POST",
        lambda p: f"{_p(p)}/campaigns/{_campaign(p).pk}/iterations/new/",
        MANAGE,
        data=lambda p: {"release": "1.1"},
        ok=(302,),
    ),
    Endpoint(
        "recette:planned_tester",
        "POST",
        lambda p: f"{_p(p)}/campaigns/{_campaign(p).pk}/planned/{_planned(p).pk}/tester/",
        MANAGE,
        data=lambda p: {"tester": p.moe.pk},
        ok=(302,),
    ),
    Endpoint(
        "recette:execution_start",
        "POST",
        lambda p: f"{_p(p)}/campaigns/{_campaign(p).pk}/planned/{_planned(p).pk}/run/",
        EXEC,
        ok=(302,),
    ),
    Endpoint("recette:junit", "GET", lambda p: f"{_p(p)}/campaigns/{_campaign(p).pk}/junit/", IMPORT),
    Endpoint("recette:results_upload", "GET", lambda p: f"{_p(p)}/campaigns/{_perf_campaign(p).pk}/results/", IMPORT),
    Endpoint(
        "recette:results_job",
        "GET",
        lambda p: f"{_p(p)}/campaigns/{_perf_campaign(p).pk}/results/{_results_job(p).pk}/",
        IMPORT,
    ),
    Endpoint(
        "recette:results_anomalies",
        "POST",
        lambda p: f"{_p(p)}/campaigns/{_perf_campaign(p).pk}/results/{_results_job(p).pk}/anomalies/",
        REPORT,
        data=lambda p: {"proposal": "all"},
        ok=(302,),
    ),
    Endpoint(
        "recette:test_case_criteria",
        "POST",
        lambda p: f"{_p(p)}/book/{_case(p).pk}/criteria/",
        EDIT,
        data=lambda p: {"criteria": []},
        ok=(302,),
    ),
    Endpoint(
        "recette:junit_mapping",
        "POST",
        lambda p: f"{_p(p)}/junit/mappings/",
        IMPORT,
        data=lambda p: {"junit_name": "tests.test_x", "test_case": _case(p).reference},
        ok=(302,),
    ),
    Endpoint("recette:execution", "GET", lambda p: f"{_p(p)}/executions/{_execution(p).pk}/", V),
    Endpoint(
        "recette:execution_step",
        "POST",
        lambda p: f"{_p(p)}/executions/{_execution(p).pk}/step/",
        EXEC,
        data=lambda p: {"position": 2, "status": "ok", "version": _exec_version(p)},
        ok=(302,),
    ),
    Endpoint(
        "recette:execution_finish",
        "POST",
        lambda p: f"{_p(p)}/executions/{_execution(p).pk}/finish/",
        EXEC,
        data=lambda p: {"status": "ko", "version": _exec_version(p)},
        ok=(302,),
    ),
    Endpoint(
        "recette:execution_anomaly",
        "POST",
        lambda p: f"{_p(p)}/executions/{_execution(p).pk}/anomaly/",
        REPORT,
        data=lambda p: {"step": 1},
        ok=(302,),
    ),
    Endpoint(
        "recette:evidence_upload", "POST", lambda p: f"{_p(p)}/executions/{_execution(p).pk}/evidence/", EXEC, ok=(302,)
    ),
    Endpoint("recette:evidence", "GET", lambda p: f"{_p(p)}/evidence/{_evidence(p).pk}/", V),
    # --- API ------------------------------------------------------------------------------------------------
    Endpoint(f"api:GET {B}/folders", "GET", lambda p: f"{_a(p)}/folders", V, api=True),
    Endpoint(
        f"api:POST {B}/folders",
        "POST",
        lambda p: f"{_a(p)}/folders",
        EDIT,
        data=lambda p: {"name": "API"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        f"api:PATCH {B}/folders/{{folder_id}}",
        "PATCH",
        lambda p: f"{_a(p)}/folders/{_folder(p).pk}",
        EDIT,
        data=lambda p: {"name": "Portail usager"},
        headers=if_match(_folder),
        api=True,
    ),
    Endpoint(
        f"api:DELETE {B}/folders/{{folder_id}}",
        "DELETE",
        lambda p: f"{_a(p)}/folders/{_folder(p).pk}",
        EDIT,
        ok=(204,),
        api=True,
    ),
    Endpoint(f"api:GET {B}/test-cases", "GET", lambda p: f"{_a(p)}/test-cases", V, api=True),
    Endpoint(
        f"api:POST {B}/test-cases",
        "POST",
        lambda p: f"{_a(p)}/test-cases",
        EDIT,
        data=lambda p: {"title": "Par l'API", "steps": [{"action": "Ouvrir", "expected": "Ouvert"}]},
        ok=(201,),
        api=True,
    ),
    Endpoint(f"api:GET {B}/test-cases/{{case_id}}", "GET", lambda p: f"{_a(p)}/test-cases/{_case(p).pk}", V, api=True),
    Endpoint(
        f"api:PATCH {B}/test-cases/{{case_id}}",
        "PATCH",
        lambda p: f"{_a(p)}/test-cases/{_case(p).pk}",
        EDIT,
        data=lambda p: {"title": "Connexion v2"},
        headers=if_match(_case),
        api=True,
    ),
    Endpoint(
        f"api:DELETE {B}/test-cases/{{case_id}}",
        "DELETE",
        lambda p: f"{_a(p)}/test-cases/{_spare_case(p).pk}",
        EDIT,
        ok=(204,),
        api=True,
    ),
    Endpoint(
        f"api:GET {B}/test-cases/{{case_id}}/revisions",
        "GET",
        lambda p: f"{_a(p)}/test-cases/{_case(p).pk}/revisions",
        V,
        api=True,
    ),
    Endpoint(f"api:GET {B}/campaigns", "GET", lambda p: f"{_a(p)}/campaigns", V, api=True),
    Endpoint(
        f"api:POST {B}/campaigns",
        "POST",
        lambda p: f"{_a(p)}/campaigns",
        MANAGE,
        data=lambda p: {"name": "Perf", "kind": "performance"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        f"api:GET {B}/campaigns/{{campaign_id}}", "GET", lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}", V, api=True
    ),
    Endpoint(
        f"api:PATCH {B}/campaigns/{{campaign_id}}",
        "PATCH",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}",
        MANAGE,
        data=lambda p: {"environment": "recette"},
        headers=if_match(_campaign),
        api=True,
    ),
    Endpoint(
        f"api:GET {B}/campaigns/{{campaign_id}}/iterations",
        "GET",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}/iterations",
        V,
        api=True,
    ),
    Endpoint(
        f"api:POST {B}/campaigns/{{campaign_id}}/iterations",
        "POST",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}/iterations",
        MANAGE,
        data=lambda p: {"release": "1.1"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        f"api:GET {B}/campaigns/{{campaign_id}}/planned-tests",
        "GET",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}/planned-tests",
        V,
        api=True,
    ),
    Endpoint(
        f"api:POST {B}/campaigns/{{campaign_id}}/planned-tests",
        "POST",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}/planned-tests",
        MANAGE,
        data=lambda p: {"test_cases": [_spare_case(p).reference], "tester": "moe"},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        f"api:PATCH {B}/campaigns/{{campaign_id}}/planned-tests/{{planned_id}}",
        "PATCH",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}/planned-tests/{_planned(p).pk}",
        MANAGE,
        data=lambda p: {"tester": "amoe"},
        headers=if_match(_planned),
        api=True,
    ),
    Endpoint(
        f"api:DELETE {B}/campaigns/{{campaign_id}}/planned-tests/{{planned_id}}",
        "DELETE",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}/planned-tests/{_planned(p).pk}",
        MANAGE,
        ok=(204,),
        api=True,
    ),
    Endpoint(
        f"api:GET {B}/campaigns/{{campaign_id}}/executions",
        "GET",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}/executions",
        V,
        api=True,
    ),
    Endpoint(
        f"api:POST {B}/campaigns/{{campaign_id}}/executions",
        "POST",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}/executions",
        EXEC,
        data=lambda p: {"test_case": _case(p).reference},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        f"api:GET {B}/executions/{{execution_id}}",
        "GET",
        lambda p: f"{_a(p)}/executions/{_execution(p).pk}",
        V,
        api=True,
    ),
    Endpoint(
        f"api:PUT {B}/executions/{{execution_id}}/steps/{{position}}",
        "PUT",
        lambda p: f"{_a(p)}/executions/{_execution(p).pk}/steps/2",
        EXEC,
        data=lambda p: {"status": "ok"},
        headers=if_match(_execution),
        api=True,
    ),
    Endpoint(
        f"api:POST {B}/executions/{{execution_id}}/status",
        "POST",
        lambda p: f"{_a(p)}/executions/{_execution(p).pk}/status",
        EXEC,
        data=lambda p: {"status": "ko", "comment": "Erreur 500", "duration_seconds": 300},
        headers=if_match(_execution),
        api=True,
    ),
    Endpoint(
        f"api:GET {B}/executions/{{execution_id}}/anomaly-draft",
        "GET",
        lambda p: f"{_a(p)}/executions/{_execution(p).pk}/anomaly-draft",
        V,
        api=True,
    ),
    # Multipart operations: the JSON matrix call carries no file, so an allowed role gets 422 after the check.
    Endpoint(
        f"api:POST {B}/executions/{{execution_id}}/evidence",
        "POST",
        lambda p: f"{_a(p)}/executions/{_execution(p).pk}/evidence",
        EXEC,
        ok=(422,),
        api=True,
    ),
    Endpoint(
        f"api:GET {B}/evidence/{{evidence_id}}", "GET", lambda p: f"{_a(p)}/evidence/{_evidence(p).pk}", V, api=True
    ),
    Endpoint(
        f"api:POST {B}/campaigns/{{campaign_id}}/junit",
        "POST",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}/junit",
        IMPORT,
        ok=(422,),
        api=True,
    ),
    Endpoint(
        f"api:POST {B}/campaigns/{{campaign_id}}/results",
        "POST",
        lambda p: f"{_a(p)}/campaigns/{_campaign(p).pk}/results",
        IMPORT,
        ok=(422,),
        api=True,
    ),
    Endpoint(
        f"api:PUT {B}/test-cases/{{case_id}}/criteria",
        "PUT",
        lambda p: f"{_a(p)}/test-cases/{_case(p).pk}/criteria",
        EDIT,
        data=lambda p: {"criteria": []},
        api=True,
    ),
    Endpoint(f"api:GET {B}/junit-mappings", "GET", lambda p: f"{_a(p)}/junit-mappings", V, api=True),
    Endpoint(
        f"api:POST {B}/junit-mappings",
        "POST",
        lambda p: f"{_a(p)}/junit-mappings",
        IMPORT,
        data=lambda p: {"junit_name": "tests.test_y", "test_case": _case(p).reference},
        ok=(201,),
        api=True,
    ),
    Endpoint(
        f"api:DELETE {B}/junit-mappings/{{mapping_id}}",
        "DELETE",
        lambda p: f"{_a(p)}/junit-mappings/{_mapping(p).pk}",
        IMPORT,
        ok=(204,),
        api=True,
    ),
]
