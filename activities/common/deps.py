"""What activities need, built once per worker from settings."""

from __future__ import annotations

from dataclasses import dataclass

from vouchflow.destinations.base import Destination
from vouchflow.documents.blobs import BlobStore, LocalBlobStore
from vouchflow.mailer.base import EmailTransport
from vouchflow.notifiers.base import Notifier
from vouchflow.settings import Settings
from vouchflow.stores.audit import AuditStore, open_audit_store


@dataclass
class ActivityDeps:
    settings: Settings
    blobs: BlobStore
    audit: AuditStore
    destination: Destination
    notifier: Notifier
    email: EmailTransport


def build_deps(settings: Settings) -> ActivityDeps:
    from vouchflow.effects.factory import build_destination, build_email_transport, build_notifier

    settings.home.mkdir(parents=True, exist_ok=True)
    return ActivityDeps(
        settings=settings,
        blobs=LocalBlobStore(settings.blob_dir),
        audit=open_audit_store(settings),
        destination=build_destination(settings),
        notifier=build_notifier(settings),
        email=build_email_transport(settings),
    )
