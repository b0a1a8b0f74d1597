"""ErrorExplorer, driven headlessly: filter, search, choose and reproduce, and check the state and the HTML shown."""

from __future__ import annotations

import html
from collections import Counter

import ipywidgets as widgets
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_profiles import examples

import ecs_snap_lab
from ecs_snap_lab import ErrorEntry, error_catalog
from ecs_snap_lab.widgets import ErrorExplorer

CATALOGUE = error_catalog()


@pytest.fixture
def explorer():
    widget = ErrorExplorer()
    yield widget
    widget.close()


def matching(text: str, status: str = "All") -> list[ErrorEntry]:
    """The entries a learner expects to see: the status matches and the search text is in the code, the message or
    the description, ignoring case (blank search: everything)."""
    needle = text.strip().casefold()
    return [
        e
        for e in CATALOGUE
        if (status == "All" or e.http_status == int(status))
        and (not needle or any(needle in field.casefold() for field in (e.code, e.message, e.description)))
    ]


def table_rows(explorer: ErrorExplorer) -> int:
    return explorer.table_html.value.count("<tr><td>")


def is_twin_without_row(entry: ErrorEntry) -> bool:
    """A second entry of a code, outside the seed's table: reproduce(code) makes the code's first entry instead."""
    first = next(e for e in CATALOGUE if e.code == entry.code)
    return entry.row is None and first is not entry


def select_entry(explorer: ErrorExplorer, entry: ErrorEntry) -> None:
    explorer.select(entry.code, entry.row, action=entry.actions[0] if entry.actions else None, api=entry.api)


# ---------------------------------------------------------------- the table


def test_everything_is_listed_at_first_with_a_distinct_label_each(explorer: ErrorExplorer) -> None:
    assert explorer.visible_entries == CATALOGUE
    labels = [label for label, _ in explorer.code_select.options]
    assert len(labels) == len(set(labels)) == len(CATALOGUE)
    assert f"{len(CATALOGUE)} of {len(CATALOGUE)} errors shown" in explorer.count_html.value
    assert table_rows(explorer) == len(CATALOGUE)
    assert explorer.selected_entry is None and explorer.reproduce_button.disabled
    assert explorer.error_message == ""


def test_the_status_filter_offers_each_status_of_the_catalogue(explorer: ErrorExplorer) -> None:
    statuses = sorted({e.http_status for e in CATALOGUE})
    assert [value for _label, value in explorer.status_filter.options] == ["All", *map(str, statuses)]


@pytest.mark.parametrize("status", sorted({e.http_status for e in CATALOGUE}))
def test_each_status_filter_shows_exactly_the_catalogues_count(explorer: ErrorExplorer, status: int) -> None:
    counts = Counter(e.http_status for e in CATALOGUE)
    explorer.status_filter.value = str(status)
    assert len(explorer.visible_entries) == counts[status]
    assert all(e.http_status == status for e in explorer.visible_entries)
    assert f"{counts[status]} of {len(CATALOGUE)} errors shown" in explorer.count_html.value
    assert table_rows(explorer) == counts[status] == len(explorer.code_select.options)
    explorer.status_filter.value = "All"
    assert explorer.visible_entries == CATALOGUE


def test_search_by_code_is_case_insensitive(explorer: ErrorExplorer) -> None:
    explorer.search.value = "internalERROR"
    assert explorer.visible_entries == matching("internalerror")
    assert [e.row for e in explorer.visible_entries if e.code == "InternalError"] == [12, 26]
    assert explorer.visible_codes[0] == "InternalError"
    explorer.search.value = "  notfound "
    assert explorer.visible_entries == matching("NotFound")
    assert {e.code for e in explorer.visible_entries} >= {"InvalidDiskId.NotFound", "InvalidSnapshotId.NotFound"}


def test_search_by_message_and_by_description(explorer: ErrorExplorer) -> None:
    target = next(e for e in CATALOGUE if e.code == "IncorrectDiskStatus.CreatingSnapshot")
    explorer.search.value = target.message.upper()
    assert target in explorer.visible_entries
    assert explorer.visible_entries == matching(target.message)
    words = sorted(target.description.split(), key=len)[-1]  # the description's longest word
    explorer.search.value = words.swapcase()
    assert target in explorer.visible_entries
    assert explorer.visible_entries == matching(words)
    assert len(explorer.visible_entries) < len(CATALOGUE)


def test_status_and_search_combine(explorer: ErrorExplorer) -> None:
    explorer.search.value = "IncorrectDiskStatus"
    both = matching("IncorrectDiskStatus")
    assert {e.http_status for e in both} == {403}
    explorer.status_filter.value = "400"
    assert explorer.visible_entries == matching("IncorrectDiskStatus", "400") == []
    explorer.search.value = "instance"
    assert explorer.visible_entries == matching("instance", "400")
    assert explorer.visible_entries and all(e.http_status == 400 for e in explorer.visible_entries)
    explorer.status_filter.value = "403"
    assert explorer.visible_entries == matching("instance", "403")
    assert explorer.visible_codes == list(dict.fromkeys(e.code for e in explorer.visible_entries))


def test_no_match_says_so_and_leaves_nothing_to_reproduce(explorer: ErrorExplorer) -> None:
    explorer.select("QuotaExceed.Snapshot")
    explorer.search.value = "no error is called this"
    assert explorer.visible_entries == [] and explorer.visible_codes == []
    assert "No error matches this filter and search" in explorer.table_html.value
    assert f"0 of {len(CATALOGUE)} errors shown" in explorer.count_html.value
    assert explorer.code_select.options == ()
    assert explorer.selected_entry is None and explorer.reproduce_button.disabled
    assert "Choose a code" in explorer.meaning_html.value
    explorer.reproduce()  # a disabled button's click does nothing and raises nothing
    assert explorer.last_reproduction is None and explorer.error_message == ""


# ---------------------------------------------------------------- choosing


def test_choosing_a_code_shows_its_meaning(explorer: ErrorExplorer) -> None:
    entry = next(e for e in CATALOGUE if e.code == "InvalidSnapshotName.Malformed")
    explorer.select(entry.code)
    assert explorer.selected_entry is entry and explorer.selected_code == entry.code
    assert not explorer.reproduce_button.disabled
    meaning = explorer.meaning_html.value
    assert f"<code>{entry.code}</code>" in meaning
    for text in (entry.message, entry.description, entry.sentence, entry.trigger, entry.basis):
        assert text and html.escape(text) in meaning
    assert f"row {entry.row} of the seed" in meaning


def test_a_common_code_says_it_is_not_in_the_seeds_table_and_names_its_actions(explorer: ErrorExplorer) -> None:
    entry = next(e for e in CATALOGUE if e.code == "OperationDenied")
    explorer.select(entry.code)
    assert "not in the seed" in explorer.meaning_html.value
    assert ", ".join(entry.actions) in explorer.meaning_html.value


def test_choosing_a_hidden_code_clears_the_filter_and_search(explorer: ErrorExplorer) -> None:
    explorer.status_filter.value = "404"
    explorer.search.value = "disk"
    explorer.select("QuotaExceed.Snapshot")
    assert explorer.selected_code == "QuotaExceed.Snapshot"
    assert explorer.status_filter.value == "All" and explorer.search.value == ""
    assert explorer.visible_entries == CATALOGUE


def test_choosing_an_unknown_code_raises_key_error(explorer: ErrorExplorer) -> None:
    with pytest.raises(KeyError, match="NoSuchCode"):
        explorer.select("NoSuchCode")
    with pytest.raises(KeyError):
        explorer.select("InternalError", 3)


def test_the_twins_of_a_code_are_distinct_choices(explorer: ErrorExplorer) -> None:
    labels = dict(explorer.code_select.options)
    for code in {e.code for e in CATALOGUE if is_twin_without_row(e)}:
        entries = [e for e in CATALOGUE if e.code == code]
        chosen = []
        for entry in entries:
            select_entry(explorer, entry)
            assert explorer.selected_entry is entry
            chosen.append(explorer.code_select.label)
        assert len(set(chosen)) == len(entries)
        assert all(label in labels for label in chosen)


# ---------------------------------------------------------------- reproduce


@pytest.mark.parametrize("entry", CATALOGUE, ids=[f"{e.code}-{e.row or i}" for i, e in enumerate(CATALOGUE)])
def test_reproduce_answers_each_entrys_code_and_shows_the_request(explorer: ErrorExplorer, entry: ErrorEntry) -> None:
    select_entry(explorer, entry)
    assert explorer.selected_entry is entry
    explorer.reproduce()
    assert explorer.error_message == ""
    reproduction = explorer.last_reproduction
    response = reproduction.response
    assert response.code == entry.code
    assert response.status == reproduction.entry.http_status
    assert explorer.response_view.response is response
    assert f"· {entry.code}" in explorer.response_view.status_html.value
    shown = explorer.request_html.value
    assert f"<code>{html.escape(reproduction.action)}</code>" in shown
    assert reproduction.params
    for name, value in reproduction.params.items():
        assert f"<td><code>{html.escape(name)}</code></td><td><code>{html.escape(str(value))}</code></td>" in shown
    for step in reproduction.steps:
        assert html.escape(step) in shown
    assert reproduction.entry == entry
    assert response.status == entry.http_status
    if entry.actions:
        assert reproduction.action in entry.actions


def test_the_two_internal_errors_reproduce_differently(explorer: ErrorExplorer) -> None:
    explorer.select("InternalError", 12)
    first_label = explorer.code_select.label
    explorer.reproduce()
    before = explorer.last_reproduction
    explorer.select("InternalError", 26)
    assert explorer.code_select.label != first_label
    assert explorer.last_reproduction is None
    explorer.reproduce()
    after = explorer.last_reproduction
    assert (before.entry.row, after.entry.row) == (12, 26)
    assert before.response.code == after.response.code == "InternalError"
    assert before.steps != after.steps
    assert [s.detail for s in before.response.trace] != [s.detail for s in after.response.trace]


def test_choosing_another_code_clears_the_old_reproduction(explorer: ErrorExplorer) -> None:
    explorer.select("DiskInArrears")
    explorer.reproduce()
    assert explorer.last_reproduction is not None and explorer.request_html.value
    explorer.select("QuotaExceed.Snapshot")
    assert explorer.last_reproduction is None
    assert explorer.request_html.value == ""
    assert explorer.response_view.response is None
    assert "DiskInArrears" not in explorer.response_view.status_html.value


def test_a_filter_that_keeps_the_choice_keeps_its_reproduction(explorer: ErrorExplorer) -> None:
    explorer.select("DiskInArrears")
    explorer.reproduce()
    reproduction = explorer.last_reproduction
    explorer.search.value = "disk"
    explorer.status_filter.value = "403"
    assert explorer.visible_codes.index("DiskInArrears") > 0  # not the list's first option
    assert explorer.selected_code == "DiskInArrears"
    assert explorer.last_reproduction is reproduction
    assert explorer.response_view.response is reproduction.response
    explorer.status_filter.value = "404"  # hides it: the choice and the reproduction go
    assert explorer.selected_entry is None and explorer.last_reproduction is None
    assert explorer.request_html.value == ""


def test_a_failing_reproduce_is_shown_and_the_next_success_clears_it(
    explorer: ErrorExplorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(code: str, row: int | None = None, action: str | None = None, api: str = "seed"):
        raise RuntimeError(f"no recipe for {code} today")

    explorer.select("DiskInArrears")
    explorer.reproduce()
    monkeypatch.setattr(ecs_snap_lab, "reproduce", broken)
    explorer.reproduce()  # must not raise
    assert explorer.error_message == "reproducing failed: RuntimeError: no recipe for DiskInArrears today"
    assert "no recipe for DiskInArrears today" in explorer.error_html.value
    assert 'role="alert"' in explorer.error_html.value
    assert explorer.last_reproduction is None  # the old answer is not left looking like this one's
    assert explorer.response_view.response is None and explorer.request_html.value == ""
    monkeypatch.undo()
    explorer.reproduce()
    assert explorer.error_message == "" and explorer.error_html.value == ""
    assert explorer.last_reproduction.response.code == "DiskInArrears"


def test_a_failing_filter_is_shown_not_raised(explorer: ErrorExplorer, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(entry: ErrorEntry) -> bool:
        raise ValueError("bad filter")

    monkeypatch.setattr(explorer, "_matches", broken)
    explorer.search.value = "disk"
    assert "searching failed: ValueError: bad filter" in explorer.error_message
    monkeypatch.undo()
    explorer.search.value = "disks"
    assert explorer.error_message == ""
    assert explorer.visible_entries == matching("disks")


# ---------------------------------------------------------------- escaping


def test_catalogue_text_is_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    evil = ErrorEntry(
        code="Evil<script>",
        http_status=400,
        message='<img src=x onerror="alert(1)">',
        description="<b>bold</b> & more",
        sentence="<i>sentence</i>",
        trigger="<u>trigger</u>",
        basis="<s>basis</s>",
        actions=("<Act>",),
    )
    monkeypatch.setattr(ecs_snap_lab, "error_catalog", lambda: [*CATALOGUE, evil])
    explorer = ErrorExplorer()
    explorer.search.value = "evil<"
    assert explorer.visible_entries == [evil]
    explorer.select(evil.code)
    page = explorer.table_html.value + explorer.meaning_html.value
    for raw in ("<script>", "<img", "<b>bold", "<i>", "<u>", "<s>", "<Act>"):
        assert raw not in page
    assert "&lt;script&gt;" in explorer.table_html.value and "&lt;img src=x" in explorer.table_html.value
    for text in (evil.description, evil.sentence, evil.trigger, evil.basis):
        assert html.escape(text) in explorer.meaning_html.value


# ---------------------------------------------------------------- keyboard and screen reader


def inputs_of(widget: widgets.Widget) -> list[widgets.Widget]:
    """Every control a learner can focus, in the explorer and the response view inside it."""
    found = []
    if isinstance(widget, widgets.Box):
        for child in widget.children:
            found += inputs_of(child)
    elif isinstance(widget, widgets.Button) or (
        isinstance(widget, widgets.ValueWidget) and not isinstance(widget, (widgets.HTML, widgets.HTMLMath))
    ):
        found.append(widget)
    return found


def test_every_input_has_a_description_and_a_tooltip(explorer: ErrorExplorer) -> None:
    inputs = inputs_of(explorer)
    expected = {
        explorer.status_filter,
        explorer.search,
        explorer.code_select,
        explorer.reproduce_button,
        explorer.api_choice,
        explorer.response_view.format,
        explorer.now_view.format,
    }
    assert set(inputs) == expected
    for control in inputs:
        assert control.description.strip(), control
        assert control.tooltip and control.tooltip.strip(), control
    assert 'role="status"' in explorer.count_html.value
    assert "<caption" in explorer.table_html.value and 'scope="col"' in explorer.table_html.value


# ---------------------------------------------------------------- fuzz


@settings(max_examples=examples(150))
@given(text=st.text(max_size=30), status=st.sampled_from(["All", *sorted({str(e.http_status) for e in CATALOGUE})]))
def test_any_search_text_never_raises_and_shows_exactly_the_matches(text: str, status: str) -> None:
    explorer = ErrorExplorer()
    explorer.status_filter.value = status
    explorer.search.value = text
    assert explorer.error_message == ""
    assert explorer.visible_entries == matching(text, status)
    assert len(explorer.code_select.options) == len(explorer.visible_entries)
    assert f"{len(explorer.visible_entries)} of {len(CATALOGUE)} errors shown" in explorer.count_html.value
    explorer.close()


# ---------------------------------------------------------------- both API profiles


def test_both_profiles_side_by_side_show_where_the_answers_differ(explorer: ErrorExplorer) -> None:
    explorer.select("IncorrectDiskStatus")
    explorer.api_choice.value = "both"
    explorer.reproduce()
    assert explorer.error_message == ""
    made = explorer.last_reproductions
    assert (made["seed"].response.code, made["2026"].response.code) == ("IncorrectDiskStatus", None)
    assert made["2026"].lab.api == "2026" and made["seed"].lab.api == "seed"
    assert "different answers" in explorer.compare_html.value
    assert explorer.response_view.response is made["seed"].response
    assert explorer.now_view.response is made["2026"].response
    assert explorer.now_view.layout.display != "none"

    explorer.select("QuotaExceed.Snapshot")
    explorer.reproduce()
    made = explorer.last_reproductions
    assert made["seed"].response.code == made["2026"].response.code == "QuotaExceed.Snapshot"
    assert "the same answer" in explorer.compare_html.value


def test_choosing_another_profile_clears_the_reproduction_and_2026_alone_answers_today(
    explorer: ErrorExplorer,
) -> None:
    explorer.select("IncorrectDiskStatus")
    explorer.reproduce()
    assert explorer.last_reproduction.response.code == "IncorrectDiskStatus"
    explorer.api_choice.value = "2026"
    assert explorer.last_reproduction is None and explorer.request_html.value == ""
    explorer.reproduce()
    assert explorer.last_reproduction.lab.api == "2026"
    assert explorer.last_reproduction.response.ok
    assert explorer.now_view.layout.display == "none" and explorer.compare_html.value == ""
