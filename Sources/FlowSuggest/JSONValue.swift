/// A strict JSON reader for checking files line by line: unlike Foundation's, its errors say at
/// which column and what was expected, and objects keep their keys in order.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        /// 1-based, in characters.
        public var column: Int
        public var message: String
        public var description: String { "column \(column): \(message)" }
    }

    public static func parse(_ text: String) throws(ParseError) -> JSONValue {
        var p = Parser(chars: Array(text.unicodeScalars))
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        if p.i < p.chars.count { throw p.fail("unexpected text after the JSON value") }
        return v
    }

    /// Member `name` of an object.
    public subscript(name: String) -> JSONValue? {
        if case .object(let fields) = self { return fields.first { $0.0 == name }?.1 }
        return nil
    }

    public var string: String? { if case .string(let s) = self { return s }; return nil }

    /// The value as compact JSON text (keys in their order, non-ASCII text as it is).
    public var serialized: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d):
            return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .string(let s): return JSONText.quoted(s)
        case .array(let items): return "[" + items.map(\.serialized).joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.map { JSONText.quoted($0.0) + ":" + $0.1.serialized }.joined(separator: ",") + "}"
        }
    }

    private struct Parser {
        var chars: [Unicode.Scalar]
        var i = 0

        func fail(_ message: String) -> ParseError { ParseError(column: i + 1, message: message) }

        mutating func skipSpace() {
            while i < chars.count, [" ", "\t", "\n", "\r"].contains(chars[i]) { i += 1 }
        }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < 512 else { throw fail("nested too deeply") }
            guard i < chars.count else { throw fail("the line ends where a value was expected") }
            switch chars[i] {
            case "{":
                i += 1
                var fields: [(String, JSONValue)] = []
                skipSpace()
                if i < chars.count, chars[i] == "}" { i += 1; return .object(fields) }
                while true {
                    skipSpace()
                    guard i < chars.count, chars[i] == "\"" else { throw fail("expected a key in double quotes") }
                    let key = try string()
                    skipSpace()
                    guard i < chars.count, chars[i] == ":" else { throw fail("expected ':' after the key \"\(key)\"") }
                    i += 1
                    skipSpace()
                    fields.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < chars.count else { throw fail("the object is not closed (missing '}')") }
                    if chars[i] == "," { i += 1; continue }
                    if chars[i] == "}" { i += 1; return .object(fields) }
                    throw fail("expected ',' or '}' in the object")
                }
            case "[":
                i += 1
                var items: [JSONValue] = []
                skipSpace()
                if i < chars.count, chars[i] == "]" { i += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < chars.count else { throw fail("the list is not closed (missing ']')") }
                    if chars[i] == "," { i += 1; continue }
                    if chars[i] == "]" { i += 1; return .array(items) }
                    throw fail("expected ',' or ']' in the list")
                }
            case "\"":
                return .string(try string())
            case "t": return try literal("true", .bool(true))
            case "f": return try literal("false", .bool(false))
            case "n": return try literal("null", .null)
            default:
                return try number()
            }
        }

        mutating func literal(_ word: String, _ v: JSONValue) throws(ParseError) -> JSONValue {
            let w = Array(word.unicodeScalars)
            guard i + w.count <= chars.count, Array(chars[i..<i + w.count]) == w else {
                throw fail("expected a value (a string, number, object, list, true, false or null)")
            }
            i += w.count
            return v
        }

        mutating func number() throws(ParseError) -> JSONValue {
            let start = i
            if i < chars.count, chars[i] == "-" { i += 1 }
            while i < chars.count, "0123456789.eE+-".unicodeScalars.contains(chars[i]) { i += 1 }
            let text = String(String.UnicodeScalarView(chars[start..<i]))
            guard !text.isEmpty, let d = Double(text), text.first != "+" else {
                i = start
                throw fail("expected a value (a string, number, object, list, true, false or null)")
            }
            return .number(d)
        }

        mutating func string() throws(ParseError) -> String {
            i += 1
            var out = String.UnicodeScalarView()
            while i < chars.count {
                let c = chars[i]
                if c == "\"" { i += 1; return String(out) }
                if c.value < 0x20 { throw fail("a control character inside a string must be escaped") }
                if c == "\\" {
                    i += 1
                    guard i < chars.count else { break }
                    switch chars[i] {
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "/": out.append("/")
                    case "b": out.append("\u{8}")
                    case "f": out.append("\u{C}")
                    case "n": out.append("\n")
                    case "r": out.append("\r")
                    case "t": out.append("\t")
                    case "u":
                        guard let high = hex4(at: i + 1) else { throw fail("expected four hex digits after \\u") }
                        i += 4
                        var scalar = high
                        if (0xD800..<0xDC00).contains(high), i + 2 < chars.count, chars[i + 1] == "\\", chars[i + 2] == "u",
                           let low = hex4(at: i + 3), (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        }
                        out.append(Unicode.Scalar(scalar) ?? "\u{FFFD}")
                    default:
                        throw fail("unknown escape \\\(chars[i])")
                    }
                    i += 1
                    continue
                }
                out.append(c)
                i += 1
            }
            throw fail("the string is not closed (missing '\"')")
        }

        func hex4(at j: Int) -> UInt32? {
            guard j + 4 <= chars.count else { return nil }
            return UInt32(String(String.UnicodeScalarView(chars[j..<j + 4])), radix: 16)
        }
    }
}

/// Writing JSON strings by hand, keeping non-ASCII text as it is (readable CJK in a dataset).
public enum JSONText {
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
