import FlowCore

/// Reads the outlines analysts already write into a flow.
///
/// Two styles, which may be mixed:
/// - Marked: an optional title line ending in `:` or `：`; `●` (or `*`, `•`) starts a use case,
///   `○` (or `-`, `◦`) a step. A step line indented under a step is a step of an extension of that
///   step; a leading `[condition]` (or `【condition】`) starts a new extension with that condition.
/// - Plain, indented with tabs or spaces (h-m-m, VimOutliner): the least indented lines are use
///   cases, the next level steps, deeper levels extension steps of the step above.
public enum OutlineImporter {
    public static func read(_ text: String, file: String? = nil) throws(FormatError) -> Flow {
        var builder = OutlineBuilder()
        let lines = SourceLine.split(text).filter { !$0.isBlank }
        for (i, line) in lines.enumerated() {
            do {
                try builder.add(line, isFirst: i == 0, next: i + 1 < lines.count ? lines[i + 1] : nil)
            } catch var error {
                error.file = file
                throw error
            }
        }
        return builder.flow
    }
}

private struct OutlineBuilder {
    enum Marker { case useCase, step, none }

    var flow = Flow()
    /// Open use case and steps by indentation; a new line closes those indented as deep or deeper.
    var stack: [(indent: Int, node: NodeID)] = []
    var useCaseIndent: Int?

    mutating func add(_ line: SourceLine, isFirst: Bool, next: SourceLine?) throws(FormatError) {
        let (indent, start) = line.indentation
        var (marker, text) = Self.split(Array(line.scalars[start...]))
        text = text.trimmingTrailingBlanks()
        let string = String(String.UnicodeScalarView(text))
        let position = SourcePosition(line: line.number, column: start + 1)

        if isFirst, marker == .none, indent == 0, let last = text.last, last == ":" || last == "：",
           next.map({ $0.indentation.width == 0 }) ?? true {
            flow.title = String(String.UnicodeScalarView(text.dropLast())).trimmingSpaces
            return
        }
        if marker == .none {
            let topLevel = stack.isEmpty || useCaseIndent.map { indent <= $0 } ?? true
            marker = topLevel ? .useCase : .step
        }
        switch marker {
        case .useCase:
            let uc = flow.addUseCase(string.trimmingSpaces)
            stack = [(indent, uc)]
            useCaseIndent = indent
        case .step, .none:
            // Marked steps may sit at their use case's own indentation: the use case stays open.
            while stack.count > 1, let top = stack.last, top.indent >= indent { stack.removeLast() }
            guard let parent = stack.last?.node else {
                throw FormatError(position, "a step before any use case: start the outline with a use case line (● …)")
            }
            let step = addStep(text, under: parent)
            stack.append((indent, step))
        }
    }

    /// Adds a step to a use case, or to an extension of a step (a new one when the line names a condition).
    private mutating func addStep(_ text: [Unicode.Scalar], under parent: NodeID) -> NodeID {
        guard flow[parent]?.kind == .step else {
            return flow.addStep(String(String.UnicodeScalarView(text)).trimmingSpaces, to: parent)
        }
        var body = text
        var ext = flow.children(of: parent).last
        if let (condition, rest) = Self.condition(text) {
            ext = flow.addExtension(condition, to: parent)
            body = rest
        } else if ext == nil {
            ext = flow.addExtension("", to: parent)
        }
        guard let ext else { return parent }
        let stepText = String(String.UnicodeScalarView(body)).trimmingSpaces
        return flow.addStep(stepText, to: ext)
    }

    /// A leading `[condition]` or `【condition】` and the text after it.
    static func condition(_ text: [Unicode.Scalar]) -> (String, [Unicode.Scalar])? {
        guard let open = text.first, open == "[" || open == "【" else { return nil }
        let close: Unicode.Scalar = open == "[" ? "]" : "】"
        guard let end = text.firstIndex(of: close) else { return nil }
        let condition = String(String.UnicodeScalarView(text[1..<end])).trimmingSpaces
        return (condition, Array(text[(end + 1)...]))
    }

    /// The line's marker, if any, and its text without it.
    static func split(_ s: [Unicode.Scalar]) -> (Marker, [Unicode.Scalar]) {
        guard let first = s.first else { return (.none, s) }
        let rest = Array(s.dropFirst().drop { $0 == " " || $0 == "\t" || $0 == "\u{3000}" })
        switch first {
        case "●", "•": return (.useCase, rest)
        case "○", "◦": return (.step, rest)
        case "*", "-", "+":
            guard s.count > 1, s[1] == " " || s[1] == "\t" else { return (.none, s) }
            return (first == "*" ? .useCase : .step, rest)
        default: return (.none, s)
        }
    }
}
