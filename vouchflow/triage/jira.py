"""Jira Cloud REST v3: create an escalation issue exactly once.

Contract (Jira Cloud platform REST API v3):

* auth: HTTP basic with the account's email and an API token;
* ``POST /rest/api/3/issue`` with ``{"fields": {"project": {"key"}, "summary",
  "issuetype": {"name"}, "labels": [...], "description": <Atlassian Document Format>}}``
  answers ``201 {"id", "key", "self"}``; a validation failure answers ``400
  {"errorMessages": [...], "errors": {"<field>": "<message>"}}``;
* ``POST /rest/api/3/search/jql`` with ``{"jql", "fields", "maxResults",
  "reconcileIssues"}`` answers ``{"issues": [...], "nextPageToken", "isLast"}``.
  Search is eventually consistent; ``reconcileIssues`` (up to 50 issue ids) makes
  those issues read-after-write consistent;
* ``429`` (and ``503``) carry ``Retry-After`` in seconds.

Jira has no idempotency key, so every issue carries a label derived from the event id,
and ``ensure_issue`` searches for that label before creating (passing the ids this
installation already created under it as ``reconcileIssues``): a retried escalation
finds the first issue instead of creating a second. Retries belong to Temporal: this
client never retries; it raises ``JiraError`` with ``retryable`` and ``retry_after_s``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from vouchflow.retry_after import parse_retry_after

MAX_SUMMARY = 255  # Jira's limit on the summary field
_NON_RETRYABLE = {400, 401, 403, 404, 405, 409, 413, 422}


class JiraError(Exception):
    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after_s = retry_after_s


class JiraIssue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    key: str
    url: str
    created: bool


def event_label(event_id: str, prefix: str = "vouchflow-triage") -> str:
    """A Jira label for an event: labels allow no spaces, and a hash keeps any event id
    (colons, dots, length) a plain token JQL needs no escaping for."""
    digest = hashlib.sha256(event_id.encode("utf-8")).hexdigest()[:24]
    return f"{prefix}-{digest}"


def adf(lines: Sequence[str]) -> dict[str, Any]:
    """Plain lines as an Atlassian Document Format document (v3 requires ADF)."""
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": line[:2000]}]}
            for line in lines
            if line.strip()
        ],
    }


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if not isinstance(body, dict):
        return str(body)[:300]
    parts = [str(m) for m in body.get("errorMessages", []) or []]
    errors = body.get("errors") or {}
    if isinstance(errors, dict):
        parts += [f"{field}: {message}" for field, message in errors.items()]
    return "; ".join(parts)[:500] or response.reason_phrase


class JiraClient:
    def __init__(
        self,
        base_url: str,
        *,
        email: str,
        api_token: str,
        timeout_s: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._client = httpx.AsyncClient(
            base_url=self._base,
            auth=httpx.BasicAuth(email, api_token),
            timeout=timeout_s,
            headers={"Accept": "application/json"},
            transport=transport,
        )

    async def __aenter__(self) -> JiraClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._client.post(path, json=body)
        except httpx.TimeoutException as err:
            raise JiraError(f"jira: {path} timed out", retryable=True) from err
        except httpx.TransportError as err:
            raise JiraError(
                f"jira: connection failed: {type(err).__name__}", retryable=True
            ) from err
        status = response.status_code
        if status < 300:
            try:
                data = response.json()
            except ValueError:
                # A proxy's page instead of Jira's JSON: the same call may work next time.
                raise JiraError(
                    f"jira: HTTP {status} on {path} is not JSON", retryable=True, status=status
                ) from None
            return data if isinstance(data, dict) else {}
        detail = _error_text(response)
        message = f"jira: HTTP {status} on {path}: {detail}"
        if status == 401:
            raise JiraError(
                message + " (check JIRA_EMAIL and JIRA_API_TOKEN)", retryable=False, status=status
            )
        if status in _NON_RETRYABLE or (400 <= status < 500 and status != 429):
            raise JiraError(message, retryable=False, status=status)
        # 429, 503 and other server errors: retried, after Retry-After when Jira sends one.
        wait = parse_retry_after(response.headers)
        raise JiraError(message, retryable=True, status=status, retry_after_s=wait)

    async def search_label(
        self, project_key: str, label: str, *, reconcile_ids: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {
            "jql": f'project = "{project_key}" AND labels = "{label}" ORDER BY created ASC',
            "fields": ["summary", "labels", "created"],
            "maxResults": 10,
        }
        ids = [int(i) for i in reconcile_ids if str(i).isdigit()][:50]
        if ids:
            body["reconcileIssues"] = ids
        data = await self._post("/rest/api/3/search/jql", body)
        issues = data.get("issues", [])
        return [i for i in issues if isinstance(i, dict)]

    async def create_issue(self, fields: dict[str, Any]) -> dict[str, Any]:
        return await self._post("/rest/api/3/issue", {"fields": fields})

    def browse_url(self, key: str) -> str:
        return f"{self._base}/browse/{key}"

    async def ensure_issue(
        self,
        *,
        project_key: str,
        issue_type: str,
        label: str,
        summary: str,
        description: Sequence[str],
        extra_labels: Sequence[str] = (),
        known_ids: Sequence[str] = (),
    ) -> JiraIssue:
        """The issue carrying `label`: the existing one, else a new one."""
        found = await self.search_label(project_key, label, reconcile_ids=known_ids)
        if found:
            first = found[0]
            key = str(first.get("key", ""))
            return JiraIssue(
                id=str(first.get("id", "")), key=key, url=self.browse_url(key), created=False
            )
        one_line = " ".join(summary.split())
        fields = {
            "project": {"key": project_key},
            "issuetype": {"name": issue_type},
            "summary": one_line[:MAX_SUMMARY],
            "labels": [label, *(lbl for lbl in extra_labels if lbl and " " not in lbl)],
            "description": adf(description),
        }
        created = await self.create_issue(fields)
        key = str(created.get("key", ""))
        if not key or not created.get("id"):
            raise JiraError("jira: create answered without an issue key", retryable=False)
        return JiraIssue(id=str(created["id"]), key=key, url=self.browse_url(key), created=True)
