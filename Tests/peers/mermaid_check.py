"""mermaid-js itself, run offline through mermaidx's embedded QuickJS: `parse` runs the real
parser only (fast, for large flows), `render` runs the whole render and gives the SVG."""
import json

import mermaidx
from mermaidx.engines import _common
from mermaidx.engines.quickjs_engine import Engine as QuickJSEngine

_engine = None


def _context():
    global _engine
    if _engine is None:
        _engine = QuickJSEngine()
        _engine._init_context()
    return _engine


def parse(code: str) -> None:
    """Raises AssertionError with mermaid's own message when the text does not parse."""
    eng = _context()
    ctx = eng._ctx
    ctx.eval(
        "globalThis.__renderResult = null; globalThis.__renderError = null;\n"
        f"mermaid.parse({json.dumps(code)})"
        ".then(r => { globalThis.__renderResult = JSON.stringify(r); })"
        ".catch(e => { globalThis.__renderError = (e && e.message) ? e.message : String(e); });"
    )
    _common.run_event_loop(ctx.eval, eng._run_job)
    err = ctx.eval("globalThis.__renderError")
    assert not err, f"mermaid-js rejected the diagram: {err}"
    result = ctx.eval("globalThis.__renderResult")
    assert result and json.loads(result).get("diagramType") == "flowchart-v2", result


_v8 = None


def render(code: str) -> str:
    """The whole render, on V8 (mini-racer): the same mermaid.js, about five times faster than
    QuickJS. Our own engine, with a budget of minutes rather than mermaidx's 8 s: a loaded CI
    machine must not turn a slow render into a failure (a diagram that never finishes still does)."""
    global _v8
    if _v8 is None:
        from mermaidx.engines.v8_engine import Engine as V8Engine
        _v8 = V8Engine(render_timeout_ms=180_000)
        _v8.start()
    return _v8.render_svg(code, "default", None, None)
