"""Heatmaps and tables of the benchmark ratios (unilosses time / native time), one per backend,
from the rows that ``python -m benchmarks --json FILE`` writes, kept in
``docs/benchmarks/<backend>-<device>.json``. The benchmarks page holds a marker
``<!-- ratio-table: <stem> -->`` where each table goes: the tables never drift from the data.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

RESULTS = Path(__file__).parent / "benchmarks"


def results() -> dict[str, list[dict[str, Any]]]:
    """File stem -> benchmark rows; a missing folder or an empty file fails the build."""
    files = sorted(RESULTS.glob("*.json"))
    if not files:
        raise RuntimeError(f"docs: no benchmark results in {RESULTS}")
    out = {f.stem: json.loads(f.read_text()) for f in files}
    empty = [k for k, rows in out.items() if not rows]
    if empty:
        raise RuntimeError(f"docs: benchmark results without rows: {empty}")
    return out


def ratio_plot(rows: list[dict[str, Any]], title: str) -> bytes:
    """A heatmap: one row per loss (and options), one column per (comparison, size), each cell
    coloured by the ratio on a log scale centred on 1.0 (white: parity; blue: unilosses faster;
    red: slower) with the ratio printed in it."""
    import numpy as np
    from matplotlib.colors import LogNorm

    labels: list[str] = []
    columns: list[str] = []
    cells: dict[tuple[str, str], float] = {}
    for r in rows:
        opts = ",".join(f"{k}={v}" for k, v in r["options"].items())
        label = f"{r['loss']}({opts})" if opts else r["loss"]
        column = f"{r['comparison']}\n{r['size']}"
        labels += [label] if label not in labels else []
        columns += [column] if column not in columns else []
        cells[label, column] = r["ratio"]
    grid = np.full((len(labels), len(columns)), np.nan)
    for (label, column), ratio in cells.items():
        grid[labels.index(label), columns.index(column)] = ratio
    span = max(4.0, float(np.nanmax(np.abs(np.log(grid)))) if cells else 4.0)
    norm = LogNorm(vmin=float(np.exp(-span)), vmax=float(np.exp(span)))
    fig, ax = plt.subplots(figsize=(1.0 * len(columns) + 3.5, 0.28 * len(labels) + 1.8))
    image = ax.imshow(grid, cmap="RdBu_r", norm=norm, aspect="auto")
    for (i, j), ratio in np.ndenumerate(grid):
        if np.isfinite(ratio):
            ax.text(j, i, f"{ratio:.2f}", ha="center", va="center", fontsize=6)
    ax.set_xticks(range(len(columns)), columns, fontsize=6, rotation=90)
    ax.set_yticks(range(len(labels)), labels, fontsize=6)
    ax.set_title(title, fontsize=9)
    fig.colorbar(image, ax=ax, label="unilosses time / native time", shrink=0.6)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def ratio_table(rows: list[dict[str, Any]]) -> str:
    """One markdown row per loss, options and size; one ratio column per comparison, then the
    peak extra memory of the unilosses call over the inputs' bytes."""
    comparisons = list(dict.fromkeys(r["comparison"] for r in rows))
    keyed: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in rows:
        opts = ", ".join(f"{k}={v}" for k, v in r["options"].items())
        entry = keyed.setdefault((r["loss"], opts, r["size"]), {"memory": r["extra_memory"]})
        entry[r["comparison"]] = r["ratio"]
    lines = [
        "| loss | options | size | " + " | ".join(comparisons) + " | peak extra memory |",
        "|---|---|---|" + "---:|" * (len(comparisons) + 1),
    ]
    for (loss, opts, size), entry in keyed.items():
        cells = [f"{entry[c]:.2f}" if c in entry else "" for c in comparisons]
        memory = "" if entry["memory"] is None else f"{entry['memory']:.2f}x"
        lines.append(f"| {loss} | {opts} | {size} | " + " | ".join(cells) + f" | {memory} |")
    return "\n".join(lines)


def fill_tables(page: str, tables: dict[str, list[dict[str, Any]]]) -> str:
    """``page`` with each ``<!-- ratio-table: stem -->`` marker followed by that stem's table."""
    for stem, rows in tables.items():
        marker = f"<!-- ratio-table: {stem} -->"
        if marker not in page:
            raise RuntimeError(f"docs: benchmarks.md has no {marker!r} for {stem}.json")
        page = page.replace(marker, marker + "\n\n" + ratio_table(rows) + "\n")
    return page
