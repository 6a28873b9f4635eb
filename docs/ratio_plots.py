"""Bar charts and tables of the benchmark ratios (unilosses time / native time), one per backend,
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
    """Horizontal bars: per loss (and options) one bar per comparison and size, log scale."""
    labels: list[str] = []
    series: dict[str, dict[str, float]] = {}
    for r in rows:
        opts = ",".join(f"{k}={v}" for k, v in r["options"].items())
        label = f"{r['loss']}({opts})" if opts else r["loss"]
        if label not in labels:
            labels.append(label)
        series.setdefault(f"{r['comparison']}, {r['size']}", {})[label] = r["ratio"]
    height = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(labels) * max(1, len(series) / 3) + 1.5))
    for i, (name, values) in enumerate(series.items()):
        ys = [j + i * height for j, lab in enumerate(labels) if lab in values]
        ax.barh(ys, [values[lab] for lab in labels if lab in values], height=height, label=name)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yticks([j + 0.4 - height / 2 for j in range(len(labels))], labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("unilosses time / native time (log scale; < 1: unilosses faster)")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="lower right")
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
