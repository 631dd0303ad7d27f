"""`vouchflow templates list|show|remove`: the supplier templates learned from approvals.

Removal is a tombstone (the versions stay) made by an authenticated operator: the
person's own key signs an `operate` token bound to the template, verified against the
trusted keys like any decision, and the removal is written to the audit log.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from schemas.common.audit import AuditEntry
from vouchflow.cli.identity import resolve_signer
from vouchflow.identity.keys import load_trusted
from vouchflow.identity.tokens import ProofRefused, verify_decision_token
from vouchflow.invoice.templates.identity import display_id
from vouchflow.invoice.templates.models import SupplierTemplate
from vouchflow.settings import Settings
from vouchflow.stores.audit import open_audit_store
from vouchflow.stores.templates import (
    TemplateNotFound,
    TemplateStore,
    TemplateVersion,
    open_template_store,
    resolve,
)


class TemplateCommandError(Exception):
    """A templates command that cannot be carried out; the message says why."""


def add_template_parsers(sub: Any) -> None:
    p = sub.add_parser("templates", help="supplier templates learned from approvals")
    tsub = p.add_subparsers(dest="templates_command", required=True, metavar="COMMAND")
    ls = tsub.add_parser("list", help="every learned supplier: ids, version, fields, source")
    ls.add_argument("--all", action="store_true", help="include removed templates")
    ls.add_argument("--json", action="store_true")
    show = tsub.add_parser("show", help="one template: each field's anchors and format, versions")
    show.add_argument("supplier_or_id")
    show.add_argument("--json", action="store_true")
    rm = tsub.add_parser("remove", help="remove a template (a tombstone; audited)")
    rm.add_argument("supplier_or_id")
    rm.add_argument("--as", dest="as_person", metavar="ID", help="who removes it (your key)")
    rm.add_argument("--key", metavar="FILE", help="your private key")
    rm.add_argument("--reason", default="", help="why (kept with the removal)")


def cmd_templates(args: argparse.Namespace, settings: Settings) -> int:
    store = open_template_store(settings)
    try:
        if args.templates_command == "list":
            return _list(store, show_all=args.all, as_json=args.json)
        if args.templates_command == "show":
            return _show(store, resolve(store, args.supplier_or_id), as_json=args.json)
        return _remove(store, settings, args)
    except TemplateNotFound as err:
        raise TemplateCommandError(str(err)) from None


def _list(store: TemplateStore, *, show_all: bool, as_json: bool) -> int:
    rows = [v for v in store.latest_all() if show_all or v.live]
    if as_json:
        print(json.dumps([_summary(store, v) for v in rows], indent=2))
        return 0
    if not rows:
        print("no supplier templates yet: one is learned when a person approves an invoice")
        return 0
    header = ("SUPPLIER", "TEMPLATE", "VERSION", "KEY IDS", "FIELDS", "LEARNED FROM", "WHEN")
    lines = [header]
    for v in rows:
        s = _summary(store, v)
        lines.append(
            (
                s["supplier"] + ("" if v.live else " (removed)"),
                s["template_id"],
                str(s["version"]),
                ", ".join(s["key_ids"]) or "-",
                ", ".join(s["fields"]) or "-",
                s["learned_from"],
                s["when"],
            )
        )
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    for row in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _summary(store: TemplateStore, v: TemplateVersion) -> dict[str, Any]:
    # Removed: what it was before the tombstone.
    template = v.template or _last_template(store, v.template_id)
    ids: list[str] = []
    if template is not None:
        ids = [*template.identity.vat_ids, *map(display_id, template.identity.ibans)]
    source = f"{v.workflow_id or '-'} (by {v.actor})"
    return {
        "supplier": v.supplier_name,
        "template_id": v.template_id,
        "version": v.version,
        "live": v.live,
        "key_ids": ids,
        "fields": sorted(template.fields) if template else [],
        "learned_from": source,
        "when": f"{v.created_at:%Y-%m-%d %H:%M} UTC",
    }


def _last_template(store: TemplateStore, template_id: str) -> SupplierTemplate | None:
    for version in reversed(store.versions(template_id)):
        if version.template is not None:
            return version.template
    return None


def _show(store: TemplateStore, current: TemplateVersion, *, as_json: bool) -> int:
    versions = store.versions(current.template_id)
    template = current.template or _last_template(store, current.template_id)
    if as_json:
        print(
            json.dumps(
                {
                    "template": template.model_dump(mode="json") if template else None,
                    "live": current.live,
                    "versions": [_version_json(v) for v in versions],
                },
                indent=2,
            )
        )
        return 0
    state = "live" if current.live else "REMOVED"
    print(f"{current.supplier_name}  {current.template_id}  v{current.version} ({state})")
    if template is not None:
        ident = template.identity
        print(f"  VAT ids:         {', '.join(ident.vat_ids) or '-'}")
        print(f"  IBANs:           {', '.join(map(display_id, ident.ibans)) or '-'}")
        print(f"  account numbers: {', '.join(ident.account_numbers) or '-'}")
        buyer = ", ".join(template.buyer_identity.vat_ids) or "-"
        print(f"  buyer's ids (never used to recognise): {buyer}")
        print(f"  layout: {template.layout_source}")
        print("  fields:")
        for name, spec in template.fields.items():
            flag = " (corrected by the approver)" if spec.corrected else ""
            learned = f"learned {spec.learned_value!r}{flag}"
            print(f"    {name}: {spec.kind}, format {spec.format!r}, {learned}")
            for a in spec.anchors:
                where = f"page {a.page + 1} at x {a.value_box.x0:.2f}, y {a.value_box.top:.2f}"
                label = f" label {a.label!r}" if a.label else ""
                printed = f"printed {a.printed!r} (score {a.score:.2f})"
                print(f"      - {a.relation}{label}: {where}, {printed}")
    print("  versions:")
    for v in versions:
        doc = f" document {v.document_sha256[:12]}" if v.document_sha256 else ""
        wf = f" workflow {v.workflow_id}" if v.workflow_id else ""
        why = f": {v.reason}" if v.reason else ""
        when = f"{v.created_at:%Y-%m-%d %H:%M} UTC"
        print(f"    v{v.version} {v.action} by {v.actor} {when}{wf}{doc}{why}")
    return 0


def _version_json(v: TemplateVersion) -> dict[str, Any]:
    return v.model_dump(mode="json", exclude={"template"})


def _remove(store: TemplateStore, settings: Settings, args: argparse.Namespace) -> int:
    current = resolve(store, args.supplier_or_id)
    if not current.live:
        raise TemplateCommandError(
            f"the template of {current.supplier_name} ({current.template_id}) was already"
            f" removed (v{current.version} by {current.actor})"
        )
    # The operator proves who they are as an approver does: their key signs a token bound
    # to this template and this action, verified against the trusted keys.
    signer = resolve_signer(settings, args.as_person, args.key)
    subject = f"template:{current.template_id}"
    token = signer.token(subject, "operate")
    try:
        actor = verify_decision_token(
            token, trusted=load_trusted(settings.home), workflow_id=subject, action="operate"
        )
    except ProofRefused as err:
        raise TemplateCommandError(f"removal refused: {err}") from None
    now = dt.datetime.now(dt.UTC)
    key = f"{subject}:remove:{current.version}"
    audit = open_audit_store(settings)
    # Audit before effect: the removal is in the log before the tombstone is written.
    audit.append(
        AuditEntry(
            workflow_id=subject,
            run_id="cli",
            type="template.removed",
            payload={
                "template_id": current.template_id,
                "supplier": current.supplier_name,
                "removed_version": current.version,
                "actor": actor.person,
                "token_id": actor.token_id,
                "channel": actor.channel,
                "reason": args.reason,
            },
            idempotency_key=key,
        ),
        now=now,
    )
    tomb = store.append(
        template_id=current.template_id,
        action="removed",
        supplier_name=current.supplier_name,
        template=None,
        actor=actor.person,
        idempotency_key=key,
        now=now,
        reason=args.reason,
    )
    print(
        f"removed the template of {tomb.supplier_name} ({tomb.template_id}): v{tomb.version}"
        f" is a tombstone by {tomb.actor}; earlier versions are kept (`templates show"
        f" {tomb.template_id}`)"
    )
    return 0
