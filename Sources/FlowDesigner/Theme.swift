/// What each part of the screen looks like, read from a theme file (themes/*.theme).
///
/// One theme serves every terminal: on 8 or 16 colours each xterm-256 colour becomes the nearest
/// basic one; without colours (or with NO_COLOR set) colours are dropped and parts that had a
/// background are shown reversed, so the cursor row and the status bar stay visible.
public struct Theme: Equatable, Sendable {
    public enum Role: String, CaseIterable, Sendable {
        case normal, useCase = "usecase", number, `extension`, exception, ending, success, failure, folded
        case cursor, status, statusKey = "status-key", message, error, prompt, match, ghost
        case detailTitle = "detail-title", detail, problem, border, help, helpKey = "help-key"
    }

    public var name: String
    public var styles: [Role: Style]

    public init(name: String, styles: [Role: Style]) {
        self.name = name
        self.styles = styles
    }

    /// A role the theme leaves out looks as in `fallback` (attributes only: the cursor row and the
    /// status bar reversed, so they always show), else as `normal`.
    public subscript(role: Role) -> Style { styles[role] ?? Self.fallbackStyles[role] ?? styles[.normal] ?? .plain }

    /// A theme with no files at all: attributes only, so it works on any terminal.
    public static let fallback = Theme(name: "fallback", styles: fallbackStyles)

    static let fallbackStyles: [Role: Style] = [
        .useCase: Style(bold: true), .number: Style(dim: true), .ending: Style(dim: true), .folded: Style(dim: true),
        .cursor: Style(reverse: true), .status: Style(reverse: true), .statusKey: Style(bold: true, reverse: true),
        .error: Style(bold: true), .match: Style(underline: true), .ghost: Style(dim: true, italic: true),
        .detailTitle: Style(bold: true), .border: Style(dim: true), .helpKey: Style(bold: true),
        .exception: Style(bold: true), .prompt: Style(bold: true),
    ]

    /// Reads a theme file: `role = FG [on BG] [bold] [dim] [italic] [underline] [reverse]` lines,
    /// `#` comments. Errors name the line and what was expected.
    public static func parse(_ text: String, name: String) throws(ThemeError) -> Theme {
        var styles: [Role: Style] = [:]
        try LineError.eachLine(of: text) { (n, raw) throws(ThemeError) in
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let trimmed = line.trimmingCharacters(in: " \t\r")
            guard !trimmed.isEmpty else { return }
            let parts = trimmed.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
            guard parts.count == 2, let role = Role(rawValue: parts[0]) else {
                throw ThemeError(line: n, message: "expected \"ROLE = COLOUR …\" with a role among: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            styles[role] = try parseStyle(parts[1], line: n)
        }
        return Theme(name: name, styles: styles)
    }

    private static func parseStyle(_ spec: String, line: Int) throws(ThemeError) -> Style {
        var style = Style()
        var words = spec.split(separator: " ").map(String.init)[...]
        if let first = words.first, let c = Color(first) { style.fg = c; words = words.dropFirst() }
        if words.first == "on" {
            words = words.dropFirst()
            guard let w = words.first, let c = Color(w) else {
                throw ThemeError(line: line, message: "expected a colour after \"on\" (a name, bright-NAME, 0–255 or default)")
            }
            style.bg = c
            words = words.dropFirst()
        }
        for w in words {
            switch w {
            case "bold": style.bold = true
            case "dim": style.dim = true
            case "italic": style.italic = true
            case "underline": style.underline = true
            case "reverse": style.reverse = true
            default: throw ThemeError(line: line, message: "unknown word \"\(w)\": expected a colour, \"on COLOUR\" or bold, dim, italic, underline, reverse")
            }
        }
        return style
    }

    /// The theme as a terminal with this many colours can show it (0: none).
    public func adapted(toColors count: Int) -> Theme {
        var out = self
        for (role, style) in styles {
            var s = style
            if count < 8 {
                if style.bg != .default { s.reverse.toggle() }
                if style.fg != .default && style.bg == .default && !style.bold && role != .normal { s.bold = s.bold || role == .useCase }
                s.fg = .default
                s.bg = .default
            } else {
                s.fg = style.fg.reduced(to: count)
                s.bg = style.bg.reduced(to: count)
            }
            out.styles[role] = s
        }
        return out
    }
}

/// A mistake in a theme file, with its line.
public typealias ThemeError = LineError

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        guard let start = firstIndex(where: { !chars.contains($0) }),
              let end = lastIndex(where: { !chars.contains($0) }) else { return "" }
        return String(self[start...end])
    }
}
