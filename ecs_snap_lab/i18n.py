"""The language the lab writes in: English by default, Simplified Chinese with `set_language("zh-CN")`.

What the lab itself writes (labels, summaries, explanations) goes through `_` and `ngettext`; what the API returns
(codes and messages in bodies) never does: a learner must see on the lab what the cloud will answer. The catalogs
are gettext `.po` files under `locale/`, compiled with Babel when a language is first chosen (Babel is imported
only then, so `import ecs_snap_lab` stays light). The environment variable ECS_SNAP_LAB_LANG chooses the language a
process starts in (settings.py: or a folder's ecs-snap-lab.toml); `--lang` does the same for the command line.
"""

from __future__ import annotations

import gettext
import io
import os
import tomllib
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import IO, Any

DOMAIN = "ecs_snap_lab"
LANGUAGES = ("en", "zh-CN")
ENVIRONMENT = "ECS_SNAP_LAB_LANG"

# How Babel finds the messages (docs/update_messages.py extracts with these, tests/test_i18n.py checks with them):
# the marking functions with the arguments that are messages, and the files read, with the method for each.
KEYWORDS = {"_": None, "N_": None, "Nn_": (1, 2), "ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("rules/*.toml", "ecs_snap_lab.i18n:extract_toml")]

# The fields of the package's TOML tables that are the lab's own words, translated where shown (`_(check.rule)`);
# the others are the API's or the seed's words (codes, messages, quoted sentences), never translated.
TOML_MESSAGES: dict[str, tuple[str, ...]] = {
    "checks.toml": ("rule", "now_rule"),
    "catalog.toml": ("description", "trigger"),
    "differences.toml": ("topic",),
}

_active: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str) -> None:
    """Write in `language` from now on: "en" (the default) or "zh-CN". ValueError names the choices."""
    global _active, _language
    chosen = parse_language(language)
    _active = gettext.NullTranslations() if chosen == "en" else _catalog(chosen)
    _language = chosen


def get_language() -> str:
    return _language


def _(message: str) -> str:
    """`message` in the current language (itself in English, or where no translation exists)."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for translation where it is defined (a table, a constant); `_` translates it where shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a singular and plural pair where it is defined; `ngettext(*pair, n)` translates it where shown."""
    return singular, plural


def parse_language(language: str) -> str:
    """The language `language` names ("en" or "zh-CN", in any usual spelling); ValueError names the choices."""
    folded = str(language).strip().replace("_", "-").lower()
    for known in LANGUAGES:
        if folded == known.lower() or (known == "zh-CN" and folded in ("zh", "zh-hans", "zh-hans-cn")):
            return known
    raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {str(language)[:20]!r}")


def catalog_path(language: str) -> resources.abc.Traversable:
    """The .po source of a language's catalog, in the package."""
    folder = parse_language(language).replace("-", "_")
    return resources.files(__package__).joinpath("locale", folder, "LC_MESSAGES", f"{DOMAIN}.po")


@cache
def _catalog(language: str) -> gettext.GNUTranslations:
    """The compiled catalog of `language`: the .po read and written as a .mo by Babel, in memory."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language.replace("-", "_"), domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def extract_toml(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple]:
    """Babel's extraction method for the package's TOML tables: each field TOML_MESSAGES names, in every row."""
    name = os.path.basename(getattr(fileobj, "name", ""))
    fields = TOML_MESSAGES.get(name, ())
    for rows in tomllib.load(fileobj).values():
        for row in rows if isinstance(rows, list) else ():
            for field in fields:
                if row.get(field):
                    yield 0, "_", row[field], []
