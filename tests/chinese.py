"""Does a text the lab wrote in Chinese still hold English? What may stay in Latin letters is the API's own words
(actions, parameters, codes, statuses: what the learner types and the cloud answers), ids, times, units and a few
abbreviations; any other word of two letters or more is English the translation left behind."""

from __future__ import annotations

import re

from ecs_snap_lab.model import resources

# Latin words a Chinese text may keep: abbreviations and names Chinese technical writing keeps as they are.
KEPT = {
    "API", "CLI", "CPU", "CSV", "ECS", "GiB", "HTTP", "HTTPS", "ID", "ISO", "JSON", "OK", "RPC", "SDK", "SSD", "URL",
    "UTC", "XML", "KB", "MB", "GB", "TB", "Python", "Jupyter", "JupyterLab", "Voila", "Binder", "pandas", "matplotlib",
    "ipywidgets", "pytest", "nbval", "pip", "seed", "Alibaba", "Cloud", "Asia", "Shanghai", "ecs", "snap", "lab",
    "aliyun", "acs", "http", "https", "ms", "GET", "POST", "HMAC", "SHA", "Unicode", "ASCII", "Tab",
}  # fmt: skip
# The API's values in lower case (statuses, types, categories): words of the API, not of English prose.
API_VALUES = {
    value.value if hasattr(value, "value") else value
    for enum in (resources.InstanceStatus, resources.DiskStatus, resources.DiskType, resources.ChargeType,
                 resources.SnapshotStatus, resources.SnapshotType, resources.LockReason)
    for value in enum
} | set(resources.CLOUD_CATEGORIES)  # fmt: skip

_MARKUP = re.compile(r"<(code|pre|script|style)\b[^>]*>.*?</\1>|<[^>]*>|&\w+;|&#\d+;", re.S)
_BACKTICKS = re.compile(r"`[^`]*`")
_URL = re.compile(r"https?://\S+")
_ID = re.compile(r"\b(?:[a-z]{1,4}-[a-z0-9]{6,}|[A-F0-9]{8}(?:-[A-F0-9]{4}){3}-[A-F0-9]{12})\b")
_TIME = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?Z?)?|UTC[+-]\d\d:\d\d|[A-Z][a-z]+/[A-Z][A-Za-z_]+")
# An identifier of the API or of Python: CamelCase (DiskId), dotted (Tag.1.Key), with _ (In_use), a call f(...).
_IDENTIFIER = re.compile(
    r"\b[A-Za-z]+(?:[._][A-Za-z0-9]+)+\b|\b[A-Z]?[a-z]+(?:[A-Z][a-z0-9]*)+\b|\b[A-Z]{2,}[a-z]\w*\b|\b\w+(?=\()"
)
_WORD = re.compile(r"[A-Za-z]{2,}")


def english_in(text: str) -> set[str]:
    """The English words `text` holds, once markup, code, URLs, ids, times and the API's words are set aside."""
    for pattern in (_MARKUP, _BACKTICKS, _URL, _ID, _TIME, _IDENTIFIER):
        text = pattern.sub(" ", text)
    return {word for word in _WORD.findall(text) if word not in KEPT and word not in API_VALUES}
