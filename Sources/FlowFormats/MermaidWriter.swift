import FlowCore

/// Writes a flow as a Mermaid flowchart that the real mermaid-js parser accepts whatever the
/// labels hold. Every label is a quoted string in which any ASCII punctuation is written as a
/// Mermaid entity (`#35;`), so no label can close the string, start a comment or directive
/// (`%%`), become markup, or decode into something else.
public enum MermaidWriter {
    public static func write(_ flow: Flow, direction: Direction = .TD) -> String {
        write(Diagram(flow), direction: direction)
    }

    public static func write(_ diagram: Diagram, direction: Direction = .TD) -> String {
        var out = "flowchart \(direction.rawValue)\n"
        for cluster in diagram.clusters {
            out += "  subgraph \(cluster.id)[\"\(quote(cluster.title))\"]\n"
            for node in cluster.nodes {
                out += "    \(node.id)" + shape(node) + "\n"
            }
            out += "  end\n"
        }
        for e in diagram.edges {
            let arrow = switch e.style {
            case .normal, .alternative: "-->"
            case .exception: "-.->"
            case .resume: "-.->"
            }
            let label = e.label.map { "|\"\(quote($0))\"|" } ?? ""
            out += "  \(e.from) \(arrow)\(label) \(e.to)\n"
        }
        out += "  classDef success fill:#dafbe1,stroke:#1a7f37\n"
        out += "  classDef failure fill:#ffebe9,stroke:#cf222e\n"
        out += "  classDef missing fill:#fff8c5,stroke:#9a6700\n"
        for (shape, cls) in [(Diagram.Shape.success, "success"), (.failure, "failure"), (.missing, "missing")] {
            let ids = diagram.clusters.flatMap(\.nodes).filter { $0.shape == shape }.map(\.id)
            if !ids.isEmpty { out += "  class \(ids.joined(separator: ",")) \(cls)\n" }
        }
        return out
    }

    /// What stock mermaid-js draws at most (its `maxEdges` and `maxTextSize` settings, which a
    /// diagram cannot raise from inside: they are kept from directives).
    public static let mermaidMaxEdges = 500
    public static let mermaidMaxTextSize = 50_000

    /// Why stock mermaid-js would refuse to draw `text` (a Mermaid export), or nil: too many edges
    /// or characters. The diagram is still right: a page that raises the settings draws it.
    public static func tooLargeToDraw(_ text: String) -> String? {
        let size = text.utf16.count
        var edges = 0
        for line in text.split(separator: "\n") where line.contains(" --> ") || line.contains(" -.-> ") || line.contains(" -->|") || line.contains(" -.->|") {
            edges += 1
        }
        var over: [String] = []
        if edges > mermaidMaxEdges { over.append("\(edges) edges (it draws \(mermaidMaxEdges))") }
        if size > mermaidMaxTextSize { over.append("\(size) characters (it draws \(mermaidMaxTextSize))") }
        guard !over.isEmpty else { return nil }
        return "mermaid-js with its default settings will not draw this diagram: " + over.joined(separator: " and ")
            + "; raise maxEdges and maxTextSize where it is drawn, or export one use case at a time"
    }

    private static func shape(_ node: Diagram.Node) -> String {
        let q = "\"" + quote(node.label) + "\""
        switch node.shape {
        case .step: return "[\(q)]"
        case .decision: return "{\(q)}"
        case .success, .failure: return "([\(q)])"
        case .missing, .empty: return "[/\(q)/]"
        }
    }

    /// The inside of a quoted Mermaid string that shows exactly `label`.
    static func quote(_ label: String) -> String {
        var out = ""
        let pieces = LabelText.pieces(label)
        let directions = directionEnds(pieces)
        for (i, piece) in pieces.enumerated() {
            switch piece {
            case .lineBreak:
                out += "<br>"
            case .text(let u):
                if directions.contains(i) {
                    // mermaid-js takes any line holding "direction LR" (TB, BT, RL, TD) for a
                    // direction statement, even inside a string: the label's text then went
                    // missing, or the file failed to parse. One letter as an entity breaks the word.
                    out += "#\(u.value);"
                } else if u == "&", startsNamedReference(pieces, after: i) {
                    // Text such as "&nbsp;" must stay text: some renderers (mermaidx's DOM) decode
                    // named references found in label text. An invisible word joiner keeps it literal.
                    out += "#38;\u{2060}"
                } else if u.properties.isWhitespace {
                    // Mermaid trims label ends and HTML collapses runs: such spaces are written as
                    // entities (a plain space as a no-break space), which neither touches.
                    let plain = u == " " && i > 0 && i < pieces.count - 1 && isPlain(pieces[i - 1]) && isPlain(pieces[i + 1])
                    out += plain ? " " : u == " " ? "#160;" : "#\(u.value);"
                } else if u.isASCII && !(u.properties.isAlphabetic || u.isASCIIDigit || plainPunctuation.contains(u))
                            || isInvisible(u) {
                    out += "#\(u.value);"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out.isEmpty ? "#8203;" : out
    }

    /// Where "direction" ends in the pieces (the index of its "n"), wherever it stands.
    private static func directionEnds(_ pieces: [LabelText.Piece]) -> Set<Int> {
        let word = Array("direction".unicodeScalars)
        var out = Set<Int>()
        var i = 0
        while i + word.count <= pieces.count {
            var k = 0
            while k < word.count, case .text(let u) = pieces[i + k], u == word[k] { k += 1 }
            if k == word.count { out.insert(i + k - 1); i += k } else { i += 1 }
        }
        return out
    }

    /// True when letters and a ";" follow position `i`: text that reads as a named HTML reference.
    private static func startsNamedReference(_ pieces: [LabelText.Piece], after i: Int) -> Bool {
        var j = i + 1
        while j < pieces.count, case .text(let u) = pieces[j], u.isASCII, u.properties.isAlphabetic { j += 1 }
        guard j > i + 1, j < pieces.count, case .text(";") = pieces[j] else { return false }
        return true
    }

    /// Punctuation that mermaid-js shows as written inside a quoted string (checked against the
    /// real parser in the peer tests); every other ASCII symbol is written as an entity. ":" is not
    /// among them: mermaid drops a ";" from any source line matching `style.*:\S*#.*;`; nor is
    /// "$": mermaid-js draws text between "$$" and "$$" as KaTeX mathematics.
    private static let plainPunctuation: Set<Unicode.Scalar> = [".", ",", "!", "?", "'", "-", "/", "(", ")", "+", "=", "@", "^", "*", "_", "~"]

    /// True for a piece next to which a plain space is neither collapsed nor trimmed.
    private static func isPlain(_ p: LabelText.Piece) -> Bool {
        if case .text(let u) = p { return !u.properties.isWhitespace }
        return false
    }

    /// Format characters that would otherwise travel raw: bidi controls, zero-width and BOM.
    private static func isInvisible(_ u: Unicode.Scalar) -> Bool {
        u.properties.generalCategory == .format || u.properties.generalCategory == .control
    }
}
