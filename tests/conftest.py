"""Shared fixtures: a seeded lab, a data disk that can be snapshotted now, and a running instance. Loads the
Hypothesis profile (quick by default, thorough in CI: tests/hypothesis_profiles.py)."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis_profiles import PROFILE

from ecs_snap_lab import Lab
from ecs_snap_lab.model.timing import SYSTEM_DISK_LOAD_SECONDS

settings.load_profile(PROFILE)


def pytest_report_header() -> str:
    return f"hypothesis profile: {PROFILE} (tests/hypothesis_profiles.py; HYPOTHESIS_PROFILE=ci for the full counts)"


@pytest.fixture
def lab() -> Lab:
    """A fresh lab on a fixed seed, so every id and RequestId is reproducible."""
    return Lab(seed=7)


@pytest.fixture
def disk(lab: Lab) -> str:
    """A data disk of `lab`, attached, In_use and loaded: CreateSnapshot on it succeeds now."""
    return lab.ready_disk()


@pytest.fixture
def running(lab: Lab) -> tuple[Lab, str, str]:
    """(lab, instance_id, system_disk_id): a RunInstances instance, Running, its system disk's data loaded."""
    instance_id = lab.run_instance()
    system_disk_id = next(d for d in lab.instance(instance_id).disk_ids if lab.disk(d).disk_type == "system")
    lab.advance(seconds=SYSTEM_DISK_LOAD_SECONDS + 60)
    return lab, instance_id, system_disk_id


@pytest.fixture
def in_chinese():
    """The lab writes Simplified Chinese for the test; English and no display zone again after it."""
    from ecs_snap_lab import set_display_timezone, set_language

    set_language("zh-CN")
    yield
    set_language("en")
    set_display_timezone(None)
