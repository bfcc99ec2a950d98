"""A release's training plan: courses, sessions, named attendees, attendance, and the training readiness.

Who plans the training (MOE, AMOE) adds courses (audience, duration, materials taken from the project's
deliverables), sessions of a course and the people expected there; the trainer (MOE, AMOE, or the owner's relay
trainers, AMOA) records the sign-in sheet: present, absent or excused, and a satisfaction score from 1 to 5.
Everybody on the project reads the plan.

Readiness (DOMAIN.md: « users trained before their wave goes live »): a named person is trained when they were
present at a session of every course they were registered to; a session without names counts its plain number
of users trained (as recorded before attendees existed). Per wave, the users left to train are the wave's users
minus those trained for it; per role, they are the named people not trained yet. The go/no-go's training
criterion stays attested by a person, and is not met while a wave going live has users left to train.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from oeuvre.accounts.models import User
from oeuvre.accounts.permissions import require
from oeuvre.core.concurrency import lock_for_update
from oeuvre.core.errors import ValidationFailed
from oeuvre.core.services import full_clean, model_update, save_with_history
from oeuvre.mep.models import (
    Attendance,
    DeploymentWave,
    Release,
    TrainingAttendee,
    TrainingCourse,
    TrainingSession,
    WaveStatus,
)
from oeuvre.mep.permissions import TRAINING_PLAN, TRAINING_RECORD
from oeuvre.projects.selectors import project_members
from oeuvre.requirements.selectors import deliverables_for

__all__ = [
    "COURSE_FIELDS",
    "SESSION_FIELDS",
    "TrainingPlan",
    "attendance_record",
    "attendee_add",
    "course_create",
    "course_detail",
    "course_update",
    "courses_of",
    "session_create",
    "session_detail",
    "session_update",
    "sessions_of",
    "training_plan",
    "waves_going_live",
]

SESSION_FIELDS = ("course", "wave", "audience", "trainer", "date", "place", "capacity")
COURSE_FIELDS = ("title", "audience", "duration_minutes", "materials")
ATTENDEE_FIELDS = ("name", "member", "role", "wave")


# --------------------------------------------------------------------------------------------------- reads


def courses_of(release: Release) -> QuerySet[TrainingCourse]:
    return TrainingCourse.objects.filter(release=release).order_by("title", "pk")


def course_detail(release: Release, pk: int) -> TrainingCourse:
    return get_object_or_404(courses_of(release), pk=pk)


def sessions_of(release: Release) -> QuerySet[TrainingSession]:
    attendees = TrainingAttendee.objects.select_related("member").order_by("name", "pk")
    return (
        TrainingSession.objects.filter(release=release)
        .select_related("wave", "course")
        .prefetch_related(Prefetch("attendees", queryset=attendees))
        .order_by("date", "pk")
    )


def session_detail(release: Release, pk: int) -> TrainingSession:
    return get_object_or_404(sessions_of(release), pk=pk)


def waves_going_live(release: Release, waves: list[DeploymentWave]) -> set[int]:
    """The waves the release's go/no-go sends live: the first wave neither deployed nor suspended (in order), and
    any other such wave planned on or before the release's planned go-live."""
    pending = [w for w in waves if w.status not in (WaveStatus.DEPLOYEE, WaveStatus.SUSPENDUE)]
    if not pending:
        return set()
    chosen = {pending[0].pk}
    if release.planned_date is not None:
        chosen |= {w.pk for w in pending if w.planned_date is not None and w.planned_date <= release.planned_date}
    return chosen


@dataclass(frozen=True)
class WaveTraining:
    """Users trained for one wave (or for no wave: ``wave`` is None) against the wave's users."""

    wave: DeploymentWave | None
    sessions: int
    trained: int
    going_live: bool = False

    @property
    def users(self) -> int:
        return self.wave.users if self.wave is not None else 0

    @property
    def to_train(self) -> int:
        return max(self.users - self.trained, 0)


@dataclass(frozen=True)
class RoleTraining:
    """Named people of one role or population: trained, and still to train (registered, absent or excused)."""

    role: str
    trained: int
    to_train: int


@dataclass(frozen=True)
class SessionRow:
    session: TrainingSession
    attendees: list[TrainingAttendee]
    trained: int | None
    satisfaction: float | None
    answers: int


@dataclass(frozen=True)
class CourseRow:
    course: TrainingCourse
    materials: list[Any]
    sessions: int


@dataclass(frozen=True)
class TrainingPlan:
    courses: list[CourseRow]
    rows: list[SessionRow]
    waves: list[WaveTraining]
    roles: list[RoleTraining] = field(default_factory=list)

    @property
    def sessions(self) -> list[TrainingSession]:
        return [row.session for row in self.rows]

    @property
    def trained(self) -> int:
        return sum(w.trained for w in self.waves)

    @property
    def users(self) -> int:
        return sum(w.users for w in self.waves)

    @property
    def left_going_live(self) -> list[WaveTraining]:
        """The waves going live with users left to train (empty when the release has no session at all)."""
        if not self.rows:
            return []
        return [w for w in self.waves if w.going_live and w.to_train]

    @property
    def training_left(self) -> int:
        return sum(w.to_train for w in self.left_going_live)

    def as_dict(self) -> dict[str, Any]:
        return {
            "trained": self.trained,
            "users": self.users,
            "training_left": self.training_left,
            "waves": [
                {
                    "wave": w.wave.pk if w.wave else None,
                    "name": w.wave.name if w.wave else None,
                    "users": w.users,
                    "trained": w.trained,
                    "to_train": w.to_train,
                    "going_live": w.going_live,
                    "sessions": w.sessions,
                }
                for w in self.waves
            ],
            "roles": [{"role": r.role, "trained": r.trained, "to_train": r.to_train} for r in self.roles],
            "courses": [
                {
                    "id": c.course.pk,
                    "title": c.course.title,
                    "audience": c.course.audience,
                    "duration_minutes": c.course.duration_minutes,
                    "materials": [{"id": d.pk, "title": d.title, "link": d.link} for d in c.materials],
                    "sessions": c.sessions,
                    "version": c.course.version,
                }
                for c in self.courses
            ],
            "sessions": [
                {
                    "id": s.pk,
                    "course": s.course_id,
                    "wave": s.wave_id,
                    "audience": s.audience,
                    "trainer": s.trainer,
                    "date": s.date,
                    "place": s.place,
                    "capacity": s.capacity,
                    "attended": row.trained,
                    "satisfaction": row.satisfaction,
                    "version": s.version,
                    "attendees": [
                        {
                            "id": a.pk,
                            "name": a.name,
                            "member": a.member.username if a.member is not None else None,
                            "role": a.role,
                            "wave": a.wave_id,
                            "attendance": a.attendance,
                            "satisfaction": a.satisfaction,
                            "version": a.version,
                        }
                        for a in row.attendees
                    ],
                }
                for row in self.rows
                for s in [row.session]
            ],
        }


def _person(attendee: TrainingAttendee) -> tuple[str, Any]:
    return ("member", attendee.member_id) if attendee.member_id else ("name", attendee.name.strip().casefold())


def _role_of(session: TrainingSession, attendee: TrainingAttendee | None = None) -> str:
    if attendee is not None and attendee.role.strip():
        return attendee.role.strip()
    return session.course.audience if session.course is not None else session.audience


def training_plan(release: Release) -> TrainingPlan:
    """Courses, sessions with their attendees, and users trained per wave and per role (a handful of queries)."""
    sessions = list(sessions_of(release))
    courses = list(courses_of(release))
    waves = list(DeploymentWave.objects.filter(release=release).order_by("position", "pk"))
    going = waves_going_live(release, waves)

    # People by name or member: their wave, role, and for each course they were registered to, whether present.
    people: dict[tuple[str, Any], dict[str, Any]] = {}
    plain_by_wave: dict[int | None, int] = defaultdict(int)
    plain_by_role: dict[str, int] = defaultdict(int)
    rows: list[SessionRow] = []
    for s in sessions:
        attendees = list(s.attendees.all())
        scores = [a.satisfaction for a in attendees if a.satisfaction is not None]
        satisfaction = round(sum(scores) / len(scores), 1) if scores else None
        if attendees:
            present = sum(1 for a in attendees if a.attendance == Attendance.PRESENT)
            rows.append(SessionRow(s, attendees, present, satisfaction, len(scores)))
            course_key: Any = s.course_id if s.course_id is not None else ("session", s.pk)
            for a in attendees:
                person = people.setdefault(_person(a), {"courses": {}})
                person["wave"] = a.wave_id if a.wave_id is not None else s.wave_id
                person["role"] = _role_of(s, a)
                done = person["courses"].get(course_key, False)
                person["courses"][course_key] = done or a.attendance == Attendance.PRESENT
        else:
            rows.append(SessionRow(s, [], s.attended, None, 0))
            plain_by_wave[s.wave_id] += s.attended or 0
            plain_by_role[_role_of(s)] += s.attended or 0

    trained_by_wave: dict[int | None, int] = defaultdict(int, plain_by_wave)
    roles: dict[str, list[int]] = {role: [count, 0] for role, count in plain_by_role.items()}
    for person in people.values():
        trained = all(person["courses"].values())
        if trained:
            trained_by_wave[person["wave"]] += 1
        counts = roles.setdefault(person["role"], [0, 0])
        counts[0 if trained else 1] += 1

    wave_rows: list[WaveTraining] = []
    for wave in waves:
        mine = sum(1 for s in sessions if s.wave_id == wave.pk)
        wave_rows.append(WaveTraining(wave, mine, trained_by_wave.get(wave.pk, 0), wave.pk in going))
    known = {w.pk for w in waves}
    loose_sessions = sum(1 for s in sessions if s.wave_id is None)
    loose_trained = sum(n for key, n in trained_by_wave.items() if key not in known)
    if loose_sessions or loose_trained:
        wave_rows.append(WaveTraining(None, loose_sessions, loose_trained))

    wanted = {pk for c in courses for pk in c.materials}
    materials = (
        {d.pk: d for d in deliverables_for(release.project).filter(pk__in=wanted).prefetch_related(None)}
        if wanted
        else {}
    )
    course_rows = [
        CourseRow(
            c,
            [materials[pk] for pk in c.materials if pk in materials],
            sum(1 for s in sessions if s.course_id == c.pk),
        )
        for c in courses
    ]
    role_rows = [RoleTraining(role, t, left) for role, (t, left) in sorted(roles.items(), key=lambda kv: kv[0])]
    return TrainingPlan(course_rows, rows, wave_rows, role_rows)


# --------------------------------------------------------------------------------------------------- courses


def _materials(release: Release, raw: Any) -> list[int]:
    """Deliverable ids of the release's project (supports de formation), in the order given, without repeats."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list | tuple) or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw):
        raise ValidationFailed({"materials": [_("Give the materials as a list of deliverable ids.")]})
    ids = list(dict.fromkeys(raw))
    found = set(deliverables_for(release.project).filter(pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationFailed(
            {"materials": [_("No deliverable %(ids)s on this project.") % {"ids": ", ".join(map(str, missing))}]}
        )
    return ids


def _check_course(course: TrainingCourse) -> None:
    errors: dict[str, list[str]] = {}
    if not course.title.strip():
        errors["title"] = [_("Give the course a title.")]
    if not course.audience.strip():
        errors["audience"] = [_("Say who the course trains (a role or a population).")]
    if errors:
        raise ValidationFailed(errors)
    if TrainingCourse.objects.filter(release_id=course.release_id, title=course.title).exclude(pk=course.pk).exists():
        raise ValidationFailed({"title": [_("This release already has a course with this title.")]})


@transaction.atomic
def course_create(*, actor: User, release: Release, **data: Any) -> TrainingCourse:
    require(actor, release.project, TRAINING_PLAN)
    unknown = set(data) - set(COURSE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    data["materials"] = _materials(release, data.get("materials"))
    course = TrainingCourse(release=release, **data)
    course.title, course.audience = course.title.strip(), course.audience.strip()
    _check_course(course)
    full_clean(course, exclude=["release"])
    save_with_history(course, actor=actor)
    return course


@transaction.atomic
def course_update(*, actor: User, course: TrainingCourse, expected_version: int | None, **data: Any) -> TrainingCourse:
    require(actor, course.release.project, TRAINING_PLAN)
    if "materials" in data:
        data["materials"] = _materials(course.release, data["materials"])
    for name in ("title", "audience"):
        if isinstance(data.get(name), str):
            data[name] = data[name].strip()
    updated, _changed = model_update(
        instance=course, fields=COURSE_FIELDS, data=data, actor=actor, expected_version=expected_version
    )
    try:
        _check_course(updated)
    except ValidationFailed:
        transaction.set_rollback(True)
        raise
    return updated


# --------------------------------------------------------------------------------------------------- sessions


def _check(session: TrainingSession) -> None:
    if not session.audience.strip():
        raise ValidationFailed({"audience": [_("Say who the session trains.")]})
    if not session.trainer.strip():
        raise ValidationFailed({"trainer": [_("Name the trainer.")]})
    if session.wave is not None and session.wave.release_id != session.release_id:
        raise ValidationFailed({"wave": [_("This wave belongs to another release.")]})
    if session.course is not None and session.course.release_id != session.release_id:
        raise ValidationFailed({"course": [_("This course belongs to another release.")]})
    if session.attended is not None and session.capacity and session.attended > session.capacity:
        raise ValidationFailed({"attended": [_("More users attended than the session holds.")]})


def _wave(release: Release, data: dict[str, Any]) -> None:
    """Accept a wave given by its id (API, CLI, form) and check it is one of the release's."""
    raw = data.get("wave")
    if raw is None or isinstance(raw, DeploymentWave):
        return
    wave = DeploymentWave.objects.filter(release=release, pk=raw).first()
    if wave is None:
        raise ValidationFailed({"wave": [_("This wave belongs to another release.")]})
    data["wave"] = wave


def _course(release: Release, data: dict[str, Any]) -> None:
    """Accept a course given by its id and check it is one of the release's."""
    raw = data.get("course")
    if raw is None or isinstance(raw, TrainingCourse):
        return
    course = TrainingCourse.objects.filter(release=release, pk=raw).first()
    if course is None:
        raise ValidationFailed({"course": [_("This course belongs to another release.")]})
    data["course"] = course


@transaction.atomic
def session_create(*, actor: User, release: Release, **data: Any) -> TrainingSession:
    require(actor, release.project, TRAINING_PLAN)
    unknown = set(data) - set(SESSION_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    _wave(release, data)
    _course(release, data)
    if not str(data.get("audience") or "").strip() and isinstance(data.get("course"), TrainingCourse):
        data["audience"] = data["course"].audience
    data.setdefault("audience", "")
    session = TrainingSession(release=release, **data)
    session.audience, session.trainer = session.audience.strip(), session.trainer.strip()
    _check(session)
    full_clean(session, exclude=["release"])
    save_with_history(session, actor=actor)
    return session


@transaction.atomic
def session_update(
    *, actor: User, session: TrainingSession, expected_version: int | None, **data: Any
) -> TrainingSession:
    require(actor, session.release.project, TRAINING_PLAN)
    _wave(session.release, data)
    _course(session.release, data)
    updated, _changed = model_update(
        instance=session, fields=SESSION_FIELDS, data=data, actor=actor, expected_version=expected_version
    )
    try:
        _check(updated)
    except ValidationFailed:
        transaction.set_rollback(True)
        raise
    return updated


# --------------------------------------------------------------------------------------------------- attendees


@transaction.atomic
def attendee_add(*, actor: User, session: TrainingSession, **data: Any) -> TrainingAttendee:
    """Register a named person to ``session``; their wave defaults to the session's."""
    require(actor, session.release.project, TRAINING_PLAN)
    unknown = set(data) - set(ATTENDEE_FIELDS)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    _wave(session.release, data)
    member = data.get("member")
    if member is not None and not isinstance(member, User):
        membership = (
            project_members(session.release.project).filter(user__username=member).select_related("user").first()
        )
        if membership is None:
            raise ValidationFailed({"member": [_("« %(name)s » is not a member of this project.") % {"name": member}]})
        data["member"] = membership.user
    name = str(data.get("name") or "").strip()
    if not name and data.get("member") is not None:
        name = data["member"].get_full_name() or data["member"].username
    if not name:
        raise ValidationFailed({"name": [_("Give the attendee's name.")]})
    data["name"] = name
    data["role"] = str(data.get("role") or "").strip()
    if data.get("wave") is None:
        data["wave"] = session.wave
    if TrainingAttendee.objects.filter(session=session, name=name).exists():
        raise ValidationFailed({"name": [_("%(name)s is already registered to this session.") % {"name": name}]})
    attendee = TrainingAttendee(session=session, **data)
    full_clean(attendee, exclude=["session"])
    save_with_history(attendee, actor=actor)
    return attendee


Mark = tuple[str, int | None]


@transaction.atomic
def attendance_record(
    *,
    actor: User,
    session: TrainingSession,
    expected_version: int | None,
    attended: int | None = None,
    marks: dict[int, Mark] | None = None,
) -> TrainingSession:
    """Record the session's sign-in sheet, under the session's version (the sheet is one unit: no lost update).

    A session with named attendees takes ``marks`` (attendee id → attendance, satisfaction 1–5 or None; an
    attendee left out keeps their mark) and its ``attended`` becomes the number present. A session without names
    takes the plain number ``attended``.
    """
    require(actor, session.release.project, TRAINING_RECORD)
    fresh = lock_for_update(session, expected_version)
    attendees = {a.pk: a for a in TrainingAttendee.objects.filter(session=fresh)}
    if attendees:
        if attended is not None:
            raise ValidationFailed({"attended": [_("This session counts its named attendees: mark them instead.")]})
        errors: dict[str, list[str]] = {}
        for pk, (attendance, satisfaction) in (marks or {}).items():
            person = attendees.get(pk)
            if person is None:
                errors[f"attendee {pk}"] = [_("No attendee %(id)s in this session.") % {"id": pk}]
                continue
            if attendance not in Attendance.values:
                errors[person.name] = [_("« %(value)s » is not an attendance.") % {"value": attendance}]
            elif satisfaction is not None and not 1 <= satisfaction <= 5:
                errors[person.name] = [_("The satisfaction score goes from 1 to 5.")]
            elif satisfaction is not None and attendance != Attendance.PRESENT:
                errors[person.name] = [_("Only someone present gives a satisfaction score.")]
            else:
                continue
        if errors:
            raise ValidationFailed(errors)
        for pk, (attendance, satisfaction) in (marks or {}).items():
            person = attendees[pk]
            if (person.attendance, person.satisfaction) == (attendance, satisfaction):
                continue
            person.attendance, person.satisfaction = attendance, satisfaction
            person.version += 1
            save_with_history(person, actor=actor, update_fields=["attendance", "satisfaction"])
        fresh.attended = sum(1 for a in attendees.values() if a.attendance == Attendance.PRESENT)
    else:
        if marks:
            raise ValidationFailed({"marks": [_("This session has no named attendee.")]})
        if attended is None or attended < 0:
            raise ValidationFailed({"attended": [_("Give a number of users, zero or more.")]})
        fresh.attended = attended
    _check(fresh)
    save_with_history(fresh, actor=actor, update_fields=["attended"])
    return fresh
