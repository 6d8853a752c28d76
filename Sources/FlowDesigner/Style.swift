/// A terminal colour: the terminal's default, one of the 16 ANSI colours, or an xterm-256 index.
public enum Color: Hashable, Sendable {
    case `default`
    case index(Int)

    public static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses `default`, a colour name (`red`, `bright-red`) or a number 0–255.
    public init?(_ text: String) {
        if text == "default" { self = .default; return }
        if let i = Self.names.firstIndex(of: text) { self = .index(i); return }
        if text.hasPrefix("bright-"), let i = Self.names.firstIndex(of: String(text.dropFirst(7))) { self = .index(i + 8); return }
        if let n = Int(text), (0...255).contains(n) { self = .index(n); return }
        return nil
    }

    /// The nearest colour a terminal with `count` colours can show (8, 16 or 256); a grey, the
    /// nearest of black, white and their bright forms.
    public func reduced(to count: Int) -> Color {
        guard case .index(let i) = self, i >= count else { return self }
        let (r, g, b) = Self.rgb(i)
        var best = 0
        var bestDistance = Int.max
        // A grey stays a grey: by distance alone the middle greys are nearest yellow on 8 colours.
        let grey = max(r, g, b) - min(r, g, b) < 32
        for c in 0..<min(count, 16) where !grey || [0, 7, 8, 15].contains(c) {
            let (cr, cg, cb) = Self.rgb(c)
            let d = (r - cr) * (r - cr) + (g - cg) * (g - cg) + (b - cb) * (b - cb)
            if d < bestDistance { best = c; bestDistance = d }
        }
        return .index(best)
    }

    /// xterm's palette, as red, green, blue in 0…255.
    static func rgb(_ i: Int) -> (Int, Int, Int) {
        let base16 = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
                      (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
        if i < 16 { return base16[i] }
        if i >= 232 { let v = 8 + (i - 232) * 10; return (v, v, v) }
        let c = i - 16
        let level = { (n: Int) in n == 0 ? 0 : 55 + n * 40 }
        return (level(c / 36), level(c / 6 % 6), level(c % 6))
    }
}

/// How one cell looks.
public struct Style: Hashable, Sendable {
    public var fg: Color = .default
    public var bg: Color = .default
    public var bold = false
    public var dim = false
    public var italic = false
    public var underline = false
    public var reverse = false

    public init(fg: Color = .default, bg: Color = .default, bold: Bool = false, dim: Bool = false,
                italic: Bool = false, underline: Bool = false, reverse: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.dim = dim
        self.italic = italic
        self.underline = underline
        self.reverse = reverse
    }

    public static let plain = Style()
}
