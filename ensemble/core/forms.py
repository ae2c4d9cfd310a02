"""What every form of the audience apps shares: showing a service's refusal."""

from __future__ import annotations

from collections.abc import Mapping

from .errors import EnsembleError


class ServiceErrorFormMixin:
    """`form.add_service_error(error)`: a service's error on the field it names (through
    `service_field_map` when the form calls it otherwise), or above the form."""

    service_field_map: Mapping[str, str] = {}

    def add_service_error(self, error: EnsembleError) -> None:
        name = self.service_field_map.get(error.field, error.field) if error.field else None
        self.add_error(name if name in self.fields else None, error.message)  # type: ignore[attr-defined]
