"""Execute every notebook top to bottom into ``build/``, stop at the first failure, print a summary table.

``make run`` calls this. Each executed notebook is saved as ``build/NN_name.ipynb`` and ``build/NN_name.html``
(titled with the notebook's own title); ``build/index.html`` links them with their run time and headline;
headlines come from ``build/results.json`` (written by :func:`helpers.results.record` in each notebook). One line
per notebook is printed as it finishes; what the kernel itself prints (TensorFlow's and Jupyter's start-up
notices) goes to ``build/logs/NN_name.log``, not to the screen. ``$COURSE_BUILD_DIR`` moves ``build/``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
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
from helpers.paths import build_dir  # noqa: E402


def title_of(nb: nbformat.NotebookNode) -> str:
    """The notebook's title: its first heading, without the '# '."""
    first = nb.cells[0].source.splitlines()[0] if nb.cells and nb.cells[0].source else ""
    return first.lstrip("#").strip() or "Notebook"


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
    body, _ = HTMLExporter().from_notebook_node(nb, resources={"metadata": {"name": title_of(nb)}})
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="*", help="notebook stems or paths (default: all)")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds per cell")
    args = parser.parse_args()
    build = build_dir()
    os.environ["COURSE_RESULTS"] = str(build / "results.json")
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if args.notebooks:
        wanted = {Path(n).stem for n in args.notebooks}
        paths = [p for p in paths if p.stem in wanted]
    rows, failed = [], None
    width = max(len(p.stem) for p in paths) if paths else 8
    print(f"{len(paths)} notebooks; each line appears when its notebook has run (kernel logs in {build / 'logs'})")
    for i, path in enumerate(paths, 1):
        seconds, error = run_one(path, build, args.timeout)
        results = json.loads((build / "results.json").read_text()) if (build / "results.json").exists() else {}
        headline = results.get(path.stem, {}).get("headline", "(no headline recorded)")
        rows.append({"notebook": path.stem, "seconds": seconds, "status": "FAILED" if error else "ok",
                     "headline": error if error else headline})
        status = f"FAILED: {error}" if error else headline
        print(f"[{i:>2}/{len(paths)}] {path.stem:<{width}} {seconds:5.0f} s  {status}", flush=True)
        if error:
            failed = path.name
            break
    write_index(build, rows)
    print(f"total {sum(r['seconds'] for r in rows):.0f} s; executed notebooks and index.html in {build}")
    if failed:
        print(f"stopped at the first failing notebook: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
