"""LabDashboard: every widget on one lab, in one tabbed app (`lab.show()`).

Decisions:
- The clock sits above the tabs, so time is in view whatever tab is open: an instructor advancing a day sees the
  builder's disk list, the quota bars and the timeline follow.
- Tabs: "Request" (the builder, with a ResponseView of what Send answered; the builder's own one-line answer is
  hidden there, so the answer is shown once), "Errors" (the explorer, which runs
  its reproductions on labs of its own and never touches this one), "Quota" and "Retention" (the dashboards).
- A chart in a tab that is not open is not redrawn on each change (a PNG costs tenths of a second, and a room
  clicking Send should not wait for charts nobody sees): the dashboards are `live` only while their tab is open,
  and a dashboard made live after changes redraws once.
"""

from __future__ import annotations

import ipywidgets as widgets

from .builder import RequestBuilder
from .clock import Clock
from .dashboards import QuotaDashboard, RetentionTimeline
from .explorer import ErrorExplorer
from .response_view import ResponseView

TABS = ("Request", "Errors", "Quota", "Retention")


class LabDashboard(widgets.VBox):
    """The clock, then tabs: build and send a request, explore the errors, watch quota use and retention."""

    def __init__(self, lab, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lab = lab
        self.clock = Clock(lab)
        self.response_view = ResponseView()
        self.builder = RequestBuilder(lab, on_send=self.response_view.show)
        self.builder.response_area.layout.display = "none"  # the ResponseView below shows the answer in full
        self.explorer = ErrorExplorer()
        self.quota = QuotaDashboard(lab, live=False)  # drawn when its tab is first opened
        self.timeline = RetentionTimeline(lab, live=False)
        self.tabs = widgets.Tab(
            children=[
                widgets.VBox([self.builder, widgets.HTML("<b>Response</b>"), self.response_view]),
                self.explorer,
                self.quota,
                self.timeline,
            ],
            titles=TABS,
        )
        self.tabs.observe(self._on_tab, names="selected_index")
        self.children = [
            widgets.HTML(f"<b>ecs_snap_lab</b>: region {lab.region}, seed {lab.seed}"),
            self.clock,
            self.tabs,
        ]
        self._on_tab({"new": self.tabs.selected_index})

    @property
    def open_tab(self) -> str:
        index = self.tabs.selected_index
        return TABS[index] if index is not None else ""

    def select_tab(self, title: str) -> None:
        """Open a tab by its title, as a click on it would."""
        self.tabs.selected_index = TABS.index(title)

    def _on_tab(self, change) -> None:
        open_tab = TABS[change["new"]] if change["new"] is not None else ""
        self.quota.live = open_tab == "Quota"
        self.timeline.live = open_tab == "Retention"

    def __repr__(self) -> str:
        return f"<LabDashboard of Lab(seed={self.lab.seed}) at {self.lab.now:%Y-%m-%d %H:%M:%S}Z, tab {self.open_tab}>"

    def close(self) -> None:
        """Unsubscribe every part from the lab and close them."""
        for part in (self.clock, self.builder, self.response_view, self.explorer, self.quota, self.timeline):
            part.close()
        super().close()
