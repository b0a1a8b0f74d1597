"""LabDashboard: every widget on one lab, in one tabbed app (`lab.show()`).

Decisions:
- The clock sits above the tabs, so time is in view whatever tab is open: an instructor advancing a day sees the
  builder's disk list, the quota bars and the timeline follow.
- Tabs: "Request" (the builder, with a ResponseView of what Send answered; the builder's own one-line answer is
  hidden there, so the answer is shown once), "Errors" (the explorer, which runs
  its reproductions on labs of its own and never touches this one), "Quota" and "Retention" (the dashboards).
- A tab is built when it is first opened (or its part first asked for, `app.quota`): the app a page shows first
  is the clock and the request builder, a third of the widgets, so a browser renders it in a fraction of the time,
  and pandas and matplotlib are not even imported until a chart is wanted (`warm_up()` imports them ahead, for a
  kernel prepared before its visitor arrives, such as Voila's preheated kernels).
- A chart in a tab that is not open is not redrawn on each change (a room clicking Send should not wait for
  charts nobody sees): the dashboards are `live` only while their tab is open, and a dashboard made live after
  changes redraws once.
"""

from __future__ import annotations

import html
from importlib import import_module
from typing import TYPE_CHECKING

import ipywidgets as widgets

from ..display import profile_badge
from ..i18n import N_, _
from .builder import RequestBuilder
from .clock import Clock
from .response_view import ResponseView

if TYPE_CHECKING:
    from .dashboards import QuotaDashboard, RetentionTimeline
    from .explorer import ErrorExplorer

TABS = (N_("Request"), N_("Errors"), N_("Quota"), N_("Retention"))  # the tabs' names; shown through _()


class LabDashboard(widgets.VBox):
    """The clock, then tabs: build and send a request, explore the errors, watch quota use and retention."""

    def __init__(self, lab, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lab = lab
        self.clock = Clock(lab)
        self.response_view = ResponseView()
        self.builder = RequestBuilder(lab, on_send=self.response_view.show)
        self.builder.response_area.layout.display = "none"  # the ResponseView below shows the answer in full
        heading = widgets.HTML("<b>" + html.escape(_("Response")) + "</b>")
        request = widgets.VBox([self.builder, heading, self.response_view])
        # the other tabs' pages stay empty until their part is built
        self._pages = dict(zip(TABS, (request, widgets.VBox(), widgets.VBox(), widgets.VBox()), strict=True))
        self._parts: dict[str, widgets.Widget] = {}
        self.tabs = widgets.Tab(children=list(self._pages.values()), titles=tuple(_(title) for title in TABS))
        self.tabs.observe(self._on_tab, names="selected_index")
        self.children = [
            widgets.HTML(
                "<b>ecs_snap_lab</b>: "
                + _("region {region}, seed {seed}").format(region=lab.region, seed=lab.seed)
                + f" {profile_badge(lab.api)}"
            ),
            self.clock,
            self.tabs,
        ]
        self._on_tab({"new": self.tabs.selected_index})

    # ------------------------------------------------------------------ the parts, built on first use

    @property
    def explorer(self) -> ErrorExplorer:
        return self._part("Errors")

    @property
    def quota(self) -> QuotaDashboard:
        return self._part("Quota")

    @property
    def timeline(self) -> RetentionTimeline:
        return self._part("Retention")

    @property
    def built(self) -> tuple[str, ...]:
        """The tabs whose part is built (the Request tab always is)."""
        return ("Request", *(title for title in TABS if title in self._parts))

    def _part(self, title: str):
        part = self._parts.get(title)
        if part is None:
            if title == "Errors":
                part = import_module(".explorer", __package__).ErrorExplorer(api=self.lab.api)
            else:
                dashboards = import_module(".dashboards", __package__)
                kind = dashboards.QuotaDashboard if title == "Quota" else dashboards.RetentionTimeline
                part = kind(self.lab, live=self.open_tab == title)  # drawn now only if its tab is open
            self._parts[title] = part
            self._pages[title].children = [part]
        return part

    def warm_up(self) -> None:
        """Import what the closed tabs need (pandas, matplotlib), building nothing: the first chart tab opened
        then only draws. For a kernel that runs the app before anyone looks (Voila's preheated kernels)."""
        import_module(".dashboards", __package__)
        import_module(".explorer", __package__)

    # ------------------------------------------------------------------ tabs

    @property
    def open_tab(self) -> str:
        index = self.tabs.selected_index
        return TABS[index] if index is not None else ""

    def select_tab(self, title: str) -> None:
        """Open a tab by its title, as a click on it would."""
        self.tabs.selected_index = TABS.index(title)

    def _on_tab(self, change) -> None:
        open_tab = TABS[change["new"]] if change["new"] is not None else ""
        if open_tab in ("Errors", "Quota", "Retention"):
            self._part(open_tab)
        for title in ("Quota", "Retention"):
            if title in self._parts:
                self._parts[title].live = open_tab == title

    @property
    def error_message(self) -> str:
        """The error areas of every part built, as plain text ("" when nothing failed)."""
        parts = (self.clock, self.builder, self.response_view, *self._parts.values())
        return "\n".join(part.error_message for part in parts if part.error_message)

    def __repr__(self) -> str:
        return f"<LabDashboard of Lab(seed={self.lab.seed}) at {self.lab.now:%Y-%m-%d %H:%M:%S}Z, tab {self.open_tab}>"

    def close(self) -> None:
        """Unsubscribe every part from the lab and close them."""
        for part in (self.clock, self.builder, self.response_view, *self._parts.values()):
            part.close()
        super().close()
