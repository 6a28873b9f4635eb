"""Generates the loss pages, their plots and the migration table at build time (mkdocs-gen-files).

Everything comes from the package: a family page lists its module's ``__all__`` (grouped by
sub-module for the families that are packages), each loss rendered by mkdocstrings from its
docstring, with a plot of the loss and its gradient (``plots.py``). A public loss without an
example in ``unilosses._examples.EXAMPLES``, or one that cannot be plotted, fails the build.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from pathlib import Path

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).parent))

import docstrings
import migration
import plots
import ratio_plots

import unilosses
from unilosses._examples import EXAMPLES

FAMILIES = {
    "regression": "Regression",
    "classification": "Classification",
    "divergence": "Divergence",
    "segmentation": "Segmentation",
    "embedding": "Embedding",
    "sequence": "Sequence",
}


def canonical(names: list[str], module: object) -> dict[str, list[str]]:
    """Each function's own name -> the public names bound to it (itself first, then aliases),
    in the order of the sub-modules in ``__all__``, then of the source."""
    groups: dict[str, list[str]] = {}
    for name in names:
        fn = getattr(module, name)
        own = getattr(fn, "__name__", name)
        key = own if own in names else name
        groups.setdefault(key, [])
        if name == key:
            groups[key].insert(0, name)
        else:
            groups[key].append(name)
    modules = list(dict.fromkeys(getattr(module, k).__module__ for k in groups))

    def order(key: str) -> tuple[int, int]:
        fn = inspect.unwrap(getattr(module, key))
        return modules.index(fn.__module__), inspect.getsourcelines(fn)[1]

    return {k: groups[k] for k in sorted(groups, key=order)}


def identifier(fn: object) -> str:
    return f"{fn.__module__}.{fn.__name__}"


def module_text(doc: str | None) -> str:
    """A module docstring as Markdown (Sphinx roles become links)."""
    return docstrings.roles_to_links((doc or "").strip())


def family_page(family: str, title: str, missing: list[str], failures: list[str]) -> str:
    module = importlib.import_module(f"unilosses.losses.{family}")
    names = list(module.__all__)
    # the package docstring less its note for developers on the module layout
    intro = re.sub(r"One module per sub-family;[^.]*\.\s*", "\n\n", module.__doc__ or "")
    lines = [f"# {title}", "", module_text(intro), ""]
    if not names:
        lines += ["No losses in this family yet.", ""]
        return "\n".join(lines)
    groups = canonical(names, module)
    lines += ["| loss | | also named |", "|---|---|---|"]
    for own, bound in groups.items():
        fn = getattr(module, own)
        summary = docstrings.roles_to_links((inspect.getdoc(fn) or "").split("\n\n")[0])
        summary = " ".join(summary.split()).replace("``", "`")
        lines.append(f"| [`{own}`](#{identifier(fn)}) | {summary} | "
                     f"{', '.join(f'`{a}`' for a in bound[1:])} |")
    lines.append("")
    current = None
    for own, bound in groups.items():
        fn = getattr(module, own)
        sub = sys.modules[fn.__module__]
        if sub is not module and sub is not current:
            current = sub
            heading = sub.__name__.rsplit(".", 1)[-1].replace("_", " ").capitalize()
            lines += [f"## {heading}", "", module_text(sub.__doc__), ""]
        lines += [f"::: {identifier(fn)}", ""]
        if len(bound) > 1:
            lines += ["Aliases: " + ", ".join(f"`unilosses.{a}`" for a in bound[1:]) + ".", ""]
        example = next((EXAMPLES[n] for n in bound if n in EXAMPLES), None)
        if example is None:
            missing.append(own)
            continue
        try:
            png, alt = plots.plot(own, fn, example.inputs, dict(example.options))
        except plots.PlotError as exc:
            failures.append(str(exc))
            continue
        with mkdocs_gen_files.open(f"losses/plots/{own}.png", "wb") as f:
            f.write(png)
        lines += [f"![{alt}](plots/{own}.png)", ""]
    return "\n".join(lines)


def main() -> None:
    missing: list[str] = []
    failures: list[str] = []
    documented: set[str] = set()
    for family, title in FAMILIES.items():
        with mkdocs_gen_files.open(f"losses/{family}.md", "w") as f:
            f.write(family_page(family, title, missing, failures))
        documented |= set(importlib.import_module(f"unilosses.losses.{family}").__all__)
    undocumented = sorted(set(unilosses.__all__) - documented)
    problems = []
    if undocumented:
        problems.append(f"public losses in no family page: {undocumented}")
    if missing:
        problems.append(f"losses without an entry in unilosses._examples.EXAMPLES: {missing}")
    problems += failures
    if problems:
        raise RuntimeError("docs: cannot build the loss pages:\n  " + "\n  ".join(problems))
    with mkdocs_gen_files.open("migration.md", "w") as f:
        f.write(migration.page(FAMILIES))
    tables = ratio_plots.results()
    for stem, rows in tables.items():
        with mkdocs_gen_files.open(f"benchmarks/{stem}.png", "wb") as f:
            f.write(ratio_plots.ratio_plot(rows, f"unilosses / native, {stem}"))
    page = (Path(__file__).parent / "benchmarks.md").read_text()
    with mkdocs_gen_files.open("benchmarks.md", "w") as f:
        f.write(ratio_plots.fill_tables(page, tables))


main()
