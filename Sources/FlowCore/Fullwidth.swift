/// The fullwidth forms of ASCII (U+FF01–U+FF5E: "３", "ａ", "：", "／") that a Chinese input
/// method types while it is on, read as the ASCII they stand for. One place says what maps to
/// what; the keys, the command line, the ending prompt and the Markdown reader all ask it.
public enum Fullwidth {
    /// The ASCII character a fullwidth form stands for ("３" → "3"), nil for any other scalar.
    /// With `space`, the ideographic space U+3000 stands for " " too.
    public static func ascii(_ u: Unicode.Scalar, space: Bool = false) -> Unicode.Scalar? {
        if (0xFF01...0xFF5E).contains(u.value) { return Unicode.Scalar(u.value - 0xFEE0) }
        return space && u == "\u{3000}" ? " " : nil
    }

    /// The scalar as ASCII when it is a fullwidth form, else itself.
    public static func halfwidth(_ u: Unicode.Scalar) -> Unicode.Scalar { ascii(u) ?? u }

    /// Every fullwidth form in the text as its ASCII; other characters (U+3000 among them) as they are.
    public static func halfwidth(_ text: some StringProtocol) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map(halfwidth)))
    }

    /// Only the fullwidth digits and small letters as ASCII ("３ａ１" → "3a1"), as a step's
    /// number is typed; punctuation and capitals stay as they are.
    public static func halfwidthNumber(_ text: some StringProtocol) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { u in
            (0xFF10...0xFF19).contains(u.value) || (0xFF41...0xFF5A).contains(u.value) ? halfwidth(u) : u
        }))
    }
}
