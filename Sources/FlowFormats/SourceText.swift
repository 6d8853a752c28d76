import FlowCore

/// A place in a source file, 1-based; columns count Unicode characters (scalars), tabs as one.
public struct SourcePosition: Hashable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// A problem with a file's text, reported as `FILE:LINE:COLUMN: message`.
public struct FormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String?
    public let position: SourcePosition
    public let message: String

    public init(file: String? = nil, _ position: SourcePosition, _ message: String) {
        self.file = file
        self.position = position
        self.message = message
    }

    public var description: String { "\(file ?? "<input>"):\(position): \(message)" }
}

/// Where each node of a parsed flow came from, so `check` and the editor can point at lines.
public struct SourceMap: Sendable, Equatable {
    public var nodes = NodeMap<SourcePosition>()
    /// Where an extension's ending line is, for extensions that have one.
    public var endings = NodeMap<SourcePosition>()

    public init() {}

    /// The best place to report a problem.
    public func position(of problem: Problem) -> SourcePosition? {
        guard let node = problem.node else { return nil }
        if problem.part == .ending, let p = endings[node] { return p }
        return nodes[node]
    }
}

/// A flow read from text, with where each part of it was written.
public struct ParsedFlow: Sendable {
    public var flow: Flow
    public var sourceMap: SourceMap
}

/// One physical line of a source file, split without Foundation; CRLF, CR and LF all end lines.
struct SourceLine {
    let number: Int
    let scalars: [Unicode.Scalar]
    /// How far right of where its scalars put it the text really is: a spreadsheet's cell, read
    /// as a line of its own, is said to be in its column of the row.
    var offset = 0

    /// Splits text into lines, dropping a leading byte-order mark.
    static func split(_ text: String) -> [SourceLine] {
        var lines: [SourceLine] = []
        var current: [Unicode.Scalar] = []
        var number = 1
        var afterCR = false
        var first = true
        for u in text.unicodeScalars {
            defer { first = false }
            if first && u == "\u{FEFF}" { continue }
            if afterCR && u == "\n" { afterCR = false; continue }
            afterCR = false
            if u == "\n" || u == "\r" {
                lines.append(SourceLine(number: number, scalars: current))
                current.removeAll(keepingCapacity: true)
                number += 1
                afterCR = u == "\r"
            } else {
                current.append(u)
            }
        }
        if !current.isEmpty { lines.append(SourceLine(number: number, scalars: current)) }
        return lines
    }

    var isBlank: Bool { scalars.allSatisfy { $0 == " " || $0 == "\t" } }

    /// Visual indentation (a tab advances to the next multiple of 4; a fullwidth space, as a
    /// Chinese keyboard types it, is two columns wide) and where the content starts.
    var indentation: (width: Int, start: Int) {
        var width = 0
        var i = 0
        while i < scalars.count {
            if scalars[i] == " " { width += 1 } else if scalars[i] == "\t" { width += 4 - width % 4 }
            else if scalars[i] == "\u{3000}" { width += 2 } else { break }
            i += 1
        }
        return (width, i)
    }
}

extension Array where Element == Unicode.Scalar {
    /// Without trailing spaces and tabs (raw ones carry no meaning: meaningful spaces are escaped).
    func trimmingTrailingBlanks() -> [Unicode.Scalar] {
        var end = count
        while end > 0, self[end - 1] == " " || self[end - 1] == "\t" { end -= 1 }
        return Array(self[..<end])
    }
}
