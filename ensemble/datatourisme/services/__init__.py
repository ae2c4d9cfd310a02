"""DATAtourisme's changes of state, one module per concern; import them from here.

- runs: an import (every file an object, each in its own transaction) and its report; where the
  files come from (a directory, a zip);
- places: a place imported as a place the office publishes (directory and listings services);
- events: an event imported into the agenda (events services);
- mappings: the office's table of classes → categories.
"""

from ..errors import DatatourismeError
from .events import import_event
from .mappings import set_class_mapping
from .places import CREATED, UNCHANGED, UPDATED, import_place
from .runs import (
    MAX_FILE_BYTES,
    TOO_LARGE,
    ImportReport,
    files_from_directory,
    files_from_zip,
    import_objects,
)

__all__ = [
    "CREATED",
    "MAX_FILE_BYTES",
    "TOO_LARGE",
    "UNCHANGED",
    "UPDATED",
    "DatatourismeError",
    "ImportReport",
    "files_from_directory",
    "files_from_zip",
    "import_event",
    "import_objects",
    "import_place",
    "set_class_mapping",
]
