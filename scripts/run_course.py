"""Execute every notebook top to bottom into ``build/``, each lane stopping at its first failure; print a summary.

The notebooks run in two lanes side by side (as ``make test`` runs them, :func:`nbval_lanes.lanes`): 00, 01 and
04-07 in one, 08-11 (each reads what the one before saved) and then 02 and 03 in the other. ``--lanes 1`` runs them
all in turn.

``make run`` calls this. Each executed notebook is saved as ``build/NN_name.ipynb`` and ``build/NN_name.html``
(titled with the notebook's own title); ``build/index.html`` links them with their run time and headline;
headlines come from ``build/results.json`` (written by :func:`helpers.results.record` in each notebook). One line
per notebook is printed as it finishes; what the kernel itself prints (TensorFlow's and Jupyter's start-up
notices) goes to ``build/logs/NN_name.log``, not to the screen. ``$COURSE_BUILD_DIR`` moves ``build/``.
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from nbval_lanes import lanes  # noqa: E402

from helpers.paths import build_dir  # noqa: E402


def title_of(nb: nbformat.NotebookNode) -> str:
    """The notebook's title: its first heading, without the '# '."""
    first = nb.cells[0].source.splitlines()[0] if nb.cells and nb.cells[0].source else ""
    return first.lstrip("#").strip() or "Notebook"


@functools.cache
def _exporter() -> HTMLExporter:
    """One HTML exporter for every notebook of a lane: its templates load once (a fifth of the export time)."""
    return HTMLExporter()


def run_one(path: Path, build: Path, timeout: int) -> tuple[float, str | None]:
    """Execute one notebook in its own folder; save .ipynb, .html and the kernel's log; return (seconds, error)."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    error = None
    (build / "logs").mkdir(exist_ok=True)
    with open(build / "logs" / f"{path.stem}.log", "w") as log:
        try:
            client.execute(stdout=log, stderr=log)  # the kernel process's own output, not the cells'
        except CellExecutionError as exc:
            error = str(exc).strip().splitlines()[-1] if str(exc).strip() else repr(exc)
    seconds = time.perf_counter() - start
    nbformat.write(nb, build / path.name)
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title_of(nb)}})
    (build / path.with_suffix(".html").name).write_text(body)
    return seconds, error


def write_index(build: Path, rows: list[dict]) -> None:
    """``build/index.html``: the table of contents with times and headlines."""
    lines = ["<!doctype html><meta charset='utf-8'><title>Deep learning for music</title>",
             "<h1>Deep learning for music — executed notebooks</h1>",
             "<table border=1 cellpadding=4><tr><th>Notebook</th><th>Seconds</th><th>Status</th><th>Headline</th></tr>"]
    for r in rows:
        name = html.escape(r["notebook"])
        lines.append(f"<tr><td><a href='{name}.html'>{name}</a></td><td>{r['seconds']:.0f}</td>"
                     f"<td>{html.escape(r['status'])}</td><td>{html.escape(r['headline'])}</td></tr>")
    lines.append("</table>")
    (build / "index.html").write_text("\n".join(lines))


def run_lane(paths: list[Path], build: Path, timeout: int, number: dict[str, int], rows_file: Path) -> int:
    """Run notebooks in turn until one fails, printing a line for each; write their rows to ``rows_file``."""
    rows = []
    width = max(len(stem) for stem in number)
    for path in paths:
        seconds, error = run_one(path, build, timeout)
        results = json.loads((build / "results.json").read_text()) if (build / "results.json").exists() else {}
        headline = results.get(path.stem, {}).get("headline", "(no headline recorded)")
        rows.append({"notebook": path.stem, "seconds": seconds, "status": "FAILED" if error else "ok",
                     "headline": error if error else headline})
        status = f"FAILED: {error}" if error else headline
        print(f"[{number[path.stem]:>2}/{len(number)}] {path.stem:<{width}} {seconds:5.0f} s  {status}", flush=True)
        if error:
            break
    rows_file.write_text(json.dumps(rows))
    return 1 if any(r["status"] == "FAILED" for r in rows) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="*", help="notebook stems or paths (default: all)")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    parser.add_argument("--lanes", type=int, choices=(1, 2), default=2, help="notebooks run side by side (default 2)")
    parser.add_argument("--rows", type=Path, help=argparse.SUPPRESS)  # a lane run by the script itself
    args = parser.parse_args()
    build = build_dir()
    build.mkdir(parents=True, exist_ok=True)
    os.environ["COURSE_RESULTS"] = str(build / "results.json")
    everything = sorted(NOTEBOOKS.glob("*.ipynb"))
    number = {p.stem: i for i, p in enumerate(everything, 1)}
    paths = everything
    if args.notebooks:
        wanted = {Path(n).stem for n in args.notebooks}
        paths = [p for p in paths if p.stem in wanted]
    if args.rows:  # one lane, started below, in the order lanes() gives
        order = [Path(n).stem for n in args.notebooks]
        return run_lane(sorted(paths, key=lambda p: order.index(p.stem)), build, args.timeout, number, args.rows)
    print(f"{len(paths)} notebooks in {args.lanes} lane(s); each line appears when its notebook has run (kernel "
          f"logs in {build / 'logs'})", flush=True)
    start, runs = time.perf_counter(), []
    for k, lane in enumerate(lanes([p.name for p in paths], args.lanes)):
        rows_file = build / f"lane-{k + 1}.json"
        rows_file.unlink(missing_ok=True)
        command = [sys.executable, __file__, "--rows", str(rows_file), "--timeout", str(args.timeout), *lane]
        runs.append((rows_file, subprocess.Popen(command)))
    failed = [r for rows_file, r in runs if r.wait() != 0]
    rows = sorted((row for rows_file, _ in runs if rows_file.exists() for row in json.loads(rows_file.read_text())),
                  key=lambda r: r["notebook"])
    for rows_file, _ in runs:
        rows_file.unlink(missing_ok=True)
    write_index(build, rows)
    print(f"notebook time {sum(r['seconds'] for r in rows):.0f} s, {time.perf_counter() - start:.0f} s in all; "
          f"executed notebooks and index.html in {build}")
    stopped = [r["notebook"] for r in rows if r["status"] == "FAILED"]
    if failed or stopped:
        print(f"stopped at the first failing notebook of its lane: {', '.join(stopped) or 'see above'}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
