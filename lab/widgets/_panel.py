"""What every panel of :mod:`lab.widgets` shares: it displays as its ``widget``, it sets its own
controls without re-entering its callbacks, and it can store a figure's full state in the
figure's synced traits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import Any

import plotly.graph_objects as go


class Panel:
    """Base of the panels: ``self.widget`` is the root ipywidget; callbacks return at once while
    ``self._busy`` (set by :meth:`_quiet`)."""

    widget: Any
    _busy: bool = False

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Set controls without triggering the callbacks."""
        self._busy = True
        try:
            yield
        finally:
            self._busy = False


def sync_figure(fig: go.FigureWidget) -> None:
    """Store the figure's full state in its synced traits (for a plain ``go.FigureWidget``
    changed after construction; ``lab.widgets.mission_panel.FullStateFigureWidget`` needs no
    such step)."""
    fig._widget_data = deepcopy(fig._data)
    fig._widget_layout = deepcopy(fig._layout_obj._props)
