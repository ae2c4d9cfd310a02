"""What each background task is called on the staff's « travaux en échec » page.

Each app registers its tasks' names next to them (core imports no app); a task without a name
shows its function name.
"""

from django.utils.functional import Promise

_LABELS: dict[str, Promise | str] = {}


def register_task_label(task, label: Promise | str) -> None:
    _LABELS[task.module_path] = label


def label_of(task_path: str) -> Promise | str:
    return _LABELS.get(task_path) or task_path.rsplit(".", 1)[-1]
