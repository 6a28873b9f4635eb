"""The GPU check (``python -m tests.gpu_check``) on a machine without a CUDA device, or with every
device hidden: one clear line per library, nothing run, nothing written, exit status 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.gpu_check import LIBRARIES, ROOT


def test_without_cuda_nothing_to_check(tmp_path: Path) -> None:
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "-m", "tests.gpu_check", "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for library in LIBRARIES:
        assert any(line.startswith(f"{library}: no CUDA device: nothing to check (") for line in lines), done.stdout
    assert not out.exists()
