import FlowFormats
/// A grid of cells that `render` draws into: the whole picture of the app at one moment, pure
/// data. The terminal layer copies it to ncurses, which sends only what changed.
///
/// A wide character (系) fills its cell and marks the next as its continuation, so columns always
/// match what the terminal shows. Text is clipped by display width, never wrapped.
public struct Screen: Equatable, Sendable {
    public struct Cell: Equatable, Sendable {
        /// One grapheme cluster, or "" for the right half of a wide character.
        public var text: String
        public var style: Style
        public static let blank = Cell(text: " ", style: .plain)
    }

    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Where the terminal cursor shows, when it should (while editing text).
    public var cursor: (x: Int, y: Int)?

    public init(width: Int, height: Int, style: Style = .plain) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(text: " ", style: style), count: self.width * self.height)
    }

    public static func == (a: Screen, b: Screen) -> Bool {
        a.width == b.width && a.height == b.height && a.cells == b.cells && a.cursor?.x == b.cursor?.x && a.cursor?.y == b.cursor?.y
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Gives the cells of a row from `x`, `w` columns, another style, keeping their text.
    public mutating func restyle(x: Int, y: Int, width w: Int, style: Style) {
        guard y >= 0, y < height else { return }
        for col in max(0, x)..<min(width, max(0, x + w)) { cells[y * width + col].style = style }
    }

    /// Fills a rectangle with spaces in a style.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, style: Style) {
        let (top, bottom, left, right) = (max(0, y), min(height, y + h), max(0, x), min(width, x + w))
        guard top < bottom, left < right else { return }
        let blank = Cell(text: " ", style: style)
        for row in top..<bottom {
            // Only the edges can cut a wide character in two; inside, cells are simply replaced.
            set(left, row, blank)
            if right - 1 > left { set(right - 1, row, blank) }
            let base = row * width
            for col in (left + 1)..<max(left + 1, right - 1) { cells[base + col] = blank }
        }
    }

    /// Writes text from (x, y), at most `limit` columns wide; when it does not fit, it ends in "…".
    /// Returns the columns used. Control characters are drawn as visible pictures, never sent.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style, limit: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let room = min(limit ?? width - x, width - x)
        guard room > 0 else { return 0 }
        let fits = DisplayWidth.of(text) <= room
        var col = x
        for raw in text {
            let c = Self.visible(raw)
            let w = DisplayWidth.of(c)
            if w == 0 { continue }
            if !fits && col - x + w > room - 1 {
                if col - x < room, col >= 0 { self[col, y] = Cell(text: "…", style: style); col += 1 }
                break
            }
            if col >= 0 {
                set(col, y, Cell(text: String(c), style: style))
                if w == 2, col + 1 < width { set(col + 1, y, Cell(text: "", style: style)) }
            }
            col += w
        }
        return col - x
    }

    /// Sets one cell, blanking the other half of any wide character it cuts in two, so the grid
    /// always says exactly what the terminal shows.
    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        let i = y * width + x
        if cells[i].text.isEmpty, x > 0, !cell.text.isEmpty { cells[i - 1] = Cell(text: " ", style: cells[i - 1].style) }
        if cells[i].text.utf8.count > 1, x + 1 < width, cells[i + 1].text.isEmpty, DisplayWidth.of(cells[i].text) == 2 {
            cells[i + 1] = Cell(text: " ", style: cells[i + 1].style)
        }
        cells[i] = cell
    }

    /// A control character's picture (␛ for ESC); anything else unchanged.
    static func visible(_ c: Character) -> Character {
        guard let u = c.unicodeScalars.first, c.unicodeScalars.count == 1 else { return c }
        switch u.value {
        case 0..<0x20: return Character(Unicode.Scalar(0x2400 + u.value) ?? "?")
        case 0x7F: return "\u{2421}"
        case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069: return "\u{FFFD}"
        default: return c
        }
    }

    /// The screen as plain text, one line per row, for snapshot tests.
    public var text: String {
        var out = ""
        for y in 0..<height {
            var line = ""
            for x in 0..<width { line += self[x, y].text }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
