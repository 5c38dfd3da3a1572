"""Run every notebook under nbval (``make test``'s last step) in two lanes side by side, one pytest each.

Notebooks 08-11 run in turn in one lane, because each reads what the one before saved (08 the key classifier, 09 and
10 the default harmonizers that 11 loads); the others run in turn in the other. The two lanes take about the same
time, so on two cores the step takes about half as long as one lane would; to even them out, 02 and 03 (independent of
the others) run last in the chained lane (the clean-clone CI of 2c801bb took 357 s for 00-02 and 04-07, and 309 s for
08-11 and 03). Each lane's report is printed when it ends; the exit status is non-zero when either lane fails.
``--lanes 1`` runs all the notebooks in one pytest. The data cache must exist first (``python -m helpers data``), so
that no two notebooks build it at once."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
#: Notebooks that read what the one before them saved: one lane, in this order.
CHAINED = ("08_", "09_", "10_", "11_")
#: Notebooks that need nothing from the others, run after the chained ones so that the two lanes take about as long.
BALANCE = ("02_", "03_")
PYTEST = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env",
          "--nbval-cell-timeout=900"]


def lanes(notebooks: list[str], count: int = 2) -> list[list[str]]:
    """The notebooks (file names, in course order) split into ``count`` lanes (1 or 2): the chained notebooks in
    one lane, then the balancing ones (:data:`BALANCE`); the others in the other."""
    if count == 1:
        return [notebooks]
    chained = [nb for nb in notebooks if nb.startswith(CHAINED)]
    chained += [nb for nb in notebooks if nb.startswith(BALANCE)]
    return [lane for lane in ([nb for nb in notebooks if nb not in chained], chained) if lane]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", type=int, choices=(1, 2), default=2, help="pytest runs side by side (default 2)")
    parser.add_argument("notebooks", nargs="*", help="notebook files (default: every numbered notebook)")
    args = parser.parse_args(argv)
    names = args.notebooks or sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    start, runs = time.perf_counter(), []
    for lane in lanes(names, args.lanes):
        print(f"lane {len(runs) + 1}: {' '.join(lane)}", flush=True)
        runs.append((lane, subprocess.Popen([sys.executable, *PYTEST, *lane], cwd=NOTEBOOKS, text=True,
                                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
    failed = 0
    for i, (lane, run) in enumerate(runs, start=1):
        report, _ = run.communicate()
        print(f"\n--- lane {i} ({lane[0]} .. {lane[-1]}), exit status {run.returncode} ---\n{report}", flush=True)
        failed += run.returncode != 0
    print(f"{len(names)} notebooks in {len(runs)} lanes: {time.perf_counter() - start:.0f} s, "
          f"{'all passed' if not failed else f'{failed} lane(s) failed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
