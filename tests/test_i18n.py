"""The lab in Simplified Chinese: one switch, gettext catalogs compiled with Babel, no message left untranslated and
no placeholder dropped. What the API returns (codes and messages) is never translated."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from chinese import english_in

from ecs_snap_lab import Lab, i18n
from ecs_snap_lab.i18n import get_language, set_language

REPO = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    set_language("en")


def catalog():
    with i18n.catalog_path("zh-CN").open("rb") as source:
        return read_po(source, locale="zh_CN")


def extracted() -> set:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        REPO / "ecs_snap_lab", method_map=i18n.METHODS, keywords=i18n.KEYWORDS
    ):
        found.add(message)
    return found


def test_every_message_the_lab_can_write_has_its_chinese_translation() -> None:
    translated = {m.id for m in catalog() if m.id and m.string and all(m.string) and not m.fuzzy}
    missing = sorted(map(str, extracted() - translated))
    assert not missing, f"no translation (run `make messages`, then translate): {missing[:5]}"


def test_no_message_is_marked_inside_an_f_string() -> None:
    """Babel reads a Python 3.11 f-string as one token: a `_("...")` inside its braces is never extracted, so it
    would never be translated. A message is marked outside the f-string and the result put in."""
    import tokenize

    marked = re.compile(r"\b(?:N_|Nn_|_|ngettext)\(\s*['\"]")
    found = []
    for path in sorted((REPO / "ecs_snap_lab").rglob("*.py")):
        with path.open("rb") as source:
            for token in tokenize.tokenize(source.readline):
                is_f = token.type == tokenize.STRING and token.string.lstrip("rbRB")[:1] in "fF"
                if is_f and marked.search(token.string):
                    found.append(f"{path.relative_to(REPO)}:{token.start[0]}")
    assert not found, found


def test_every_translation_keeps_its_placeholders() -> None:
    for message in catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))  # each kept (a translation may say one twice), none added
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, (message.id, string)


def test_no_translation_leaves_english_in_it() -> None:
    """Walks every message the lab can write: its Chinese holds no English word, only the API's own words (codes,
    parameters, statuses), ids, times, units and markup (tests/chinese.py)."""
    left = {}
    for message in catalog():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if message.id and string and english_in(string):
                left[str(message.id)[:60]] = sorted(english_in(string))
    assert not left, left


def test_the_switch_takes_the_usual_spellings_and_refuses_others() -> None:
    for spelling in ("zh-CN", "zh_CN", "zh", "ZH-cn", "zh-Hans"):
        set_language(spelling)
        assert get_language() == "zh-CN"
    set_language("en")
    assert get_language() == "en"
    with pytest.raises(ValueError, match="en, zh-CN"):
        set_language("fr")
    assert get_language() == "en"  # a refused choice changes nothing


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", **env}, check=True
    )


def test_the_environment_variable_chooses_the_language_and_a_bad_one_is_reported() -> None:
    code = "from ecs_snap_lab.i18n import _, get_language; print(get_language(), _('Go'))"
    assert run_python(code, ECS_SNAP_LAB_LANG="zh-CN").stdout.split() == ["zh-CN", "前往"]
    bad = run_python(code, ECS_SNAP_LAB_LANG="klingon")
    assert bad.stdout.split() == ["en", "Go"] and "ECS_SNAP_LAB_LANG" in bad.stderr


def test_babel_is_imported_only_when_a_language_is_set() -> None:
    code = "import sys, ecs_snap_lab; print('babel' in sys.modules)"
    assert run_python(code).stdout.strip() == "False"


ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
ALLOWED = {"UTC", "API", "ISO", "seed", "T", "Z"}


def english_words(text: str) -> set[str]:
    text = re.sub(r"<[^>]*>", " ", text)  # markup is not text
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", " ", text)
    return {w for w in ASCII_WORD.findall(text) if w not in ALLOWED}


def test_the_clock_writes_chinese_and_the_api_answer_stays_as_the_api_sends_it() -> None:
    from ecs_snap_lab.widgets.clock import Clock

    set_language("zh-CN")
    lab = Lab(seed=1)
    clock = Clock(lab)
    disk = lab.ready_disk()
    lab.create_snapshot(disk)
    summary = clock.advance("+1 hour")
    assert summary == "+1 小时：1 个快照创建完成"
    for text in (clock.now_html.value, summary, *(b.description + b.tooltip for b in clock.step_buttons.values())):
        assert not english_words(text), text
    assert (clock.target.description, clock.go_button.description) == ("推进到", "前往")
    refused = lab.call("CreateSnapshot", {"DiskId": "d-nothere"})
    assert refused.message == "The specified DiskId does not exist."  # the API's words, untranslated
    set_language("en")
    assert clock.advance("+1 hour") == "+1 hour: nothing happened"


def test_the_package_and_the_command_line_have_the_switch() -> None:
    import ecs_snap_lab
    from ecs_snap_lab.cli import main

    ecs_snap_lab.set_language("zh-CN")
    assert ecs_snap_lab.get_language() == "zh-CN"
    ecs_snap_lab.set_language("en")
    assert main(["--lang", "zh-CN", "codes"]) == 0
    assert get_language() == "zh-CN"
