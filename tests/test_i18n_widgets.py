"""The widgets in Chinese, walked: with the language set to zh-CN, every text the request builder, the response
view, the error explorer, the signature explorer, their error areas and the app's frame show (every string trait of
every widget of the tree: labels, tooltips, placeholders, option labels, tab titles, HTML) holds no English of the
lab's own (tests/chinese.py), in every state a learner can bring them to. What the API sends (codes, messages) and
what the learner typed stay as they are; the English texts stay word for word what they were.

The words of other modules a widget shows are checked where they are made: the recipes' steps (recipes.py) are set
aside in the explorer's reproduction, and the dashboards' trees (dashboards.py) in the app: test_i18n_lab walks them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import ipywidgets as widgets
import pytest
from chinese import english_in

from ecs_snap_lab import Lab, set_display_timezone, set_language
from ecs_snap_lab.widgets import ErrorExplorer, LabDashboard, RequestBuilder, ResponseView, SignatureExplorer
from ecs_snap_lab.widgets.builder import MAX_TAG_ROWS
from ecs_snap_lab.widgets.guard import ErrorArea

# what a widget's value is when it is not text to read: what the learner typed or chose (a Text's, a Dropdown's)
TEXT_VALUES = (widgets.HTML, widgets.HTMLMath, widgets.Label)
# string traits that are enumerations of the front end, not words: an icon's name, a style's, an image's format
NOT_TEXT = {"icon", "button_style", "bar_style", "box_style", "orientation", "format", "children", "layout", "style"}
# names of Python packages, shown as the tabs of the SDK snippets: a learner pip-installs them as they are
PACKAGES = {"aliyun-python-sdk-ecs", "alibabacloud_ecs20140526"}
# a value the request carried, quoted in a reason (DiskCategory 'floppy'): the learner's data, not the lab's words
QUOTED = re.compile(r"&#x27;[^&<]*&#x27;|'[^'<]*'")


pytestmark = pytest.mark.usefixtures("in_chinese")  # conftest.py: Chinese, then English again


def texts(widget: widgets.Widget, skip: tuple[widgets.Widget, ...] = ()) -> Iterator[tuple[str, str]]:
    """Every string a widget tree shows, with where: each string trait (and each string of a tuple trait:
    option labels, tooltips, tab titles) of every widget, but what the learner typed or chose."""
    if widget in skip:
        return
    kind = type(widget).__name__
    for name in widget.keys:
        if name in NOT_TEXT or (name.startswith("_") and name != "_options_labels"):
            continue
        if name == "value" and not isinstance(widget, TEXT_VALUES):
            continue
        value = getattr(widget, name)
        for item in value if isinstance(value, tuple | list) else (value,):
            if isinstance(item, str) and item.strip("\u200b ") and item not in PACKAGES:  # ipywidgets' empty: "\u200b"
                yield f"{kind}.{name}", item
    for child in getattr(widget, "children", ()):
        yield from texts(child, skip)


def english_left(widget: widgets.Widget, skip: tuple[widgets.Widget, ...] = (), aside: tuple[str, ...] = ()) -> dict:
    """The texts of `widget`'s tree that still hold English, with the words; `aside` are texts of other modules
    shown verbatim (set aside before looking)."""
    left = {}
    for where, text in texts(widget, skip):
        for other in aside:
            text = text.replace(other, "")
        words = english_in(QUOTED.sub(" ", text))
        if words:
            left[f"{where}: {text[:100]}"] = sorted(words)
    return left


def test_the_walk_sees_every_kind_of_text() -> None:
    """The walker itself: labels, tooltips, placeholders, option labels, tooltips of buttons, titles and HTML are
    all seen, so an English one cannot hide from the tests below."""
    set_language("en")
    box = widgets.VBox(
        [
            widgets.Text(description="a label", tooltip="a tip", placeholder="a hint", value="typed words"),
            widgets.Dropdown(options=[("an option", "x")], value="x"),
            widgets.ToggleButtons(options=["one"], tooltips=["a button's tip"]),
            widgets.Tab(children=[widgets.HTML("<b>some html</b>")], titles=("a title",)),
            widgets.Button(description="press", icon="trash"),
        ]
    )
    found = {text for _where, text in texts(box)}
    shown = {"a label", "a tip", "a hint", "an option", "one", "a button's tip", "a title", "<b>some html</b>", "press"}
    assert found == shown  # not the typed value, not the icon's name
    assert {where for where, _text in texts(box)} >= {
        "Dropdown._options_labels",
        "ToggleButtons.tooltips",
        "Tab.titles",
    }


# ---------------------------------------------------------------- the request builder


@pytest.fixture
def lab() -> Lab:
    return Lab(seed=7)


def test_the_builder_speaks_chinese_in_every_state_of_the_form(lab: Lab) -> None:
    disk = lab.ready_disk()
    builder = RequestBuilder(lab)
    assert english_left(builder) == {}
    assert builder.disk_picker.options[0] == ("（输入云盘 ID，或在此选择）", "")  # the label translated, the value not
    builder.disk_picker.value = disk
    builder.snapshot_name.value = "9-9"  # no letter first
    builder.retention_days.value = "0"
    builder.description_field.value = "h"  # too short
    builder.client_token.value = "令牌"  # not ASCII
    builder.extra_name.value, builder.extra_value.value = "Category", "Flash"  # a parameter the seed lacks
    for n in range(MAX_TAG_ROWS):
        builder.add_tag(f"k{n}" if n % 3 else "", f"v{n}")
    assert builder.add_tag_button.disabled and len(builder.violations) >= 4 and builder.advice
    assert english_left(builder) == {}
    assert "个问题" in builder.panel.value and "API 会拒绝这个请求" in builder.panel.value
    builder.remove_tag(0)
    builder.never_release.value = True
    assert english_left(builder) == {}


def test_a_request_that_cannot_be_encoded_is_refused_in_chinese(lab: Lab) -> None:
    builder = RequestBuilder(lab)
    builder.description_field.value = "粘贴 \ud800 出错"
    assert builder.send_button.disabled
    assert builder.encode_problem == "Description 的第 4 个字符是 U+D800，它没有 UTF-8 形式"
    builder.send_button.disabled = False  # a click from Python reaches send, which refuses
    builder.send_button.click()
    assert builder.error_message == f"发送失败：ValueError: 请求无法编码：{builder.encode_problem}"
    assert english_left(builder) == {}
    builder.description_field.value = "粘贴好了"
    builder.send_button.click()
    assert builder.error_message == ""  # cleared by the next success


def test_the_builders_answer_line_keeps_the_apis_words(lab: Lab) -> None:
    disk = lab.ready_disk()
    builder = RequestBuilder(lab)
    builder.disk_id.value = disk
    ok = builder.send()
    assert ok.ok and f"SnapshotId <code>{ok.data['SnapshotId']}</code>" in builder.response_area.value
    builder.disk_id.value = "d-nothere"
    refused = builder.send()
    assert refused.message == "The specified DiskId does not exist."  # the API's words, as it sends them
    assert f'<span lang="en">{refused.message}</span>' in builder.response_area.value
    assert "<code>InvalidDiskId.NotFound</code>" in builder.response_area.value
    assert english_left(builder) == {}


def test_a_failing_on_send_is_named_in_chinese_and_its_exception_kept_as_raised(lab: Lab) -> None:
    def broken(_response) -> None:
        raise RuntimeError("view missing")

    builder = RequestBuilder(lab, on_send=broken)
    builder.disk_id.value = lab.ready_disk()
    builder.send()
    assert builder.error_message == "on_send 回调失败：RuntimeError: view missing"
    assert "<b>on_send 回调</b>失败：RuntimeError: view missing" in builder.error_area.value


# ---------------------------------------------------------------- the response view


def test_the_response_view_speaks_chinese_for_every_kind_of_answer(lab: Lab) -> None:
    disk = lab.ready_disk()
    view = ResponseView()
    assert english_left(view) == {} and "还没有应答。" in view.status_html.value
    answers = [
        lab.call("CreateSnapshot", {"DiskId": disk}),
        lab.call("CreateSnapshot", {"DiskId": disk, "SnapshotName": "9-9"}),  # refused, a failed step in the trace
        lab.call("CreateSnapshot", {"DiskId": "d-nothere"}),
        lab.call("CreateSnapshot", {"DiskId": disk, "Category": "Flash", "Made_Up": "1"}),  # warnings
    ]
    for response in answers:
        for body in ("JSON", "XML"):
            view.show(response)
            view.format.value = body
            assert english_left(view) == {}, (response.code, body)
        if not response.ok:
            assert html.escape(response.message) in view.status_html.value  # the API's words, as sent
            assert response.code in view.status_html.value
    assert view.format.options == ("JSON", "XML") and view.format.tooltips == (
        "JSON 应答体（格式化）",
        "XML 应答体，与 API 在 Format=XML 时返回的一致",
    )


def test_a_response_view_that_cannot_show_says_so_in_chinese() -> None:
    view = ResponseView()
    view.show(object())
    assert view.error_message.startswith("显示应答失败：AttributeError: ")
    assert english_left(view, aside=(html.escape(view.error_message.split("AttributeError: ")[1]),)) == {}


# ---------------------------------------------------------------- the error explorer


def test_the_explorer_speaks_chinese_for_every_entry_chosen_and_reproduced_in_every_profile() -> None:
    explorer = ErrorExplorer()
    assert english_left(explorer) == {}
    assert explorer.status_filter.options[0] == ("全部", "All")
    assert explorer.api_choice.options == (("seed（2018-19）", "seed"), ("2026", "2026"), ("两者对比", "both"))
    for profile in ("seed", "2026", "both"):
        explorer.api_choice.value = profile
        for _label, index in list(explorer.code_select.options):
            explorer.code_select.value = index
            explorer.reproduce()
            assert explorer.error_message == ""
            views = (explorer.response_view.trace_html, explorer.now_view.trace_html)  # display.py's, checked below
            assert english_left(explorer, skip=views) == {}, (profile, explorer.selected_entry)
            code = explorer.selected_code
            assert f"<code>{code}</code>" in explorer.meaning_html.value  # the code as the API writes it
    assert "应答不同" in explorer.compare_html.value or "应答相同" in explorer.compare_html.value


def test_the_explorer_trace_of_every_reproduction_is_chinese_but_the_data_it_quotes() -> None:
    """The trace comes from display.py (and its reasons from the rules): walked here as the explorer shows it."""
    explorer = ErrorExplorer()
    left: dict[str, list[str]] = {}
    for _label, index in list(explorer.code_select.options):
        explorer.code_select.value = index
        explorer.reproduce()
        left |= english_left(explorer.response_view)
    assert left == {}


def test_the_explorers_filters_and_refusals_are_chinese() -> None:
    explorer = ErrorExplorer()
    for status, _value in explorer.status_filter.options:
        explorer.status_filter.value = _value
        assert english_left(explorer) == {}, status
    explorer.search.value = "没有这样的错误"
    assert "没有错误码符合此筛选和搜索条件。" in explorer.table_html.value
    assert "选择一个错误码，查看它的含义。" in explorer.meaning_html.value
    assert english_left(explorer) == {}
    for args, said in (
        (("NoSuchCode",), "错误码目录中没有 'NoSuchCode'"),
        (("InternalError", 3), "错误码目录中没有 'InternalError'（第 3 行）"),
        (("NoSuchCode", None, "CreateDisk"), "错误码目录中没有 CreateDisk 的 'NoSuchCode'"),
        (("InternalError", 3, "CreateDisk"), "错误码目录中没有 CreateDisk 的 'InternalError'（第 3 行）"),
    ):
        with pytest.raises(KeyError) as refused:
            explorer.select(*args)
        assert refused.value.args[0] == said


def test_the_explorers_refusals_stay_word_for_word_in_english() -> None:
    set_language("en")
    explorer = ErrorExplorer()
    for args, said in (
        (("NoSuchCode",), "'NoSuchCode' is not in the error catalogue"),
        (("InternalError", 3), "'InternalError' row 3 is not in the error catalogue"),
        (("NoSuchCode", None, "CreateDisk"), "'NoSuchCode' for CreateDisk is not in the error catalogue"),
        (("InternalError", 3, "CreateDisk"), "'InternalError' row 3 for CreateDisk is not in the error catalogue"),
    ):
        with pytest.raises(KeyError) as refused:
            explorer.select(*args)
        assert refused.value.args[0] == said


# ---------------------------------------------------------------- the signature explorer


def test_the_signature_explorer_speaks_chinese_following_a_builder_by_get_and_post(lab: Lab) -> None:
    builder = RequestBuilder(lab)
    explorer = SignatureExplorer(builder)
    builder.disk_id.value = lab.ready_disk()
    builder.add_tag("环境", "测试")
    for method in ("GET", "POST"):
        explorer.method.value = method
        explorer.new_nonce_button.click()
        explorer.lab_time_button.click()
        assert explorer.error_message == ""
        assert english_left(explorer) == {}, method
    assert explorer.tabs.titles[2:] == ("阿里云 CLI", "aliyun-python-sdk-ecs", "alibabacloud_ecs20140526")
    assert explorer.access_key_id.description == "AccessKeyId"  # the API's parameter names stay


def test_the_signature_explorers_refusals_are_chinese() -> None:
    explorer = SignatureExplorer({"DiskId": "d-1"})
    explorer.lab_time_button.disabled = False  # a click from Python: there is no lab to take the time from
    explorer.lab_time_button.click()
    assert (
        explorer.error_message
        == "实验时间失败：ValueError: 没有可以读取时间的实验环境：请用一个 RequestBuilder 创建 SignatureExplorer"
    )
    explorer.set_params({"DiskId": "\ud800"})
    assert "签名失败：ValueError: 请求无法编码：DiskId 含有字符 U+D800，它没有 UTF-8 形式" in explorer.error_message
    assert "无法签名" in explorer.steps_html.value
    assert english_left(explorer) == {}


# ---------------------------------------------------------------- the app and the error area


def test_the_apps_frame_speaks_chinese_in_every_tab() -> None:
    lab = Lab.demo(disks=12, days=3)
    app = LabDashboard(lab)
    for title in ("Errors", "Quota", "Retention", "Request"):
        app.select_tab(title)
        assert english_left(app, skip=(app.quota, app.timeline)) == {}, title  # dashboards.py: test_i18n_lab's
    assert app.tabs.titles == ("请求", "错误码", "配额", "保留时间")
    assert app.open_tab == "Request" and app.built == ("Request", "Errors", "Quota", "Retention")  # data: English
    assert f"地域 {lab.region}，种子 {lab.seed}" in app.children[0].value


def test_the_error_area_names_where_in_the_language_shown_not_the_one_it_failed_in() -> None:
    area = ErrorArea()

    def refuse() -> None:
        raise ValueError("坏了")

    area.run("send", refuse)
    assert area.message == "发送失败：ValueError: 坏了"
    set_language("en")
    assert area.message == "send failed: ValueError: 坏了"
    area.run("send", lambda: None)
    assert area.message == "" and area.widget.value == ""


def test_a_display_zone_puts_beijing_time_beside_utc_in_the_apps_answer() -> None:
    set_display_timezone("Asia/Shanghai")
    lab = Lab(seed=7)
    instance = lab.run_instance()
    lab.advance(minutes=2)  # running, its system disk's data still loading for about an hour
    system_disk = next(d for d in lab.instance(instance).disk_ids if lab.disk(d).disk_type == "system")
    app = lab.show()
    app.builder.disk_id.value = system_disk
    app.builder.send()
    assert app.builder.last_response.code == "IncorrectDiskStatus"
    assert "2026-01-01T01:00:00Z (09:00:00 Asia/Shanghai, UTC+08:00)" in app.response_view.trace_html.value
    assert "Asia/Shanghai, UTC+08:00" in app.clock.now_html.value
