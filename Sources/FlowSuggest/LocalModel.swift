import FlowCore

/// The suggester that needs no key and no network: retrieval over the user's own flows and a
/// bundled corpus, by character n-grams, so Chinese (no spaces between words) works as well as English.
///
/// Training turns every scenario into examples "after these steps, in a use case like this, the
/// next step was …" (and "at a step like this, what went wrong was …"). A question is matched in
/// two ways, by TF-IDF cosine over words (and single characters and pairs for Chinese): its last
/// steps against each example's, and the whole use case so far (title, goal, steps) against each
/// learned use case, so a step from a similar process outranks a similar sentence from an
/// unrelated one. Targets are ranked by summed step similarity × (0.25 + process similarity).
public struct LocalModel: Sendable {
    public struct Example: Hashable, Sendable, Codable {
        public var kind: String
        public var useCase: String
        public var previous: [String]
        public var target: String
        /// The primary actor of the use case it came from, so a step can be told in the asking
        /// use case's own actor ("员工提交…" becomes "客服人员提交…").
        public var actor: String?
    }

    public private(set) var examples: [Example]
    private var vectors: [[Int: Float]] = []
    private var index: [Int: [(example: Int, weight: Float)]] = [:]
    private var idf: [Int: Float] = [:]
    private var actorOf: [String: String?] = [:]
    /// Each learned use case as one document (title and every step), by title.
    private var processIndex: [Int: [(process: Int, weight: Float)]] = [:]
    private var processOf: [String: Int] = [:]

    public init(examples: [Example]) {
        self.examples = examples
        for e in examples where actorOf[e.target] == nil { actorOf[e.target] = e.actor }
        build()
    }

    /// Examples from flows: next steps of every scenario, conditions of every extension, and
    /// whole main scenarios for drafting.
    public static func examples(from flows: [Flow]) -> [Example] {
        var out: [Example] = []
        for flow in flows {
            for uc in flow.useCases {
                guard let ucNode = flow[uc] else { continue }
                let start = out.count
                collect(flow, scenario: uc, useCase: ucNode.text, condition: nil, into: &out)
                let main = flow.children(of: uc).compactMap { flow[$0]?.text }
                if !main.isEmpty {
                    out.append(Example(kind: SuggestionKind.draft.rawValue, useCase: ucNode.text, previous: [],
                                       target: main.joined(separator: "\n")))
                }
                let actor = primaryActor(ucNode.fields)
                for i in start..<out.count { out[i].actor = actor }
            }
        }
        return out
    }

    private static func collect(_ flow: Flow, scenario: NodeID, useCase: String, condition: String?, into out: inout [Example]) {
        let steps = flow.children(of: scenario)
        var previous: [String] = condition.map { [$0] } ?? []
        for step in steps {
            guard let node = flow[step] else { continue }
            if !node.text.trimmingSpaces.isEmpty {
                out.append(Example(kind: SuggestionKind.nextStep.rawValue, useCase: useCase, previous: previous, target: node.text))
            }
            for ext in node.children {
                guard let e = flow[ext] else { continue }
                if !e.text.trimmingSpaces.isEmpty {
                    out.append(Example(kind: SuggestionKind.conditions.rawValue, useCase: useCase,
                                       previous: previous + [node.text], target: e.text))
                }
                collect(flow, scenario: ext, useCase: useCase, condition: e.text, into: &out)
            }
            previous.append(node.text)
        }
    }

    // MARK: Asking

    /// Up to `count` suggestions, best first, never one of `context.existing`.
    public func suggest(_ context: SuggestionContext, count: Int) -> [String] {
        var previous = context.condition.map { [$0] + context.stepsSoFar } ?? context.stepsSoFar
        // What can go wrong depends on the step itself, not on the one before it.
        if context.kind == .conditions { previous = Array(previous.suffix(1)) }
        let query = Self.contextVector(useCase: context.useCase + " " + context.goal, previous: previous, idf: idf)
        var scores: [Int: Float] = [:]
        for (gram, q) in query {
            for (example, weight) in index[gram] ?? [] where examples[example].kind == context.kind.rawValue {
                scores[example, default: 0] += q * weight
            }
        }
        let process = processSimilarity(context)
        for (example, score) in scores {
            scores[example] = score * (0.25 + (processOf[examples[example].useCase].flatMap { process[$0] } ?? 0))
        }
        var byTarget: [String: (score: Float, text: String)] = [:]
        var avoid = Set(context.existing.map(OutputSanitizer.normalized))
        if context.kind == .nextStep, let last = context.stepsSoFar.last { avoid.insert(OutputSanitizer.normalized(last)) }
        for (example, score) in scores.sorted(by: { $0.value > $1.value }).prefix(60) {
            let text = examples[example].target
            let key = OutputSanitizer.normalized(text)
            guard !avoid.contains(key) else { continue }
            byTarget[key, default: (0, text)].score += score
        }
        let ranked = byTarget.values.sorted { $0.score > $1.score || ($0.score == $1.score && $0.text < $1.text) }
        var out: [String] = []
        var shown = avoid
        for candidate in ranked {
            let text = Self.retold(candidate.text, from: actorOf[candidate.text] ?? nil, to: context.actor)
            guard shown.insert(OutputSanitizer.normalized(text)).inserted else { continue }
            out.append(text)
            if out.count == count { break }
        }
        return out
    }

    /// Replaces the example's actor at the start of each line with the asking use case's actor.
    public static func retold(_ text: String, from actor: String?, to target: String) -> String {
        guard let actor, !actor.isEmpty, !target.isEmpty, actor != target else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix(actor) ? target + line.dropFirst(actor.count) : String(line)
        }.joined(separator: "\n")
    }

    /// The primary actor field, in English or Chinese, cut to its first name ("Clerk, Manager" → "Clerk").
    public static func primaryActor(_ fields: [Field]) -> String? {
        guard let value = fields.first(where: { ["Primary actor", "主要参与者", "参与者", "主要角色"].contains($0.name) })?.value else { return nil }
        let first = value.split(whereSeparator: { ",，、/（(".contains($0) }).first.map(String.init) ?? value
        let trimmed = first.trimmingSpaces
        return trimmed.isEmpty ? nil : trimmed
    }

    /// How much the asking use case (title, goal, steps so far) resembles each learned one.
    private func processSimilarity(_ c: SuggestionContext) -> [Int: Float] {
        var v: [Int: Float] = [:]
        for g in Self.grams(c.useCase + " " + c.goal) { v[g, default: 0] += 2 }
        for s in c.stepsSoFar + (c.condition.map { [$0] } ?? []) { for g in Self.grams(s) { v[g, default: 0] += 1 } }
        let q = Self.normalize(v.reduce(into: [:]) { $0[$1.key] = $1.value * (idf[$1.key] ?? 1) })
        var out: [Int: Float] = [:]
        for (g, w) in q { for (p, pw) in processIndex[g] ?? [] { out[p, default: 0] += w * pw } }
        return out
    }

    // MARK: Vectors

    private mutating func buildProcesses() {
        var docs: [[Int: Float]] = []
        for e in examples where e.kind != SuggestionKind.draft.rawValue {
            let p: Int
            if let known = processOf[e.useCase] {
                p = known
            } else {
                p = docs.count
                processOf[e.useCase] = p
                var title: [Int: Float] = [:]
                for g in Self.grams(e.useCase) { title[g, default: 0] += 2 }
                docs.append(title)
            }
            for g in Self.grams(e.target) { docs[p][g, default: 0] += 1 }
        }
        processIndex = [:]
        for (p, doc) in docs.enumerated() {
            let weighted = Self.normalize(doc.reduce(into: [:]) { $0[$1.key] = $1.value * (idf[$1.key] ?? 1) })
            for (g, w) in weighted { processIndex[g, default: []].append((p, w)) }
        }
    }

    private mutating func build() {
        var df: [Int: Int] = [:]
        let raw = examples.map { Self.contextVector(useCase: $0.useCase, previous: $0.previous, idf: [:]) }
        for v in raw { for g in v.keys { df[g, default: 0] += 1 } }
        let n = Float(max(1, examples.count))
        idf = df.mapValues { log((n + 1) / (Float($0) + 1)) + 1 }
        vectors = raw.map { Self.normalize($0.mapValues { $0 } .reduce(into: [:]) { out, kv in out[kv.key] = kv.value * (idf[kv.key] ?? 1) }) }
        index = [:]
        for (i, v) in vectors.enumerated() {
            for (g, w) in v { index[g, default: []].append((i, w)) }
        }
        buildProcesses()
    }

    /// The context as weighted n-grams: the last step counts most, then the one before, then the use case.
    static func contextVector(useCase: String, previous: [String], idf: [Int: Float]) -> [Int: Float] {
        var v: [Int: Float] = [:]
        let parts: [(String, Float)] = [
            (previous.last ?? "", 1.0), (previous.dropLast().last ?? "", 0.5), (useCase, 0.35),
        ]
        for (text, weight) in parts where !text.isEmpty {
            for g in grams(text) { v[g, default: 0] += weight }
        }
        if previous.isEmpty { v[start, default: 0] += 1 }
        guard !idf.isEmpty else { return v }
        return normalize(v.reduce(into: [:]) { out, kv in out[kv.key] = kv.value * (idf[kv.key] ?? 1) })
    }

    /// A marker gram for "no steps yet", so first steps match first steps.
    static let start = 0x5354_4152

    /// Terms of a text, hashed with FNV-1a so the same text always gives the same numbers:
    /// words and word pairs for alphabetic scripts; single characters and character pairs for
    /// Chinese, Japanese and Korean, which do not put spaces between words.
    static func grams(_ text: String) -> [Int] {
        var terms: [String] = []
        var words: [String] = []
        var cjk: [Character] = []
        func flushCJK() {
            for (i, c) in cjk.enumerated() {
                terms.append(String(c))
                if i + 1 < cjk.count { terms.append(String(c) + String(cjk[i + 1])) }
            }
            cjk.removeAll()
        }
        var word = ""
        for c in text.lowercased() {
            if let u = c.unicodeScalars.first, isCJK(u) {
                if !word.isEmpty { words.append(word); word = "" }
                cjk.append(c)
            } else if c.isLetter || c.isNumber {
                flushCJK()
                word.append(c)
            } else {
                flushCJK()
                if !word.isEmpty { words.append(word); word = "" }
            }
        }
        flushCJK()
        if !word.isEmpty { words.append(word) }
        let content = words.filter { !stopWords.contains($0) }.map { synonyms[$0] ?? $0 }.map(stem)
        terms += content
        for i in 0..<max(0, content.count - 1) { terms.append(content[i] + " " + content[i + 1]) }
        return terms.map { term in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in term.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            return Int(truncatingIfNeeded: h)
        }
    }

    /// Words analysts use for the same thing, folded together so a flow written with "shopper",
    /// "basket" and "selects" meets one written with "customer", "cart" and "chooses".
    static let synonyms: [String: String] = [
        "shopper": "customer", "buyer": "customer", "client": "customer", "purchaser": "customer",
        "basket": "cart", "trolley": "cart", "selects": "chooses", "select": "choose", "picks": "chooses",
        "pick": "choose", "types": "enters", "type": "enter", "fills": "enters", "inputs": "enters", "input": "enter",
        "verifies": "validates", "verify": "validate", "checks": "validates", "check": "validate",
        "confirms": "validates", "authorises": "validates", "authorizes": "validates",
        "displays": "shows", "display": "show", "presents": "shows", "lists": "shows",
        "purchase": "order", "buys": "order", "buy": "order", "checkout": "order",
        "pays": "payment", "pay": "payment", "paid": "payment", "card": "payment",
        "signs": "login", "sign": "login", "logs": "login", "log": "login", "login": "login",
        "emails": "notifies", "email": "notify", "sends": "notifies", "notification": "notify",
        "saves": "records", "save": "record", "stores": "records", "store": "record",
    ]

    /// A light English stemmer, so "pays", "paid" and "payment" meet at "pay".
    static func stem(_ word: String) -> String {
        guard word.count > 4, word.allSatisfy({ $0.isASCII }) else { return word }
        for suffix in ["ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s"] where word.hasSuffix(suffix) {
            let base = String(word.dropLast(suffix.count))
            if base.count >= 3 { return suffix == "ied" || suffix == "ies" ? base + "y" : base }
        }
        return word
    }

    static func isCJK(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0x20000...0x2FFFF: return true
        default: return false
        }
    }

    static let stopWords: Set<String> = ["the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "it", "its", "is", "as", "at", "by", "from", "that", "this"]

    static func normalize(_ v: [Int: Float]) -> [Int: Float] {
        let norm = v.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { return v }
        return v.mapValues { $0 / norm }
    }
}

#if canImport(Glibc)
import Glibc
#endif
