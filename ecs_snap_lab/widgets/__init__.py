"""ipywidgets for ecs_snap_lab, loaded only when used: `import ecs_snap_lab` never imports ipywidgets.

    >>> from ecs_snap_lab.widgets import RequestBuilder  # doctest: +SKIP

Each name is imported from its module on first access, so a name whose module is absent fails alone.
"""

from __future__ import annotations

from importlib import import_module

_MODULES = {
    "RequestBuilder": "builder",
    "ResponseView": "response_view",
    "ErrorExplorer": "explorer",
    "Clock": "clock",
    "QuotaDashboard": "dashboards",
    "RetentionTimeline": "dashboards",
    "LabDashboard": "app",
    "SignatureExplorer": "signature_explorer",
}

__all__ = list(_MODULES)


def __getattr__(name: str):
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULES))
