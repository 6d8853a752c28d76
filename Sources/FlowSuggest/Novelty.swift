import FlowCore

/// Telling a suggestion that says something new from one that repeats what is already there:
/// a step the scenario already does (as a whole, or as one of the actions a step strings
/// together: "…, and logs the change"), a condition the step already has, a draft that retells a
/// use case of the document, or another suggestion shown beside it.
///
/// Texts are compared by their content: the tokens of `Evaluation.tokens` less the actor's and
/// the most common words ("the", "system", 的, 并 …); see `same` for when two are the same action.
public enum Novelty {
    static let common: Set<String> = [
        "the", "a", "an", "of", "to", "and", "then", "with", "for", "in", "on", "at", "by", "from", "it", "its",
        "their", "his", "her", "is", "are", "be", "as", "that", "this", "system",
        "系", "统", "的", "并", "和", "及", "与", "了", "在", "将", "把", "对", "给", "为", "后", "已",
    ]

    /// The content tokens of a text, without the actor's name at its start.
    public static func content(_ text: String, actor: String = "") -> [String] {
        let t = !actor.isEmpty && text.hasPrefix(actor) ? String(text.dropFirst(actor.count)) : text
        let actorTokens = Set(Evaluation.tokens(actor))
        // Words analysts use for the same action count as one ("checks" is "validates").
        return Evaluation.tokens(LocalModel.foldedChinese(t)).filter { !common.contains($0) && !actorTokens.contains($0) }
            .map { LocalModel.synonyms[$0] ?? $0 }
    }

    /// The actions a step strings together: split at commas, semicolons and "and"/"then"/并/然后.
    public static func actions(_ text: String) -> [String] {
        let separators: [[Character]] = ["，", ",", "；", ";", "。", " and then ", " and ", " then ", "并且", "并", "然后", "同时"].map(Array.init)
        let chars = Array(text)
        var parts: [String] = []
        var current: [Character] = []
        var i = 0
        outer: while i < chars.count {
            for sep in separators where i + sep.count <= chars.count && chars[i..<(i + sep.count)].elementsEqual(sep) {
                parts.append(String(current))
                current = []
                i += sep.count
                continue outer
            }
            current.append(chars[i])
            i += 1
        }
        parts.append(String(current))
        return parts.map { $0.trimmingSpaces }.filter { !$0.isEmpty }
    }

    /// Whether two contents are the same action: nearly the same words (F1 ≥ 0.8), or the same
    /// verb (the first word; the first two characters in Chinese) with half the words in common
    /// or one holding 80% of the other. "Enters the card number" and "confirms the card number"
    /// are different actions; "记录操作日志" and "记录本次查询日志" are the same.
    /// `parts`: the two are actions cut from two steps that each string several together
    /// ("chooses seats" of "…chooses seats and extra baggage", "selects the outbound" of "…selects
    /// the outbound and return flights and a fare class"), short enough that the verb alone would
    /// make them alike. An action is compared so with every action of another step, a step of
    /// one action too: "saves the address" is not "…and stores the order".
    public static func same(_ a: [String], _ b: [String], parts: Bool = false) -> Bool {
        guard !a.isEmpty, !b.isEmpty else { return false }
        let (p, r) = Evaluation.precisionRecall(a, b)
        let f1 = p + r == 0 ? 0 : 2 * p * r / (p + r)
        if f1 >= 0.8 { return true }
        // One says all the other does, and more: "到税务平台查验发票真伪" after "查验发票真伪".
        if min(a.count, b.count) >= 5 && max(p, r) >= 1 { return true }
        // From the verb on: who acts (words before it) is not what is done.
        let (x, y) = (Array(a[verbIndex(a)...]), Array(b[verbIndex(b)...]))
        // "向绑定手机号发送验证码" and "向会员绑定的手机号发送身份验证短信": a Chinese step that
        // starts with whom or what it acts on (向, 从 …) puts its verb later, where it cannot be
        // told from the words; the same start and two thirds of the words in common are the same action.
        let coverb = x.first.map { $0 == y.first && Self.coverbs.contains($0) } ?? false
        guard coverb || verb(x) == verb(y) else { return false }
        let (q, t) = Evaluation.precisionRecall(x, y)
        let g = q + t == 0 ? 0 : 2 * q * t / (q + t)
        if coverb { return g >= 0.65 }
        // Between parts of steps, the same verb on another object is another action ("chooses
        // seats" of one step, "selects the outbound flights" of another): what follows the verb
        // must have something in common too. In Chinese, where one character says little, two,
        // or half of the shorter ("订单", "单据").
        if parts {
            let v = verb(x).count
            let (restX, restY) = (Array(x.dropFirst(v)), Array(y.dropFirst(v)))
            let shared = Evaluation.common(restX, restY)
            let cjk = x.first?.unicodeScalars.first.map(LocalModel.isCJK) ?? false
            let enough = cjk ? shared >= 2 || shared * 2 >= min(restX.count, restY.count) : shared >= 1
            // (An object said as "it", or not at all, may be either.)
            guard enough || restX.isEmpty || restY.isEmpty else { return false }
        }
        // "通知客房部清扫" and "通知客房服务员查房": a verb that has someone do something says
        // what is done at the end; its characters alone (通知, 客房) make two requests alike.
        // Such two are the same only when they end alike, or share half their character pairs.
        if let first = x.first, first.unicodeScalars.first.map(LocalModel.isCJK) ?? false,
           Self.pivots.contains(verb(x).joined()), !x.suffix(2).elementsEqual(y.suffix(2)),
           Evaluation.f1(Self.pairs(x), Self.pairs(y)) < 0.5 {
            return false
        }
        return g >= 0.5 || (min(x.count, y.count) >= 2 && max(q, t) >= 0.8)
    }

    /// Chinese verbs that have someone else act (通知 A 做 B): what they ask for comes at the end.
    static let pivots: Set<String> = ["通知", "要求", "安排", "委托", "指派", "派遣", "请求"]

    /// Neighbouring tokens joined, for Chinese: character pairs.
    static func pairs(_ tokens: [String]) -> [String] {
        tokens.count < 2 ? tokens : (0..<(tokens.count - 1)).map { tokens[$0] + tokens[$0 + 1] }
    }

    /// Chinese words that put what a step acts on, or for whom, before its verb (对, 给, 将 and
    /// 把 do too, but `common` leaves them out of a step's content).
    static let coverbs: Set<String> = ["向", "从", "按", "由", "替", "跟", "同", "往", "用"]

    /// Where the verb of a step is: in English the first of its first four words in the present
    /// tense ("enters", "checks"; an actor's name such as "Fine-tuned model" comes before it),
    /// else the first word; in Chinese the start (the actor is left out before).
    static func verbIndex(_ tokens: [String]) -> Int {
        let cjk = tokens.first?.unicodeScalars.first.map(LocalModel.isCJK) ?? false
        if cjk { return 0 }
        return tokens.prefix(4).firstIndex(where: isPresentTense) ?? 0
    }

    /// An English word in the present tense of a step ("enters", "checks"; not "process").
    static func isPresentTense(_ word: String) -> Bool {
        let w = word.lowercased()
        return w.count >= 3 && w.hasSuffix("s") && !w.hasSuffix("ss") && w.allSatisfy(\.isLetter)
    }

    /// The verb itself: its word, or the first two characters in Chinese.
    static func verb(_ tokens: [String]) -> [String] {
        let cjk = tokens.first?.unicodeScalars.first.map(LocalModel.isCJK) ?? false
        return Array(tokens.prefix(cjk ? 2 : 1))
    }

    /// Words as they are, with Chinese, Japanese and Korean as character pairs (single
    /// characters say too little: two steps of one actor on one object share most of them).
    public static func plainTerms(_ text: String) -> [String] {
        var out: [String] = []
        var previous: String?
        for t in Evaluation.tokens(text) {
            if t.unicodeScalars.first.map(LocalModel.isCJK) ?? false {
                if let p = previous { out.append(p + t) }
                previous = t
            } else {
                if let p = previous, out.last.map({ !$0.hasSuffix(p) }) ?? true { out.append(p) }
                previous = nil
                out.append(t)
            }
        }
        if let p = previous, out.isEmpty || !(out.last?.hasSuffix(p) ?? false) { out.append(p) }
        return out
    }

    /// Nearly the same text: plain-term F1 of at least 0.85 ("sends the instruction to the
    /// carrier" and "passes the instruction to the carrier").
    public static func nearCopy(_ a: String, _ b: String) -> Bool {
        Evaluation.f1(plainTerms(a), plainTerms(b)) >= 0.85
    }

    /// Whether `candidate` repeats `step`: the same action as the whole step, or one of its
    /// actions the same as one of the step's.
    public static func repeats(_ candidate: String, _ step: String, actor: String = "") -> Bool {
        if nearCopy(candidate, step) { return true }
        let whole = content(candidate, actor: actor)
        if same(whole, content(step, actor: actor)) { return true }
        let mine = actions(candidate).map { content($0, actor: actor) }
        let theirs = actions(step).map { content($0, actor: actor) }
        guard mine.count > 1 || theirs.count > 1 else { return false }
        return mine.contains { m in theirs.contains { same(m, $0, parts: true) } }
    }

    /// Whether a drafted scenario retells `steps`: half or more of its lines repeat one of them.
    public static func retells(_ draft: [String], _ steps: [String], actor: String = "") -> Bool {
        guard !draft.isEmpty, !steps.isEmpty else { return false }
        let repeated = draft.filter { line in steps.contains { repeats(line, $0, actor: actor) } }.count
        return repeated * 2 >= draft.count
    }

    /// Admits candidates one by one, best first, keeping those that say something new: none
    /// repeats a text of `context.existing` or the steps so far, none repeats one admitted before
    /// it, and no draft retells a use case of the document. What is there is read once.
    public struct Checker {
        struct Text {
            var plain: [String]
            var whole: [String]
            var actions: [[String]]
        }
        let kind: SuggestionKind
        let actor: String
        var there: [Text] = []
        var kept: [Text] = []
        var related: [[String]] = []
        var keptDrafts: [[String]] = []

        public init(_ context: SuggestionContext) {
            kind = context.kind
            actor = context.actor
            switch kind {
            case .draft: related = context.related.map(\.steps)
            // What can go wrong at a step names the step's things: a condition repeats only a
            // condition ("客人对账单有异议" at "客人核对账单并确认。" is new).
            case .conditions: there = context.existing.map(read)
            case .nextStep: there = (context.existing + context.stepsSoFar + context.around).map(read)
            }
        }

        func read(_ text: String) -> Text {
            let parts = Novelty.actions(text)
            return Text(plain: Novelty.plainTerms(text), whole: Novelty.content(text, actor: actor),
                        actions: parts.count > 1 ? parts.map { Novelty.content($0, actor: actor) } : [])
        }

        /// Whether `a` repeats `b` (see `Novelty.repeats`).
        func repeats(_ a: Text, _ b: Text) -> Bool {
            if Evaluation.f1(a.plain, b.plain) >= 0.85 { return true }
            if Novelty.same(a.whole, b.whole) { return true }
            guard !a.actions.isEmpty || !b.actions.isEmpty else { return false }
            // Any action of one done again by the other ("…并上传发票" after "…，并上传发票照片").
            let theirs = b.actions.isEmpty ? [b.whole] : b.actions
            // (An action cut from a step is short: its verb alone would make it alike to any
            // other with that verb, "stores the address" to "stores the order".)
            return (a.actions.isEmpty ? [a.whole] : a.actions).contains { mine in theirs.contains { Novelty.same(mine, $0, parts: true) } }
        }

        /// Whether `candidate` repeats what is there (not what was admitted).
        public func repeatsWhatIsThere(_ candidate: String) -> Bool {
            guard kind != .draft else { return false }
            return repeatsThere(read(candidate))
        }

        private func repeatsThere(_ text: Text) -> Bool { there.contains { repeats(text, $0) } }

        /// Takes `candidate` when it says something new (and remembers it), or refuses it.
        public mutating func admit(_ candidate: String) -> Bool {
            if kind == .draft {
                let lines = candidate.split(separator: "\n").map(String.init)
                if related.contains(where: { Novelty.retells(lines, $0, actor: actor) }) { return false }
                if keptDrafts.contains(where: { Novelty.retells(lines, $0, actor: actor) }) { return false }
                keptDrafts.append(lines)
                return true
            }
            let mine = read(candidate)
            if repeatsThere(mine) { return false }
            if kept.contains(where: { repeats(mine, $0) || repeats($0, mine) }) { return false }
            kept.append(mine)
            return true
        }
    }

    /// The candidates that say something new (`Checker`), best first, at most `count`.
    public static func filter(_ candidates: [String], context: SuggestionContext, count: Int) -> [String] {
        var checker = Checker(context)
        var out: [String] = []
        for c in candidates where out.count < count && checker.admit(c) { out.append(c) }
        return out
    }
}
