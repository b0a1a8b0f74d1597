"""Extract the messages the lab writes (`_`, `N_`, `Nn_`, `ngettext` in ecs_snap_lab/, and the fields of its TOML
tables that i18n.TOML_MESSAGES names) with Babel and merge them into
each language's .po catalog, keeping the translations it has. Run: python docs/update_messages.py (`make messages`).

A new message arrives untranslated, an unused one is dropped; tests/test_i18n.py fails until every message has its
translation, with every placeholder kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ecs_snap_lab"
LANGUAGES = {"zh_CN": "Simplified Chinese"}


def template() -> Catalog:
    """Every message of the package, with where it is used."""
    from ecs_snap_lab.i18n import KEYWORDS, METHODS  # importable once main() has put the checkout on sys.path

    found = Catalog(project="ecs_snap_lab", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, method_map=METHODS, keywords=KEYWORDS, comment_tags=("i18n:",)
    ):
        found.add(message, None, [(f"ecs_snap_lab/{filename}", lineno)], auto_comments=comments, context=context)
    return found


def main() -> None:
    pot = template()
    for folder in LANGUAGES:
        path = PACKAGE / "locale" / folder / "LC_MESSAGES" / "ecs_snap_lab.po"
        if path.exists():
            with path.open("rb") as source:
                catalog = read_po(source, locale=folder)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=folder, project="ecs_snap_lab", charset="utf-8")
        catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False)
        with path.open("wb") as out:
            write_po(out, catalog, width=116, omit_header=False, sort_output=True, ignore_obsolete=True)
        print(path.relative_to(ROOT), len(catalog), "messages")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
