"""Reads of core records: the audit log of an office, filtered, newest first."""

from django.db.models import QuerySet

from .models import AuditEntry, Office


def office_log(
    office: Office,
    *,
    action: str = "",
    actor_email: str = "",
    target: str = "",
    organisation: int | None = None,
) -> QuerySet[AuditEntry]:
    """`action` matches a whole code or a prefix ending at a dot (`invoice.` or `invoice`)."""
    entries = AuditEntry.objects.filter(office=office).select_related("actor")
    if action:
        code = action.strip()
        entries = entries.filter(action=code) | entries.filter(action__startswith=code.rstrip(".") + ".")
    if actor_email:
        entries = entries.filter(actor__email__iexact=actor_email.strip())
    if target:
        kind, _, pk = target.strip().partition(":")
        entries = entries.filter(target_type=kind.strip().lower())
        if pk.strip():
            entries = entries.filter(target_id=pk.strip())
    if organisation:
        entries = entries.filter(organisation_id=organisation)
    return entries.order_by("-created_at", "-id")
