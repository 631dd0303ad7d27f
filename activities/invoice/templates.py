"""Supplier templates: check an extraction against the supplier's template (any
extractor, models included), and learn from a person's approval. Thin: the rules are in
vouchflow.invoice.templates, the versions in the template store."""

from __future__ import annotations

import asyncio
import datetime as dt

from temporalio import activity

from activities.common.deps import ActivityDeps
from activities.invoice.extraction import load_layout
from schemas.common.documents import DocumentText
from schemas.invoice.templates import (
    CheckTemplateInput,
    LearnedTemplate,
    LearnTemplateInput,
    TemplateCheck,
)
from vouchflow.documents.layout import Layout
from vouchflow.invoice.templates import (
    check_against_template,
    identity_of,
    learn_template,
    read_with_template,
    recognise,
    template_id_for,
)
from vouchflow.stores.templates import (
    TemplateStore,
    latest,
    live_templates,
    open_template_store,
)


class TemplateActivities:
    def __init__(self, deps: ActivityDeps, store: TemplateStore | None = None) -> None:
        self._deps = deps
        self._store = store

    def _templates(self) -> TemplateStore:
        if self._store is None:
            self._store = open_template_store(self._deps.settings)
        return self._store

    def _page(self, doc: DocumentText) -> tuple[Layout | None, str]:
        blobs = self._deps.blobs
        text = blobs.get_text(doc.text_ref.sha256) if doc.text_ref is not None else ""
        return load_layout(doc, blobs), text

    @activity.defn(name="check_supplier_template")
    async def check_supplier_template(self, request: CheckTemplateInput) -> TemplateCheck | None:
        """None when no learned supplier sent this document."""
        return await asyncio.to_thread(self._check, request)

    def _check(self, request: CheckTemplateInput) -> TemplateCheck | None:
        layout, text = self._page(request.document)
        templates = live_templates(self._templates())
        found = recognise(
            templates, identity_of(text), request.extraction.invoice.supplier_name, text
        )
        if found is None:
            return None
        reading = read_with_template(found.template, layout, text)
        check = check_against_template(request.extraction, reading, found.template)
        return check.model_copy(update={"matched_by": found.matched_by})

    @activity.defn(name="learn_supplier_template")
    async def learn_supplier_template(self, request: LearnTemplateInput) -> LearnedTemplate:
        return await asyncio.to_thread(self._learn, request)

    def _learn(self, request: LearnTemplateInput) -> LearnedTemplate:
        store = self._templates()
        layout, text = self._page(request.document)
        approved = request.approved
        if not approved.supplier_name:
            raise ValueError("the approved invoice has no supplier name: nothing to learn")
        # The same supplier's template, recognised as a check would recognise it.
        found = recognise(live_templates(store), identity_of(text), approved.supplier_name)
        template_id = (
            found.template.template_id if found else template_id_for(approved.supplier_name)
        )
        current = latest(store, template_id)
        previous = current.template if current is not None and current.live else None
        template = learn_template(
            layout, text, approved, previous, corrected=set(request.corrected_fields)
        )
        saved = store.append(
            template_id=template_id,
            action="updated" if previous is not None else "learned",
            supplier_name=template.supplier_name,
            template=template,
            actor=request.approved_by,
            # One version per approval, however often the activity is retried.
            idempotency_key=f"{request.workflow_id}:learn",
            now=dt.datetime.now(dt.UTC),
            workflow_id=request.workflow_id,
            document_sha256=request.document_sha256,
            reason="approved with corrections" if request.corrected_fields else "approved",
        )
        learned = saved.template or template
        return LearnedTemplate(
            template_id=saved.template_id,
            version=saved.version,
            supplier_name=saved.supplier_name,
            action=saved.action,
            fields=sorted(learned.fields),
            corrected_fields=sorted(request.corrected_fields),
            vat_ids=learned.identity.vat_ids,
            ibans=learned.identity.ibans,
        )
