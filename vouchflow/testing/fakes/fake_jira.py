"""Fake Jira Cloud (REST v3): create issue and JQL search, as the real service answers.

    with FakeJira.start() as jira:
        jira.rate_limit(2, retry_after=7)   # the next 2 requests answer 429 Retry-After: 7
        jira.index_lag = True               # new issues are missing from search until
                                            # reconciled (Jira's search is eventually
                                            # consistent; `reconcileIssues` fixes that)
        ... JiraClient(jira.base_url, email=jira.email, api_token=jira.api_token) ...
        jira.issues, jira.requests

What it enforces, like Jira Cloud: HTTP basic auth with email + API token (401 with
Jira's error body otherwise); `POST /rest/api/3/issue` field validation (project,
issue type, summary present, one line and at most 255 characters, labels without
spaces, description in Atlassian Document Format) answered with 400
`{"errorMessages": [], "errors": {field: message}}`; `POST /rest/api/3/search/jql` for
`project = "K" AND labels = "L"` with `reconcileIssues`, answered with `issues`,
`isLast`; the removed `/rest/api/3/search` answers 410; rate limits as 429 with
`Retry-After` (seconds).
"""

from __future__ import annotations

import base64
import re
import threading
from typing import Any, Self

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vouchflow.testing.fakes.fake_openai import ThreadedFake

PROJECTS = {"SUP": "10000"}
ISSUE_TYPES = {"Task", "Bug", "Story"}
_JQL = re.compile(
    r'^\s*project\s*=\s*"?(?P<project>[A-Z][A-Z0-9_]*)"?\s+AND\s+labels\s*=\s*"(?P<label>[^"\s]+)"'
    r"(?:\s+ORDER\s+BY\s+created\s+(?:ASC|DESC))?\s*$",
    re.IGNORECASE,
)


def _errors(errors: dict[str, str], messages: list[str] | None = None) -> dict[str, Any]:
    return {"errorMessages": messages or [], "errors": errors}


class FakeJira(ThreadedFake):
    email = "bot@example.com"

    def __init__(self, api_key: str | None = None) -> None:
        super().__init__(api_key or "jira-api-token")
        self.issues: list[dict[str, Any]] = []
        self.index_lag = False
        self._rate_limited = 0
        self._retry_after = "1"
        self._fail_after_create = 0
        self._state = threading.Lock()

    @classmethod
    def start(cls, api_key: str | None = None) -> Self:
        return super().start(api_key)

    @property
    def api_token(self) -> str:
        return self.api_key

    def rate_limit(self, times: int, *, retry_after: int = 1) -> None:
        with self._state:
            self._rate_limited = times
            self._retry_after = str(retry_after)

    def drop_response_after_create(self, times: int = 1) -> None:
        """Create the issue, then answer 502 as a proxy losing the response would: the
        client cannot know the issue exists (the case search-before-create is for)."""
        with self._state:
            self._fail_after_create = times

    def routes(self) -> list[Route]:
        return [
            Route("/rest/api/3/issue", self._create, methods=["POST"]),
            Route("/rest/api/3/search/jql", self._search, methods=["POST"]),
            Route("/rest/api/3/search", self._gone, methods=["GET", "POST"]),
        ]

    def error_response(
        self,
        status: int,
        message: str,
        *,
        error_type: str | None = None,
        headers: dict[str, str] | None = None,
        param: str | None = None,
    ) -> Response:
        return JSONResponse(_errors({}, [message]), status_code=status, headers=headers)

    def _authorized(self, request: Request) -> bool:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except ValueError:
            return False
        return decoded == f"{self.email}:{self.api_key}"

    async def _gate(self, request: Request) -> tuple[Any, Response | None]:
        body, problem = await self._record(request)
        if not self._authorized(request):
            return None, self.error_response(
                401, "You are not authenticated. Authentication required to perform this operation."
            )
        with self._state:
            if self._rate_limited > 0:
                self._rate_limited -= 1
                return None, self.error_response(
                    429, "Rate limit exceeded.", headers={"Retry-After": self._retry_after}
                )
        return body, problem

    async def _gone(self, request: Request) -> Response:
        return self.error_response(
            410, "The requested API has been removed. Please migrate to /rest/api/3/search/jql."
        )

    async def _create(self, request: Request) -> Response:
        body, problem = await self._gate(request)
        if problem is not None:
            return problem
        fields = body.get("fields")
        if not isinstance(fields, dict):
            return JSONResponse(_errors({}, ["Issue fields are required."]), status_code=400)
        errors = self._validate(fields)
        if errors:
            return JSONResponse(_errors(errors), status_code=400)
        with self._state:
            number = len(self.issues) + 1
            issue = {
                "id": str(10000 + number),
                "key": f"{fields['project']['key']}-{number}",
                "fields": fields,
                "indexed": not self.index_lag,
            }
            self.issues.append(issue)
            drop = self._fail_after_create > 0
            if drop:
                self._fail_after_create -= 1
        if drop:
            return Response("Bad Gateway", status_code=502)
        return JSONResponse(
            {
                "id": issue["id"],
                "key": issue["key"],
                "self": f"{self.root_url}/rest/api/3/issue/{issue['id']}",
            },
            status_code=201,
        )

    def _validate(self, fields: dict[str, Any]) -> dict[str, str]:
        errors: dict[str, str] = {}
        project = fields.get("project")
        if not isinstance(project, dict) or project.get("key") not in PROJECTS:
            errors["project"] = "Specify a valid project ID or key"
        issuetype = fields.get("issuetype")
        if not isinstance(issuetype, dict) or issuetype.get("name") not in ISSUE_TYPES:
            errors["issuetype"] = "Specify an issue type"
        summary = fields.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            errors["summary"] = "You must specify a summary of the issue."
        elif len(summary) > 255:
            errors["summary"] = "Summary must be less than 255 characters."
        elif "\n" in summary or "\r" in summary:
            errors["summary"] = "The summary is invalid because it contains newline characters."
        labels = fields.get("labels", [])
        if not isinstance(labels, list) or any(
            not isinstance(lbl, str) or not lbl or " " in lbl or len(lbl) > 255 for lbl in labels
        ):
            errors["labels"] = "The label can't contain spaces."
        description = fields.get("description")
        if description is not None and not (
            isinstance(description, dict)
            and description.get("type") == "doc"
            and description.get("version") == 1
            and isinstance(description.get("content"), list)
        ):
            errors["description"] = "Operation value must be an Atlassian Document."
        unknown = set(fields) - {
            "project",
            "issuetype",
            "summary",
            "labels",
            "description",
            "priority",
        }
        for name in sorted(unknown):
            errors[name] = (
                f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
            )
        return errors

    async def _search(self, request: Request) -> Response:
        body, problem = await self._gate(request)
        if problem is not None:
            return problem
        jql = body.get("jql")
        match = _JQL.match(jql) if isinstance(jql, str) else None
        if match is None:
            return JSONResponse(
                _errors({}, [f"Error in the JQL Query: unsupported query {jql!r}."]),
                status_code=400,
            )
        reconcile = body.get("reconcileIssues", [])
        if not isinstance(reconcile, list) or len(reconcile) > 50:
            return JSONResponse(
                _errors({}, ["reconcileIssues accepts at most 50 issue ids."]), status_code=400
            )
        wanted = {str(i) for i in reconcile}
        with self._state:
            found = [
                issue
                for issue in self.issues
                if issue["fields"]["project"]["key"] == match["project"]
                and match["label"] in issue["fields"].get("labels", [])
                and (issue["indexed"] or issue["id"] in wanted)
            ]
        limit = body.get("maxResults", 50)
        return JSONResponse(
            {
                "issues": [
                    {
                        "id": i["id"],
                        "key": i["key"],
                        "self": f"{self.root_url}/rest/api/3/issue/{i['id']}",
                        "fields": {
                            "summary": i["fields"]["summary"],
                            "labels": i["fields"].get("labels", []),
                        },
                    }
                    for i in found[: int(limit)]
                ],
                "isLast": True,
            }
        )

    def index_all(self) -> None:
        """The search index caught up."""
        with self._state:
            for issue in self.issues:
                issue["indexed"] = True
