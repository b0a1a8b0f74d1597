"""The time zone the lab shows times in beside UTC: the lab's clock and the API's times stay UTC, but a learner in
Beijing plans a backup for 10:00, not for "02:00 UTC". `set_display_timezone("Asia/Shanghai")` (or the environment
variable ECS_SNAP_LAB_TZ, or `--tz`) makes every time the lab writes read "2026-01-05 02:00:00 UTC (10:00:00
Asia/Shanghai, UTC+08:00)"; with no display zone (the default) a time reads as UTC alone.

Zones come from the IANA database through the standard library's zoneinfo (the tzdata package where the system has
none), so daylight saving time is honoured where a zone has it.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENVIRONMENT = "ECS_SNAP_LAB_TZ"

_zone: ZoneInfo | None = None


def set_display_timezone(name: str | None) -> None:
    """Show times in the IANA zone `name` beside UTC; None, "" or "UTC" shows UTC alone. ValueError names a bad
    zone, and changes nothing."""
    global _zone
    text = (name or "").strip()
    if text.upper() in ("", "UTC"):
        _zone = None
        return
    try:
        _zone = ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"no time zone {text[:40]!r}: give an IANA name such as Asia/Shanghai, or UTC") from None


def get_display_timezone() -> str | None:
    """The display zone's name, None when times are shown in UTC alone."""
    return None if _zone is None else _zone.key


def display_zone() -> tzinfo:
    """The display zone as a tzinfo (UTC when none is set), for what converts times itself (a chart's axis)."""
    return _zone or UTC


def offset(moment: datetime) -> str:
    """The display zone's offset from UTC at `moment`: "UTC+08:00" ("UTC" with no display zone)."""
    if _zone is None:
        return "UTC"
    delta = _utc(moment).astimezone(_zone).strftime("%z")
    return f"UTC{delta[:3]}:{delta[3:]}"


def in_display_zone(moment: datetime) -> datetime:
    """`moment` in the display zone (in UTC with no display zone)."""
    return _utc(moment).astimezone(_zone or UTC)


def shown(moment: datetime, *, seconds: bool = True) -> str:
    """A time as the lab writes it: "2026-01-05 02:00:00 UTC", then the display zone's time and offset in
    parentheses; the local date is given too when it is not the UTC date."""
    moment = _utc(moment)
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return f"{moment:%Y-%m-%d} {moment.strftime(clock)} UTC{_beside(moment, clock)}"


def _beside(moment: datetime, clock: str) -> str:
    """ " (10:00:00 Asia/Shanghai, UTC+08:00)" for a UTC `moment`, with the local date when it is another day;
    "" with no display zone."""
    if _zone is None:
        return ""
    local = moment.astimezone(_zone)
    day = "" if local.date() == moment.date() else f"{local:%Y-%m-%d} "
    return f" ({day}{local.strftime(clock)} {_zone.key}, {offset(moment)})"


def shown_epoch(seconds_since_epoch: float, *, seconds: bool = True) -> str:
    """`shown` for a time given in epoch seconds, as the model keeps them."""
    return shown(datetime.fromtimestamp(seconds_since_epoch, UTC), seconds=seconds)


def _utc(moment: datetime) -> datetime:
    """A naive datetime is the lab's: UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def stamp(seconds_since_epoch: int) -> str:
    """A time in the API's own format (yyyy-MM-ddTHH:mm:ssZ), as the lab's explanations quote it, then the display
    zone's time and offset in parentheses when one is set."""
    from .model.clock import to_iso

    return to_iso(seconds_since_epoch) + _beside(datetime.fromtimestamp(seconds_since_epoch, UTC), "%H:%M:%S")
