/// Escaping of labels in `.flow.md` files (docs/FORMAT.md, "Text escaping").
///
/// The writer uses only CommonMark escapes (a backslash before ASCII punctuation, decimal
/// character references), so a Markdown viewer shows exactly the user's text and the reader gets
/// it back unchanged, whatever it holds.
public enum MarkdownText {
    /// Where a label is written; each place has its own start and end hazards.
    public enum Place { case heading, item, fieldName }

    public static func escape(_ text: String, in place: Place = .item) -> String {
        if isPlain(text, in: place) { return text }
        let u = Array(text.unicodeScalars)
        let leading = u.prefix { $0 == " " }.count
        let trailing = leading == u.count ? 0 : u.reversed().prefix { $0 == " " }.count
        let listDot = u.prefix { $0.isASCIIDigit }.count
        var out = String.UnicodeScalarView()
        for (i, c) in u.enumerated() {
            if (i < leading || i >= u.count - trailing) && c == " " || needsReference(c)
                || place == .fieldName && c == "：" {
                out.append(contentsOf: "&#\(c.value);".unicodeScalars)
                continue
            }
            if needsBackslash(c, at: i, in: u, place: place, listDot: listDot) { out.append("\\") }
            out.append(c)
        }
        return String(out)
    }

    /// True for text that needs no escape at all (nearly every label): it is written as it is.
    static func isPlain(_ text: String, in place: Place) -> Bool {
        var first = true
        var last: Unicode.Scalar = " "
        var leadingDigits = true
        for c in text.unicodeScalars {
            switch c.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A:
                break
            case 0x20:
                if first { return false }
            case 0x21, 0x22, 0x24, 0x25, 0x27, 0x28, 0x2C, 0x2F, 0x3B, 0x3D, 0x3F, 0x40, 0x5E, 0x7B, 0x7C, 0x7D:
                break   // ! " $ % ' ( , / ; = ? @ ^ { | }
            case 0x2E, 0x29:   // . ) end a list marker only right after leading digits
                if leadingDigits && !first { return false }
            case 0x3A:   // :
                if place == .fieldName { return false }
            case 0x23, 0x2D, 0x2B, 0x3E:   // # - + > start a heading, list or quote only at the start
                if first { return false }
            case 0x80...:
                if needsReference(c) || place == .fieldName && c == "：" { return false }
            default:
                return false
            }
            if !(0x30...0x39).contains(c.value) { leadingDigits = false }
            first = false
            last = c
        }
        if last == " " && !first { return false }
        if place == .heading && last == "#" { return false }
        return true
    }

    private static func needsBackslash(
        _ c: Unicode.Scalar, at i: Int, in u: [Unicode.Scalar], place: Place, listDot: Int
    ) -> Bool {
        switch c {
        case "\\", "*", "_", "[", "]", "<", "~", "`": return true
        case "&": return startsReference(u, at: i)
        case "#" where i == 0: return true
        case "#" where place == .heading && i == u.count - 1: return true
        case ">", "-", "+": return i == 0
        case ".", ")": return i > 0 && i == listDot
        case ":": return place == .fieldName
        default: return false
        }
    }

    /// Characters written as `&#N;`: controls, line and paragraph separators, the byte-order
    /// mark and bidirectional controls, none of which may appear raw in a line of the file.
    static func needsReference(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// True when `&` at `i` starts something a Markdown reader would take as a character reference.
    private static func startsReference(_ u: [Unicode.Scalar], at i: Int) -> Bool {
        var j = i + 1
        if j < u.count, u[j] == "#" { j += 1 }
        let start = j
        while j < u.count, u[j].isASCII, u[j].properties.isAlphabetic || u[j].isASCIIDigit { j += 1 }
        return j > start && j < u.count && u[j] == ";"
    }

    /// Reads escaped text back: backslash escapes of ASCII punctuation, numeric character
    /// references and a few named ones. Anything else stays as written.
    public static func unescape<S: Collection>(_ raw: S) -> String where S.Element == Unicode.Scalar {
        let u = Array(raw)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < u.count {
            let c = u[i]
            if c == "\\", i + 1 < u.count, u[i + 1].isASCIIPunctuation {
                out.append(u[i + 1])
                i += 2
            } else if c == "&", let (scalar, length) = reference(u, at: i) {
                out.append(scalar)
                i += length
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(out)
    }

    private static let named: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}",
    ]

    /// The character a reference at `i` stands for, and how many scalars it spans.
    private static func reference(_ u: [Unicode.Scalar], at i: Int) -> (Unicode.Scalar, Int)? {
        guard let semi = u[(i + 1)...].prefix(12).firstIndex(of: ";") else { return nil }
        let body = String(String.UnicodeScalarView(u[(i + 1)..<semi]))
        let length = semi - i + 1
        if let s = named[body] { return (s, length) }
        guard body.hasPrefix("#") else { return nil }
        let digits = body.dropFirst()
        let value: UInt32?
        if digits.first == "x" || digits.first == "X" {
            let hex = digits.dropFirst()
            value = (1...6).contains(hex.count) && hex.allSatisfy(\.isHexDigit) ? UInt32(hex, radix: 16) : nil
        } else {
            value = (1...7).contains(digits.count) && digits.allSatisfy { $0.isASCII && $0.isNumber }
                ? UInt32(digits) : nil
        }
        guard let value else { return nil }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }
}

extension Unicode.Scalar {
    var isASCIIDigit: Bool { value >= 0x30 && value <= 0x39 }
    var isASCIIPunctuation: Bool {
        switch value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }
}
