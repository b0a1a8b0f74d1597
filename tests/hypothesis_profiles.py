"""Hypothesis profiles: quick where people wait for the tests, thorough in CI.

- "dev", the default: at most DEV_EXAMPLES examples per property, and the failures found are kept in .hypothesis/
  and replayed first next time.
- "ci", chosen when CI is set (`.ci/run` runs with CI=true): each property's full count, `examples(n)`; examples
  derandomized (a red CI run is the same red run again), no example database, the reproduction blob printed.

HYPOTHESIS_PROFILE=ci (or =dev) chooses one explicitly. tests/conftest.py loads the profile.

Neither profile has a deadline nor the too_slow health check: both measure wall time, and on a shared 2-core machine
a slow example says how busy the machine is, not that the lab is wrong. Speed is measured in bench/.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DEV_EXAMPLES = 25


def chosen_profile() -> str:
    """HYPOTHESIS_PROFILE if set, else "ci" when CI is set (to anything but false or 0), else "dev"."""
    if explicit := os.environ.get("HYPOTHESIS_PROFILE"):
        return explicit
    return "ci" if os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"} else "dev"


PROFILE = chosen_profile()
# the health checks that measure wall time; a test that suppresses more lists these too (its list replaces this one)
TIMED_HEALTH_CHECKS = (HealthCheck.too_slow,)
_UNTIMED = {"deadline": None, "suppress_health_check": TIMED_HEALTH_CHECKS}

settings.register_profile("dev", max_examples=DEV_EXAMPLES, **_UNTIMED)
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, print_blob=True, **_UNTIMED)


def examples(thorough: int) -> int:
    """A property's example count: `thorough` under the ci profile, at most DEV_EXAMPLES otherwise."""
    return thorough if PROFILE == "ci" else min(thorough, DEV_EXAMPLES)
