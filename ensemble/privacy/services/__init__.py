"""Personal-data requests (export, erasure) and the retention purges."""

from django.utils.translation import gettext_lazy as _

from ensemble.core import audit

from .erase import ErasureReport, KeptItem, erase_person
from .export import export_person, held_counts
from .retention import apply_retention, purge_expired, purge_task_results, update_retention_policy

# No identifier of the person in the entries: only counts (the log must survive the erasure).
audit.register_actions(
    {
        "privacy.person_exported": _("Export des données d'une personne (%(files)s fichiers)"),
        "privacy.person_erased": _("Effacement des données d'une personne (%(kept)s éléments conservés)"),
        "privacy.retention_changed": _("Durées de conservation modifiées"),
        # Retention purges (no actor: the daily job); counts only.
        "privacy.data_purged": _("Purge des données arrivées à échéance (%(counts)s)"),
        "privacy.task_results_purged": _("Purge des résultats de tâches terminées (%(deleted)s)"),
    }
)

__all__ = [
    "ErasureReport",
    "KeptItem",
    "apply_retention",
    "erase_person",
    "export_person",
    "held_counts",
    "purge_expired",
    "purge_task_results",
    "update_retention_policy",
]
