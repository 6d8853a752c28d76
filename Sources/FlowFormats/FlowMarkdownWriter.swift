import FlowCore

/// Writes a flow as canonical `.flow.md` text (docs/FORMAT.md): numbers regenerated, CommonMark
/// indentation, every label escaped so that reading it back gives the same flow.
public enum FlowMarkdownWriter {
    public static func write(_ flow: Flow) -> String {
        var out = ""
        out.reserveCapacity(flow.nodes.count * 48)
        // Endings and markers in the words the file had, or in its labels' language.
        let wording = flow.effectiveWording
        if !flow.title.isEmpty {
            out += "# " + MarkdownText.escape(flow.title, in: .heading) + "\n"
        }
        for uc in flow.useCases {
            guard let node = flow[uc] else { continue }
            if !out.isEmpty { out += "\n" }
            out += node.text.isEmpty ? "##\n" : "## " + MarkdownText.escape(node.text, in: .heading) + "\n"
            if !node.fields.isEmpty {
                out += "\n"
                for f in node.fields {
                    // The separator the field was read with (canonically ": "); with no value,
                    // without the blanks after its colon.
                    let value = MarkdownText.escape(f.value)
                    let separator = writtenSeparator(f)
                    out += "- " + MarkdownText.escape(f.name, in: .fieldName)
                        + (value.isEmpty ? String(separator.prefix(1)) : separator + value) + "\n"
                }
            }
            if !node.children.isEmpty {
                out += "\n"
                var writer = ScenarioWriter(flow: flow, useCase: uc, wording: wording)
                writer.writeSteps(of: uc, number: "", indent: 0, into: &out)
            }
        }
        return out
    }
}

/// A field's separator when the reader reads it back as one (a colon, then spaces or tabs),
/// else the canonical one.
private func writtenSeparator(_ f: Field) -> String {
    guard let colon = f.separator.first, colon == ":" || colon == "：",
          f.separator.dropFirst().allSatisfy({ $0 == " " || $0 == "\t" }) else { return Field.canonicalSeparator }
    return f.separator
}

/// The text with one space before it, or nothing for empty text (no trailing blanks in the file).
private func spaced(_ text: String) -> String { text.isEmpty ? "" : " " + text }

/// Writes the steps of one use case, keeping the numbers it has written so that `Resume at`
/// targets can be printed without searching.
private struct ScenarioWriter {
    let flow: Flow
    let useCase: NodeID
    let wording: Wording
    var numbers: [NodeID: String] = [:]

    init(flow: Flow, useCase: NodeID, wording: Wording) {
        self.flow = flow
        self.useCase = useCase
        self.wording = wording
        if Self.hasResume(flow, useCase) { numbers = Self.allNumbers(flow, useCase) }
    }

    /// What is left to write, kept on a stack rather than in recursion, so extensions nested
    /// 1,000 deep are written on a worker's small stack too.
    private enum Item {
        case steps(of: NodeID, number: String, indent: Int, from: Int)
        case ext(NodeID, number: String, indent: Int)
        case ending(NodeID, indent: Int)
    }

    mutating func writeSteps(of scenario: NodeID, number: String, indent: Int, into out: inout String) {
        var stack: [Item] = [.steps(of: scenario, number: number, indent: indent, from: 0)]
        while let item = stack.popLast() {
            switch item {
            case .steps(let scenario, let number, let indent, let i):
                let kids = flow.children(of: scenario)
                guard i < kids.count, let node = flow[kids[i]] else { continue }
                let marker = "\(i + 1). "
                out += String(repeating: " ", count: indent) + String(marker.dropLast()) + spaced(MarkdownText.escape(node.text)) + "\n"
                let stepNumber = number + String(i + 1)
                stack.append(.steps(of: scenario, number: number, indent: indent, from: i + 1))
                for (j, ext) in node.children.enumerated().reversed() {
                    stack.append(.ext(ext, number: stepNumber + Numbering.letters(j), indent: indent + marker.count))
                }
            case .ext(let ext, let number, let indent):
                guard let node = flow[ext] else { continue }
                var condition = MarkdownText.escape(node.text)
                // A condition that starts as a Chinese kind marker does ("【异常】…", which no
                // backslash escapes) has its first character written as a reference.
                if let first = condition.unicodeScalars.first, condition.hasPrefix("【异常】") || condition.hasPrefix("［异常］") {
                    condition = "&#\(first.value);" + condition.dropFirst()
                }
                out += String(repeating: " ", count: indent) + "- " + number + ". " + (node.extensionKind == .exception ? wording.exceptionMarker + " " : "")
                    + condition + (wording == .english ? ":" : "：") + "\n"
                stack.append(.ending(ext, indent: indent))
                stack.append(.steps(of: ext, number: number, indent: indent + 2, from: 0))
            case .ending(let ext, let indent):
                guard let node = flow[ext] else { continue }
                let pad = String(repeating: " ", count: indent)
                let number: String
                switch node.ending {
                case .resume(.step(let target)): number = numbers[target] ?? "?"
                case .resume(.unresolved(let text)): number = Self.sanitize(text, wording)
                default: number = ""
                }
                if let line = wording.endingLine(node.ending, number: number) { out += pad + "  - " + line + "\n" }
            }
        }
    }

    /// A target that names no step, written so that it reads back exactly: escaped like a label
    /// (controls and edge spaces as references), and with `step ` before one that itself starts
    /// with "step " (the reader drops one such word).
    static func sanitize(_ text: String, _ wording: Wording) -> String {
        guard !text.isEmpty else { return "?" }
        // (In Chinese the reader drops one "第" before and one "步" after: nothing to add.)
        return (wording == .english && text.lowercased().hasPrefix("step ") ? "step " : "") + MarkdownText.escape(text)
    }

    static func hasResume(_ flow: Flow, _ uc: NodeID) -> Bool {
        flow.descendants(of: uc).contains { id in
            if case .resume(.step) = flow[id]?.ending { return true }
            return false
        }
    }

    /// The number of every step of the use case, in one walk (a stack, not recursion).
    static func allNumbers(_ flow: Flow, _ uc: NodeID) -> [NodeID: String] {
        var out: [NodeID: String] = [:]
        var stack: [(scenario: NodeID, prefix: String)] = [(uc, "")]
        while let (scenario, prefix) = stack.popLast() {
            for (i, step) in flow.children(of: scenario).enumerated() {
                let n = prefix + String(i + 1)
                out[step] = n
                for (j, ext) in flow.children(of: step).enumerated() { stack.append((ext, n + Numbering.letters(j))) }
            }
        }
        return out
    }
}
