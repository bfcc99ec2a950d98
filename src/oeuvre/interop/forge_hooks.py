"""Webhook deliveries of code forges (GitLab, GitHub, Gitea/Forgejo): authenticity and content, without Django.

Each forge documents how it proves a delivery comes from it:

* GitLab sends the secret token as it was typed, in ``X-Gitlab-Token``;
* GitHub signs the raw body with HMAC-SHA256 under the secret, ``X-Hub-Signature-256: sha256=<hex>``;
* Gitea signs the same way, hex digest alone, in ``X-Gitea-Signature`` (Forgejo: ``X-Forgejo-Signature``;
  both also send GitHub's header, which is accepted too).

:func:`verify` compares in constant time over the exact bytes received. :func:`parse` reads push,
merge/pull request and pipeline/workflow deliveries into :class:`ForgeDelivery`: plain data with the
commits, merge requests and pipelines it mentions and the references (``EX-012``, ``T-045``…) found in
their messages, titles and branch names. Unknown event types give an empty delivery, not an error, since a
forge may be set to send more than Œuvre reads.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from oeuvre.interop.errors import FileFormatError

__all__ = [
    "KINDS",
    "ChangeData",
    "ForgeDelivery",
    "Reference",
    "delivery_id",
    "event_name",
    "find_references",
    "github_signature",
    "parse",
    "verify",
]

KINDS = ("gitlab", "github", "gitea")

# A reference: capital prefix (letters then letters/digits), a dash, digits. Branch names are often written in
# lower case (feature/ex-012-login), so the search ignores case and references come back upper-cased.
_REFERENCE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9]{0,9})-(\d{1,6})(?![A-Za-z0-9])")
# "Fixes ANO-007", "Closes #ANO-7", "corrige ANO-007": the explicit keyword that delivers an anomaly's fix.
_FIX = re.compile(
    r"\b(?:fix(?:e[sd])?|close[sd]?|resolve[sd]?|corrige[sr]?|corrigée?s?|résou[dt]s?|ferme[sr]?)\b"
    r"\s*:?\s*#?([A-Za-z][A-Za-z0-9]{0,9}-\d{1,6})",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reference:
    """A reference found in a text: ``EX-012`` with ``fixes`` when a keyword such as “Fixes” precedes it."""

    prefix: str
    number: int
    text: str  # as written, upper-cased: "EX-012"
    fixes: bool = False


@dataclass
class ChangeData:
    """A commit, a merge/pull request or a pipeline/workflow run, as the forge described it."""

    kind: str  # "commit", "merge_request", "pipeline"
    key: str  # commit sha, merge request number (iid), pipeline id
    title: str = ""
    url: str = ""
    state: str = ""  # merge request: opened/merged/closed; pipeline: running/success/failed/canceled
    branch: str = ""
    sha: str = ""
    author: str = ""
    occurred_at: str = ""  # ISO 8601 as sent
    references: list[Reference] = field(default_factory=list)


@dataclass
class ForgeDelivery:
    """What one delivery says: its kind of event and the changes it mentions."""

    event: str  # "push", "merge_request", "pipeline", "ping" or "" (not read)
    changes: list[ChangeData] = field(default_factory=list)

    @property
    def references(self) -> list[str]:
        return sorted({ref.text for change in self.changes for ref in change.references})


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value.strip()
    return ""


def github_signature(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value of ``body`` under ``secret`` (``sha256=<hex>``)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(kind: str, secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """Whether the delivery carries the proof its forge documents; False on any missing or wrong proof.

    >>> verify("github", "s3cret", {"X-Hub-Signature-256": github_signature("s3cret", b"{}")}, b"{}")
    True
    >>> verify("gitlab", "s3cret", {"X-Gitlab-Token": "wrong"}, b"{}")
    False
    """
    if not secret:
        return False
    if kind == "gitlab":
        token = _header(headers, "X-Gitlab-Token")
        return bool(token) and hmac.compare_digest(token.encode(), secret.encode())
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if kind == "gitea":
        for name in ("X-Gitea-Signature", "X-Forgejo-Signature"):
            sent = _header(headers, name)
            if sent:
                return hmac.compare_digest(sent.lower().encode(), expected.encode())
    if kind in {"github", "gitea"}:
        sent = _header(headers, "X-Hub-Signature-256")
        return sent.startswith("sha256=") and hmac.compare_digest(sent[7:].lower().encode(), expected.encode())
    return False


def event_name(kind: str, headers: Mapping[str, str]) -> str:
    """The forge's own name of the event (``Push Hook``, ``pull_request``…), as sent in its header."""
    names = {
        "gitlab": ("X-Gitlab-Event",),
        "github": ("X-GitHub-Event",),
        "gitea": ("X-Gitea-Event", "X-Forgejo-Event", "X-GitHub-Event"),
    }
    for name in names.get(kind, ()):
        value = _header(headers, name)
        if value:
            return value
    return ""


def delivery_id(kind: str, headers: Mapping[str, str]) -> str:
    """The forge's identifier of the delivery (kept to recognise a redelivery); ``""`` when it sends none."""
    names = {
        "gitlab": ("X-Gitlab-Event-UUID", "Idempotency-Key", "X-Gitlab-Webhook-UUID"),
        "github": ("X-GitHub-Delivery",),
        "gitea": ("X-Gitea-Delivery", "X-Forgejo-Delivery", "X-GitHub-Delivery"),
    }
    for name in names.get(kind, ()):
        value = _header(headers, name)
        if value:
            return value[:100]
    return ""


def find_references(text: str) -> list[Reference]:
    """References in ``text``, in order of first appearance, each once (``fixes`` if any mention says so).

    >>> [(r.text, r.fixes) for r in find_references("Fixes ANO-007, see EX-12 and feature/t-045-login")]
    [('ANO-007', True), ('EX-12', False), ('T-045', False)]
    """
    if not text:
        return []
    fixed = {match.group(1).upper() for match in _FIX.finditer(text)}
    found: dict[str, Reference] = {}
    for match in _REFERENCE.finditer(text):
        prefix = match.group(1).upper()
        if prefix.isdigit() or prefix in _NOT_REFERENCES:
            continue
        ref = f"{prefix}-{match.group(2)}"
        if ref not in found:
            found[ref] = Reference(prefix, int(match.group(2)), ref, ref in fixed)
    return list(found.values())


# Words that look like references in commit messages but never are (encodings, standards, versions).
_NOT_REFERENCES = frozenset({"UTF", "ISO", "SHA", "MD", "RFC", "CVE", "HTTP", "TLS", "X"})


def _refs(*texts: str) -> list[Reference]:
    merged: dict[str, Reference] = {}
    for text in texts:
        for ref in find_references(text):
            known = merged.get(ref.text)
            if known is None or (ref.fixes and not known.fixes):
                merged[ref.text] = ref
    return list(merged.values())


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _branch(ref: str) -> str:
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else ""


def _push(payload: dict[str, Any]) -> list[ChangeData]:
    branch = _branch(_str(payload.get("ref")))
    changes = []
    commits = payload.get("commits")
    for commit in commits if isinstance(commits, list) else []:
        commit = _dict(commit)
        sha = _str(commit.get("id"))
        if not sha:
            continue
        message = _str(commit.get("message"))
        author = _dict(commit.get("author"))
        changes.append(
            ChangeData(
                kind="commit",
                key=sha,
                title=_first_line(message),
                url=_str(commit.get("url")),
                branch=branch,
                sha=sha,
                author=_str(author.get("name") or author.get("username")),
                occurred_at=_str(commit.get("timestamp")),
                references=_refs(message, branch),
            )
        )
    return changes


def _gitlab_merge_request(payload: dict[str, Any]) -> list[ChangeData]:
    attrs = _dict(payload.get("object_attributes"))
    iid = _str(attrs.get("iid"))
    if not iid:
        return []
    state = {"opened": "opened", "reopened": "opened", "merged": "merged", "closed": "closed", "locked": "opened"}
    title, description = _str(attrs.get("title")), _str(attrs.get("description"))
    branch = _str(attrs.get("source_branch"))
    user = _dict(payload.get("user"))
    return [
        ChangeData(
            kind="merge_request",
            key=iid,
            title=title[:300],
            url=_str(attrs.get("url")),
            state=state.get(_str(attrs.get("state")), "opened"),
            branch=branch,
            sha=_str(attrs.get("merge_commit_sha") or _dict(attrs.get("last_commit")).get("id")),
            author=_str(user.get("name") or user.get("username")),
            occurred_at=_str(attrs.get("updated_at")),
            references=_refs(title, description, branch),
        )
    ]


def _github_pull_request(payload: dict[str, Any]) -> list[ChangeData]:
    pull = _dict(payload.get("pull_request"))
    number = _str(pull.get("number") or payload.get("number"))
    if not number:
        return []
    if pull.get("merged"):
        state = "merged"
    elif _str(pull.get("state")) == "closed":
        state = "closed"
    else:
        state = "opened"
    title, body = _str(pull.get("title")), _str(pull.get("body"))
    head = _dict(pull.get("head"))
    branch = _str(head.get("ref"))
    user = _dict(pull.get("user"))
    return [
        ChangeData(
            kind="merge_request",
            key=number,
            title=title[:300],
            url=_str(pull.get("html_url")),
            state=state,
            branch=branch,
            sha=_str(pull.get("merge_commit_sha") or head.get("sha")),
            author=_str(user.get("login")),
            occurred_at=_str(pull.get("merged_at") or pull.get("updated_at")),
            references=_refs(title, body, branch),
        )
    ]


_GITLAB_PIPELINE = {
    "created": "running",
    "waiting_for_resource": "running",
    "preparing": "running",
    "pending": "running",
    "running": "running",
    "success": "success",
    "failed": "failed",
    "canceled": "canceled",
    "skipped": "canceled",
    "manual": "running",
    "scheduled": "running",
}


def _gitlab_pipeline(payload: dict[str, Any]) -> list[ChangeData]:
    attrs = _dict(payload.get("object_attributes"))
    pipeline_id = _str(attrs.get("id"))
    if not pipeline_id:
        return []
    commit = _dict(payload.get("commit"))
    message, branch = _str(commit.get("message")), _str(attrs.get("ref"))
    project = _dict(payload.get("project"))
    url = _str(attrs.get("url")) or (
        f"{_str(project.get('web_url'))}/-/pipelines/{pipeline_id}" if project.get("web_url") else ""
    )
    return [
        ChangeData(
            kind="pipeline",
            key=pipeline_id,
            title=_first_line(message) or branch,
            url=url,
            state=_GITLAB_PIPELINE.get(_str(attrs.get("status")), "running"),
            branch=branch,
            sha=_str(attrs.get("sha") or commit.get("id")),
            occurred_at=_str(attrs.get("finished_at") or attrs.get("created_at")),
            references=_refs(message, branch),
        )
    ]


def _github_workflow_run(payload: dict[str, Any]) -> list[ChangeData]:
    run = _dict(payload.get("workflow_run"))
    run_id = _str(run.get("id"))
    if not run_id:
        return []
    if _str(run.get("status")) != "completed":
        state = "running"
    else:
        conclusion = _str(run.get("conclusion"))
        state = (
            "success" if conclusion == "success" else "canceled" if conclusion in {"cancelled", "skipped"} else "failed"
        )
    head = _dict(run.get("head_commit"))
    message, branch = _str(head.get("message")), _str(run.get("head_branch"))
    return [
        ChangeData(
            kind="pipeline",
            key=run_id,
            title=_str(run.get("name")) or _first_line(message),
            url=_str(run.get("html_url")),
            state=state,
            branch=branch,
            sha=_str(run.get("head_sha") or head.get("id")),
            occurred_at=_str(run.get("updated_at")),
            references=_refs(message, branch),
        )
    ]


def parse(kind: str, event: str, body: bytes) -> ForgeDelivery:
    """Read one delivery; raises :class:`FileFormatError` (with the line) when the body is not a JSON object."""
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"the body is not JSON: {exc.msg}", code="json", line=exc.lineno) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"the body is not JSON: {exc}", code="json") from None
    if not isinstance(payload, dict):
        raise FileFormatError("the body is not a JSON object", code="json")
    name = event.strip().lower()
    if kind == "gitlab":
        object_kind = _str(payload.get("object_kind"))
        if object_kind == "push" or name == "push hook":
            return ForgeDelivery("push", _push(payload))
        if object_kind == "merge_request" or name == "merge request hook":
            return ForgeDelivery("merge_request", _gitlab_merge_request(payload))
        if object_kind == "pipeline" or name == "pipeline hook":
            return ForgeDelivery("pipeline", _gitlab_pipeline(payload))
        return ForgeDelivery("")
    if name == "ping":
        return ForgeDelivery("ping")
    if name == "push":
        return ForgeDelivery("push", _push(payload))
    if name == "pull_request":
        return ForgeDelivery("merge_request", _github_pull_request(payload))
    if name == "workflow_run":
        return ForgeDelivery("pipeline", _github_workflow_run(payload))
    return ForgeDelivery("")
