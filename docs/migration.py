"""The migration page: native loss names -> unilosses calls, read from the loss docstrings.

Every loss's docstring has a paragraph starting "Native counterpart(s)" naming the functions and
classes it matches, as ``code`` spans: ``F.huber_loss(delta=)``, ``keras.losses.Huber``,
``optax.huber_loss``, or an unprefixed name after the library's name in the prose
("MONAI ``DiceLoss(...)``"). Spans that are option values (``axis=1``) or plain words are left
out. The page is regenerated on every build, so it follows the catalog.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

LIBRARIES = {  # key -> (section title, how its names are written in the table)
    "torch": ("PyTorch", "`F` is `torch.nn.functional`"),
    "keras": ("Keras 3", ""),
    "optax": ("Optax", "Most `optax.losses` names are also exported as `optax.<name>`"),
    "monai": ("MONAI", ""),
    "other": (
        "Other libraries",
        "segmentation_models_pytorch (smp), torchvision, kornia, pytorch-metric-learning, "
        "keras-rs, timm, entmax, scoringrules, lifelines, torchsurv, geomloss, POT, allRank and "
        "the papers' reference code (names as the docstrings write them)",
    ),
}
# a library's name in the prose sets the context for the unprefixed names that follow it
PROSE = [
    (re.compile(r"\b(PyTorch|torch)\b"), "torch"),
    (re.compile(r"\bKeras\b"), "keras"),
    (re.compile(r"\bOptax\b"), "optax"),
    (re.compile(r"\bMONAI\b"), "monai"),
    (re.compile(
        r"\b(segmentation_models_pytorch|smp|kornia|torchvision|reference|Berman"
        r"|pytorch[-_]metric[-_]learning|PML|keras[-_]rs|timm|entmax|scoringrules|lifelines"
        r"|torchsurv|geomloss|POT|allRank)\b"
    ), "other"),
]
PREFIXES = [
    (("F.", "torch.", "nn."), "torch"),
    (("keras.",), "keras"),
    (("optax.",), "optax"),
    (("monai.",), "monai"),
    (("smp.", "kornia.", "segmentation_models_pytorch.", "pytorch_metric_learning.", "keras_rs.",
      "timm.", "entmax.", "scoringrules.", "lifelines.", "torchsurv.", "geomloss.", "ot."),
     "other"),
]
# where a library's unprefixed names live
NAMESPACE = {"keras": "keras.losses.", "optax": "optax.losses.", "monai": "monai.losses."}
SPAN = re.compile(r"``(.+?)``", re.S)
NAME = re.compile(r"^[A-Za-z_][\w.]*$")


def public() -> set[str]:
    import unilosses

    return set(unilosses.__all__)


def counterparts_paragraph(doc: str) -> str:
    """The "Native counterpart(s)" paragraph of a docstring (with its bullet list, if any)."""
    paragraphs = re.split(r"\n\s*\n", doc)
    for i, par in enumerate(paragraphs):
        if par.lstrip().startswith("Native counterpart"):
            text = par
            if par.rstrip().endswith(":"):  # a list follows
                for nxt in paragraphs[i + 1 :]:
                    if not nxt.lstrip().startswith(("*", "-")):
                        break
                    text += "\n" + nxt
            return " ".join(text.split())
    return ""


def counterparts(doc: str) -> list[tuple[str, str]]:
    """(library key, native name as written) pairs from a docstring, in order of mention."""
    text = counterparts_paragraph(doc)
    found: list[tuple[str, str]] = []
    context = None
    pos = 0
    for m in SPAN.finditer(text):
        prose = text[pos : m.start()]
        hits = [(h.start(), key) for rx, key in PROSE for h in rx.finditer(prose)]
        if hits:
            context = max(hits)[1]
        pos = m.end()
        span = " ".join(m.group(1).split())
        name = span.split("(", 1)[0]
        if not NAME.match(name):
            continue
        lib = next((key for pre, key in PREFIXES if name.startswith(pre)), None)
        if lib is None:
            # unprefixed: a class (capitalized) or a call, after a library's name
            if context is None or not (name[:1].isupper() or "(" in span):
                continue
            if len(name) < 3 or name in ("None", "True", "False"):
                continue
            if context in ("torch", "keras") and name in public():
                continue  # our own loss named in a torch or Keras sentence
            lib = context
            span = NAMESPACE.get(lib, "") + span
        if (lib, span) not in found:
            found.append((lib, span))
    return found


def _catalog(families: dict[str, str]):
    """(family, own name, aliases, identifier, counterparts) for every public loss."""
    rows = []
    for family in families:
        module = importlib.import_module(f"unilosses.losses.{family}")
        seen: dict[int, list[str]] = {}
        for name in module.__all__:
            fn = getattr(module, name)
            seen.setdefault(id(fn), []).append(name)
        for names in seen.values():
            fn = getattr(module, names[0])
            own = fn.__name__ if fn.__name__ in names else names[0]
            aliases = [n for n in names if n != own]
            ident = f"{fn.__module__}.{fn.__name__}"
            rows.append((family, own, aliases, ident, counterparts(inspect.getdoc(fn) or "")))
    return rows


def _cell(code: str) -> str:
    return "`" + code.replace("|", "\\|") + "`"


def page(families: dict[str, str]) -> str:
    intro = (Path(__file__).parent / "snippets" / "migration_intro.md").read_text()
    rows = _catalog(families)
    out = [intro.rstrip(), ""]
    for lib, (title, note) in LIBRARIES.items():
        pairs = sorted(
            ((span, family, own, ident) for family, own, _, ident, found in rows
             for key, span in found if key == lib),
            key=lambda r: r[0].lower(),
        )
        out += [f"## From {title}", ""]
        if note:
            out += [f"{note}.", ""]
        if not pairs:
            out += ["No counterparts yet.", ""]
            continue
        out += ["| native | unilosses | family |", "|---|---|---|"]
        for span, family, own, ident in pairs:
            out.append(f"| {_cell(span)} | [`ul.{own}`][{ident}] | {families[family]} |")
        out.append("")
    out += [
        "## Every loss",
        "",
        "The whole catalog, with the native counterparts each docstring names (the docstring "
        "says how the options map and where the libraries disagree).",
        "",
        "| unilosses | family | " + " | ".join(t for t, _ in LIBRARIES.values()) + " |",
        "|---|---|" + "---|" * len(LIBRARIES),
    ]
    for family, own, aliases, ident, found in sorted(rows, key=lambda r: r[1]):
        also = f" ({', '.join(f'`{a}`' for a in aliases)})" if aliases else ""
        cells = [
            "<br>".join(_cell(span.split("(", 1)[0]) for key, span in found if key == lib) or "—"
            for lib in LIBRARIES
        ]
        out.append(f"| [`{own}`][{ident}]{also} | {families[family]} | " + " | ".join(cells) + " |")
    out.append("")
    return "\n".join(out)
