"""docs/RELIABILITY.md names the test that proves each guarantee: every name must exist, so the
page cannot promise what nothing checks."""
import re

from conftest import ROOT


def test_every_test_named_in_reliability_md_exists():
    doc = (ROOT / "docs/RELIABILITY.md").read_text()
    swift = "\n".join(p.read_text() for p in (ROOT / "Tests").rglob("*.swift"))
    python = {p.stem: p.read_text() for p in (ROOT / "Tests/peers").glob("test_*.py")}
    checked = 0
    for cell in re.findall(r"\|([^|\n]*)\|\s*$", doc, flags=re.M):
        suite = None
        for name in re.findall(r"`([^`]+)`", cell):
            if name.startswith("peers/"):
                module, _, test = name[len("peers/"):].partition("::")
                suite = ("peers", "test_" + module)
                assert suite[1] in python, f"{name}: no Tests/peers/{suite[1]}.py"
                if test:
                    assert re.search(rf"def {re.escape(test)}\b", python[suite[1]]), f"{name}: no such test"
                    checked += 1
            elif name.startswith("::"):
                assert suite and suite[0] == "peers", f"{name}: no file before it"
                assert re.search(rf"def {re.escape(name[2:])}\b", python[suite[1]]), f"{name}: no such test"
                checked += 1
            elif name.startswith("."):
                assert suite and suite[0] == "swift", f"{name}: no suite before it"
                assert re.search(rf"func {re.escape(name[1:])}\b", swift), f"{suite[1]}{name}: no such test"
                checked += 1
            elif re.fullmatch(r"[A-Z][A-Za-z]+Tests\.[a-zA-Z]+", name):
                s, _, t = name.partition(".")
                assert re.search(rf"struct {s}\b", swift), f"{name}: no suite {s}"
                assert re.search(rf"func {t}\b", swift), f"{name}: no such test"
                suite = ("swift", s)
                checked += 1
    assert checked > 30
