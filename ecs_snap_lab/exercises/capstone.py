"""The capstone: a fleet's nightly backups, judged by running the learner's job for four simulated weeks.

The learner writes `nightly(lab, disk_ids)`. The check builds the fleet afresh, calls the job at 01:00 every
night for `NIGHTS` nights with faults armed on some nights (notebook 04's), and reads what happened from the
lab's public record: the request log (what the job asked, how each ask was answered, when) and the event log (which
snapshots appeared, finished, failed, were deleted or released). Decisions:

- The rules are the prompt's, each measurable: one accomplished backup per disk and night, the backups of the last
  `KEEP_NIGHTS` nights kept every morning, no refusal the job could have avoided (QuotaExceed.Snapshot above all),
  no manual snapshot deleted, retries only of 5xx and IdempotentProcessing, after a wait that grows, at most
  `MAX_TRIES` tries per disk and night, the night's work done within `WINDOW`.
- Effects are judged, not code: any design that keeps the rules passes (RetentionDays or pruning, uuid4 or tokens
  made from the disk and the date, polling Status by RemainTime or by fixed steps).
- Two troubles cannot be beaten and the prompt says so: a disk the back end refuses all night
  (CreateSnapshot.Failed, a 4xx: do not retry) and an outage (a 5xx on every try: give up within the bound). That
  disk's missing backup is forgiven; carrying on with the other disks is not optional.
- The first problem in time order is the verdict: the night, the disk, tonight's trouble, the requests (tokens shown
  as #1, #2 so that uuid4 tokens print the same every run) and the lesson. Retries use the lab's clock
  (`lab.advance`), and random jitter is asked to be left out, so that a verdict is the same on every run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..i18n import N_, _, ngettext
from ..lab import Lab, RequestRecord
from ..model.events import EventKind
from ..rules.catalog import lookup
from .base import Exercise, Outcome, Verdict, correct, moment_words, not_a_function, run_learner, wrong

SEED = 116
FIRST_NIGHT = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # a Monday; the job runs at 01:00 UTC every night
NIGHTS = 28
WINDOW = timedelta(hours=6)  # a night's run must be over by 07:00
KEEP_NIGHTS = 7  # every morning, the backups of the last 7 nights (that night's included) must exist
MAX_TRIES = 8  # CreateSnapshot requests for one disk in one night
TAG = ("backup", "nightly")  # what marks a backup; every other snapshot is manual and must stay
ALL_NIGHT = 50  # a fault armed this many times lasts the whole night: the disk is forgiven
SLOW_SECONDS = 10  # how long a SlowRequest keeps the back end busy
FAILS_AT = 60  # the progress at which a SnapshotFails snapshot fails
SHOWN = 8  # requests listed in a verdict


@dataclass(frozen=True)
class DiskPlan:
    """One disk of the fleet and its history before the first night."""

    role: str
    manual: int  # manual snapshots (no RetentionDays), made hourly at the start
    manual_name: str
    legacy: int  # nightly backups of the old script, one per night before the first night
    legacy_retention: int | None


FLEET = (
    DiskPlan("web", 0, "", 0, None),
    DiskPlan("db", 6, "before-upgrade", 52, None),  # the old script forgot RetentionDays: 58 of 64
    DiskPlan("files", 54, "archive", 0, None),  # room for 10 more
    DiskPlan("logs", 2, "incident", 10, KEEP_NIGHTS),  # the old script done right: 7 kept
)


@dataclass(frozen=True)
class Trouble:
    """A fault armed on one disk for one night."""

    night: int
    role: str
    kind: str
    times: int = 1

    @property
    def forgiven(self) -> bool:
        return self.times >= ALL_NIGHT

    def words(self) -> str:
        if self.forgiven:
            return _(ALL_NIGHT_WORDS[self.kind])
        said = _(TROUBLE_WORDS[self.kind]).format(slow=SLOW_SECONDS, at=FAILS_AT)
        return _("{trouble}, {times} times").format(trouble=said, times=self.times) if self.times > 1 else said


# a trouble in words (marked with N_, shown through _()): one that lasts all night, and one that passes
ALL_NIGHT_WORDS = {
    "CreateSnapshot.Failed": N_("the back end refuses this disk all night (CreateSnapshot.Failed, HTTP 403)"),
    "InternalError": N_("an outage: InternalError (HTTP 500) on every try, all night"),
}
TROUBLE_WORDS = {
    "LostResponse": N_("a lost answer (the snapshot is made, then the answer is lost: HTTP 500)"),
    "InternalError": N_("InternalError (HTTP 500) before any effect"),
    "SlowRequest": N_("a slow request (the back end works {slow} s: HTTP 500, then IdempotentProcessing)"),
    "SnapshotFails": N_("a snapshot that fails while progressing (at {at} %)"),
}


TROUBLES = (
    Trouble(3, "db", "LostResponse"),
    Trouble(5, "files", "InternalError", times=2),
    Trouble(7, "logs", "SlowRequest"),
    Trouble(9, "web", "SnapshotFails"),
    Trouble(10, "web", "LostResponse"),
    Trouble(10, "db", "InternalError"),
    Trouble(11, "db", "CreateSnapshot.Failed", times=ALL_NIGHT),
    Trouble(13, "files", "InternalError", times=3),
    Trouble(13, "files", "LostResponse"),
    Trouble(15, "logs", "InternalError", times=ALL_NIGHT),
    Trouble(16, "db", "SlowRequest"),
    Trouble(20, "logs", "LostResponse"),
    Trouble(24, "files", "SnapshotFails"),
)


def night_start(night: int) -> datetime:
    return FIRST_NIGHT + timedelta(days=night - 1)


def night_of(at: int) -> int:
    """The night a moment belongs to: 1 from the first night's 01:00 on, 0 the day before, and so on."""
    return (at - int(FIRST_NIGHT.timestamp())) // 86400 + 1


def clock(at: int) -> str:
    return f"{datetime.fromtimestamp(at, UTC):%H:%M:%S}"


def n_tries(count: int) -> str:
    return ngettext("{n} try", "{n} tries", count).format(n=count)


def day(night: int) -> str:
    return f"{night_start(night):%Y-%m-%d}"


# ---------------------------------------------------------------- the fleet


def setup() -> tuple[Lab, dict[str, str]]:
    """Four data disks with their history: manual snapshots first, then the old script's nightly backups."""
    lab = Lab(seed=SEED, start=FIRST_NIGHT - timedelta(days=60))
    with lab.batch():
        disks = {plan.role: lab.ready_disk() for plan in FLEET}
        for n in range(1, max(plan.manual for plan in FLEET) + 1):  # one at a time per disk: an hour apart
            for plan in FLEET:
                if n <= plan.manual:
                    tags = {"owner": plan.role} if plan.role == "files" else None
                    _made(lab.create_snapshot(disks[plan.role], name=f"{plan.manual_name}-{n:02d}", tags=tags))
            lab.advance(hours=1)
        for back in range(max(plan.legacy for plan in FLEET), 0, -1):
            lab.advance_to(FIRST_NIGHT - timedelta(days=back))
            for plan in FLEET:
                if back <= plan.legacy:
                    name = f"nightly-{lab.now:%Y%m%d}"
                    disk = disks[plan.role]
                    _made(lab.create_snapshot(disk, name=name, retention_days=plan.legacy_retention, tags=[TAG]))
        lab.advance_to(FIRST_NIGHT - timedelta(hours=13))
    return lab, disks


def _made(response: Any) -> None:
    if not response.ok:  # the fleet is built by the lab's own rules; a refusal means the model changed
        raise RuntimeError(f"the capstone's fleet could not be built: {response.code}")


# ---------------------------------------------------------------- what the judge knows, from the event log


@dataclass
class Book:
    """The fleet's snapshots as the judge follows them: read from DescribeSnapshots once, then from events."""

    roles: dict[str, str]  # disk id -> role
    quota: int
    manual: dict[str, str] = field(default_factory=dict)  # manual snapshot id -> its name
    disk_of: dict[str, str] = field(default_factory=dict)
    made: dict[str, int] = field(default_factory=dict)  # snapshot -> creation time
    retention: dict[str, int | None] = field(default_factory=dict)  # snapshot -> its RetentionDays
    night: dict[str, int] = field(default_factory=dict)  # snapshot -> the night it was made in
    alive: set[str] = field(default_factory=set)
    held: Counter[str] = field(default_factory=Counter)  # disk -> snapshots now
    peak: Counter[str] = field(default_factory=Counter)  # disk -> most snapshots at any moment
    fate: dict[str, str] = field(default_factory=dict)  # snapshot -> accomplished | failed
    gone: dict[str, str] = field(default_factory=dict)  # snapshot -> how it went, in words
    backups: dict[str, dict[int, str]] = field(default_factory=dict)  # disk -> night -> its backup
    read: int = 0  # events read so far

    def open(self, lab: Lab) -> None:
        for disk in self.roles:
            self.backups[disk] = {}
            for item in lab.describe_snapshots(DiskId=disk):
                sid, at = item["SnapshotId"], int(datetime.fromisoformat(item["CreationTime"]).timestamp())
                self._born(sid, disk, at, night_of(at), item.get("RetentionDays"))
                self.fate[sid] = item["Status"]
                tags = {(t["TagKey"], t["TagValue"]) for t in item["Tags"]["Tag"]}
                if TAG in tags:
                    self.backups[disk][night_of(at)] = sid
                else:
                    self.manual[sid] = item["SnapshotName"]
        self.read = len(lab.events)

    def follow(self, lab: Lab, night: int) -> None:
        """Read the events since the last call; `night` is the night they happened in."""
        events = lab.events
        for index in range(self.read, len(events)):
            at, kind, sid, disk, detail = events[index]
            if disk not in self.roles:
                continue
            if kind == EventKind.SNAPSHOT_CREATED:
                self._born(sid, disk, at, night, retention_of(lab, sid))
            elif kind in (EventKind.SNAPSHOT_ACCOMPLISHED, EventKind.SNAPSHOT_FAILED):
                self.fate[sid] = "accomplished" if kind == EventKind.SNAPSHOT_ACCOMPLISHED else "failed"
            elif kind in (EventKind.SNAPSHOT_DELETED, EventKind.SNAPSHOT_RELEASED) and sid in self.alive:
                self.alive.discard(sid)
                self.held[disk] -= 1
                if kind == EventKind.SNAPSHOT_RELEASED:
                    kept = (at - self.made[sid]) // 86400
                    self.gone[sid] = _("its RetentionDays released it {days} days after it was made").format(days=kept)
                elif "cancelled" in detail:
                    self.gone[sid] = _(
                        "your function deleted it on night {night} while it was still being made"
                    ).format(night=night)
                else:
                    self.gone[sid] = _("your function deleted it on night {night}").format(night=night)
        self.read = len(events)

    def _born(self, sid: str, disk: str, at: int, night: int, retention: int | None) -> None:
        self.alive.add(sid)
        self.disk_of[sid], self.made[sid], self.night[sid], self.retention[sid] = disk, at, night, retention
        self.held[disk] += 1
        self.peak[disk] = max(self.peak[disk], self.held[disk])

    def made_on(self, night: int, disk: str) -> list[str]:
        return [sid for sid, n in self.night.items() if n == night and self.disk_of[sid] == disk]

    def head(self, night: int, disk: str | None) -> str:
        if disk in self.roles:
            return _("Night {night} ({day}), disk {role} ({disk}):").format(
                night=night, day=day(night), role=self.roles[disk], disk=disk
            )
        return _("Night {night} ({day}):").format(night=night, day=day(night))


def retention_of(lab: Lab, sid: str) -> int | None:
    try:
        return lab.snapshot(sid).retention_days
    except KeyError:  # made and deleted between two readings of the log
        return None


@dataclass
class Tally:
    """What the success summary reports."""

    backups: int = 0
    retried: int = 0  # tries that followed a 5xx or IdempotentProcessing
    most_tries: int = 0
    forgiven: list[str] = field(default_factory=list)
    tokens: dict[str, int] = field(default_factory=dict)  # ClientToken -> the night it was first sent


# ---------------------------------------------------------------- the judge


def judge(ex: Exercise, answer: Any) -> Verdict:
    bad = not_a_function(answer, "nightly(lab, disk_ids)")
    if bad is not None:
        return bad
    lab, ids = ex.fresh()
    book = Book({disk: role for role, disk in ids.items()}, lab.snapshot_quota)
    book.open(lab)
    tally = Tally()
    for night in range(1, NIGHTS + 1):
        problem = run_night(lab, answer, night, book, tally)
        if problem is not None:
            return wrong(*problem)
    return correct(*summary(lab, book, tally))


def run_night(lab: Lab, answer: Any, night: int, book: Book, tally: Tally) -> list[str] | None:
    """One night: arm tonight's faults, run the job, then judge its requests, its effects and the morning."""
    start = night_start(night)
    lab.advance_to(start)
    book.follow(lab, night - 1)  # releases due by 01:00 belong to the day before
    troubles = arm(lab, night, book)
    logged = len(lab.request_log)
    outcome = run_learner(answer, lab, list(book.roles), lab=lab)
    lab.faults.clear()
    records = lab.requests[logged:]
    book.follow(lab, night)
    problem = (
        request_problem(night, records, book, tally, troubles)
        or error_problem(night, outcome, book, troubles)
        or window_problem(night, lab)
    )
    if problem is not None:
        return problem
    lab.advance_to(start + WINDOW)  # whatever is still in flight finishes, or fails, by morning
    book.follow(lab, night)
    problem = effect_problem(lab, night, records, book, tally, troubles) or morning_problem(night, book)
    for record in records:
        token = record.params.get("ClientToken")
        if record.action == "CreateSnapshot" and token:
            tally.tokens.setdefault(token, night)
    return problem


def arm(lab: Lab, night: int, book: Book) -> dict[str, list[Trouble]]:
    """Tonight's faults, by disk id."""
    disks = {role: disk for disk, role in book.roles.items()}
    armed: dict[str, list[Trouble]] = {}
    for trouble in TROUBLES:
        if trouble.night == night:
            disk = disks[trouble.role]
            lab.faults.inject(
                trouble.kind, times=trouble.times, seconds=SLOW_SECONDS, at_progress=FAILS_AT, disk_id=disk
            )
            armed.setdefault(disk, []).append(trouble)
    return armed


def trouble_lines(troubles: dict[str, list[Trouble]], disk: str) -> list[str]:
    said = "; ".join(t.words() for t in troubles.get(disk, []))
    return [_("Tonight's trouble on this disk: {trouble}.").format(trouble=said)] if said else []


# ---------------------------------------------------------------- requests, in the order they were sent


@dataclass
class Tries:
    """The CreateSnapshot requests for one disk tonight, and the chain of failed tries being retried."""

    sent: list[RequestRecord] = field(default_factory=list)
    waits: list[int] = field(default_factory=list)  # seconds before each retry in the current chain


def request_problem(
    night: int, records: list[RequestRecord], book: Book, tally: Tally, troubles: dict[str, list[Trouble]]
) -> list[str] | None:
    tries: dict[str, Tries] = {}
    for record in records:
        disk = record.params.get("DiskId", "")
        if record.action == "CreateSnapshot" and disk in book.roles:
            mine = tries.setdefault(disk, Tries())
            mine.sent.append(record)
            why = retry_problem(mine, tally)
            if why is not None:
                return [book.head(night, disk), *why, *trouble_lines(troubles, disk), *listing(mine.sent, tally)]
        why = refusal_problem(record, book, tally, night)
        if why is not None:
            disk = disk or book.disk_of.get(record.params.get("SnapshotId", ""), "")
            sent = tries[disk].sent if disk in tries and record.action == "CreateSnapshot" else [record]
            return [book.head(night, disk), *why, *trouble_lines(troubles, disk), *listing(sent, tally)]
    tally.most_tries = max([tally.most_tries, *(len(t.sent) for t in tries.values())])
    return None


def retry_problem(tries: Tries, tally: Tally) -> list[str] | None:
    """The newest request of `tries` against the retry rules: bounded, only what can change, after a growing wait."""
    record = tries.sent[-1]
    if len(tries.sent) > MAX_TRIES:
        return [
            _("{count} CreateSnapshot requests for this disk in one night; the limit is {most}.").format(
                count=len(tries.sent), most=MAX_TRIES
            ),
            _(
                "Give up after a few tries (a disk that cannot be backed up tonight is forgiven) and go on with the "
                "other disks: hammering a failing back end makes it worse."
            ),
        ]
    if len(tries.sent) == 1 or tries.sent[-2].status == 200:
        tries.waits = []  # a new intended snapshot, or the first try of one: not a retry
        return None
    before = tries.sent[-2]
    if before.status < 500 and before.code != "IdempotentProcessing":
        return [
            _(
                "You retried after {code} (HTTP {status}). A 4xx other than IdempotentProcessing is final: the same "
                "request gets the same refusal. Skip this disk tonight and go on with the others."
            ).format(code=before.code, status=before.status)
        ]
    wait = record.at - before.at
    waits = [*tries.waits, wait]
    if wait < 1:
        return [
            _(
                "You retried at once after {code} (HTTP {status}). Wait before each retry (lab.advance stands in for "
                "time.sleep), longer each time: 1 s, 2 s, 4 s..."
            ).format(code=before.code, status=before.status)
        ]
    if (tries.waits and wait < tries.waits[-1]) or (len(waits) == 2 and waits[1] <= waits[0]):
        shown = ", ".join(f"{w} s" for w in waits)
        return [
            _(
                "Your waits between tries were {waits}: wait longer each time (exponential backoff: 1 s, 2 s, 4 s...), "
                "so that a struggling back end is not flooded."
            ).format(waits=shown)
        ]
    tries.waits = waits
    tally.retried += 1
    return None


def refusal_problem(record: RequestRecord, book: Book, tally: Tally, night: int) -> list[str] | None:
    """A request refused for a reason the job could have avoided, or a manual snapshot deleted."""
    if record.status < 400:
        sid = record.params.get("SnapshotId", "")
        if record.action == "DeleteSnapshot" and sid in book.manual:
            return [
                _(
                    "Your function deleted {snapshot} ({name!r}), a manual snapshot: it has no tag {key}: {value}. "
                    "Only backups are yours to delete."
                ).format(snapshot=sid, name=book.manual[sid], key=TAG[0], value=TAG[1])
            ]
        return None
    if record.status >= 500 or (
        record.action == "CreateSnapshot" and record.code in ("IdempotentProcessing", "CreateSnapshot.Failed")
    ):
        return None  # tonight's faults: to be retried or accepted, not avoided
    try:
        message = lookup(record.code or "", record.action).message
    except KeyError:
        message = ""
    said = (
        _("{action} was refused: {code} (HTTP {status}). {message}")
        .format(action=record.action, code=record.code, status=record.status, message=message)
        .strip()
    )
    return [said, *lesson(record, book, tally, night)]


def lesson(record: RequestRecord, book: Book, tally: Tally, night: int) -> list[str]:
    code = record.code
    if code == "QuotaExceed.Snapshot":
        return quota_lesson(record.params.get("DiskId", ""), book)
    if code == "IncorrectDiskStatus.CreatingSnapshot" and not record.params.get("ClientToken"):
        return [
            _(
                "A snapshot of this disk was still being made: most likely by your earlier try, whose answer was lost "
                "after the snapshot was made. Without a ClientToken the API cannot tell a retry from a new request: "
                "send one token per intended snapshot, the same on every try."
            )
        ]
    if code == "IncorrectDiskStatus.CreatingSnapshot":
        return [
            _(
                "A snapshot of this disk was still being made. Send the same ClientToken on every try of one backup "
                "(a retry then gets the first answer again), and start a disk's next snapshot only when the last one "
                "has finished."
            )
        ]
    if code == "IdempotentParameterMismatch":
        first = tally.tokens.get(record.params.get("ClientToken", ""))
        when = (
            _("on night {night}").format(night=first) if first is not None and first < night else _("earlier tonight")
        )
        return [
            _(
                "This ClientToken was sent {when} with other parameters. A token stands for one intended snapshot: "
                "make a new one for each disk and night, and send the same parameters on every retry."
            ).format(when=when)
        ]
    gone = record.params.get("SnapshotId", "")
    if record.action == "DeleteSnapshot" and gone in book.gone:
        return [
            _(
                "{snapshot} was gone already: {how}. List a disk's snapshots right before you delete, and leave a "
                "backup that has a RetentionDays to it."
            ).format(snapshot=gone, how=book.gone[gone])
        ]
    return [_("Nothing armed tonight causes this: it is your request's doing, so no retry can help.")]


def quota_lesson(disk: str, book: Book) -> list[str]:
    mine = [s for s in book.alive if book.disk_of[s] == disk]
    manual = sum(s in book.manual for s in mine)
    backups = [s for s in mine if s not in book.manual]
    forever = sum(book.retention.get(s) is None for s in backups)
    lines = [
        _("The disk holds {count} snapshots: {manual} manual and {backups} backups.").format(
            count=len(mine), manual=manual, backups=len(backups)
        )
    ]
    if forever:
        lines.append(
            _(
                "{forever} of those backups have no RetentionDays: nothing will ever release them. Delete backups "
                "older than {keep} days (tagged {key}: {value}), and give yours a RetentionDays."
            ).format(forever=forever, keep=KEEP_NIGHTS, key=TAG[0], value=TAG[1])
        )
    else:
        kept = max((book.retention[s] or 0 for s in backups), default=0)
        lines.append(
            _(
                "Your backups are kept {kept} days. With {manual} manual snapshots there is room for {room} backups: "
                "keep them {keep} days, not longer."
            ).format(kept=kept, manual=manual, room=book.quota - manual, keep=KEEP_NIGHTS)
        )
    return lines


def listing(sent: list[RequestRecord], tally: Tally) -> list[str]:
    """Requests in short lines; tokens shown as #1, #2... (or as an earlier night's), never quoted."""
    labels: dict[str, str] = {}
    lines = []
    for record in sent[:SHOWN]:
        token = record.params.get("ClientToken")
        if record.action != "CreateSnapshot":
            what = f"{record.action} {record.params.get('SnapshotId', '')}".rstrip()
        elif not token:
            what = _("CreateSnapshot, no ClientToken")
        else:
            first = tally.tokens.get(token)
            label = (
                labels.setdefault(token, f"#{len(labels) + 1}")
                if first is None
                else _("of night {night}").format(night=first)
            )
            what = _("CreateSnapshot, ClientToken {label}").format(label=label)
        answer = f"HTTP {record.status}" + (f" {record.code}" if record.code else "")
        lines.append(f"  {clock(record.at)} {what} -> {answer}")
    if len(sent) > SHOWN:
        lines.append(_("  ... and {count} more").format(count=len(sent) - SHOWN))
    return [_("Your requests for it tonight:"), *lines] if lines else []


# ---------------------------------------------------------------- the run as a whole


def error_problem(night: int, outcome: Outcome, book: Book, troubles: dict[str, list[Trouble]]) -> list[str] | None:
    if outcome.error is None:
        return None
    lines = [book.head(night, None), outcome.error[0].upper() + outcome.error[1:]]
    for disk, armed in troubles.items():
        lines.append(
            _("Tonight's trouble on {role}: {trouble}.").format(
                role=book.roles[disk], trouble="; ".join(t.words() for t in armed)
            )
        )
    missing = [
        role
        for disk, role in book.roles.items()
        if not any(book.fate.get(s) != "failed" for s in book.made_on(night, disk))
    ]
    if len(missing) == len(book.roles):
        lines.append(_("No disk got a backup tonight."))
    elif missing and outcome.raised:
        lines.append(
            _(
                "Disks with no backup tonight: {disks}. One disk's trouble must not stop the others' backups: note it, "
                "go on with the next disk, and let tomorrow's run try again."
            ).format(disks=", ".join(missing))
        )
    return lines


def window_problem(night: int, lab: Lab) -> list[str] | None:
    if lab.now <= night_start(night) + WINDOW:
        return None
    return [
        _("Night {night} ({day}):").format(night=night, day=day(night)),
        _(
            "Your function returned at {time}; a night's job starts at 01:00 and must be done by {end}. Wait seconds "
            "between tries, not hours."
        ).format(time=moment_words(lab.now), end=f"{night_start(night) + WINDOW:%H:%M}"),
    ]


# ---------------------------------------------------------------- effects: one backup per disk, kept a week


def effect_problem(
    lab: Lab,
    night: int,
    records: list[RequestRecord],
    book: Book,
    tally: Tally,
    troubles: dict[str, list[Trouble]],
) -> list[str] | None:
    for disk, role in book.roles.items():
        made = book.made_on(night, disk)
        good = [s for s in made if book.fate.get(s) == "accomplished"]
        sent = [r for r in records if r.action == "CreateSnapshot" and r.params.get("DiskId") == disk]
        forgiven = any(t.forgiven for t in troubles.get(disk, []))
        why = None
        if len(good) > 1:
            why = doubled(good, sent)
        elif not good and not forgiven:
            why = missed(made, sent, book, tally)
        elif sent and sent[-1].code == "IdempotentProcessing" and not forgiven:
            why = [
                _(
                    "Your function gave up after {tries} while the answer was IdempotentProcessing: not 'never' but "
                    "'not yet', the first request still being processed. Its snapshot did appear later, but your job "
                    "could not know it: keep retrying with the same token, waiting longer each time."
                ).format(tries=n_tries(len(sent)))
            ]
        elif good and good[0] in book.alive and TAG not in lab.snapshot(good[0]).tags:
            why = [
                _(
                    "Its backup {snapshot} has no tag {key}: {value}. Tag every backup, so that a clean-up (yours or "
                    "a colleague's) can tell backups from manual snapshots."
                ).format(snapshot=good[0], key=TAG[0], value=TAG[1])
            ]
        if why is not None:
            return [book.head(night, disk), *why, *trouble_lines(troubles, disk), *listing(sent, tally)]
        if good:
            book.backups[disk][night] = good[0]
            tally.backups += 1
        else:
            tally.forgiven.append(_("{role} on night {night}").format(role=role, night=night))
    return None


def doubled(good: list[str], sent: list[RequestRecord]) -> list[str]:
    tokens = [r.params.get("ClientToken") for r in sent]
    lines = [
        _("{count} backups were made tonight ({ids}); there must be exactly one.").format(
            count=len(good), ids=", ".join(good)
        )
    ]
    if not any(tokens):
        lines.append(
            _(
                "Without a ClientToken the API cannot tell a retry from a new request: after a lost answer the "
                "snapshot existed already, and the retry made another."
            )
        )
    elif len(set(tokens)) > 1:
        lines.append(
            _(
                "Each try used another ClientToken, so to the API every try was a new request. Make one token per "
                "intended snapshot, before the first try, and send it on every retry."
            )
        )
    else:
        lines.append(_("Take one backup per disk and night."))
    return lines


def missed(made: list[str], sent: list[RequestRecord], book: Book, tally: Tally) -> list[str]:
    if not sent:
        return [_("Your function sent no CreateSnapshot for this disk tonight: the disk has no backup of this night.")]
    failed = [s for s in made if book.fate.get(s) == "failed"]
    if failed:
        return [
            _(
                "Its snapshot {snapshot} failed while progressing (Status failed): a failed snapshot is no backup."
            ).format(snapshot=failed[-1]),
            _(
                "Wait until each backup's Status is accomplished; if it failed, take another with a new ClientToken "
                "(the old one would answer the failed snapshot's id again)."
            ),
        ]
    if made:
        return [
            _("Your function deleted {snapshot} while it was still being made: it never became a backup.").format(
                snapshot=made[-1]
            )
        ]
    replayed = [
        r.params["ClientToken"] for r in sent if r.status == 200 and r.params.get("ClientToken") in tally.tokens
    ]
    if replayed:
        return [
            _(
                "CreateSnapshot answered HTTP 200 but made nothing: its ClientToken had been sent on night {night}, "
                "so the API answered that night's SnapshotId again."
            ).format(night=tally.tokens[replayed[0]]),
            _(
                "A ClientToken stands for one intended snapshot: make a new one for each disk and night (from the "
                "disk and the date, or uuid4), and keep it for that night's retries."
            ),
        ]
    last = sent[-1]
    return [
        _("Your function gave up after {tries} in {seconds} s; the last answer was {code} (HTTP {status}).").format(
            tries=n_tries(len(sent)), seconds=last.at - sent[0].at, code=last.code, status=last.status
        ),
        _("Tonight's failures were brief: a few more tries, each after a longer wait, would have got through."),
    ]


def morning_problem(night: int, book: Book) -> list[str] | None:
    for disk, role in book.roles.items():
        for past in range(night - KEEP_NIGHTS + 1, night + 1):
            sid = book.backups[disk].get(past)
            if sid is not None and sid not in book.alive:
                return [
                    _("Morning after night {night} ({day}), disk {role} ({disk}):").format(
                        night=night, day=day(night), role=role, disk=disk
                    ),
                    _("The backup of {day} ({snapshot}) is gone: {how}.").format(
                        day=day(past), snapshot=sid, how=book.gone.get(sid) or _("it no longer exists")
                    ),
                    _(
                        "Keep the backups of the last {keep} nights, that night's included: RetentionDays={keep} "
                        "releases a backup as it leaves that window; delete only older ones."
                    ).format(keep=KEEP_NIGHTS),
                ]
    return None


def summary(lab: Lab, book: Book, tally: Tally) -> list[str]:
    peak, role = max((book.peak[disk], role) for disk, role in book.roles.items())
    forgiven = (
        _(" ({forgiven} forgiven, as the prompt allows)").format(forgiven=_(" and ").join(tally.forgiven))
        if tally.forgiven
        else ""
    )
    return [
        _(
            "{nights} nights ({first} to {last}) on {disks} disks: {backups} backups, one per disk and night, none "
            "missed or doubled{forgiven}."
        ).format(
            nights=NIGHTS,
            first=day(1),
            last=day(NIGHTS),
            disks=len(book.roles),
            backups=tally.backups,
            forgiven=forgiven,
        ),
        _(
            "{retried} failed tries retried, each after a longer wait; no refusal retried; at most {most} tries for "
            "one disk in one night."
        ).format(retried=tally.retried, most=tally.most_tries),
        _(
            "At most {peak} snapshots on one disk ({role}) against the quota of {quota}: no QuotaExceed.Snapshot, and "
            "all {manual} manual snapshots kept."
        ).format(peak=peak, role=role, quota=lab.snapshot_quota, manual=len(book.manual)),
        _("Every morning each disk still had the backups of its last {keep} nights.").format(keep=KEEP_NIGHTS),
    ]


# ---------------------------------------------------------------- the exercise


def holds(plan: DiskPlan) -> str:
    """A disk's history in words, from its plan: the prompt's table cannot drift from the fleet."""
    parts = [_("{count} manual snapshots").format(count=plan.manual)] if plan.manual else []
    if plan.legacy and plan.legacy_retention is None:
        parts.append(
            _("{count} nightly backups from an old script that forgot `RetentionDays`").format(count=plan.legacy)
        )
    elif plan.legacy and plan.legacy_retention is not None:
        kept = min(plan.legacy, plan.legacy_retention)
        parts.append(_("{count} nightly backups, kept {days} days").format(count=kept, days=plan.legacy_retention))
    return _(", and ").join(parts) or _("nothing yet")


def table() -> str:
    """The prompt's table of the fleet, a row per disk (its id filled in by the prompt's template)."""
    row = _("| {role} | `${role}` | {holds} |")
    return "\n".join(row.format(role=plan.role, holds=holds(plan)) for plan in FLEET)


def prompt() -> str:
    """The capstone's task, written when shown: the fleet's table and the rules' numbers come from the code."""
    return _(PROMPT).format(
        table=table(),
        key=TAG[0],
        value=TAG[1],
        weeks=NIGHTS // 7,
        keep=KEEP_NIGHTS,
        most=MAX_TRIES,
        slow=SLOW_SECONDS,
        first_night=f"{FIRST_NIGHT:%Y-%m-%dT%H:%M:%SZ}",
        nights=NIGHTS,
    )


PROMPT = N_("""\
Everything from notebooks 01 to 05 in one job. `lab = $ex.lab()` holds a small fleet: four data disks, each
attached to a running instance, each with a history.

| disk | id | what it holds |
|---|---|---|
{table}

The old script tagged its backups `{key}: {value}`. **Write `nightly(lab, disk_ids)`**, the job that backs the
fleet up once a night. The check runs it on a fresh copy of this lab for {weeks} weeks: every night at
01:00 UTC it calls `nightly(lab, disk_ids)` with the four ids above, in that order (`list($ex.ids.values())`), and
reads what happened: the requests your job sent, their answers, the snapshots. The rules:

1. **One backup per disk and night**: exactly one new snapshot that ends `accomplished`, tagged
   `{key}: {value}` (`tags={{"{key}": "{value}"}}`). None missed, none doubled.
2. **Restore points**: every morning, each disk still has the backups of its last {keep} nights (that
   night's included).
3. **Never reach the quota**: 64 snapshots per disk, so no `QuotaExceed.Snapshot`. **Never delete a manual
   snapshot** (one without the tag); backups, the old script's included, are yours to delete.
4. **Retry safely**: one `ClientToken` per intended snapshot; retry only a 5xx and `IdempotentProcessing`;
   before each retry wait with `lab.advance(...)`, longer each time (1 s, 2 s, 4 s...: leave out random jitter
   here, so that the check is repeatable); at most {most} tries per disk and night.
5. **No avoidable refusal**: never two snapshots of a disk in flight, never a request the API must refuse. Any
   refusal other than `IdempotentProcessing` is final for tonight: leave that disk and go on with the others.
6. **Done by 07:00**: waiting for a snapshot to finish takes minutes, never hours.

Some nights go wrong, as in notebook 04, on CreateSnapshot only: a lost answer, an `InternalError`, a slow
request (the back end busy for {slow} s), a snapshot that fails while progressing. One night the back
end refuses one disk all night (`CreateSnapshot.Failed`), another night one disk has an outage (a 5xx on every
try): a disk that could not be backed up for one of those two reasons is forgiven, the others are not.

Rehearse a night on your own lab first, then check:

```python
lab = $ex.lab()
disk_ids = list($ex.ids.values())
lab.advance_to("{first_night}")
nightly(lab, disk_ids)
lab.frames.snapshots().groupby("SourceDiskId").size()
```

`$ex.check(nightly)` prints the first night and disk where a rule broke, or a summary of the {nights} nights.""")


def hint() -> str:
    return _(
        "Build it from three small functions, each from an earlier notebook: a clean-up that deletes the backups "
        "(tag {key}: {value}) older than {keep} days; a create-with-retries for one intended snapshot (notebook 04's "
        "loop, its token made from the disk and the date, RetentionDays on the new backup); and a wait that reads "
        "Status until the snapshot is no longer progressing (if it failed, take it again under a new token). Run "
        "them disk by disk; clean up before you create, so that tonight's backup has room."
    ).format(key=TAG[0], value=TAG[1], keep=KEEP_NIGHTS)


SOLUTION = """\
from datetime import datetime, timedelta

KEEP_DAYS = 7  # restore points: the backups of the last 7 nights; RetentionDays releases each one after that
TAG = {"backup": "nightly"}
NOT_YET = {"IdempotentProcessing"}  # the one 4xx that means "not yet" rather than "never"


def create_backup(lab, disk_id, token, tries=6):
    \"\"\"One intended snapshot: the same ClientToken on every try, exponential backoff, a bound.\"\"\"
    wait = 1
    for attempt in range(1, tries + 1):
        r = lab.create_snapshot(disk_id, name="nightly", retention_days=KEEP_DAYS, tags=TAG, client_token=token)
        if r.ok:
            return r.data["SnapshotId"]
        if r.status < 500 and r.code not in NOT_YET:
            return None  # refused: the same request would be refused again; skip this disk tonight
        if attempt < tries:
            lab.advance(seconds=wait)  # the lab's clock stands in for time.sleep(wait)
            wait *= 2
    return None  # still failing: give up; tomorrow night tries again


def final_status(lab, snapshot_id):
    \"\"\"Wait until the snapshot is no longer progressing; its Status then.\"\"\"
    while True:
        [snap] = lab.describe_snapshots(SnapshotIds=f'["{snapshot_id}"]')
        if snap["Status"] != "progressing":
            return snap["Status"]
        lab.advance(seconds=max(snap["RemainTime"], 1))


def clean_up(lab, disk_id):
    \"\"\"Delete the backups older than KEEP_DAYS (the old script's have no RetentionDays). Never a manual one.\"\"\"
    cutoff = lab.now - timedelta(days=KEEP_DAYS)
    for snap in lab.describe_snapshots(DiskId=disk_id):
        tags = {t["TagKey"]: t["TagValue"] for t in snap["Tags"]["Tag"]}
        if tags.get("backup") == "nightly" and datetime.fromisoformat(snap["CreationTime"]) < cutoff:
            lab.delete_snapshot(snap["SnapshotId"])


def nightly(lab, disk_ids):
    night = f"{lab.now:%Y%m%d}"
    for disk_id in disk_ids:
        clean_up(lab, disk_id)  # first, so that tonight's backup has room under the quota
        for take in (1, 2):  # a second take only if the first snapshot failed
            token = f"nightly-{disk_id}-{night}-{take}"  # one token per intended snapshot
            snapshot_id = create_backup(lab, disk_id, token)
            if snapshot_id is None or final_status(lab, snapshot_id) == "accomplished":
                break"""

NIGHTLY_BACKUPS = dict(
    name="nightly_backups",
    title=N_("Capstone: a fleet's nightly backups"),
    prompt=prompt,
    setup=setup,
    judge=judge,
    hint=hint,
    solution=SOLUTION,
    answer_name="nightly",
)
