import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("FLOWSMITH_BIN", ROOT / ".build" / "debug" / "flowsmith")).resolve()
LABELS = json.loads((pathlib.Path(__file__).parent / "adversarial_labels.json").read_text())
EXAMPLES = sorted((ROOT / "examples").glob("*.flow.md"))
CORPUS = sorted((ROOT / "corpus").glob("*/*.flow.md"))


def flowsmith(*args, input=None, check=True):
    """Runs the built binary; fails the test with its stderr when it fails."""
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: run `make test`, which builds it first")
    proc = subprocess.run([str(BIN), *map(str, args)], input=input, capture_output=True, timeout=120)
    if check and proc.returncode != 0:
        pytest.fail(f"flowsmith {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc
