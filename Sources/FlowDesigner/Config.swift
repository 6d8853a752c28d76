/// A mistake in a small settings file (config, theme), with the line it is on.
/// A file's first mistake carries the others (`all`), so that one reading names every one.
public struct LineError: Error, Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    public let message: String
    /// The file's further mistakes, in line order.
    public var others: [LineError] = []
    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }
    public var description: String { "line \(line): \(message)" }
    /// This mistake and the others.
    public var all: [LineError] { [LineError(line: line, message: message)] + others }

    /// Runs `read` on each line of `text` (numbered from 1), going on past a mistake; throws the
    /// first with the others attached.
    static func eachLine(of text: String, _ read: (Int, Substring) throws(LineError) -> Void) throws(LineError) {
        var found: [LineError] = []
        for (i, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).enumerated() {
            do { try read(i + 1, raw) } catch { found.append(error) }
        }
        guard var first = found.first else { return }
        first.others = Array(found.dropFirst())
        throw first
    }
}

/// The user's config file (docs/CONFIG.md): a theme name and key bindings.
///
/// ```
/// theme = light
/// [keys]
/// delete = dd, Delete
/// move-down = j, Down
/// ```
public struct Config: Equatable, Sendable {
    public var theme: String?
    /// The line `theme =` is on, to say where a theme that is not found was named.
    public var themeLine: Int?
    /// Suggestion settings: engine, model, base-url, api-key, fallback.
    public var settings: [String: String] = [:]
    public static let settingNames = ["engine", "model", "base-url", "api-key", "fallback", "auto-suggest", "suggestions"]
    public var keys: [Action: [[Key]]] = [:]
    /// What was said about the file when it was read (a key others can read, ignored), for the
    /// editor to say again on its status line: standard error is hidden once the screen starts.
    public var warnings: [String] = []

    public init() {}

    public typealias Failure = LineError

    public static func parse(_ text: String) throws(Failure) -> Config {
        var config = Config()
        var section = ""
        var keyLines: [Action: Int] = [:]
        try LineError.eachLine(of: text) { (n, raw) throws(Failure) in
            let line = (raw.hasPrefix("#") ? "" : String(raw)).trimmingCharacters(in: " \t\r")
            if line.isEmpty { return }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                guard section == "keys" else { throw Failure(line: n, message: "unknown section [\(section)]: the only one is [keys]") }
                return
            }
            // The lines of an unknown section were said with its name, not one by one.
            guard section.isEmpty || section == "keys" else { return }
            var parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t") }
            guard parts.count == 2 else { throw Failure(line: n, message: "expected NAME = VALUE") }
            // A comment after a setting's value ("theme = light  # for the day"); not after keys,
            // where "#" may be a key.
            if section.isEmpty, let hash = parts[1].range(of: " #") ?? parts[1].range(of: "\t#") {
                parts[1] = String(parts[1][..<hash.lowerBound]).trimmingCharacters(in: " \t")
            }
            if section == "keys" {
                guard let action = Action(rawValue: parts[0]) else {
                    throw Failure(line: n, message: "unknown action \"\(parts[0])\"; flowsmith keys lists them")
                }
                guard !Bindings.fixedKeys.contains(action) else {
                    throw Failure(line: n, message: "\(parts[0]) keeps its keys (1 … 9 are the depths)")
                }
                var keys: [[Key]] = []
                for name in parts[1].split(separator: ",").map({ $0.trimmingCharacters(in: " ") }) where !name.isEmpty {
                    guard let k = Bindings.parse(name) else {
                        throw Failure(line: n, message: "unknown key \"\(name)\": a key is a character, Ctrl-A … Ctrl-Z, Alt-X, F1 … F12 or one of "
                                      + "Space, Tab, Shift-Tab, Enter, Esc, Backspace, Delete, Up, Down, Left, Right, Shift-Up, Shift-Down, PgUp, PgDn, Home, End, Ctrl-Space")
                    }
                    // What a terminal sends for these is another key's.
                    for key in k {
                        if let same = Self.sameAs[key] {
                            throw Failure(line: n, message: "\(key) is \(same) to a terminal: bind \(same) instead")
                        }
                    }
                    keys.append(k)
                }
                config.keys[action] = keys
                keyLines[action] = n
            } else if parts[0] == "theme" {
                config.theme = parts[1]
                config.themeLine = n
            } else if settingNames.contains(parts[0]) {
                if let expected = Self.invalid(parts[0], parts[1]) {
                    throw Failure(line: n, message: "\(parts[0]) = \(parts[1]): expected \(expected)")
                }
                config.settings[parts[0]] = parts[1]
            } else {
                throw Failure(line: n, message: "unknown setting \"\(parts[0])\": expected theme, \(settingNames.joined(separator: ", ")) or a [keys] section")
            }
        }
        try config.checkKeys(at: keyLines)
        return config
    }

    /// Keys a terminal sends as another key: binding them could never work.
    static let sameAs: [Key: String] = [.ctrl("i"): "Tab", .ctrl("m"): "Enter", .ctrl("j"): "Enter"]

    /// A key the config gives an action that another action of the same place (the tree, the
    /// line editor, shown suggestions) also has, or that starts or ends another's sequence
    /// (`d` against `dd`): one of them could never be reached. Said at the line that binds it.
    func checkKeys(at lines: [Action: Int]) throws(Failure) {
        let table = bindings().table
        var found: [Failure] = []
        for (action, line) in lines.sorted(by: { $0.value < $1.value }) {
            guard let mine = table.first(where: { $0.action == action }) else { continue }
            for other in table where other.action != action && other.context == mine.context {
                for a in mine.keys {
                    guard let b = other.keys.first(where: { $0 == a || $0.starts(with: a) || a.starts(with: $0) }) else { continue }
                    let how = a == b ? "\(Bindings.name(a)) is also \(other.action.rawValue)'s key"
                        : "\(Bindings.name(a)) and \(other.action.rawValue)'s \(Bindings.name(b)) start alike, so one of them is never reached"
                    found.append(Failure(line: line, message: "\(action.rawValue): \(how) (give \(other.action.rawValue) other keys too, or choose another)"))
                }
            }
        }
        guard var first = found.first else { return }
        first.others = Array(found.dropFirst())
        throw first
    }

    /// The engines `engine =` names: the local model, and OpenAI-compatible servers by preset.
    public static let engineNames = ["local", "openai", "ollama", "llamacpp", "vllm"]

    /// What a setting's value should be, when it is not: a mistake is said when the file is read,
    /// never taken silently as the default.
    static func invalid(_ name: String, _ value: String) -> String? {
        let v = value.lowercased()
        switch name {
        case "engine": return engineNames.contains(v) ? nil : engineNames.joined(separator: ", ")
        case "fallback": return ["local", "none"].contains(v) ? nil : "local or none"
        case "auto-suggest": return ["on", "off", "yes", "no", "true", "false"].contains(v) ? nil : "on or off"
        case "suggestions": return Int(value).map { (1...9).contains($0) } == true ? nil : "a number from 1 to 9"
        case "base-url": return v.hasPrefix("http://") || v.hasPrefix("https://") ? nil : "an address starting with http:// or https://"
        default: return value.isEmpty ? "a value" : nil
        }
    }

    /// The default bindings with this config's keys in place.
    public func bindings() -> Bindings {
        var b = Bindings.defaults
        for (action, keys) in keys { b.rebind(action, to: keys) }
        return b
    }
}

extension Config {
    /// The config file's text with the top-level setting `name` set to `value`: the line that sets
    /// it is changed in place (comments, other settings and the [keys] section stay as they are),
    /// or, when none does, a line is added before the first section.
    public static func setting(_ name: String, to value: String, in text: String) -> String {
        var lines = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var firstSection = lines.count
        for (i, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: " \t\r")
            if line.hasPrefix("[") && line.hasSuffix("]") { firstSection = i; break }
            guard !line.hasPrefix("#"), let eq = line.firstIndex(of: "=") else { continue }
            if line[..<eq].trimmingCharacters(in: " \t") == name {
                lines[i] = "\(name) = \(value)"
                return lines.joined(separator: "\n") + "\n"
            }
        }
        var at = firstSection
        while at > 0 && lines[at - 1].trimmingCharacters(in: " \t\r").isEmpty { at -= 1 }
        lines.insert("\(name) = \(value)", at: at)
        return lines.joined(separator: "\n") + "\n"
    }
}
