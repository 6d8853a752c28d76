import FlowCore

/// Writes a flow as a Graphviz digraph that `dot` reads without errors or warnings whatever the
/// labels hold: ids are generated and quoted, labels are quoted strings with `\`, `"` and `&`
/// escaped (Graphviz decodes HTML entities in labels) and line breaks as `\n`. Step and condition
/// labels are wrapped (`labelWidth`).
public enum DotWriter {
    public static func write(_ flow: Flow, direction: Direction = .TD) -> String {
        write(Diagram(flow), direction: direction)
    }

    public static func write(_ diagram: Diagram, direction: Direction = .TD) -> String {
        let rank = switch direction {
        case .TD, .TB: "TB"
        case .BT: "BT"
        case .LR: "LR"
        case .RL: "RL"
        }
        var out = "digraph \"flow\" {\n"
        out += "  graph [rankdir=\(rank), fontname=\"Helvetica\", labelloc=t, label=\"\(quote(diagram.title))\"];\n"
        out += "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f6f8fa\", color=\"#57606a\", fontname=\"Helvetica\"];\n"
        out += "  edge [color=\"#57606a\", fontname=\"Helvetica\", fontsize=10];\n"
        for cluster in diagram.clusters {
            out += "  subgraph \"cluster_\(cluster.id)\" {\n"
            out += "    label=\"\(quote(cluster.title))\";\n    style=\"rounded\";\n    color=\"#8c959f\";\n"
            for node in cluster.nodes {
                out += "    \"\(node.id)\" [label=\"\(quote(LabelText.wrapped(node.label, width: labelWidth)))\"\(attributes(node.shape))];\n"
            }
            out += "  }\n"
        }
        for e in diagram.edges {
            var attrs: [String] = []
            if let label = e.label { attrs.append("label=\"\(quote(LabelText.wrapped(label, width: labelWidth)))\"") }
            switch e.style {
            case .normal, .alternative: break
            case .exception: attrs.append("style=dashed, color=\"#cf222e\"")
            case .resume: attrs.append("style=dotted, constraint=false")
            }
            out += "  \"\(e.from)\" -> \"\(e.to)\"" + (attrs.isEmpty ? "" : " [\(attrs.joined(separator: ", "))]") + ";\n"
        }
        out += "}\n"
        return out
    }

    /// Graphviz draws a label on one line however long: steps and conditions are wrapped to this
    /// many columns (`LabelText.wrapped`), so a diagram stays about as wide as its boxes are many.
    public static let labelWidth = 32

    private static func attributes(_ shape: Diagram.Shape) -> String {
        switch shape {
        case .step: return ""
        case .decision: return ", shape=diamond, style=filled, fillcolor=\"#ddf4ff\""
        case .success: return ", shape=oval, fillcolor=\"#dafbe1\""
        case .failure: return ", shape=oval, fillcolor=\"#ffebe9\""
        case .missing, .empty: return ", shape=note, fillcolor=\"#fff8c5\""
        }
    }

    /// The inside of a quoted DOT string that shows exactly `label`.
    static func quote(_ label: String) -> String {
        var out = ""
        for piece in LabelText.pieces(label) {
            switch piece {
            case .lineBreak: out += "\\n"
            case .text("\\"): out += "\\\\"
            case .text("\""): out += "\\\""
            case .text("&"): out += "&amp;"
            case .text(let u): out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
