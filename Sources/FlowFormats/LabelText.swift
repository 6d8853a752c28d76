/// How exporters show characters that no diagram can draw: line breaks become breaks, other
/// control characters their visible Unicode "control picture" (␀, ␛ …), so nothing invisible or
/// active ever reaches a diagram and the user still sees that something is there.
public enum LabelText {
    public enum Piece: Equatable { case text(Unicode.Scalar), lineBreak }

    /// The label as scalars and line breaks; CRLF counts as one break.
    public static func pieces(_ label: String) -> [Piece] {
        var out: [Piece] = []
        var afterCR = false
        for u in label.unicodeScalars {
            defer { afterCR = u == "\r" }
            if u == "\n" && afterCR { continue }
            if u == "\n" || u == "\r" || u == "\u{2028}" || u == "\u{2029}" || u == "\u{85}" {
                out.append(.lineBreak)
            } else {
                out.append(.text(visible(u)))
            }
        }
        return out
    }

    /// A control character's picture; a tab is a space (what a person typing it meant); the
    /// C1 controls, a byte-order mark and the bidirectional embedding, override and isolate controls (which would
    /// reorder the text around them in a viewer or a terminal) the replacement character; other
    /// characters unchanged.
    public static func visible(_ u: Unicode.Scalar) -> Unicode.Scalar {
        switch u.value {
        case 0x09: return " "
        case 0..<0x20: return Unicode.Scalar(0x2400 + u.value) ?? "\u{FFFD}"
        case 0x7F: return "\u{2421}"
        // (A byte-order mark inside a label, U+FEFF, hides there: no text means one.)
        case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: return "\u{FFFD}"
        default: return u
        }
    }

    /// The label with line breaks where a line would pass `width` columns, for a diagram that
    /// does not wrap by itself (Graphviz draws a label on one line however long). Nothing is
    /// added or lost but a break: a single space between words becomes one, or one goes between
    /// two Chinese characters (never before a closing mark). A word longer than the line stays whole.
    public static func wrapped(_ label: String, width: Int) -> String {
        let chars = Array(label)
        var out: [Character] = []
        out.reserveCapacity(chars.count + 8)
        var lineStart = 0, lineWidth = 0
        // The last place on this line a break may go: a single space (replaced by the break), or
        // before a Chinese character that follows another (the break is put in).
        var breakAt: (index: Int, replaces: Bool)?
        for (i, c) in chars.enumerated() {
            if c.isNewline {
                out.append(c)
                (lineStart, lineWidth, breakAt) = (out.count, 0, nil)
                continue
            }
            let before: Character? = i > 0 ? chars[i - 1] : nil
            let after: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if c == " ", let before, let after, before != " ", after != " ", !before.isNewline, !after.isNewline {
                breakAt = (out.count, true)
            } else if let before, isCJK(before), isCJK(c), !DisplayWidth.closing.contains(c) {
                breakAt = (out.count, false)
            }
            let w = columns(c)
            if lineWidth + w > width, let b = breakAt, b.index > lineStart {
                breakAt = nil
                if b.index == out.count {
                    // The break goes right here: instead of this space, or before this character.
                    out.append("\n")
                    lineStart = out.count
                    lineWidth = 0
                    if b.replaces { continue }
                } else {
                    if b.replaces { out[b.index] = "\n" } else { out.insert("\n", at: b.index) }
                    lineStart = b.index + 1
                    lineWidth = out[lineStart...].reduce(0) { $0 + columns($1) }
                }
            }
            out.append(c)
            lineWidth += w
        }
        return String(out)
    }

    /// Columns a character takes as a diagram shows it (a control character as its picture).
    private static func columns(_ c: Character) -> Int {
        if c.unicodeScalars.count == 1, let u = c.unicodeScalars.first { return DisplayWidth.of(Character(visible(u))) }
        return DisplayWidth.of(c)
    }

    /// A Chinese, Japanese or Korean character or full-width mark, between two of which a line may break.
    private static func isCJK(_ c: Character) -> Bool {
        guard c.unicodeScalars.count == 1, let v = c.unicodeScalars.first?.value else { return false }
        return (0x3000...0x9FFF).contains(v) || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFF60).contains(v)
    }

    /// What a diagram should show for a label: the text a test compares the rendered SVG with.
    public static func shown(_ label: String) -> [String] {
        var lines = [""]
        for p in pieces(label) {
            switch p {
            case .lineBreak: lines.append("")
            case .text(let u): lines[lines.count - 1].unicodeScalars.append(u)
            }
        }
        return lines
    }
}
