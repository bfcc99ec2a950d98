"""Webhook deliveries shaped as each forge documents them (fields Œuvre reads, plus enough of the rest to be
realistic), with the headers and the proof of origin computed as the forge computes it."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

SECRET = "un-secret-de-webhook-assez-long"


def _sha(n: int) -> str:
    return hashlib.sha1(f"commit-{n}".encode(), usedforsecurity=False).hexdigest()  # a git commit id is a SHA-1


def gitlab_push(messages: list[str], branch: str = "main", first: int = 1) -> dict[str, Any]:
    commits = [
        {
            "id": _sha(first + i),
            "message": message,
            "title": message.splitlines()[0],
            "timestamp": f"2026-11-0{1 + i % 9}T10:1{i % 10}:00+01:00",
            "url": f"https://gitlab.example.com/moe/portail/-/commit/{_sha(first + i)}",
            "author": {"name": "Camille Dev", "email": "camille@example.com"},
            "added": ["src/login.py"],
            "modified": [],
            "removed": [],
        }
        for i, message in enumerate(messages)
    ]
    return {
        "object_kind": "push",
        "event_name": "push",
        "before": "95790bf891e76fee5e1747ab589903a6a1f80f22",
        "after": commits[-1]["id"] if commits else "0" * 40,
        "ref": f"refs/heads/{branch}",
        "ref_protected": True,
        "checkout_sha": commits[-1]["id"] if commits else None,
        "user_id": 4,
        "user_name": "Camille Dev",
        "user_username": "camille",
        "project_id": 15,
        "project": {
            "id": 15,
            "name": "portail",
            "web_url": "https://gitlab.example.com/moe/portail",
            "path_with_namespace": "moe/portail",
            "default_branch": "main",
        },
        "commits": commits,
        "total_commits_count": len(commits),
        "repository": {"name": "portail", "homepage": "https://gitlab.example.com/moe/portail"},
    }


def gitlab_merge_request(
    iid: int, title: str, state: str, action: str, branch: str, description: str = ""
) -> dict[str, Any]:
    return {
        "object_kind": "merge_request",
        "event_type": "merge_request",
        "user": {"id": 1, "name": "Camille Dev", "username": "camille", "email": "camille@example.com"},
        "project": {"id": 15, "name": "portail", "web_url": "https://gitlab.example.com/moe/portail"},
        "object_attributes": {
            "id": 9000 + iid,
            "iid": iid,
            "target_branch": "main",
            "source_branch": branch,
            "source_project_id": 15,
            "target_project_id": 15,
            "author_id": 1,
            "title": title,
            "description": description,
            "created_at": "2026-11-03 09:00:00 UTC",
            "updated_at": "2026-11-04 16:30:00 UTC",
            "state": state,
            "action": action,
            "merge_status": "can_be_merged",
            "merge_commit_sha": _sha(900 + iid) if state == "merged" else None,
            "url": f"https://gitlab.example.com/moe/portail/-/merge_requests/{iid}",
            "last_commit": {"id": _sha(800 + iid), "message": title, "timestamp": "2026-11-04T16:00:00+01:00"},
            "work_in_progress": False,
            "draft": False,
        },
        "labels": [],
        "changes": {},
        "repository": {"name": "portail", "homepage": "https://gitlab.example.com/moe/portail"},
    }


def gitlab_pipeline(pipeline_id: int, status: str, branch: str, message: str, sha: str = "") -> dict[str, Any]:
    return {
        "object_kind": "pipeline",
        "object_attributes": {
            "id": pipeline_id,
            "iid": pipeline_id - 30000,
            "name": None,
            "ref": branch,
            "tag": False,
            "sha": sha or _sha(pipeline_id),
            "before_sha": "0" * 40,
            "source": "push",
            "status": status,
            "detailed_status": status,
            "stages": ["build", "test"],
            "created_at": "2026-11-04 16:31:00 UTC",
            "finished_at": "2026-11-04 16:40:00 UTC",
            "duration": 540,
            "url": f"https://gitlab.example.com/moe/portail/-/pipelines/{pipeline_id}",
        },
        "user": {"id": 1, "name": "Camille Dev", "username": "camille"},
        "project": {"id": 15, "name": "portail", "web_url": "https://gitlab.example.com/moe/portail"},
        "commit": {
            "id": sha or _sha(pipeline_id),
            "message": message,
            "timestamp": "2026-11-04T16:30:00+01:00",
            "url": f"https://gitlab.example.com/moe/portail/-/commit/{sha or _sha(pipeline_id)}",
            "author": {"name": "Camille Dev", "email": "camille@example.com"},
        },
        "builds": [],
    }


def github_push(messages: list[str], branch: str = "main", first: int = 100) -> dict[str, Any]:
    commits = [
        {
            "id": _sha(first + i),
            "tree_id": _sha(5000 + i),
            "distinct": True,
            "message": message,
            "timestamp": "2026-11-05T11:00:00+01:00",
            "url": f"https://github.com/moe/portail/commit/{_sha(first + i)}",
            "author": {"name": "Lou Dev", "email": "lou@example.com", "username": "lou"},
            "committer": {"name": "Lou Dev", "email": "lou@example.com", "username": "lou"},
            "added": [],
            "removed": [],
            "modified": ["README.md"],
        }
        for i, message in enumerate(messages)
    ]
    return {
        "ref": f"refs/heads/{branch}",
        "before": "0" * 40,
        "after": commits[-1]["id"],
        "created": False,
        "deleted": False,
        "forced": False,
        "compare": "https://github.com/moe/portail/compare/000000...abc",
        "commits": commits,
        "head_commit": commits[-1],
        "repository": {"id": 42, "full_name": "moe/portail", "html_url": "https://github.com/moe/portail"},
        "pusher": {"name": "lou", "email": "lou@example.com"},
        "sender": {"login": "lou", "id": 7},
    }


def github_pull_request(
    number: int, title: str, action: str, merged: bool, branch: str, body: str = ""
) -> dict[str, Any]:
    closed = action == "closed"
    return {
        "action": action,
        "number": number,
        "pull_request": {
            "url": f"https://api.github.com/repos/moe/portail/pulls/{number}",
            "html_url": f"https://github.com/moe/portail/pull/{number}",
            "number": number,
            "state": "closed" if closed else "open",
            "locked": False,
            "title": title,
            "user": {"login": "lou", "id": 7},
            "body": body,
            "created_at": "2026-11-05T09:00:00Z",
            "updated_at": "2026-11-05T15:00:00Z",
            "closed_at": "2026-11-05T15:00:00Z" if closed else None,
            "merged_at": "2026-11-05T15:00:00Z" if merged else None,
            "merge_commit_sha": _sha(700 + number),
            "head": {"label": f"moe:{branch}", "ref": branch, "sha": _sha(600 + number)},
            "base": {"label": "moe:main", "ref": "main", "sha": _sha(1)},
            "merged": merged,
            "draft": False,
        },
        "repository": {"id": 42, "full_name": "moe/portail", "html_url": "https://github.com/moe/portail"},
        "sender": {"login": "lou", "id": 7},
    }


def github_workflow_run(run_id: int, conclusion: str | None, branch: str, message: str) -> dict[str, Any]:
    return {
        "action": "completed" if conclusion else "in_progress",
        "workflow_run": {
            "id": run_id,
            "name": "CI",
            "head_branch": branch,
            "head_sha": _sha(run_id),
            "run_number": 12,
            "event": "push",
            "status": "completed" if conclusion else "in_progress",
            "conclusion": conclusion,
            "html_url": f"https://github.com/moe/portail/actions/runs/{run_id}",
            "created_at": "2026-11-05T15:01:00Z",
            "updated_at": "2026-11-05T15:09:00Z",
            "head_commit": {"id": _sha(run_id), "message": message, "timestamp": "2026-11-05T15:00:00Z"},
        },
        "workflow": {"id": 3, "name": "CI"},
        "repository": {"id": 42, "full_name": "moe/portail"},
        "sender": {"login": "lou", "id": 7},
    }


def gitea_push(messages: list[str], branch: str = "develop", first: int = 200) -> dict[str, Any]:
    commits = [
        {
            "id": _sha(first + i),
            "message": message + "\n",
            "url": f"https://gitea.example.com/moe/portail/commit/{_sha(first + i)}",
            "author": {"name": "Sacha", "email": "sacha@example.com", "username": "sacha"},
            "committer": {"name": "Sacha", "email": "sacha@example.com", "username": "sacha"},
            "timestamp": "2026-11-06T13:52:11+01:00",
        }
        for i, message in enumerate(messages)
    ]
    return {
        "ref": f"refs/heads/{branch}",
        "before": "28e1879d029cb852e4844d9c718537df08844e03",
        "after": commits[-1]["id"],
        "compare_url": "https://gitea.example.com/moe/portail/compare/28e1879...abc",
        "commits": commits,
        "repository": {"id": 140, "full_name": "moe/portail", "html_url": "https://gitea.example.com/moe/portail"},
        "pusher": {"id": 1, "login": "sacha"},
        "sender": {"id": 1, "login": "sacha"},
    }


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


def headers(kind: str, event: str, body: bytes, secret: str = SECRET, delivery: str | None = None) -> dict[str, str]:
    """The headers the forge sends, with its proof of origin computed over ``body``."""
    delivery = delivery or str(uuid.uuid4())
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if kind == "gitlab":
        names = {"push": "Push Hook", "merge_request": "Merge Request Hook", "pipeline": "Pipeline Hook"}
        return {
            "X-Gitlab-Event": names.get(event, event),
            "X-Gitlab-Token": secret,
            "X-Gitlab-Event-UUID": delivery,
            "X-Gitlab-Instance": "https://gitlab.example.com",
        }
    if kind == "github":
        return {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-GitHub-Hook-ID": "292430182",
            "X-Hub-Signature-256": f"sha256={digest}",
            "User-Agent": "GitHub-Hookshot/044aadd",
        }
    return {
        "X-Gitea-Event": event,
        "X-Gitea-Event-Type": event,
        "X-Gitea-Delivery": delivery,
        "X-Gitea-Signature": digest,
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": f"sha256={digest}",
    }
