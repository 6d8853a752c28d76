"""Exports checked by the real tools: Graphviz `dot` and mermaid-js (via mermaidx, offline).

Every adversarial label must export to text the tool accepts, and the drawn SVG must show exactly
the user's text, in node labels, edge labels and cluster titles alike."""
import html
import re
import subprocess
import xml.etree.ElementTree as ET

import mermaid_check
import pytest

from conftest import CORPUS, EXAMPLES, LABELS, flowsmith
from flowmd import flow_with_label, shown

SVG = "{http://www.w3.org/2000/svg}"


def export(tmp_path, text, fmt):
    src = tmp_path / "f.flow.md"
    src.write_text(text, encoding="utf-8")
    return flowsmith("export", src, "--format", fmt).stdout.decode("utf-8")


def render_dot(dot_text):
    proc = subprocess.run(["dot", "-Tsvg"], input=dot_text.encode(), capture_output=True, timeout=120)
    err = proc.stderr.decode(errors="replace")
    assert proc.returncode == 0, err
    assert "Warning" not in err and "Error" not in err, err
    return proc.stdout.decode("utf-8")


def dot_labels(svg):
    """{title of node/edge/cluster group: [text lines]} from Graphviz SVG."""
    out = {}
    for g in ET.fromstring(svg).iter(SVG + "g"):
        cls = g.get("class")
        if cls in ("node", "edge", "cluster"):
            title = g.find(SVG + "title").text
            out[title] = [(t.text or "").replace("\xa0", " ") for t in g.iter(SVG + "text")]
    return out


def assert_no_active_markup(svg):
    """Label text such as "<script>" or "onerror=" is fine as text; as markup it must not exist."""
    for el in ET.fromstring(svg).iter():
        tag = el.tag.split("}")[-1].lower()
        assert tag not in ("script", "a", "img", "iframe", "object", "embed"), tag
        for name, value in el.attrib.items():
            assert not name.split("}")[-1].lower().startswith("on"), (tag, name)
            assert "javascript:" not in value.lower(), (tag, name, value)


def mermaid_shown(label):
    """What mermaid must draw: the label, with a word joiner after any "&" that starts text such as
    "&nbsp;" (the Mermaid writer adds it so that no renderer decodes the user's text as a reference)."""
    return re.sub(r"&(?=[A-Za-z]+;)", "&\u2060", label)


def norm(lines):
    # Graphviz and browsers draw runs of spaces as no-break spaces; the text is the same.
    return [l.replace("\xa0", " ") for l in lines]


def mermaid_paragraphs(svg):
    """The text of every label mermaid drew, line breaks as newlines."""
    out = []
    for m in re.finditer(r"<p>(.*?)</p>", svg, re.S):
        inner = re.sub(r"<br\s*/?>", "\n", m.group(1))
        assert "<" not in inner, f"markup leaked into a label: {inner!r}"
        out.append(html.unescape(inner).replace("\xa0", " "))
    return out


def unwrapped(drawn, want):
    """The drawn lines, with the breaks the DOT writer may add (LabelText.wrapped: one in place of a
    single space between words, or one between two Chinese characters) taken out again, to match
    `want` line for line; anything else added, lost or changed stays a difference."""
    out, rest = [], list(drawn)
    for line in want:
        if not rest:
            break
        joined = rest.pop(0)
        while joined != line and rest:
            if line.startswith(joined + " " + rest[0]) and not joined.endswith(" ") and not rest[0].startswith(" "):
                joined += " " + rest.pop(0)
            elif line.startswith(joined + rest[0]) and joined and rest[0] and "\u3000" <= joined[-1] <= "\u9fff" \
                    and "\u3000" <= rest[0][0] <= "\u9fff":
                joined += rest.pop(0)
            else:
                break
        out.append(joined)
    return out + rest


@pytest.mark.parametrize("label", LABELS, ids=[f"label{i}" for i in range(len(LABELS))])
def test_dot_shows_exactly_the_label(tmp_path, label):
    dot_text = export(tmp_path, flow_with_label(label), "dot")
    labels = dot_labels(render_dot(dot_text))
    want = norm(shown(label))
    for node, prefix in [("u1n1", "1. "), ("u1n3", "2. ")]:
        expected = norm(shown(prefix + label))
        assert unwrapped(labels[node], expected) == expected
    # An empty title draws no text at all; titles are not wrapped.
    assert labels["cluster_u1"] == (want if label else [])
    edge = [v for k, v in labels.items() if k.startswith("u1n1d->") and v]
    expected = [norm(shown("1a. " + label)), norm(shown("1b. " + label))]
    assert sorted(tuple(unwrapped(v, expected[0] if v[0].startswith("1a.") else expected[1])) for v in edge) \
        == sorted(map(tuple, expected))
    # Nothing was injected: exactly the nodes flowsmith made.
    made = set(re.findall(r'^\s+"(u\d+[a-z0-9]*)" \[', dot_text, re.M))
    drawn = {k for k in labels if "->" not in k and not k.startswith("cluster_")}
    assert drawn == made


def test_long_labels_are_wrapped_so_a_dot_diagram_stays_narrow(tmp_path):
    long = "System checks the customer's delivery address against the courier's list of served postcodes"
    dot_text = export(tmp_path, flow_with_label(long), "dot")
    svg = render_dot(dot_text)
    lines = dot_labels(svg)["u1n1"]
    assert len(lines) >= 3 and unwrapped(lines, ["1. " + long]) == ["1. " + long], lines
    width = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
    one_line = render_dot(dot_text.replace("\\n", " "))
    assert width < float(re.search(r'<svg width="([\d.]+)pt"', one_line).group(1)) * 0.75


@pytest.mark.parametrize("label", LABELS, ids=[f"label{i}" for i in range(len(LABELS))])
def test_mermaid_parses_each_label_alone(tmp_path, label):
    mermaid_check.parse(export(tmp_path, flow_with_label(label), "mermaid"))


CHUNK = 8


@pytest.mark.parametrize("start", range(0, len(LABELS), CHUNK), ids=lambda s: f"labels{s}-{s + CHUNK - 1}")
def test_mermaid_shows_exactly_the_labels(tmp_path, start):
    """Renders several labels' flows at once (a render costs seconds) and finds each label drawn."""
    chunk = LABELS[start:start + CHUNK]
    text = export(tmp_path, "".join(flow_with_label(l).split("\n", 2)[2] + "\n" for l in chunk), "mermaid")
    svg = mermaid_check.render(text)
    drawn = mermaid_paragraphs(svg)
    for label in chunk:
        for expected in ["1. " + label, "2. " + label, "1a. " + label, "1b. " + label, label]:
            want = "\n".join(norm(shown(mermaid_shown(expected))))
            if want == "":
                want = "\u200b"  # an empty title is drawn as a zero-width space, so the box keeps its size
            assert want in drawn, (want, drawn)
    # Nothing was injected: the same nodes as the export declares, and no script anywhere.
    made = set(re.findall(r"^\s+(u\d+[a-z0-9]*)[\[\{\(]", text, re.M))
    ids = set(re.findall(r'id="[a-z-]*flowchart-(u\d+[a-z0-9]*)-\d+"', svg))
    assert ids == made
    assert_no_active_markup(svg)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_render_every_step(path):
    mmd = flowsmith("export", path, "--format", "mermaid").stdout.decode()
    mermaid_check.parse(mmd)
    drawn = mermaid_paragraphs(mermaid_check.render(mmd))
    steps = re.findall(r'^    u\d+n\d+\["', mmd, re.M)
    assert len(drawn) >= len(steps) > 10


@pytest.mark.parametrize("path", EXAMPLES + CORPUS, ids=lambda p: p.parent.name + "/" + p.name)
def test_bundled_flows_export_cleanly_to_dot(path):
    for direction in ["TD", "LR"]:
        dot_text = flowsmith("export", path, "--format", "dot", "--direction", direction).stdout.decode()
        labels = dot_labels(render_dot(dot_text))
        assert sum(k.startswith("cluster_") for k in labels) >= 3


def steps_flow(n, title="One"):
    return f"## {title}\n\n" + "".join(f"{i + 1}. S{i + 1}.\n" for i in range(n))


def test_a_diagram_mermaid_js_will_not_draw_is_said_and_one_use_case_exports_alone(tmp_path):
    """Stock mermaid-js draws at most 500 edges and 50,000 characters (settings a diagram cannot
    raise from inside): the export says when it is past either, exactly where mermaid-js refuses."""
    for n, refused in [(500, False), (501, True)]:
        src = tmp_path / f"e{n}.flow.md"
        src.write_text(steps_flow(n))
        proc = flowsmith("export", src, "--format", "mermaid")
        said = "mermaid-js with its default settings will not draw this diagram: 501 edges" in proc.stderr.decode()
        assert said == refused, proc.stderr
        if refused:
            with pytest.raises(Exception, match="Edge limit exceeded"):
                mermaid_check.render(proc.stdout.decode())
        else:
            mermaid_check.render(proc.stdout.decode())
    # Too many characters: mermaid-js draws only a notice; one use case at a time draws.
    src = tmp_path / "wide.flow.md"
    long = ". Clerk does a rather long thing, described at such length that the diagram grows large, numbered S"
    src.write_text("".join(steps_flow(40, f"Use case {u}").replace(". S", long) + "\n" for u in range(1, 13)))
    proc = flowsmith("export", src, "--format", "mermaid")
    assert re.search(r"will not draw this diagram: \d+ characters \(it draws 50000\).*--use-case N", proc.stderr.decode())
    assert "Maximum text size in diagram exceeded" in mermaid_check.render(proc.stdout.decode())
    for which in ["12", "use case 12"]:
        one = flowsmith("export", src, "--format", "mermaid", "--use-case", which)
        assert one.stderr == b""
        drawn = mermaid_paragraphs(mermaid_check.render(one.stdout.decode()))
        assert "Use case 12" in drawn and "Use case 11" not in drawn and "40" + long + "40." in drawn
    proc = flowsmith("export", src, "--use-case", "13", check=False)
    assert proc.returncode == 64 and b"has no such use case (it has 12 use cases, 1 to 12, or give a title)" in proc.stderr
