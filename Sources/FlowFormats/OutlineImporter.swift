import FlowCore

/// Reads the outlines analysts already write into a flow.
///
/// Two styles, which may be mixed:
/// - Marked: an optional title line ending in `:` or `：`; `●` (or `*`, `•`) starts a use case,
///   `○` (or `-`, `◦`) a step. A step line indented under a step is a step of an extension of that
///   step; a leading `[condition]` (or `【condition】`) starts a new extension with that condition.
/// - Plain, indented with tabs or spaces (h-m-m, VimOutliner): the least indented lines are use
///   cases, the next level steps; a line indented under a step is the condition of an extension of
///   that step (a final `:` is dropped), and lines under it are that extension's steps, and so on.
public enum OutlineImporter {
    public static func read(_ text: String, file: String? = nil) throws(FormatError) -> Flow {
        try readWithPositions(text, file: file).flow
    }

    /// The flow and, for each node, the outline line it came from.
    public static func readWithPositions(_ text: String, file: String? = nil) throws(FormatError) -> ParsedFlow {
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
        return ParsedFlow(flow: builder.flow, sourceMap: builder.map)
    }
}

private struct OutlineBuilder {
    enum Marker { case useCase, step, none }

    var flow = Flow()
    var map = SourceMap()
    /// Open use case and steps by indentation; a new line closes those indented as deep or deeper.
    var stack: [(indent: Int, node: NodeID)] = []
    var useCaseIndent: Int?
    /// How much deeper the current use case's first step is than the use case: the outline's unit
    /// of indentation.
    var unit: Int?

    mutating func add(_ line: SourceLine, isFirst: Bool, next: SourceLine?) throws(FormatError) {
        var (indent, start) = line.indentation
        var (marker, text) = Self.split(Array(line.scalars[start...]))
        text = text.trimmingTrailingBlanks()
        let string = String(String.UnicodeScalarView(text))
        let position = SourcePosition(line: line.number, column: start + 1)

        if isFirst, marker == .none, indent == 0, let last = text.last, last == ":" || last == "：",
           next.map({ $0.indentation.width == 0 }) ?? true {
            flow.title = String(String.UnicodeScalarView(text.dropLast())).trimmingSpaces
            return
        }
        let plain = marker == .none
        if marker == .none {
            let topLevel = stack.isEmpty || useCaseIndent.map { indent <= $0 } ?? true
            marker = topLevel ? .useCase : .step
        }
        switch marker {
        case .useCase:
            // A heading of the outline may end in a colon ("系统登录："): the title does not.
            var title = string.trimmingSpaces
            while title.hasSuffix(":") || title.hasSuffix("：") { title.removeLast() }
            let uc = flow.addUseCase(title.trimmingSpaces)
            map.nodes[uc] = position
            stack = [(indent, uc)]
            useCaseIndent = indent
            unit = nil
        case .step, .none:
            // Marked steps may sit at their use case's own indentation: the use case stays open.
            while stack.count > 1, let top = stack.last, top.indent >= indent { stack.removeLast() }
            // A plain line a little deeper than the step it comes under, by less than the outline's
            // unit (3 spaces where steps are 2 apart), is a slip of the hand: a step of the same
            // level, not the condition of a new extension that would take the step out of its
            // scenario (also after an extension's steps, deeper still).
            if plain, let top = stack.last, flow[top.node]?.kind == .step, let unit, indent > top.indent, indent - top.indent < unit {
                indent = top.indent
                while stack.count > 1, let top = stack.last, top.indent >= indent { stack.removeLast() }
            }
            guard let parent = stack.last?.node else {
                throw FormatError(position, "a step before any use case: start the outline with a use case line (● …)")
            }
            let node: NodeID
            if plain, flow[parent]?.kind == .step, Self.condition(text) == nil {
                // A plain line under a step names what can happen there: an extension's condition.
                var condition = string.trimmingSpaces
                if condition.hasSuffix(":") || condition.hasSuffix("：") { condition.removeLast() }
                node = flow.addExtension(condition.trimmingSpaces, to: parent)
            } else {
                node = addStep(text, under: parent)
            }
            map.nodes[node] = position
            if let p = flow[node]?.parent, flow[p]?.kind == .extension, map.nodes[p] == nil { map.nodes[p] = position }
            if unit == nil, flow[parent]?.kind == .useCase, let base = useCaseIndent, indent > base { unit = indent - base }
            stack.append((indent, node))
        }
    }

    /// Adds a step to a use case, or to an extension of a step (a new one when the line names a condition).
    private mutating func addStep(_ text: [Unicode.Scalar], under parent: NodeID) -> NodeID {
        guard flow[parent]?.kind == .step else {
            if flow[parent]?.kind == .extension, let (condition, rest) = Self.condition(text), let step = flow[parent]?.parent {
                // "[condition] text" under an extension's steps starts a new extension of that step.
                let ext = flow.addExtension(condition, to: step)
                return flow.addStep(String(String.UnicodeScalarView(rest)).trimmingSpaces, to: ext)
            }
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

    /// A leading `[condition]`, `【condition】` or `［condition］` and the text after it.
    static func condition(_ text: [Unicode.Scalar]) -> (String, [Unicode.Scalar])? {
        let pairs: [Unicode.Scalar: Unicode.Scalar] = ["[": "]", "【": "】", "［": "］"]
        guard let open = text.first, let close = pairs[open] else { return nil }
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
