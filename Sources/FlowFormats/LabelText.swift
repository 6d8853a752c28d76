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

    /// A control character's picture; a tab is a space (what a person typing it meant); other
    /// characters unchanged.
    public static func visible(_ u: Unicode.Scalar) -> Unicode.Scalar {
        switch u.value {
        case 0x09: return " "
        case 0..<0x20: return Unicode.Scalar(0x2400 + u.value) ?? "\u{FFFD}"
        case 0x7F: return "\u{2421}"
        case 0x80...0x9F: return "\u{FFFD}"
        default: return u
        }
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
