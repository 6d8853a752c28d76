import FlowCore
import Foundation

/// Composes steps instead of only retrieving them. Use-case steps are formulaic: an actor, a
/// verb, an object. From the learned flows it keeps, for each verb, what followed it with the
/// same object carried over ("Customer enters the card number." → "System validates the card
/// number." gives, after *enters*, "System validates the {object}."), and the conditions
/// written about a step's object ("验证码过期" after "系统校验图形验证码" gives, after *校验*,
/// "{object}过期"). Asked after "Customer enters the delivery address.", it offers "System
/// validates the delivery address.": a step in the current use case's own words, learned from
/// other processes.
public struct Composer: Sendable {
    /// A learned pattern: its text with `{object}` where the object goes, and how often it was seen.
    struct Pattern: Sendable {
        var template: String
        var count: Int
    }

    /// Per kind (`next`, `conditions`), per verb: the patterns seen after it.
    private var patterns: [String: [String: [String: Int]]] = [:]
    /// Per kind, per verb: how many examples had the verb at all (with or without a pattern).
    private var seen: [String: [String: Int]] = [:]

    static let slot = "{object}"
    static let headSlot = "{head}"
    static let actorSlot = "{actor}"

    public init(examples: [LocalModel.Example]) {
        for e in examples where e.kind == SuggestionKind.nextStep.rawValue || e.kind == SuggestionKind.conditions.rawValue {
            guard let previous = e.previous.last, let (said, object) = Self.verbAndObject(previous, actor: e.actor ?? "") else { continue }
            let verb = Self.key(said)
            seen[e.kind, default: [:]][verb, default: 0] += 1
            // The asking use case's actor takes the place of the learned one's.
            var target = e.target
            if let a = e.actor, !a.isEmpty, target.hasPrefix(a) { target = Self.actorSlot + target.dropFirst(a.count) }
            // The whole object, or else its head (the last word; the last two characters in
            // Chinese): "the delivery address" … "the address".
            guard let template = Self.template(target, object: object)
                    ?? Self.template(target, object: Self.head(object)).map({ $0.replacingOccurrences(of: Self.slot, with: Self.headSlot) })
            else { continue }
            // Another party's name belongs to its own process ("Finance director approves the
            // {object}."): a next step is learned only when the system or the use case's own actor takes it.
            let byOwnActor = template.hasPrefix(Self.actorSlot) || Self.systemNames.contains(where: { template.hasPrefix($0) })
            guard e.kind != SuggestionKind.nextStep.rawValue || byOwnActor else { continue }
            patterns[e.kind, default: [:]][verb, default: [:]][template, default: 0] += 1
        }
    }

    /// What could follow `step` (or go wrong at it, for `conditions`), composed with its object:
    /// each with the share of the verb's examples its pattern was seen in, best first. A pattern
    /// seen once is no pattern.
    public func compose(after step: String, actor: String, kind: SuggestionKind) -> [(text: String, share: Float)] {
        guard let (said, object) = Self.verbAndObject(step, actor: actor) else { return [] }
        let verb = Self.key(said)
        var out: [String: Float] = [:]
        // After this verb: patterns seen twice or more.
        if let found = patterns[kind.rawValue]?[verb], let total = seen[kind.rawValue]?[verb], total > 0 {
            for (template, n) in found where n >= 2 { out[template] = Float(n) / Float(total) }
        }
        // A pattern speaks one language: Chinese words around a Chinese object, English around an
        // English one, never "员工 enters the …".
        let chinese = Self.isChinese(object)
        var made: [String: Float] = [:]
        for (template, share) in out where (!actor.isEmpty || !template.hasPrefix(Self.actorSlot))
            && Self.isChinese(Self.words(of: template)) == chinese
            && (actor.isEmpty || Self.isChinese(actor) == chinese || !template.hasPrefix(Self.actorSlot)) {
            let text = Self.fill(template, with: object).replacingOccurrences(of: Self.headSlot, with: Self.head(object))
                .replacingOccurrences(of: Self.actorSlot, with: actor)
            made[text] = max(made[text] ?? 0, share)
        }
        return made.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { ($0.key, $0.value) }
    }

    /// The key a verb's patterns are kept under: verbs analysts use for the same action are one
    /// ("checks", "verifies" and "validates").
    static func key(_ verb: String) -> String {
        LocalModel.synonyms[verb] ?? verb
    }

    /// The patterns learned, most frequent first (for `FlowBench` and tests).
    public func learned(_ kind: SuggestionKind) -> [(verb: String, template: String, count: Int)] {
        var out: [(verb: String, template: String, count: Int)] = []
        for (verb, templates) in patterns[kind.rawValue] ?? [:] {
            for (template, count) in templates { out.append((verb, template, count)) }
        }
        return out.sorted { a, b in a.count > b.count || (a.count == b.count && a.template < b.template) }
    }

    /// A template's own words, without its slots.
    static func words(of template: String) -> String {
        template.replacingOccurrences(of: slot, with: "").replacingOccurrences(of: headSlot, with: "")
            .replacingOccurrences(of: actorSlot, with: "")
    }

    /// Whether a text is mostly Chinese (or Japanese, Korean) characters.
    static func isChinese(_ text: String) -> Bool {
        var cjk = 0, latin = 0
        for u in text.unicodeScalars {
            if LocalModel.isCJK(u) { cjk += 1 } else if u.properties.isAlphabetic { latin += 1 }
        }
        return cjk > latin
    }

    static func fill(_ template: String, with object: String) -> String {
        var out = ""
        var rest = Substring(template)
        while let r = rest.range(of: slot) {
            out += rest[..<r.lowerBound] + object
            rest = rest[r.upperBound...]
        }
        return out + rest
    }

    /// The target with the object in its place, when the object is in it (whole words in Latin
    /// scripts); nil when it is not.
    static func template(_ target: String, object: String) -> String? {
        guard let r = target.range(of: object, options: .caseInsensitive) else { return nil }
        let cjk = object.unicodeScalars.first.map(LocalModel.isCJK) ?? false
        if !cjk {
            let before = r.lowerBound == target.startIndex ? " " : target[target.index(before: r.lowerBound)]
            let after = r.upperBound == target.endIndex ? " " : target[r.upperBound]
            guard !before.isLetter && !before.isNumber && !after.isLetter && !after.isNumber else { return nil }
        }
        return target.replacingCharacters(in: r, with: slot)
    }

    /// The head of an object: its last word, or its last two characters in Chinese.
    static func head(_ object: String) -> String {
        if object.unicodeScalars.first.map(LocalModel.isCJK) ?? false { return String(object.suffix(2)) }
        return object.split(separator: " ").last.map(String.init) ?? object
    }

    static let articles: Set<String> = ["the", "a", "an", "its", "their", "his", "her", "this", "that"]
    static let systemNames = ["系统", "System", "The system"]

    /// A step's verb (its key) and its object, as written: in English the word in the present
    /// tense among the first four and the words after it (without an article), up to a comma or
    /// "and"; in Chinese the two characters after the actor and the rest, up to a comma, 并 or
    /// the full stop. Nil when either is missing.
    static func verbAndObject(_ step: String, actor: String) -> (String, String)? {
        var text = step.trimmingSpaces
        while let last = text.last, ".。．!！".contains(last) { text.removeLast() }
        for name in [actor] + systemNames where !name.isEmpty && text.hasPrefix(name) {
            text = String(text.dropFirst(name.count)).trimmingSpaces
            break
        }
        guard let first = text.unicodeScalars.first else { return nil }
        if LocalModel.isCJK(first) {
            // Only a step of a known actor has a known verb: "部门经理审批…" is not "部门" + "经理审批…".
            guard step.trimmingSpaces.hasPrefix("系统") || (!actor.isEmpty && step.trimmingSpaces.hasPrefix(actor)) else { return nil }
            let chars = Array(text)
            guard chars.count >= 4 else { return nil }
            let verb = String(chars[0..<2])
            // "按条件检索记录", "将申请退回", "向客户发送": a preposition, not a verb, comes first.
            guard let head = verb.first, !"按将把向对从在给根通由被让请于以为".contains(head) else { return nil }
            var object = String(chars[2...])
            for stop in ["，", ",", "并", "；", "。", "后", "和", "及", "与", "、"] {
                if let r = object.range(of: stop) { object = String(object[..<r.lowerBound]) }
            }
            if object.hasPrefix("该") || object.hasPrefix("此") { object = String(object.dropFirst()) }
            // A question or a clause ("手机号是否已注册", "是否需要上级审批") is no object.
            guard !["是否", "是不是", "能否", "有无", "为", "已", "未", "的"].contains(where: { object.contains($0) }),
                  let start = object.first, !"按将把向对从在给至到".contains(start) else { return nil }
            return object.count >= 2 && object.count <= 8 ? (verb, object) : nil
        }
        let words = text.split(separator: " ").map(String.init)
        // Not a capitalised word: that is another actor's name ("Customs officer takes samples"), not a verb.
        guard let v = words.prefix(4).firstIndex(where: { $0.first?.isLowercase == true && Novelty.isPresentTense($0) }) else { return nil }
        var verb = words[v].lowercased()
        var rest = words[(v + 1)...]
        // "asks for the passport details", "asks the customer for a photo", "prompts for the PIN":
        // what is asked for is the object, and what follows is its answer ("Passenger enters the
        // passport details."), so such a step has a key of its own.
        if Self.askingVerbs.contains(verb), let f = rest.prefix(4).firstIndex(where: { $0.lowercased() == "for" }),
           !rest[rest.startIndex..<f].contains(where: { Self.notAParty.contains($0.lowercased()) }) {
            verb += " for"
            rest = rest[(f + 1)...]
        }
        var object: [String] = []
        for w in rest {
            var bare = w
            while let last = bare.last, ",;:，".contains(last) { bare.removeLast() }
            let lower = bare.lowercased()
            if ["and", "or", "then", "to", "with", "for", "from", "in", "on", "by", "if", "when", "at", "of", "as", "into",
                "against", "before", "after", "until", "about", "via", "per", "within", "without"].contains(lower) { break }
            // "asks whether the problem is urgent", "checks that the fees are paid": a clause, no object.
            if ["whether", "that", "which", "who", "what", "how", "why", "where", "is", "are", "was", "were", "be",
                "has", "have", "can", "will", "does", "do", "not", "every", "each", "both", "all", "any", "some", "no",
                "it", "them", "him", "her", "they", "one"].contains(lower) { return nil }
            if object.isEmpty && articles.contains(lower) { continue }
            // "the countersignatory a link": two objects; "the pallets planned": a clause follows.
            if !object.isEmpty && (articles.contains(lower) || (lower.hasSuffix("ed") && lower.count > 4)) { break }
            guard bare.allSatisfy({ $0.isLetter || $0 == "-" || $0 == "'" || $0 == "’" }) else { return nil }
            object.append(bare)
            if bare != w { break }
        }
        guard !object.isEmpty, object.count <= 4 else { return nil }
        return (verb, object.joined(separator: " "))
    }

    /// Verbs that ask someone for something: "asks for …", "asks the customer for …".
    static let askingVerbs: Set<String> = ["asks", "prompts", "requests", "calls", "waits", "looks", "applies"]

    /// Words that say what is between an asking verb and its "for" is not the party asked
    /// ("asks whether a rule applies for …").
    static let notAParty: Set<String> = ["whether", "if", "that", "to", "and", "or", "is", "are", "not", "what", "how"]
}

extension Composer {
    /// The step said with less: cut at its first joint (", ", " and ", a preposition; "并", "，",
    /// "；") when what comes before still names an actor, an action and its object:
    /// "System sends the confirmation to the customer and closes the ticket." → "System sends
    /// the confirmation to the customer."; "系统保存客户档案并分配客户ID。" → "系统保存客户档案。".
    /// A step usually does one thing, so what an author writes next is often the first half of
    /// what another wrote. Nil when there is no such cut.
    public static func shortened(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.contains("\n") else { return nil }
        if trimmed.unicodeScalars.contains(where: LocalModel.isCJK) {
            let end = trimmed.hasSuffix("。") ? "。" : ""
            let chars = Array(trimmed.dropLast(end.count))
            // Not after a number, a measure word or a particle that wants what follows ("选择一，…", "对…并…").
            guard let i = chars.indices.first(where: { i in
                i >= 5 && i < chars.count - 1 && "并，；".contains(chars[i]) && chars[i - 1].unicodeScalars.allSatisfy(LocalModel.isCJK)
                    && !"一二三四五六七八九十两几个的了对向在从把将为按给与和及或等".contains(chars[i - 1])
            }) else { return nil }
            return String(chars[..<i]) + end
        }
        let end = trimmed.hasSuffix(".") ? "." : ""
        let words = trimmed.dropLast(end.count).split(separator: " ").map(String.init)
        guard words.count > 4 else { return nil }
        for i in 3..<(words.count - 1) {
            // "The address is not in the lookup": what is left must not end in a word that wants more.
            if openEnded.contains(words[i - 1].lowercased().trimmingCharacters(in: .punctuationCharacters)) { continue }
            if words[i - 1].hasSuffix(",") { return words[..<i].joined(separator: " ").dropLast() + end }
            let w = words[i].lowercased()
            // "asks the customer for …": without the rest, the verb says too little.
            if joints.contains(w), w == "and" || !words[..<i].contains(where: { needsComplement.contains($0.lowercased()) }) {
                return words[..<i].joined(separator: " ") + end
            }
        }
        return nil
    }

    /// Where an English step can be cut: "and", "or" and prepositions that start a qualifier
    /// (not "to", which mostly completes the verb: "moves the ticket to …").
    static let joints: Set<String> = ["and", "or", "with", "by", "for", "from", "in", "on", "at", "within", "before", "after",
                                      "if", "when", "against", "under", "until", "via"]

    /// Words a step cannot end on: auxiliaries, negations, articles and other words that want
    /// what follows them.
    static let openEnded: Set<String> = [
        "is", "are", "was", "were", "be", "been", "being", "not", "no", "never", "the", "a", "an", "of", "to", "its", "their",
        "his", "her", "this", "that", "these", "those", "has", "have", "had", "can", "cannot", "does", "do", "did", "will",
        "would", "must", "should", "may", "might", "could", "still", "already", "only", "than", "more", "less", "each", "every",
    ]

    /// Verbs whose object is not the whole of what they say ("asks the customer for …").
    static let needsComplement: Set<String> = [
        "asks", "places", "puts", "waits", "moves", "sets", "holds", "looks", "applies", "logs", "signs", "turns", "switches",
        "keeps", "leaves", "hands", "passes", "compares", "links", "attaches", "divides", "splits", "converts", "matches",
        "reconciles", "replaces", "swaps", "exchanges", "provides", "fills", "registers", "charges",
    ]
}
