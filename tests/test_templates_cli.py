"""`vouchflow templates list|show|remove` against a store in a temporary home."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from schemas.invoice.invoice import Invoice
from tests.conftest import make_settings
from tests.invoice_texts import TextInvoice
from vouchflow.cli.app import main
from vouchflow.identity.keys import ensure_person
from vouchflow.invoice.templates import learn_template
from vouchflow.stores.audit import open_audit_store
from vouchflow.stores.templates import open_template_store


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    for name in ("VOUCHFLOW_IDENTITY", "VOUCHFLOW_IDENTITY_KEY", "VOUCHFLOW_TEMPLATES_DSN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("VOUCHFLOW_AUDIT_DSN", raising=False)
    monkeypatch.setenv("VOUCHFLOW_HOME", str(home))
    settings = make_settings(home)
    text = TextInvoice(extra_text="IBAN: GB29 NWBK 6016 1331 9268 19").render()
    approved = Invoice(
        supplier_name="Acme Office Supplies Ltd",
        invoice_number="INV-1001",
        issue_date=dt.date(2026, 10, 1),
        currency="GBP",
        total_minor=20088,
    )
    template = learn_template(None, text, approved)
    open_template_store(settings).append(
        template_id=template.template_id,
        action="learned",
        supplier_name=template.supplier_name,
        template=template,
        actor="alice",
        idempotency_key="invoice-1:learn",
        now=dt.datetime(2026, 10, 2, tzinfo=dt.UTC),
        workflow_id="invoice-1",
        document_sha256="b" * 64,
    )
    return home


def test_list_show_remove(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "list"]) == 0
    out = capsys.readouterr().out
    assert "Acme Office Supplies Ltd" in out and "GB29 NWBK 6016 1331 9268 19" in out
    assert "invoice-1 (by alice)" in out and "invoice_number" in out

    assert main(["templates", "show", "acme office supplies"]) == 0
    out = capsys.readouterr().out
    assert "invoice_number: identifier" in out and "label 'invoice no'" in out
    assert "v1 learned by alice" in out and "workflow invoice-1" in out

    # Removal needs an operator whose key is trusted.
    assert main(["templates", "remove", "Acme Office Supplies Ltd", "--as", "carol"]) == 1
    assert "no credential for carol" in capsys.readouterr().err
    ensure_person(home, "carol")
    code = main(
        ["templates", "remove", "Acme Office Supplies Ltd", "--as", "carol", "--reason", "x"]
    )
    assert code == 0
    assert "tombstone by carol" in capsys.readouterr().out
    assert main(["templates", "list"]) == 0
    assert "no supplier templates yet" in capsys.readouterr().out
    assert main(["templates", "list", "--all"]) == 0
    assert "(removed)" in capsys.readouterr().out
    records = open_audit_store(make_settings(home)).all_records()
    [removed] = [r for r in records if r.type == "template.removed"]
    assert removed.payload["actor"] == "carol" and removed.payload["reason"] == "x"
    # Removing twice says so.
    assert main(["templates", "remove", "Acme Office Supplies Ltd", "--as", "carol"]) == 1
    assert "already removed" in capsys.readouterr().err


def test_unknown_template_is_a_clear_error(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "show", "tpl-nope"]) == 1
    err = capsys.readouterr().err
    assert "no supplier template 'tpl-nope'" in err and "templates list" in err
