"""SignatureExplorer: every step of the v1 RPC signature for the request in a RequestBuilder (or given parameters),
and the request's exports (signed URL, POST form, aliyun CLI, two Python SDK snippets), updating as you type.

The explorer computes nothing of its own: the steps are `ecs_snap_lab.wire.signature.explain` over the parameters
`signature.sign` would send, and the exports are `ecs_snap_lab.wire.exports.export`, the same functions the local
endpoint verifies with.

Decisions:
- It follows a builder by observing the value of the builder's query preview, which the builder rewrites after
  every change of its parameters (and only then): no polling, and no hook into each field or tag row.
- Nonce and timestamp are fields the learner can edit, to see that each one changes the signature. The nonce starts
  from the lab's seed (or `seed`) and "new nonce" draws the next one from the same seeded generator; the timestamp
  starts at the lab's clock and "lab time" sets it to the clock again. The wall clock is never read.
- The secret is a Password field: a notebook shown to a room should not display it.
- A request that cannot be encoded (a lone surrogate in a field) has no signature: the steps say so and the error
  area shows why; the state attributes are emptied rather than left showing the previous request.
- Callbacks never raise: each runs through the ErrorArea and a failure shows as a readable line.
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable, Mapping

import ipywidgets as widgets

from ..display import profile_badge
from ..i18n import N_, _
from ..wire import exports as wire_exports
from ..wire import signature
from .guard import ErrorArea, Guarded

DEFAULT_KEY_ID = "LTAItest"
DEFAULT_SECRET = "secret"
_STYLE = {"description_width": "120px"}
_WIDE = widgets.Layout(width="520px")
TAB_TITLES = (
    N_("Signed URL (GET)"),
    N_("POST form"),
    "aliyun CLI",
    "aliyun-python-sdk-ecs",
    "alibabacloud_ecs20140526",
)


class SignatureExplorer(Guarded, widgets.VBox):
    """Sign a request step by step and export it.

    `source` is a RequestBuilder (followed as it changes) or a mapping of parameters (change them with
    `set_params`). State for Python and tests: `params` (the request's own parameters), `signed` (what goes on the
    wire, Signature included), `steps` (a SigningSteps), `exports` (an Exports), `errors` / `error_message`.
    """

    def __init__(
        self,
        source=None,
        *,
        action: str = "CreateSnapshot",
        access_key_id: str = DEFAULT_KEY_ID,
        access_key_secret: str = DEFAULT_SECRET,
        endpoint: str = wire_exports.CLOUD_ENDPOINT,
        method: str = "GET",
        seed: int | None = None,
        timestamp: str | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.builder = source if hasattr(source, "query_preview") else None
        self.lab = getattr(self.builder, "lab", None)
        self.action = action
        self._given: dict[str, str] = dict(source) if isinstance(source, Mapping) else {}
        self.params: dict[str, str] = {}
        self.signed: dict[str, str] = {}
        self.steps: signature.SigningSteps | None = None
        self.exports: wire_exports.Exports | None = None
        self._errors = ErrorArea()
        self.error_area = self._errors.widget
        if seed is None:
            seed = self.lab.seed if self.lab is not None else 0
        self._nonces = random.Random(seed)
        self._make_credentials(access_key_id, access_key_secret, method, endpoint)
        self._make_nonce_and_time(timestamp)
        self._make_outputs()
        self._observe()
        self.children = self._rows(action)
        self._guard(N_("signing"), self.refresh)

    # ------------------------------------------------------------------ the parts, made once

    def _make_credentials(self, access_key_id: str, access_key_secret: str, method: str, endpoint: str) -> None:
        """Who signs, how the request is sent, and where."""
        self.access_key_id = widgets.Text(
            value=access_key_id,
            description="AccessKeyId",
            tooltip=_("The AccessKey ID: sent in the request as AccessKeyId"),
            style=_STYLE,
            layout=_WIDE,
        )
        self.access_key_secret = widgets.Password(
            value=access_key_secret,
            description="AccessKeySecret",
            tooltip=_("The AccessKey secret: never sent; the HMAC key is this secret followed by '&'"),
            style=_STYLE,
            layout=_WIDE,
        )
        self.method = widgets.ToggleButtons(
            options=["GET", "POST"],
            value=method.upper(),
            description=_("Method"),
            tooltips=[_("Sign for a GET (parameters in the URL)"), _("Sign for a POST (parameters in a form body)")],
            style=_STYLE,
        )
        self.endpoint = widgets.Text(
            value=endpoint,
            description=_("Endpoint"),
            tooltip=_("Where the exports send the request: ecs.aliyuncs.com, or 127.0.0.1:PORT for the local endpoint"),
            style=_STYLE,
            layout=_WIDE,
        )

    def _make_nonce_and_time(self, timestamp: str | None) -> None:
        """The two fields that make each request unique, each with a button that sets it afresh."""
        self.nonce = widgets.Text(
            value=wire_exports.make_nonce(self._nonces),
            description="SignatureNonce",
            tooltip=_("Unique per request: the API refuses a nonce it has seen recently (SignatureNonceUsed)"),
            style=_STYLE,
            layout=_WIDE,
        )
        self.new_nonce_button = widgets.Button(
            description=_("new nonce"),
            icon="refresh",
            tooltip=_("Draw the next nonce (seeded: the same run, the same)"),
        )
        if timestamp is None:
            timestamp = wire_exports.make_timestamp(self.lab.now if self.lab is not None else None)
        self.timestamp = widgets.Text(
            value=timestamp,
            description="Timestamp",
            tooltip=_("yyyy-MM-ddTHH:mm:ssZ in UTC; the API refuses one too far from its clock (IllegalTimestamp)"),
            style=_STYLE,
            layout=_WIDE,
        )
        self.lab_time_button = widgets.Button(
            description=_("lab time"),
            icon="clock-o",
            tooltip=_("Set Timestamp to the lab's clock"),
            disabled=self.lab is None,
        )

    def _make_outputs(self) -> None:
        """The steps, and a tab per export."""
        self.steps_html = widgets.HTML()
        self.url_html = widgets.HTML()
        self.post_html = widgets.HTML()
        self.cli_html = widgets.HTML()
        self.core_sdk_html = widgets.HTML()
        self.tea_sdk_html = widgets.HTML()
        self.tabs = widgets.Tab(
            children=[self.url_html, self.post_html, self.cli_html, self.core_sdk_html, self.tea_sdk_html],
            titles=tuple(_(title) for title in TAB_TITLES),
        )

    def _observe(self) -> None:
        """Every field re-signs; the buttons draw a nonce or take the lab's time; a builder is followed."""
        for control in (self.access_key_id, self.access_key_secret, self.method, self.endpoint):
            control.observe(self._on_control, names="value")
        for control in (self.nonce, self.timestamp):
            control.observe(self._on_control, names="value")
        self.new_nonce_button.on_click(lambda _b: self._guard(N_("new nonce"), self.new_nonce))
        self.lab_time_button.on_click(lambda _b: self._guard(N_("lab time"), self.use_lab_time))
        self._unobserve: Callable[[], None] | None = None
        if self.builder is not None:
            preview = self.builder.query_preview
            preview.observe(self._on_builder, names="value")
            self._unobserve = lambda: preview.unobserve(self._on_builder, names="value")

    def _rows(self, action: str) -> list[widgets.Widget]:
        return [
            widgets.HTML(
                _("<b>Signing {escape}</b>: each step of the v1 (HMAC-SHA1) signature.").format(
                    escape=html.escape(action)
                )
                + (f" {profile_badge(self.lab.api)}" if self.lab is not None else "")
            ),
            self.access_key_id,
            self.access_key_secret,
            self.method,
            widgets.HBox([self.nonce, self.new_nonce_button]),
            widgets.HBox([self.timestamp, self.lab_time_button]),
            self.steps_html,
            self.endpoint,
            self.tabs,
            self.error_area,
        ]

    # ------------------------------------------------------------------ callbacks (all guarded)

    def _on_control(self, _change) -> None:
        self._guard(N_("signing"), self.refresh)

    def _on_builder(self, _change) -> None:
        self._guard(N_("signing"), self.refresh)

    # ------------------------------------------------------------------ actions

    def set_params(self, params: Mapping[str, str]) -> None:
        """The request's own parameters, when the explorer is not following a builder."""
        self._given = {str(k): str(v) for k, v in params.items()}
        self._guard(N_("signing"), self.refresh)

    def new_nonce(self) -> str:
        """The next nonce of the seeded generator; fills the field (which re-signs)."""
        self.nonce.value = wire_exports.make_nonce(self._nonces)
        return self.nonce.value

    def use_lab_time(self) -> str:
        """Timestamp = the lab's clock."""
        if self.lab is None:
            raise ValueError(_("no lab to take the time from: give the explorer a RequestBuilder"))
        self.timestamp.value = wire_exports.make_timestamp(self.lab.now)
        return self.timestamp.value

    def current_params(self) -> dict[str, str]:
        """The builder's parameters, or the ones given."""
        return dict(self.builder.params) if self.builder is not None else dict(self._given)

    def refresh(self) -> None:
        """Re-sign and re-export from the current parameters and fields."""
        params = self.current_params()
        self.params = params
        problem = getattr(self.builder, "encode_problem", None) or _encoding_problem(params)
        if problem:
            self.signed, self.steps, self.exports = {}, None, None
            message = _("<i>cannot be signed: {escape}</i>").format(escape=html.escape(problem))
            for view in (self.steps_html, *self.tabs.children):
                view.value = message
            raise ValueError(_("the request cannot be encoded: {problem}").format(problem=problem))
        method = self.method.value
        key_id, secret = self.access_key_id.value, self.access_key_secret.value
        nonce, timestamp = self.nonce.value, self.timestamp.value
        signed = signature.sign(self.action, params, key_id, secret, nonce=nonce, timestamp=timestamp, method=method)
        self.steps = signature.explain(secret, method, signed)
        self.signed = signed
        self.exports = wire_exports.export(
            self.action,
            params,
            key_id,
            secret,
            endpoint=self.endpoint.value.strip() or wire_exports.CLOUD_ENDPOINT,
            nonce=nonce,
            timestamp=timestamp,
            region_id=self.lab.region if self.lab is not None else wire_exports.DEFAULT_REGION,
        )
        self.steps_html.value = _render_steps(self.steps)
        self.url_html.value = _pre(self.exports.signed_url)
        post = self.exports.post
        self.post_html.value = _pre(f"POST {post.url}\nContent-Type: {post.content_type}\n\n{post.body}")
        self.cli_html.value = _pre(self.exports.cli)
        self.core_sdk_html.value = _pre(self.exports.core_sdk)
        self.tea_sdk_html.value = _pre(self.exports.tea_sdk)

    def __repr__(self) -> str:
        count = len(self.params)
        shown = self.steps.signature if self.steps is not None else "none"
        plural = "" if count == 1 else "s"
        return f"<SignatureExplorer {self.method.value} {self.action}: {count} parameter{plural}, Signature {shown}>"

    def close(self) -> None:
        """Stop following the builder and close the widget."""
        if self._unobserve is not None:
            self._unobserve()
            self._unobserve = None
        super().close()


def _encoding_problem(params: Mapping[str, str]) -> str | None:
    for key, value in params.items():
        for text in (key, value):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                return _("{key} holds the character U+{ord:04X}, which has no UTF-8 form").format(
                    key=key, ord=ord(text[exc.start])
                )
    return None


def _pre(text: str) -> str:
    return f'<pre style="white-space:pre-wrap;word-break:break-all">{html.escape(text)}</pre>'


def _render_steps(steps: signature.SigningSteps) -> str:
    rows = "".join(
        f"<tr><td><code>{html.escape(name)}</code></td><td><code>{html.escape(value)}</code></td></tr>"
        for name, value in steps.sorted_parameters
    )
    step1 = _("<b>1. Parameters sorted by name</b> (code-point order, Signature left out):")
    step2 = _("<b>2-3. Canonicalized query</b> (names and values percent-encoded, joined with &amp;):")
    step4 = _("<b>4. StringToSign</b> = {method} &amp; %2F &amp; the encoded query:").format(method=steps.method)
    name, value = _("Name"), _("Value")
    step5 = _("<b>5. Signature</b> = Base64(HMAC-SHA1(AccessKeySecret + '&amp;', StringToSign)):")
    return (
        '<div class="esl-signing">'
        f"<p>{step1}</p>"
        f"<table><tr><th>{name}</th><th>{value}</th></tr>{rows}</table>"
        f"<p>{step2}</p>"
        f"{_pre(steps.canonicalized_query)}"
        f"<p>{step4}</p>"
        f"{_pre(steps.string_to_sign)}"
        f"<p>{step5}</p>"
        f"{_pre(steps.signature)}"
        "</div>"
    )
