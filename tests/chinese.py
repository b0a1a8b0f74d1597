"""Does a text the lab wrote in Chinese still hold English? What may stay in Latin letters is the API's own words
(actions, parameters, codes, statuses: what the learner types and the cloud answers), ids, times, units and a few
abbreviations; any other word of two letters or more is English the translation left behind."""

from __future__ import annotations

import re

import ecs_snap_lab.lab  # noqa: F401  (registers the actions)
from ecs_snap_lab.actions.base import ACTIONS
from ecs_snap_lab.model import resources
from ecs_snap_lab.rules.catalog import error_catalog

# Latin words a Chinese text may keep: abbreviations and names Chinese technical writing keeps as they are.
KEPT = {
    "API", "CLI", "CPU", "CSV", "ECS", "GiB", "HTTP", "HTTPS", "ID", "ISO", "JSON", "OK", "RPC", "SDK", "SSD", "URL",
    "UTC", "XML", "KB", "MB", "GB", "TB", "Python", "Jupyter", "JupyterLab", "Voila", "Binder", "pandas", "matplotlib",
    "ipywidgets", "pytest", "nbval", "pip", "seed", "Alibaba", "Cloud", "Asia", "Shanghai", "ecs", "snap", "lab",
    "aliyun", "acs", "http", "https", "ms", "true", "false", "GET", "POST", "HMAC", "SHA",
    "Unicode", "ASCII", "Tab", "KMS", "IANA", "ESSD", "UTF", "Base", "Ctrl", "Shift", "AccessKey", "Secret", "PORT",
    "PNG", "SVG", "PDF", "png", "svg", "pdf", "stderr", "ipykernel", "Noto", "Sans", "CJK", "SC",
    "Progress", "RemainTime",  # DescribeSnapshots' fields
}  # fmt: skip
# The API's values in lower case (statuses, types, categories): words of the API, not of English prose.
API_VALUES = {
    value.value if hasattr(value, "value") else value
    for enum in (resources.InstanceStatus, resources.DiskStatus, resources.DiskType, resources.ChargeType,
                 resources.SnapshotStatus, resources.SnapshotType, resources.LockReason)
    for value in enum
} | set(resources.CLOUD_CATEGORIES) | {
    "Standard", "Flash", "archive", "image", "disk", "none", "all", "ephemeral",  # Category, Usage, Status values
    "yyyy", "MM", "dd", "HH", "mm", "ss",  # the API's time format
}  # fmt: skip
# The API's names: its actions, every parameter each knows (Force, Size, Category ...), each part of an error code.
API_NAMES = (
    set(ACTIONS)
    | {param.split(".")[0] for spec in ACTIONS.values() for param in spec.known_now | spec.known_seed}
    | {part for entry in error_catalog() for part in entry.code.split(".")}
)

# what markup marks as not prose: code, and English quoted on purpose (lang="en": the seed's sentences, the API's
# messages), then the tags themselves
_MARKUP = re.compile(
    r"<(code|pre|script|style)\b[^>]*>.*?</\1>|<(\w+)\b[^>]*\blang=\"en\"[^>]*>.*?</\2>|<[^>]*>|&\w+;|&#\d+;", re.S
)
_BACKTICKS = re.compile(r"`[^`]*`")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\(\w+\)[sd]|\$\{?\w+\}?")  # filled in when shown
# a parameter with its value (Status=done, seconds=60), and words quoted on purpose ("device", “disk”)
_ASSIGNED = re.compile(r"\b[\w.]+=[^\s，。、；）)]+|\"[^\"]*\"|“[^”]*”")
# a command line's words: options (--access-key), hyphenated names (aliyun-python-sdk-ecs), words with digits
# (python3), file names and paths (dashboard.ipynb, *.ipynb, instructor/)
_COMMAND = re.compile(
    r"--?[a-z][\w-]*|\b[a-z0-9]+(?:-[a-z0-9]+)+\b|\b[A-Za-z]+\d\w*|[\w*./-]*\.(?:ipynb|png|svg|pdf|csv|json|toml|md|py)\b|/?\b[\w.-]+/(?:[\w./-]*)"
)
_URL = re.compile(r"https?://\S+")
_ID = re.compile(r"\b(?:[a-z]{1,4}-[a-z0-9]{6,}|[A-F0-9]{8}(?:-[A-F0-9]{4}){3}-[A-F0-9]{12})\b")
_TIME = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?Z?)?|UTC[+-]\d\d:\d\d|\b[A-Z][a-z]+/[A-Z][A-Za-z_]+\b")
# An identifier of the API or of Python: CamelCase (DiskId), dotted (Tag.1.Key), with _ (In_use), a call f(...).
_IDENTIFIER = re.compile(
    r"[\w.]+\([^()]*\)|\b[A-Za-z]+(?:[._][A-Za-z0-9]+)+\b|\b[A-Z]?[a-z]+(?:[A-Z][a-z0-9]*)+\b|\b[A-Z]{2,}[a-z]\w*\b"
)
_WORD = re.compile(r"[A-Za-z]{2,}")


def english_in(text: str) -> set[str]:
    """The English words `text` holds, once markup, code, URLs, ids, times and the API's words are set aside."""
    text = _PLACEHOLDER.sub("0", text)  # Filter.{n}.Key stays one identifier (Filter.0.Key), {now}Z no word
    for pattern in (_MARKUP, _BACKTICKS, _ASSIGNED, _URL, _ID, _TIME, _IDENTIFIER, _COMMAND):
        text = pattern.sub(" ", text)
    return {word for word in _WORD.findall(text) if word not in KEPT | API_VALUES | API_NAMES}
