"""A provider error that echoes the API key leaves no trace of it anywhere.

The fake OpenAI answers 401 quoting the configured key (as OpenAI's own 401 does);
the key must then be in none of: the workflow history, the audit log, the worker's
log output (structlog and the standard library, tracebacks included), the gateway's
status JSON. The interceptor itself is also exercised directly with every kind of
error an activity can raise.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from temporalio.client import Client
from temporalio.converter import DefaultFailureConverter, DefaultPayloadConverter
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import ExecuteActivityInput

from tests.harness import running_harness
from tests.invoice_texts import TextInvoice
from tests.test_llm_workflow import llm_settings
from vouchflow.gateway.app import create_app
from vouchflow.observability.logging import configure_logging
from vouchflow.observability.scrubbing import SecretScrubbingInterceptor, scrub_exception
from vouchflow.stores.redact import REDACTED, redact_text, scrub_secrets
from vouchflow.testing.fakes import FakeOpenAI, Reply

# Short and not key-shaped: only scrubbing by configured value can catch it.
API_KEY = "Q8v2-plain"
INTAKE_TOKEN = "scrub-intake-token-71c2e9"


@pytest.fixture
def fake_openai(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI.start(api_key=API_KEY) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        yield fake


@pytest.fixture
def structured_logs() -> Iterator[io.StringIO]:
    """The worker's logging set-up (configure_logging), captured."""
    sink = io.StringIO()
    root = logging.getLogger()
    before = list(root.handlers)
    handler = logging.StreamHandler(sink)
    root.addHandler(handler)
    configure_logging()
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=sink))
    try:
        yield sink
    finally:
        for added in [h for h in root.handlers if h not in before]:
            root.removeHandler(added)
        structlog.reset_defaults()


async def test_echoed_api_key_is_in_no_history_audit_log_or_status(
    time_skipping_env: WorkflowEnvironment,
    tmp_path: Path,
    fake_openai: FakeOpenAI,
    structured_logs: io.StringIO,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("VOUCHFLOW_INTAKE_TOKEN", INTAKE_TOKEN)
    echo = (
        f"Incorrect API key provided: {API_KEY}. You can find your API key at "
        "https://platform.openai.com/account/api-keys."
    )
    fake_openai.script(*[Reply.error(401, echo, error_type="invalid_request_error")] * 3)
    home = tmp_path / "home"
    auth = {"Authorization": f"Bearer {INTAKE_TOKEN}"}
    async with running_harness(time_skipping_env, llm_settings(home)) as h:

        async def factory() -> Client:
            return h.client

        app = create_app(
            h.settings, client_factory=factory, env={"VOUCHFLOW_INTAKE_TOKEN": INTAKE_TOKEN}
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as gw:
            uploaded = await gw.post(
                "/invoices", content=TextInvoice(number="KEY-401").bytes(), headers=auth
            )
            assert uploaded.status_code == 202, uploaded.text
            workflow_id = uploaded.json()["workflow_id"]
            h.submitted.append(workflow_id)
            final = await h.result(workflow_id)
            assert final.status == "needs_attention" and "401" in final.status_reason
            status = await gw.get(f"/invoices/{workflow_id}", headers=auth)
        assert status.status_code == 200 and "401" in status.text
        assert len(fake_openai.requests) >= 1  # the provider was called and answered 401
        history = readable_history((await h.handle(workflow_id).fetch_history()).to_json())
        # The refusal itself is recorded, minus the key.
        assert f"Incorrect API key provided: {REDACTED}" in history
        audit = [r.model_dump_json() for r in h.deps.audit.all_records()]
        assert audit
    captured = capfd.readouterr()
    sinks = {
        "history": history,
        "audit": "\n".join(audit),
        "gateway status": status.text,
        "worker log": structured_logs.getvalue(),
        "log records": caplog.text,
        "stdout": captured.out,
        "stderr": captured.err,
    }
    leaked = [name for name, text in sinks.items() if API_KEY in text]
    assert leaked == []


def readable_history(history_json: str) -> str:
    """History JSON with every payload's base64 data decoded alongside it."""
    decoded = []
    for match in re.finditer(r'"data": "([A-Za-z0-9+/=]+)"', history_json):
        try:
            decoded.append(base64.b64decode(match.group(1)).decode("utf-8", "replace"))
        except ValueError:
            continue
    assert decoded, "no payloads found in history"
    return history_json + "\n" + "\n".join(decoded)


# ---- the interceptor, directly --------------------------------------------------------------


class _Raises:
    def __init__(self, err: BaseException) -> None:
        self.err = err

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        raise self.err

    def init(self, outbound: Any) -> None:  # pragma: no cover - not used here
        pass


async def _through_interceptor(err: BaseException) -> BaseException:
    inbound = SecretScrubbingInterceptor().intercept_activity(_Raises(err))  # type: ignore[arg-type]
    with pytest.raises(BaseException) as caught:
        await inbound.execute_activity(None)  # type: ignore[arg-type]
    return caught.value


def _failure_text(err: BaseException) -> str:
    from temporalio.api.failure.v1 import Failure

    failure = Failure()
    DefaultFailureConverter().to_failure(err, DefaultPayloadConverter(), failure)
    return str(failure)


async def test_interceptor_scrubs_message_details_and_cause_chain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "xero-Secret-77aa"
    monkeypatch.setenv("XERO_CLIENT_SECRET", secret)
    try:
        try:
            raise ConnectionError(f"token endpoint said: bad client_secret={secret}")
        except ConnectionError as inner:
            raise ApplicationError(
                f"Xero refused {secret}",
                {"body": f"secret {secret}"},
                type="XeroAuthError",
                non_retryable=True,
                next_retry_delay=dt.timedelta(seconds=7),
            ) from inner
    except ApplicationError as raised:
        original = raised
    clean = await _through_interceptor(original)
    assert isinstance(clean, ApplicationError)
    assert (clean.type, clean.non_retryable, clean.next_retry_delay) == (
        "XeroAuthError",
        True,
        dt.timedelta(seconds=7),
    )
    assert secret not in _failure_text(clean) and "Xero refused" in clean.message
    assert secret not in repr(clean.details)
    assert isinstance(clean.__cause__, ApplicationError)
    assert clean.__cause__.type == "ConnectionError"


async def test_interceptor_keeps_type_of_plain_errors_and_leaves_clean_ones_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1234-abcdefgh")
    leaky = await _through_interceptor(ValueError("auth failed for xoxb-1234-abcdefgh"))
    assert isinstance(leaky, ApplicationError) and leaky.type == "ValueError"
    assert not leaky.non_retryable and "xoxb-1234" not in _failure_text(leaky)
    plain = ValueError("nothing secret here")
    assert await _through_interceptor(plain) is plain
    assert scrub_exception(plain) is plain


@pytest.mark.parametrize(
    "text",
    [
        "Incorrect API key provided: sk-proj-abcdef123456",
        "Incorrect API key provided: sk-abc12***************wxyz",
        "invalid x-api-key sk-ant-api03-Zz9_yy8-XX",
        "token xoxb-123456789012-abcdefABCDEF rejected",
        "Authorization: Bearer abcdefghijklmnop",
        "jwt eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZw",
    ],
)
def test_key_shaped_strings_are_scrubbed_without_configuration(text: str) -> None:
    cleaned = redact_text(text)
    assert REDACTED in cleaned
    for fragment in ("sk-proj-abc", "abc12", "api03", "xoxb-123", "abcdefghijklmnop", "eyJzdWIi"):
        assert fragment not in cleaned


def test_every_configured_secret_is_scrubbed_by_value() -> None:
    env = {
        "OPENAI_API_KEY": "k-1",  # too short to be told from ordinary text: left alone
        "ANTHROPIC_API_KEY": "anth-value-1",
        "SMTP_PASSWORD": "hunter2hunter2",
        "VOUCHFLOW_PAYLOAD_KEY": "cGF5bG9hZC1rZXk=",
        "MY_CUSTOM_CLIENT_SECRET": "custom-secret-9",
        "VOUCHFLOW_REVIEW_TOKENS": "alice:alice-review-secret,bob:bob-review-secret",
        "HOME": "/home/someone",
    }
    text = (
        "anth-value-1 hunter2hunter2 cGF5bG9hZC1rZXk= custom-secret-9 "
        "alice-review-secret bob-review-secret /home/someone alice"
    )
    cleaned = scrub_secrets(text, env)
    assert cleaned.count(REDACTED) == 6
    assert "/home/someone alice" in cleaned  # not secrets: names and ordinary settings
