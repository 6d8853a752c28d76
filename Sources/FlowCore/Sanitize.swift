/// Makes untrusted text (file content, model output, server messages) safe to show on a terminal.
///
/// A terminal obeys control characters: ESC starts CSI, OSC (titles, OSC 52 clipboard writes),
/// DCS sequences; C1 controls (U+0080–U+009F) are 8-bit forms of the same; bidi overrides and
/// isolates reorder what follows. None of them may reach the screen: controls are shown as their
/// Unicode control pictures (␛ for ESC), bidi controls as U+FFFD.
public enum Sanitize {
    /// One line for a terminal: no controls at all, line breaks shown as ␤.
    public static func line(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for u in text.unicodeScalars { out.append(safe(u)) }
        return String(out)
    }

    /// The character itself when it is harmless, a visible stand-in when it is not.
    public static func safe(_ u: Unicode.Scalar) -> Unicode.Scalar {
        switch u.value {
        case 0x0A: return "\u{2424}"
        case 0..<0x20: return Unicode.Scalar(0x2400 + u.value) ?? "\u{FFFD}"
        case 0x7F: return "\u{2421}"
        case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: return "\u{FFFD}"
        default: return u
        }
    }

    /// True when the text would be shown unchanged.
    public static func isSafe(_ text: String) -> Bool { text.unicodeScalars.allSatisfy { safe($0) == $0 } }
}
