"""What the invoice rules read from the configuration.

Rules take any object with these sections: the worker's whole `Settings` (tests, the
local `extract` command) or the `InvoicePolicy` snapshot an activity is given.
"""

from __future__ import annotations

from typing import Protocol

from vouchflow.settings.config import (
    ApprovalSettings,
    ConfidenceSettings,
    ExtractionSettings,
    RoutingSettings,
    ValidationSettings,
)


class PolicySections(Protocol):
    @property
    def extraction(self) -> ExtractionSettings: ...
    @property
    def validation(self) -> ValidationSettings: ...
    @property
    def confidence(self) -> ConfidenceSettings: ...
    @property
    def routing(self) -> RoutingSettings: ...
    @property
    def approval(self) -> ApprovalSettings: ...
