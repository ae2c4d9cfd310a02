"""Personal-data requests (export, erasure) and the retention purges."""

from .erase import ErasureReport, KeptItem, erase_person
from .export import export_person, held_counts
from .retention import apply_retention, purge_expired, purge_task_results, update_retention_policy

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
