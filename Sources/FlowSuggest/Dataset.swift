import FlowCore

/// One chat fine-tuning example: exactly the messages the `openai` engine sends at that place in
/// the flow, with the author's own text as the assistant's answer.
public struct FineTuneExample: Sendable, Equatable {
    public var kind: SuggestionKind
    /// The use case it comes from (document number and title): the unit of the split, so that
    /// no use case has examples on both sides.
    public var group: String
    public var system: String
    public var user: String
    public var assistant: String

    public init(kind: SuggestionKind, group: String, system: String, user: String, assistant: String) {
        self.kind = kind
        self.group = group
        self.system = system
        self.user = user
        self.assistant = assistant
    }

    /// The example as one line of a chat fine-tuning file (`{"messages":[…]}`), UTF-8 kept as it is.
    public var jsonLine: String {
        "{\"messages\":[" + [("system", system), ("user", user), ("assistant", assistant)]
            .map { "{\"role\":\"\($0.0)\",\"content\":\(JSONText.quoted($0.1))}" }.joined(separator: ",") + "]}"
    }
}

/// Building a fine-tuning dataset from a library of flows (`flowsmith dataset`), and checking a
/// chat fine-tuning file before it is uploaded.
public enum Dataset {
    /// The platform refuses a training file with fewer examples than this.
    public static let platformMinimum = 10

    /// Every example the flows give, in document order:
    /// - `next`: the next step given the use case and the steps so far (also the first step of an
    ///   extension, given its condition), answered with the author's step;
    /// - `conditions`: what can go wrong at a step that has extensions, answered with its
    ///   conditions, one a line;
    /// - `draft`: a main scenario given the title (and goal), answered with its steps, one a line.
    /// `count` is the number of suggestions the prompt asks for (the editor's `suggestions` setting).
    /// With a `library` (the user's trained local model, as the `openai` engine uses it), each
    /// prompt carries its most similar use cases, as the engine's do.
    public static func examples(from flows: [Flow], kinds: Set<SuggestionKind>, count: Int = 3, library: LocalModel? = nil) -> [FineTuneExample] {
        var out: [FineTuneExample] = []
        let asked = kinds.subtracting([.draft])
        let cases = asked.isEmpty ? [] : Evaluation.cases(from: flows, kinds: asked)
        var byDocument: [Int: [EvaluationCase]] = [:]
        for c in cases { byDocument[c.document, default: []].append(c) }
        for (d, flow) in flows.enumerated() {
            if kinds.contains(.draft) {
                for uc in flow.useCases {
                    let steps = flow.children(of: uc).compactMap { flow[$0]?.text }.filter { !$0.trimmingSpaces.isEmpty }
                    guard steps.count >= 2, var (ctx, _) = SuggestionContext.at(uc, in: flow, kind: .draft) else { continue }
                    ctx.existing = []
                    if let library { ctx.library = library.similarUseCases(ctx) }
                    out.append(example(ctx, count: count, answer: steps, group: "\(d)#\(ctx.useCase)"))
                }
            }
            for c in byDocument[d] ?? [] {
                var ctx = c.context
                if let library { ctx.library = library.similarUseCases(ctx) }
                out.append(example(ctx, count: count, answer: c.truths, group: "\(d)#\(c.group)"))
            }
        }
        return out
    }

    static func example(_ ctx: SuggestionContext, count: Int, answer: [String], group: String) -> FineTuneExample {
        FineTuneExample(kind: ctx.kind, group: group, system: PromptBuilder.system,
                        user: PromptBuilder.user(ctx, count: count),
                        assistant: answer.map { $0.trimmingSpaces }.joined(separator: "\n"))
    }

    public struct Split: Sendable {
        public var training: [FineTuneExample] = []
        public var validation: [FineTuneExample] = []
        /// Examples dropped because an identical one (same messages) came before.
        public var duplicates = 0
    }

    /// Deduplicates, then splits by use case: a seeded shuffle of the use cases puts
    /// `validationFraction` of them (at least one when there are two or more and the fraction
    /// is above zero) on the validation side. Each side is shuffled with the same seed. The same
    /// flows and seed always give the same files.
    public static func split(_ examples: [FineTuneExample], validationFraction: Double, seed: UInt64) -> Split {
        var result = Split()
        var seen = Set<String>()
        var unique: [FineTuneExample] = []
        for e in examples {
            if seen.insert(e.jsonLine).inserted { unique.append(e) } else { result.duplicates += 1 }
        }
        var rng = SeededRandom(seed: seed)
        var groups: [String] = []
        var known = Set<String>()
        for e in unique where known.insert(e.group).inserted { groups.append(e.group) }
        groups.shuffle(using: &rng)
        var held = 0
        if validationFraction > 0, groups.count >= 2 {
            // Never more than the share asked (0.5 of 7 use cases holds out 3, not 4), but one at least.
            held = min(groups.count - 1, max(1, Int((Double(groups.count) * validationFraction).rounded(.down))))
        }
        let validationGroups = Set(groups.prefix(held))
        for e in unique {
            if validationGroups.contains(e.group) { result.validation.append(e) } else { result.training.append(e) }
        }
        result.training.shuffle(using: &rng)
        result.validation.shuffle(using: &rng)
        return result
    }

    /// An estimate of the tokens a chat example costs: about four characters a token for Latin
    /// text, one token a CJK character, and a few tokens a message for the chat format. Good to
    /// a few tens of percent; the platform counts exactly.
    public static func estimatedTokens(_ e: FineTuneExample) -> Int {
        3 + [e.system, e.user, e.assistant].reduce(0) { $0 + 4 + estimatedTokens($1) }
    }

    public static func estimatedTokens(_ text: String) -> Int {
        var cjk = 0, other = 0
        for u in text.unicodeScalars {
            if LocalModel.isCJK(u) { cjk += 1 } else { other += 1 }
        }
        return cjk + (other + 3) / 4
    }

    // MARK: Checking a file

    /// A mistake in a fine-tuning file: the line it is on (1-based) and what is wrong.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public struct CheckResult: Sendable, Equatable {
        public var examples = 0
        public var problems: [Problem] = []
        /// Roughly how many tokens the valid examples hold.
        public var tokens = 0
    }

    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool"]

    /// Checks a chat fine-tuning file: one JSON object a line, each with a `messages` list of
    /// objects with a known role and non-empty content, at least one from the assistant, the
    /// last from the assistant. Every problem is listed, not only the first.
    public static func check(_ bytes: [UInt8]) -> CheckResult {
        var result = CheckResult()
        var lineNumber = 0
        var start = 0
        let count = bytes.count
        while start < count {
            lineNumber += 1
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            var line = Array(bytes[start..<end])
            if line.last == 0x0D { line.removeLast() }
            start = end + 1
            var problems: [String]
            var tokens = 0
            if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) {
                problems = ["the file starts with a byte order mark (BOM), which the platform refuses: save it as UTF-8 without one"]
            } else if start >= count, line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                problems = ["an empty line at the end of the file: remove it (every line is one example)"]
            } else {
                (problems, tokens) = checkLine(line)
            }
            if problems.isEmpty {
                result.examples += 1
                result.tokens += tokens
            }
            result.problems += problems.map { Problem(line: lineNumber, message: $0) }
        }
        if lineNumber == 0 { result.problems.append(Problem(line: 1, message: "the file is empty")) }
        return result
    }

    /// A line's problems, and the tokens its messages cost, estimated as `estimatedTokens`
    /// estimates an example `dataset` writes (so both say the same of the same file).
    static func checkLine(_ line: [UInt8]) -> (problems: [String], tokens: Int) {
        var tokens = 3
        let problems = checkLine(line, tokens: &tokens)
        return (problems, tokens)
    }

    static func checkLine(_ line: [UInt8], tokens: inout Int) -> [String] {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return ["an empty line; every line must be one example"] }
        guard let text = String(validating: line, as: UTF8.self) else { return ["not UTF-8 text"] }
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            return ["not valid JSON: \(error)"]
        }
        guard case .object(let fields) = value else { return ["expected a JSON object ({\"messages\": [...]})"] }
        var problems: [String] = []
        for (key, _) in fields where !["messages", "tools", "parallel_tool_calls", "functions"].contains(key) {
            problems.append("unknown key \"\(key)\" (an example has \"messages\", and may have \"tools\", \"parallel_tool_calls\" or \"functions\")")
        }
        guard let m = fields.first(where: { $0.0 == "messages" })?.1 else { return problems + ["no \"messages\" list"] }
        guard case .array(let messages) = m, !messages.isEmpty else { return problems + ["\"messages\" must be a non-empty list"] }
        var lastRole = ""
        var assistants = 0
        for (i, message) in messages.enumerated() {
            let at = "message \(i + 1)"
            guard case .object(let f) = message else { problems.append("\(at) is not an object"); continue }
            let get = { (name: String) in f.first { $0.0 == name }?.1 }
            guard case .string(let role)? = get("role") else { problems.append("\(at) has no \"role\""); continue }
            lastRole = role
            guard roles.contains(role) else {
                problems.append("\(at) has the role \"\(role)\"; expected system, developer, user, assistant or tool")
                continue
            }
            if role == "assistant" { assistants += 1 }
            let hasToolCalls = get("tool_calls") != nil || get("function_call") != nil
            switch get("content") {
            case .string(let s)?:
                tokens += 4 + estimatedTokens(s)
                if s.trimmingSpaces.isEmpty && !hasToolCalls { problems.append("\(at) (\(role)) has empty content") }
            case .array(let parts)?:
                let texts = parts.compactMap { part -> String? in
                    if case .object(let p) = part, case .string(let t)? = p.first(where: { $0.0 == "text" })?.1 { return t }
                    return nil
                }
                tokens += 4 + texts.reduce(0) { $0 + estimatedTokens($1) }
                if texts.allSatisfy({ $0.trimmingSpaces.isEmpty }) { problems.append("\(at) (\(role)) has no text") }
            case nil, .null?:
                if !hasToolCalls { problems.append("\(at) (\(role)) has no \"content\"") }
            default:
                problems.append("\(at) (\(role)): \"content\" must be a string")
            }
            if let w = get("weight") {
                guard role == "assistant", case .number(let n) = w, n == 0 || n == 1 else {
                    problems.append("\(at): \"weight\" is allowed on assistant messages only, as 0 or 1")
                    continue
                }
            }
        }
        if assistants == 0 { problems.append("no assistant message: nothing to learn") }
        else if lastRole != "assistant" { problems.append("the last message must be the assistant's (it is \(lastRole.isEmpty ? "missing" : lastRole))") }
        return problems
    }
}
