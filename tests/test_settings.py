"""A process's language and display time zone: the environment first, else the working folder's ecs-snap-lab.toml;
and the display time zone's rendering of a time beside UTC."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ecs_snap_lab import get_display_timezone, get_language, set_display_timezone, set_language
from ecs_snap_lab.local_time import offset, shown, shown_epoch
from ecs_snap_lab.settings import FILE, apply_startup_settings, read_folder_file

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def defaults_after() -> Iterator[None]:
    yield
    set_language("en")
    set_display_timezone(None)


def test_a_time_is_shown_in_utc_alone_until_a_display_zone_is_chosen() -> None:
    moment = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    assert shown(moment) == "2026-01-05 02:00:00 UTC"
    set_display_timezone("Asia/Shanghai")
    assert shown(moment) == "2026-01-05 02:00:00 UTC (10:00:00 Asia/Shanghai, UTC+08:00)"
    assert shown_epoch(moment.timestamp() + 20 * 3600, seconds=False) == (
        "2026-01-05 22:00 UTC (2026-01-06 06:00 Asia/Shanghai, UTC+08:00)"  # the local date when it differs
    )
    assert offset(moment) == "UTC+08:00"


def test_a_zone_with_summer_time_shows_the_offset_of_the_moment() -> None:
    set_display_timezone("Europe/Berlin")
    assert offset(datetime(2026, 1, 5, tzinfo=UTC)) == "UTC+01:00"
    assert offset(datetime(2026, 7, 5, tzinfo=UTC)) == "UTC+02:00"
    assert shown(datetime(2026, 7, 5, 2, 0)) == "2026-07-05 02:00:00 UTC (04:00:00 Europe/Berlin, UTC+02:00)"


def test_a_bad_zone_is_refused_with_a_reason_and_changes_nothing() -> None:
    set_display_timezone("Asia/Shanghai")
    for bad in ("Mars/Olympus", "../etc/passwd", "Asia/"):
        with pytest.raises(ValueError, match="IANA name"):
            set_display_timezone(bad)
        assert get_display_timezone() == "Asia/Shanghai"
    set_display_timezone("UTC")
    assert get_display_timezone() is None


def test_the_folder_file_chooses_language_and_zone(tmp_path: Path) -> None:
    (tmp_path / FILE).write_text('language = "zh-CN"\ntimezone = "Asia/Shanghai"\n', encoding="utf-8")
    apply_startup_settings(tmp_path)
    assert (get_language(), get_display_timezone()) == ("zh-CN", "Asia/Shanghai")


def test_a_bad_folder_file_is_reported_and_ignored(tmp_path: Path) -> None:
    (tmp_path / FILE).write_text("language = [", encoding="utf-8")
    with pytest.warns(UserWarning, match="not read"):
        assert read_folder_file(tmp_path) == {}
    (tmp_path / FILE).write_text('language = "fr"\ncolour = "blue"\n', encoding="utf-8")
    with pytest.warns(UserWarning, match="unknown settings colour"):
        found = read_folder_file(tmp_path)
    with pytest.warns(UserWarning) as said:
        apply_startup_settings(tmp_path)
    assert any("language must be one of" in str(w.message) for w in said)
    assert found == {"language": "fr"} and get_language() == "en"


def run_in(folder: Path, **env: str) -> list[str]:
    code = "import ecs_snap_lab as e; print(e.get_language(), e.get_display_timezone())"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), **env},
    )
    return done.stdout.split()


def test_the_chinese_notebooks_folder_makes_a_kernel_write_chinese_and_the_environment_wins() -> None:
    folder = REPO / "notebooks" / "zh-CN"
    assert run_in(folder) == ["zh-CN", "Asia/Shanghai"]
    assert run_in(folder, ECS_SNAP_LAB_LANG="en", ECS_SNAP_LAB_TZ="UTC") == ["en", "None"]
    assert run_in(REPO / "notebooks") == ["en", "None"]  # the English notebooks' folder has no file
