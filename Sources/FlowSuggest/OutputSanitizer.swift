/// Cleans what a model wrote before it is shown or inserted: a model's output is untrusted text.
///
/// - Terminal escape sequences are removed whole: CSI (`ESC [` … final byte, or the 8-bit CSI),
///   OSC (`ESC ]` … BEL or ST, which includes OSC 52 clipboard writes), DCS, SOS, PM and APC
///   strings, and two-byte escapes; then any other C0, DEL or C1 control.
/// - Bidirectional embedding, override and isolate controls are removed.
/// - Line breaks end a suggestion; list numbering, bullets and wrapping quotes are stripped;
///   the length is clamped at a grapheme boundary.
public enum OutputSanitizer {
    public static let maxLength = 200

    /// Removes escape sequences and control characters, keeping line breaks.
    public static func stripControls(_ text: String) -> String {
        let u = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < u.count {
            let c = u[i].value
            switch c {
            case 0x1B:
                i = skipEscape(u, from: i)
                continue
            case 0x9B:
                i = skipCSI(u, from: i + 1)
                continue
            case 0x90, 0x98, 0x9D, 0x9E, 0x9F:
                i = skipString(u, from: i + 1)
                continue
            case 0x0A:
                out.append("\n")
            case 0x0D:
                if i + 1 < u.count, u[i + 1] == "\n" { break }
                out.append("\n")
            case 0x09:
                out.append(" ")
            case 0..<0x20, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029, 0xFEFF:
                break
            default:
                out.append(u[i])
            }
            i += 1
        }
        return String(out)
    }

    private static func skipEscape(_ u: [Unicode.Scalar], from i: Int) -> Int {
        guard i + 1 < u.count else { return u.count }
        switch u[i + 1] {
        case "[": return skipCSI(u, from: i + 2)
        case "]", "P", "X", "^", "_": return skipString(u, from: i + 2)
        default:
            // ESC, intermediate bytes (e.g. "(" in ESC ( B), then one final byte.
            var j = i + 1
            while j < u.count, (0x20...0x2F).contains(u[j].value) { j += 1 }
            return min(u.count, j + 1)
        }
    }

    /// Parameter and intermediate bytes, then one final byte.
    private static func skipCSI(_ u: [Unicode.Scalar], from start: Int) -> Int {
        var j = start
        while j < u.count, (0x20...0x3F).contains(u[j].value) { j += 1 }
        return min(u.count, j + 1)
    }

    /// A control string ends at BEL, ST (ESC \) or the 8-bit ST.
    private static func skipString(_ u: [Unicode.Scalar], from start: Int) -> Int {
        var j = start
        while j < u.count {
            if u[j] == "\u{07}" || u[j] == "\u{9C}" { return j + 1 }
            if u[j] == "\u{1B}" { return min(u.count, j + 2) }
            j += 1
        }
        return u.count
    }

    /// One clean line of text: no controls, numbering, bullets or quotes, at most `maxLength`.
    public static func line(_ raw: String) -> String {
        var s = stripControls(raw).replacingNewlines().trimmed()
        if s.hasPrefix("**") && s.hasSuffix("**") && s.count > 4 { s = String(s.dropFirst(2).dropLast(2)) }
        s = stripMarker(s)
        for (open, close) in [("\"", "\""), ("“", "”"), ("「", "」"), ("'", "'"), ("`", "`")]
        where s.hasPrefix(open) && s.hasSuffix(close) && s.count >= 2 {
            s = String(s.dropFirst().dropLast()).trimmed()
        }
        if s.count > maxLength { s = String(s.prefix(maxLength - 1)) + "…" }
        return s
    }

    /// Candidates from a model's reply: one per line, cleaned, without empties, duplicates, or
    /// anything already in the flow (`replyLines` says which lines are meant).
    /// `partial`: the answer is still coming, so a first line that leads in with a colon is left
    /// out even before the lines it leads into arrive.
    public static func candidates(_ raw: String, existing: [String], limit: Int, partial: Bool = false) -> [String] {
        var seen = Set(existing.map(normalized))
        var out: [String] = []
        for rawLine in replyLines(raw, partial: partial) {
            let l = line(rawLine)
            let key = normalized(l)
            guard !l.isEmpty, !key.isEmpty, seen.insert(key).inserted else { continue }
            out.append(l)
            if out.count == limit { break }
        }
        return out
    }

    /// The lines of a reply that are answers, before cleaning. Left out:
    /// - a reasoning model's thinking (`<think>…</think>`, `<thinking>…`; all after one not yet
    ///   closed, as a stream shows it);
    /// - when some lines are a list (numbered or bulleted), every line that is not: the chat
    ///   around it ("Sure! Here are three steps:", "Let me know if you need more!");
    /// - otherwise a first line that leads in with a colon, when lines follow it;
    /// - a line longer than a step can be (`maxLength`): it is prose, and cut short it would put
    ///   a "…" in the document.
    public static func replyLines(_ raw: String, partial: Bool = false) -> [String] {
        var text = stripControls(raw)
        for (open, close) in [("<think>", "</think>"), ("<thinking>", "</thinking>")] {
            while let start = text.range(of: open, options: .caseInsensitive) {
                if let end = text.range(of: close, options: .caseInsensitive, range: start.upperBound..<text.endIndex) {
                    text.removeSubrange(start.lowerBound..<end.upperBound)
                } else {
                    text.removeSubrange(start.lowerBound..<text.endIndex)
                }
            }
        }
        var lines = text.split(separator: "\n").map { String($0).trimmed() }.filter { !$0.isEmpty }
        if lines.contains(where: isListItem) {
            lines = lines.filter(isListItem)
        } else if lines.count > 1 || partial, let first = lines.first, first.hasSuffix(":") || first.hasSuffix("：") {
            lines.removeFirst()
        }
        return lines.filter { $0.count <= maxLength + 8 }
    }

    /// A line marked as an item of a list: "1.", "2)", "3a1.", "-", "*", "•" and a space (or a
    /// Chinese mark: "1、", "1．").
    static func isListItem(_ line: String) -> Bool {
        guard let first = line.first else { return false }
        if "-*•●○◦·+".contains(first) { return line.dropFirst().first == " " }
        let label = line.prefix { $0.isASCII && ($0.isNumber || $0.isLetter) }
        guard !label.isEmpty, label.first?.isNumber == true, label.count <= 6 else { return false }
        let after = line.dropFirst(label.count)
        guard let sep = after.first, ".)".contains(sep) || "、．：".contains(sep) else { return false }
        return ".)".contains(sep) ? (after.dropFirst().first.map { $0 == " " } ?? false) : true
    }

    /// Lower case, without spaces and punctuation: what makes two steps "the same".
    public static func normalized(_ s: String) -> String {
        String(s.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil })
    }

    /// Removes "1.", "2)", "-", "*", "•", "Step 3:", "步骤3：", "3a1." and the like from the start.
    static func stripMarker(_ s: String) -> String {
        var t = Substring(s)
        for prefix in ["step ", "Step ", "STEP ", "步骤"] where t.hasPrefix(prefix) {
            let rest = t.dropFirst(prefix.count)
            let digits = rest.prefix { $0.isNumber }
            if !digits.isEmpty {
                t = rest.dropFirst(digits.count)
                if let sep = t.first, ".)、:：".contains(sep) { t = t.dropFirst() }
                return String(t).trimmed()
            }
        }
        if let first = t.first, "-*•●○◦·+".contains(first) {
            t = t.dropFirst()
        } else {
            let label = t.prefix { $0.isASCII && ($0.isNumber || $0.isLetter) }
            let after = t.dropFirst(label.count)
            if !label.isEmpty, label.first?.isNumber == true, label.count <= 6,
               let sep = after.first, ".)、:：".contains(sep) {
                t = after.dropFirst()
            }
        }
        return String(t).trimmed()
    }
}

extension String {
    func trimmed() -> String { trimmingSpaces }
    func replacingNewlines() -> String { String(map { $0 == "\n" ? " " : $0 }) }
}
