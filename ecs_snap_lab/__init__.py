"""ecs_snap_lab: learn Alibaba Cloud ECS CreateSnapshot on a simulated account you control.

    >>> from ecs_snap_lab import Lab
    >>> lab = Lab(seed=1)
    >>> disk = lab.ready_disk()
    >>> lab.create_snapshot(disk, name="first").ok
    True

The core is stdlib only: pandas, matplotlib and ipywidgets load when a view or widget is first used.
What goes wrong inside (a bug answered 500, a listener that raised) is logged under the `ecs_snap_lab` logger;
as a library it only adds a NullHandler: the application decides where logs go.
"""

import logging

from .i18n import get_language, set_language
from .lab import Lab, RequestRecord
from .local_time import get_display_timezone, set_display_timezone
from .response import ApiError, Response, TraceStep
from .rules.catalog import ErrorEntry, error_catalog
from .rules.params import Violation
from .rules.profile import api_differences
from .settings import apply_startup_settings
from .validation import advise, validate

logging.getLogger(__name__).addHandler(logging.NullHandler())
apply_startup_settings()


def reproduce(code: str, row: int | None = None, action: str | None = None, api: str = "seed"):
    """A fresh lab, a request and its response where response.code == code (recipes in ecs_snap_lab.recipes).
    `row` picks one of a code's two seed rows; `action` the entry of a code another action answers differently;
    `api` the profile the lab answers by (the same situation may be answered otherwise in "2026")."""
    from .recipes import reproduce as _reproduce

    return _reproduce(code, row, action, api)


__all__ = [
    "ApiError",
    "ErrorEntry",
    "Lab",
    "RequestRecord",
    "Response",
    "TraceStep",
    "Violation",
    "advise",
    "api_differences",
    "error_catalog",
    "get_display_timezone",
    "get_language",
    "reproduce",
    "set_display_timezone",
    "set_language",
    "validate",
]
__version__ = "0.1.0"
