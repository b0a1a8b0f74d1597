"""The lab in Chinese, walked: every text the app's widgets show (labels, tooltips, placeholders, options, tab
titles, HTML), a response's explain() and HTML, the error catalogue's entries and every chart, with the language set
to zh-CN, hold no English of the lab's own (tests/chinese.py: the API's words, ids and lang="en" quotations aside).
The charts draw every glyph (no "Glyph missing" warning), and a display time zone shows local time beside UTC."""

from __future__ import annotations

import html
import warnings
from collections.abc import Iterator

import ipywidgets as widgets
import pytest
from chinese import english_in

from ecs_snap_lab import Lab, error_catalog, reproduce, set_display_timezone
from ecs_snap_lab.rules.catalog import lookup
from ecs_snap_lab.views import charts

TRAITS = ("description", "tooltip", "placeholder")


pytestmark = pytest.mark.usefixtures("in_chinese")  # conftest.py: Chinese, then English again


def texts(widget: widgets.Widget) -> Iterator[tuple[str, str]]:
    """Every text a widget tree shows, with where it is: its labels, tooltips, option labels, titles, HTML."""
    name = type(widget).__name__
    for trait in TRAITS:
        value = getattr(widget, trait, None)
        if isinstance(value, str) and value:
            yield f"{name}.{trait}", value
    if isinstance(widget, widgets.HTML | widgets.Label):
        yield f"{name}.value", widget.value
    for label in getattr(widget, "_options_labels", ()):
        yield f"{name}.option", label
    for tip in getattr(widget, "tooltips", None) or ():
        yield f"{name}.tooltips", tip
    if isinstance(widget, widgets.Tab):
        for title in widget.titles:
            yield f"{name}.title", title
    for child in getattr(widget, "children", ()):
        yield from texts(child)


def english_left(widget: widgets.Widget) -> dict[str, set[str]]:
    return {f"{where}: {text[:80]}": english_in(text) for where, text in texts(widget) if english_in(text)}


def test_every_text_of_the_app_is_chinese_in_every_tab_before_and_after_a_request() -> None:
    lab = Lab.demo(disks=12, days=10)
    app = lab.show()
    for title in ("Errors", "Quota", "Retention"):
        app.select_tab(title)
    assert english_left(app) == {}
    builder = app.builder
    builder.snapshot_name.value = "9-9"  # a violation (no letter first): the panel explains it
    builder.send()
    app.clock.advance("+1 day")
    app.select_tab("Errors")
    app.explorer.status_filter.value = "403"
    app.explorer.code_select.value = app.explorer.code_select.options[0][1]
    app.explorer.reproduce()
    assert english_left(app) == {}
    assert html.escape(builder.last_response.message) in app.response_view.status_html.value  # the API's words
    assert 'lang="en"' in app.response_view.status_html.value


def test_a_failed_answer_explains_itself_in_chinese_but_keeps_the_apis_words() -> None:
    lab = Lab(seed=3)
    disk = lab.create_disk(size_gib=40)
    response = lab.call("CreateSnapshot", {"DiskId": disk, "SnapshotName": "nightly"})
    assert response.message == lookup(response.code, "CreateSnapshot").message  # the API's words, untouched
    text = response.explain().replace(response.message, "")
    assert not english_in(text), text
    assert not english_in(response._repr_html_())


def test_every_catalogue_entry_and_reproduction_reads_in_chinese() -> None:
    for entry in error_catalog():
        assert not english_in(entry._repr_html_()), entry.code
    shown = reproduce("QuotaExceed.Snapshot")._repr_html_()
    assert not english_in(shown)


def draw(ax) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.canvas.draw()
    return [str(w.message) for w in caught]


def chart_texts(ax) -> list[str]:
    found = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    legend = ax.get_legend()
    if legend is not None:
        found += [t.get_text() for t in legend.get_texts()] + [legend.get_title().get_text()]
    for other in ax.figure.axes:
        found += [other.get_ylabel(), other.get_xlabel(), other.xaxis.get_offset_text().get_text()]
        found += [tick.get_text() for tick in other.get_xticklabels()]  # month names are words
    return [t for t in found if t]


@pytest.mark.parametrize(
    "make",
    [
        lambda lab: charts.quota_chart(lab),
        lambda lab: charts.retention_timeline(lab),
        lambda lab: charts.retention_timeline(lab, max_bars=5),
        lambda lab: charts.history_chart(lab),
        lambda lab: charts.history_chart(lab, by="disk"),
        lambda lab: charts.request_outcomes_chart(lab),
    ],
    ids=["quota", "timeline", "per-day", "history", "history-by-disk", "outcomes"],
)
def test_every_chart_draws_chinese_with_no_glyph_missing_and_no_english(make) -> None:
    lab = Lab.demo(disks=12, days=10)
    ax = make(lab)
    assert not [m for m in draw(ax) if "missing" in m.lower()]
    for text in chart_texts(ax):
        assert not english_in(text), text


def test_a_display_zone_shows_beijing_time_beside_utc_in_the_clock_the_summary_and_the_charts() -> None:
    set_display_timezone("Asia/Shanghai")
    lab = Lab(seed=1)
    app = lab.show()
    assert "Asia/Shanghai, UTC+08:00" in app.clock.now_html.value
    assert "08:00:00 Asia/Shanghai" in app.clock.now_text  # 00:00 UTC is 08:00 in Beijing
    ax = charts.retention_timeline(Lab.demo(disks=12, days=5))
    assert ax.get_xlabel() == "时间（Asia/Shanghai，UTC+08:00）"
    assert any(axis.get_xlabel() == "时间（UTC）" for axis in ax.figure.axes[0].child_axes)  # UTC on top


def test_the_lab_itself_reads_in_chinese_and_a_refused_move_of_its_clock_says_why_in_chinese() -> None:
    lab = Lab.demo(disks=12, days=3)
    assert not english_in(lab._repr_html_())
    with pytest.raises(ValueError) as refused:
        lab.advance(hours=-1)
    assert not english_in(str(refused.value)), refused.value
