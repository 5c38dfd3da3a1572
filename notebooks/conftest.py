"""How ``make test`` runs the notebooks under nbval on two workers (pytest-xdist, ``--dist loadgroup``): each
notebook's cells stay together, in order, on one worker, and notebooks 08-11 run in turn on one worker, because
each reads what the one before saved (08 the key classifier, 09 and 10 the default harmonizers that 11 loads)."""

from __future__ import annotations

import pytest

#: Notebooks that must run one after the other, in this order, on one worker.
CHAINED = ("08_", "09_", "10_", "11_")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = item.path.stem
        group = "08-11" if name.startswith(CHAINED) else name
        item.add_marker(pytest.mark.xdist_group(group))
