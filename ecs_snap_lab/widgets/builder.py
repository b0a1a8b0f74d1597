"""RequestBuilder: a form for every CreateSnapshot parameter that validates as you type, previews the request
three ways (query string, JSON, aliyun CLI) and sends it to the lab.

The builder re-implements no rule: the validation panel shows `ecs_snap_lab.validate(...)`'s violations with the
rule text of `ecs_snap_lab.rules.catalog.check(id)`, and Send is `lab.call("CreateSnapshot", builder.params)`.

Decisions:
- What goes on the wire (`builder.params`): only non-empty fields (an empty field counts as not given, as the
  core does); tags as Tag.N.Key / Tag.N.Value numbered from 1 in row order, a fully blank row is not sent and takes
  no number, an empty key or value is not sent (so a value without a key reaches the API, which refuses it).
- "Cannot be encoded" (Send disabled): a value holding a character that has no UTF-8 form (a lone surrogate such
  as "\\ud800", which a paste can produce). Such a request cannot be written as bytes at all. Everything else is
  sendable, however wrong: an empty DiskId goes out and the API answers MissingParameter, a bad name goes out and
  the API answers InvalidSnapshotName.Malformed. The learner sees the API's own answer.
- Revalidation is synchronous on every change (Text widgets report each keystroke): it takes well under 5 ms
  with 20 tags, so no debounce is needed and headless tests see the panel at once.
- Callbacks never raise: an exception in any callback (typing, buttons, the lab's events, `on_send`) is shown in
  the error area as a readable line, and cleared when that callback next succeeds.
"""

from __future__ import annotations

import html
import json
import random
from collections.abc import Callable

import ipywidgets as widgets

from ..display import profile_badge, warnings_block
from ..i18n import N_, _, ngettext
from ..rules import catalog
from ..validation import advise, validate
from ..wire.exports import cli_command
from ..wire.signature import percent_encode
from .guard import ErrorArea, Guarded

ACTION = "CreateSnapshot"
MAX_TAG_ROWS = 20  # the seed's limit on tags per snapshot
NO_DISK = (N_("(type a disk id, or pick one here)"), "")  # the picker's first option: (label, shown through _())
_STYLE = {"description_width": "120px"}
_WIDE = widgets.Layout(width="520px")


def query_string(params: dict[str, str]) -> str:
    pairs = [("Action", ACTION), *params.items()]
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in pairs)


def encoding_problem(params: dict[str, str]) -> str | None:
    """Why this request cannot be written on the wire at all, or None if it can."""
    for key, value in params.items():
        for text in (key, value):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                bad = ord(text[exc.start])
                return _("{key} holds the character U+{bad:04X} at position {value}, which has no UTF-8 form").format(
                    key=key, bad=bad, value=exc.start + 1
                )
    return None


def _rule(check_id: str) -> str:
    try:
        return catalog.check(check_id).rule
    except KeyError:
        return ""


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _TagRow:
    """One row of the tag editor: key, value and a remove button."""

    def __init__(self, number: int) -> None:
        self.key = widgets.Text(placeholder=_("key (1-64 characters)"), style={"description_width": "60px"})
        self.value = widgets.Text(placeholder=_("value (0-128 characters)"), style={"description_width": "60px"})
        self.remove = widgets.Button(description=_("remove"), icon="trash", layout=widgets.Layout(width="100px"))
        self.box = widgets.HBox([self.key, self.value, self.remove])
        self.number(number)

    def number(self, n: int) -> None:
        self.key.description = _("Key {n}").format(n=n)
        self.key.tooltip = _("Tag row {n}: the key (sent as Tag.N.Key)").format(n=n)
        self.value.description = _("Value {n}").format(n=n)
        self.value.tooltip = _("Tag row {n}: the value (sent as Tag.N.Value)").format(n=n)
        self.remove.tooltip = _("Remove tag row {n}").format(n=n)


class RequestBuilder(Guarded, widgets.VBox):
    """Build a CreateSnapshot request field by field, see it validate as you type, preview it, send it.

    State for Python and tests: `params` (the wire mapping), `violations` (from validate), `encode_problem`,
    `query_string` / `json_text` / `cli_command` (the previews), `last_response`, `errors` / `error_message`
    (callback failures).
    """

    def __init__(self, lab, on_send: Callable | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lab = lab
        self.on_send = on_send
        self.last_response = None
        self.params: dict[str, str] = {}
        self.violations: list = []
        self.advice: list[str] = []  # warnings the call would carry: parameters this API version lacks, old spellings
        self.encode_problem: str | None = None
        self.query_string = ""
        self.json_text = ""
        self.cli_command = ""
        self._errors = ErrorArea()
        self.error_area = self._errors.widget
        self._tokens = random.Random(lab.seed)  # "new token" is deterministic: same seed, same tokens
        self._picking = False  # True while the builder itself moves the disk picker
        self._unsubscribe: Callable[[], None] | None = None

        self._make_fields()
        self._make_tags_and_token()
        self._make_outputs()
        self._observe()
        self.children = self._rows()
        self._unsubscribe = lab.events.subscribe_settled(self._on_change)
        self._guard(N_("disk list"), self.refresh_disks)
        self._guard(N_("validation"), self.revalidate)

    # ------------------------------------------------------------------ the parts, made once

    def _make_fields(self) -> None:
        """The disk picker and the request's own fields, each with its rule as a placeholder."""
        self.disk_picker = widgets.Dropdown(
            options=[(_(NO_DISK[0]), "")],
            value="",
            description=_("Pick disk"),
            tooltip=_("The disks of the lab, with status, type and size; picking one fills DiskId"),
            style=_STYLE,
            layout=_WIDE,
        )
        self.disk_id = _field(
            "DiskId",
            _("d-... (required)"),
            _("The disk to snapshot (required); type any id, even a wrong one, to see the API's answer"),
        )
        self.snapshot_name = _field(
            "SnapshotName",
            _("2-128 characters, a letter first"),
            _("Optional: letters, digits, ':', '_' and '-'; not starting with auto, http:// or https://"),
        )
        self.description_field = _field(
            "Description",
            _("2-256 characters, optional"),
            _("Optional: 2 to 256 characters, not starting with http:// or https://"),
            widgets.Textarea,
        )
        self.retention_days = _field(
            "RetentionDays",
            _("1 to 65536; blank: never released"),
            _("Days before the snapshot is released; leave blank to keep it until you delete it"),
        )
        self.never_release = widgets.Checkbox(
            value=False,
            description=_("never release"),
            tooltip=_("Keep the snapshot until it is deleted: RetentionDays is not sent"),
            indent=False,
        )

    def _make_tags_and_token(self) -> None:
        """The tag editor (rows come and go) and ClientToken with its seeded "new token" button."""
        self.tag_rows: list[_TagRow] = []
        self.tag_box = widgets.VBox()
        self.add_tag_button = widgets.Button(
            description=_("add tag"),
            icon="plus",
            tooltip=_("Add a tag row (at most {MAX_TAG_ROWS})").format(MAX_TAG_ROWS=MAX_TAG_ROWS),
        )
        self.extra_name = widgets.Text(
            description=_("Other parameter"),
            placeholder=_("a name, e.g. Category"),
            tooltip=_("Any other parameter, to see what this API version makes of it (the API ignores one it lacks)"),
            style=_STYLE,
        )
        self.extra_value = widgets.Text(
            description=_("value"), placeholder=_("its value"), tooltip=_("The other parameter's value"), style=_STYLE
        )
        self.client_token = _field(
            "ClientToken",
            _("optional, ASCII, at most 64 characters"),
            _("Idempotency token: sending the same request with the same token creates one snapshot"),
        )
        self.new_token_button = widgets.Button(
            description=_("new token"),
            icon="refresh",
            tooltip=_("Fill ClientToken with a fresh token (seeded by the lab)"),
        )

    def _make_outputs(self) -> None:
        """The validation panel, the three previews, Send and the answer."""
        self.panel = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.query_preview = widgets.HTML()
        self.json_preview = widgets.HTML()
        self.cli_preview = widgets.HTML()
        self.preview = widgets.Tab(
            children=[self.query_preview, self.json_preview, self.cli_preview],
            titles=(_("Query string"), "JSON", _("aliyun CLI")),
        )
        self.send_button = widgets.Button(
            description=_("Send"),
            icon="paper-plane",
            button_style="primary",
            tooltip=_("Send CreateSnapshot to the lab (disabled only if the request cannot be encoded)"),
        )
        self.response_area = widgets.HTML()

    def _observe(self) -> None:
        """Every field revalidates; the picker fills DiskId; the buttons add a tag, draw a token, send."""
        fields = (self.disk_id, self.snapshot_name, self.description_field, self.retention_days, self.client_token)
        for field in (*fields, self.extra_name, self.extra_value):
            field.observe(self._on_field, names="value")
        self.disk_picker.observe(self._on_pick, names="value")
        self.never_release.observe(self._on_never_release, names="value")
        self.add_tag_button.on_click(lambda _b: self._guard(N_("add tag"), self.add_tag))
        self.new_token_button.on_click(lambda _b: self._guard(N_("new token"), self.new_token))
        self.send_button.on_click(lambda _b: self._guard(N_("send"), self.send))

    def _rows(self) -> list[widgets.Widget]:
        return [
            widgets.HTML(
                _(
                    "<b>CreateSnapshot</b> {profile_badge}: fill in the parameters; the panel checks them as you type."
                ).format(profile_badge=profile_badge(self.lab.api))
            ),
            self.disk_picker,
            self.disk_id,
            self.snapshot_name,
            self.description_field,
            widgets.HBox([self.retention_days, self.never_release]),
            widgets.HTML(_("Tags (at most 20):")),
            self.tag_box,
            self.add_tag_button,
            widgets.HBox([self.client_token, self.new_token_button]),
            widgets.HBox([self.extra_name, self.extra_value]),
            self.panel,
            self.preview,
            self.send_button,
            self.response_area,
            self.error_area,
        ]

    # ------------------------------------------------------------------ callbacks (all guarded)

    def _on_field(self, change) -> None:
        if change["owner"] is self.disk_id:
            self._guard(N_("disk list"), self._sync_picker)
        self._guard(N_("validation"), self.revalidate)

    def _on_pick(self, change) -> None:
        if not self._picking and change["new"]:
            self.disk_id.value = change["new"]  # fires _on_field, which revalidates

    def _on_never_release(self, change) -> None:
        def apply() -> None:
            if change["new"]:
                self.retention_days.value = ""
            self.retention_days.disabled = bool(change["new"])

        self._guard(N_("never release"), apply)

    def _on_change(self) -> None:
        # Told once when a call or an advance that changed the world ends; it must never raise into the lab.
        self._guard(N_("disk list"), self.refresh_disks)

    # ------------------------------------------------------------------ disks

    def disk_options(self) -> list[tuple[str, str]]:
        """(label, disk id) for every disk of the world, e.g. ("d-… (In_use, data, 40 GiB)", "d-…")."""
        return [
            (f"{d.disk_id} ({d.status}, {d.disk_type}, {d.size_gib} GiB)", d.disk_id) for d in self.lab.disks.values()
        ]

    def refresh_disks(self) -> None:
        options = [(_(NO_DISK[0]), ""), *self.disk_options()]
        if list(self.disk_picker.options) != options:
            self._picking = True
            try:
                self.disk_picker.options = options
            finally:
                self._picking = False
        self._sync_picker()

    def _sync_picker(self) -> None:
        """Show the typed id in the picker when it names a disk of the world, else the placeholder."""
        wanted = self.disk_id.value if self.disk_id.value in self.lab.disks else ""
        if self.disk_picker.value != wanted:
            self._picking = True
            try:
                self.disk_picker.value = wanted
            finally:
                self._picking = False

    # ------------------------------------------------------------------ tags

    def add_tag(self, key: str = "", value: str = "") -> _TagRow | None:
        """A new tag row at the end (None when 20 rows are there already)."""
        if len(self.tag_rows) >= MAX_TAG_ROWS:
            return None
        row = _TagRow(len(self.tag_rows) + 1)
        row.key.value, row.value.value = key, value
        row.key.observe(self._on_tag, names="value")
        row.value.observe(self._on_tag, names="value")
        row.remove.on_click(lambda _b, row=row: self._guard(N_("remove tag"), self.remove_tag, row))
        self.tag_rows.append(row)
        self._layout_tags()
        return row

    def remove_tag(self, row: _TagRow | int) -> None:
        """Remove a row (the row or its 0-based index); the rows after it move up and are renumbered."""
        if isinstance(row, int):
            row = self.tag_rows[row]
        self.tag_rows.remove(row)
        row.box.close()
        for n, other in enumerate(self.tag_rows, start=1):
            other.number(n)
        self._layout_tags()

    def _layout_tags(self) -> None:
        self.tag_box.children = [row.box for row in self.tag_rows]
        self.add_tag_button.disabled = len(self.tag_rows) >= MAX_TAG_ROWS
        self.revalidate()

    def _on_tag(self, _change) -> None:
        self._guard(N_("validation"), self.revalidate)

    # ------------------------------------------------------------------ token

    def new_token(self) -> str:
        """A fresh ClientToken from the builder's own generator (seeded with lab.seed); fills the field."""
        token = f"token-{self._tokens.getrandbits(128):032x}"
        self.client_token.value = token
        return token

    # ------------------------------------------------------------------ the request

    def collect(self) -> dict[str, str]:
        """The wire mapping the fields describe: non-empty fields only, tags numbered from 1 in row order."""
        params: dict[str, str] = {}
        for name, field in (
            ("DiskId", self.disk_id),
            ("SnapshotName", self.snapshot_name),
            ("Description", self.description_field),
            ("RetentionDays", self.retention_days),
        ):
            if field.value:
                params[name] = field.value
        n = 0
        for row in self.tag_rows:
            key, value = row.key.value, row.value.value
            if not key and not value:
                continue
            n += 1
            if key:
                params[f"Tag.{n}.Key"] = key
            if value:
                params[f"Tag.{n}.Value"] = value
        if self.client_token.value:
            params["ClientToken"] = self.client_token.value
        extra = self.extra_name.value.strip()
        if extra and extra not in params:  # a form field's own parameter is set by its field
            params[extra] = self.extra_value.value
        return params

    def revalidate(self) -> None:
        """Rebuild params, violations, the panel, the previews and Send's state from the fields."""
        params = self.collect()
        self.params = params
        self.violations = validate(ACTION, params, api=self.lab.api)
        self.advice = advise(ACTION, params, api=self.lab.api)
        self.encode_problem = encoding_problem(params)
        self.send_button.disabled = self.encode_problem is not None
        self.panel.value = self._render_panel()
        self._render_previews()

    def _render_panel(self) -> str:
        by_param: dict[str, list] = {}
        for violation in self.violations:
            by_param.setdefault(violation.param, []).append(violation)
        names = ["DiskId", *(name for name in self.params if name != "DiskId")]
        names += [name for name in by_param if name not in names]
        rows = []
        for name in names:
            value = self.params.get(name)
            shown = html.escape(_short(value)) if value is not None else "<i>" + html.escape(_("not given")) + "</i>"
            found = by_param.get(name)
            if not found:
                verdict = '<span style="color:#1a7f37">✓ ' + html.escape(_("valid")) + "</span>"
            else:
                verdict = "<br>".join(_verdict(v) for v in found)
            rows.append(f"<tr><td><code>{html.escape(name)}</code></td><td>{shown}</td><td>{verdict}</td></tr>")
        if self.encode_problem:
            said = _("Cannot be sent: {problem}").format(problem=self.encode_problem)
            head = f'<b style="color:#a40000">{html.escape(said)}</b>'
        elif self.violations:
            count = len(self.violations)
            problems = ngettext("{n} problem", "{n} problems", count).format(n=count)
            refuse = html.escape(_("the API will refuse this"))
            head = f'<b style="color:#a40000">{html.escape(problems)}</b>: {refuse}'
        else:
            well = html.escape(_("Well formed"))
            why = html.escape(_("(the account and the disk may still refuse it: Send to find out)"))
            head = f'<b style="color:#1a7f37">{well}</b> {why}'
        notes = warnings_block(self.advice)
        columns = "".join(f"<th>{html.escape(_(c))}</th>" for c in (N_("Parameter"), N_("Value"), N_("Check")))
        return f'<div role="status">{head}<table><tr>{columns}</tr>{"".join(rows)}</table>{notes}</div>'

    def _render_previews(self) -> None:
        if self.encode_problem:
            self.query_string = self.json_text = self.cli_command = ""
            said = _("cannot be encoded: {problem}").format(problem=self.encode_problem)
            message = f"<i>{html.escape(said)}</i>"
            self.query_preview.value = self.json_preview.value = self.cli_preview.value = message
            return
        self.query_string = query_string(self.params)
        self.json_text = json.dumps({"Action": ACTION, **self.params}, indent=2, ensure_ascii=False)
        self.cli_command = cli_command(self.params)
        self.query_preview.value = _pre(self.query_string)
        self.json_preview.value = _pre(self.json_text)
        self.cli_preview.value = _pre(self.cli_command)

    # ------------------------------------------------------------------ send

    def send(self):
        """lab.call("CreateSnapshot", params); shows the answer, stores it in last_response, calls on_send."""
        self.revalidate()
        if self.encode_problem:
            raise ValueError(
                _("the request cannot be encoded: {encode_problem}").format(encode_problem=self.encode_problem)
            )
        response = self.lab.call(ACTION, dict(self.params))
        self.last_response = response
        self.response_area.value = _render_response(response)
        if self.on_send is not None:
            self._guard(N_("on_send"), self.on_send, response)
        return response

    def __repr__(self) -> str:
        problems = len(self.violations)
        return f"<RequestBuilder of Lab(seed={self.lab.seed}): {len(self.params)} parameters, {problems} problems>"

    def close(self) -> None:
        """Stop listening to the lab's events and close the widget."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        super().close()


def _field(description: str, placeholder: str, tooltip: str, kind: type = widgets.Text) -> widgets.Widget:
    """One labelled parameter field: the label is the API's parameter name, the tooltip its rule in words."""
    return kind(description=description, placeholder=placeholder, tooltip=tooltip, style=_STYLE, layout=_WIDE)


def _verdict(v) -> str:
    """One violation in the panel: its code, why (the API's message, as sent, when the rule gives no reason), and
    the rule it breaks."""
    why = html.escape(v.detail) if v.detail else f'<span lang="en">{html.escape(v.message)}</span>'
    line = f'<span style="color:#a40000">✗ <code>{html.escape(v.code)}</code></span> {why}'
    rule = _rule(v.check)
    if rule:
        said = _("Rule: {rule}").format(rule=_(rule))
        line += f"<br><small>{html.escape(said)}</small>"
    return line


def _pre(text: str) -> str:
    return f'<pre style="white-space:pre-wrap;word-break:break-all">{html.escape(text)}</pre>'


def _render_response(response) -> str:
    colour = "#1a7f37" if response.ok else "#a40000"
    head = f'<b style="color:{colour}">HTTP {response.status}</b> '
    if response.ok:
        snapshot_id = response.data.get("SnapshotId")
        head += "OK" + (f": SnapshotId <code>{html.escape(str(snapshot_id))}</code>" if snapshot_id else "")
    else:
        head += (
            f'<code>{html.escape(str(response.code))}</code>: <span lang="en">{html.escape(response.message)}</span>'
        )
    return f'<div role="status">{head}<br><small>RequestId {html.escape(response.request_id)}</small></div>'
