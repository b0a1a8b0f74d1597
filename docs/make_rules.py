"""Write docs/rules.md, the rule table as a page, from ecs_snap_lab/rules/checks.toml. Run: python docs/make_rules.py
(or `make docs`).

checks.toml is the one statement of the checks, their order and their codes; this page is derived from it, and
tests/test_rule_table.py fails when the two disagree (run this script again after changing the table).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecs_snap_lab.actions.world_checks import world_check_order  # noqa: E402
from ecs_snap_lab.rules.catalog import Check, checks, lookup  # noqa: E402
from ecs_snap_lab.rules.profile import differences  # noqa: E402

PAGE = ROOT / "docs" / "rules.md"
ONLY = {"disk": "disks", "volume": "shared volumes"}

INTRO = """\
# The rules the lab applies

<!-- Generated from ecs_snap_lab/rules/checks.toml by `make docs` (docs/make_rules.py): edit the table, not this
page. tests/test_rule_table.py fails when the two disagree. -->

Every check the lab runs, with the one code it fails with. A `Response`'s trace lists the checks that ran, in
order, each with its rule, its basis and its source: **seed** (the CreateSnapshot reference page states the rule),
**model choice** (the lab decided where the seed is silent) or **api fact** (documented ECS behaviour outside the
seed).

## CreateSnapshot, in check order

The checks run in this order and the first that fails is the answer (`validate` reports every parameter
violation of steps 1-6 at once). Steps 1-6 check the parameters, step 7 a ClientToken seen before, steps 8-17 the
account, the disk, its instance and its snapshots, steps 18-19 the back end (they fail only by an injected fault).
A check marked for *disks* or *shared volumes* is run for that kind only.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def create_snapshot_table(rows: list[Check]) -> list[str]:
    lines = [
        _row(["step", "check", "rule", "fails with", "HTTP", "basis", "only for", "source"]),
        "|---|---|---|---|---|---|---|---|",
    ]
    for check in rows:
        status = str(lookup(check.code, "CreateSnapshot").http_status)
        only = ", ".join(filter(None, [ONLY.get(check.applies, ""), f"the {check.api} profile" if check.api else ""]))
        code = f"{check.code} (2026: {check.now_code})" if check.now_code else check.code
        cells = [check.number, f"`{check.id}`", check.rule, code, status, check.basis, only, check.source]
        lines.append(_row(cells))
    return lines


def other_table(rows: list[Check]) -> list[str]:
    lines = [_row(["check", "rule", "fails with", "basis", "source"]), "|---|---|---|---|---|"]
    lines += [_row([f"`{c.id}`", c.rule, c.code, c.basis, c.source]) for c in rows if c.code]
    return lines


PROFILES = """\
## Where the 2026 profile differs

`Lab(api="seed")`, the default, follows the seed (the CreateSnapshot page of 2018-19). `Lab(api="2026")` follows
today's documentation where it differs, and only where a page says so: every difference is a row of
ecs_snap_lab/rules/differences.toml with the sentence and page behind each value, and the checks that read it apply
the rule below in that profile (a trace shows it with the basis **current documentation** and the page).
"""


def profile_table() -> list[str]:
    by_difference: dict[str, list[Check]] = {}
    for check in checks().values():
        if check.difference:
            by_difference.setdefault(check.difference, []).append(check)
    lines = [_row(["fact", "seed", "2026", "checks", "the seed says", "today's page says", "page"])]
    lines.append("|---|---|---|---|---|---|---|")
    for row in differences().values():
        named = ", ".join(f"`{c.id}`: {c.now_rule}" for c in by_difference.get(row.id, []))
        cells = [row.topic, str(row.seed), str(row.now), named, row.seed_source, row.now_source, row.page]
        lines.append(_row(cells))
    return lines


def render() -> str:
    table = list(checks().values())
    numbered = [check for check in table if check.number]
    skipped = [c for c in world_check_order() if c not in world_check_order(quota=False)]
    automatic = (
        f"An automatic snapshot policy goes through the same checks of steps 8-17 except {', '.join(skipped)}: at "
        "the quota the oldest automatic snapshot gives way instead."
    )
    lines = [INTRO, *create_snapshot_table(numbered), "", automatic, "", PROFILES, *profile_table(), ""]
    lines += [
        "## The checks of every action, and of the other actions",
        "",
        "Any action's call first passes `Action.known` and `Params.encodable`; the others apply where they say.",
        "",
        *other_table([check for check in table if not check.number]),
        "",
    ]
    return "\n".join(lines)


def main(path: Path = PAGE) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(main())
