import FlowCore
import Foundation
import Synchronization

/// The suggester that needs no key and no network: retrieval over the user's own flows and a
/// bundled corpus, by character n-grams, so Chinese (no spaces between words) works as well as English.
///
/// Training turns every scenario into examples "after these steps, in a use case like this, the
/// next step was …" (and "at a step like this, what went wrong was …"). A question is matched in
/// two ways, by TF-IDF cosine over words (and single characters and pairs for Chinese): its last
/// steps against each example's, and the whole use case so far (title, goal, steps) against each
/// learned use case, so a step from a similar process outranks a similar sentence from an
/// unrelated one. Targets are ranked by summed step similarity × (0.25 + process similarity),
/// with the candidate's topic, who acts next and where it stood; the three shown are then chosen
/// from the best-ranked by consensus (`consensus`).
public struct LocalModel: Sendable {
    public struct Example: Hashable, Sendable, Codable {
        public var kind: String
        public var useCase: String
        public var previous: [String]
        public var target: String
        /// The primary actor of the use case it came from, so a step can be told in the asking
        /// use case's own actor ("员工提交…" becomes "客服人员提交…").
        public var actor: String?
        /// A step of an extension (what happens when something differs), not of the main scenario.
        public var inExtension: Bool?
    }

    public private(set) var examples: [Example]
    private var vectors: [[Int: Float]] = []
    private var index: [Int: [(example: Int, weight: Float)]] = [:]
    private var idf: [Int: Float] = [:]
    /// Each learned use case as one document (title and every step), by title.
    private var processIndex: [Int: [(process: Int, weight: Float)]] = [:]
    private var processOf: [String: Int] = [:]
    private var examplesOfProcess: [Int: [Int]] = [:]
    /// Each example's target as TF-IDF weighted grams (shared by examples with the same target).
    private var targetVectors: [[Int: Float]] = []
    /// Each example's target as a candidate's key (`OutputSanitizer.normalized`).
    private var targetKeys: [String] = []

    /// Counts of who acted next, by who acted last (`Role` order, both ways).
    private var turns: [[Float]] = Array(repeating: Array(repeating: 1, count: Role.allCases.count), count: Role.allCases.count)

    /// Steps composed from patterns (`Composer`), learned from the same examples.
    private var composer: Composer

    /// The vectors of the open document's use cases, kept from one ask to the next: the editor
    /// asks again and again in the same document, whose use cases seldom change between asks.
    /// They depend on this model's weights of terms, so a model built anew starts a new store.
    private let documentVectors = BoundedStore<[Int: Float]>(bound: 50_000)
    /// The content of steps (`Novelty.content`) of the open document and of the similar
    /// processes, kept the same way.
    private let contents = BoundedStore<[String]>(bound: 50_000)

    /// A step's content (`Novelty.content`, without `actor`), made once and then kept.
    private func content(_ step: String, actor: String?) -> [String] {
        contents.value("\(actor ?? "")\u{1}\(step)") { Novelty.content(step, actor: actor ?? "") }
    }

    public init(examples: [Example]) {
        self.examples = examples
        composer = Composer(examples: examples)
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

    /// Examples from the asking document's other use cases (next steps and conditions).
    public static func examples(from related: [RelatedUseCase]) -> [Example] {
        var out: [Example] = []
        for uc in related {
            let actor = uc.actor.isEmpty ? nil : uc.actor
            func scenario(_ steps: [String], after condition: String?) {
                var previous: [String] = condition.map { [$0] } ?? []
                for step in steps where !step.trimmingSpaces.isEmpty {
                    out.append(Example(kind: SuggestionKind.nextStep.rawValue, useCase: uc.title, previous: previous, target: step,
                                       actor: actor, inExtension: condition != nil))
                    previous.append(step)
                }
            }
            scenario(uc.steps, after: nil)
            for e in uc.extensions where !e.condition.trimmingSpaces.isEmpty {
                out.append(Example(kind: SuggestionKind.conditions.rawValue, useCase: uc.title, previous: [e.at], target: e.condition, actor: actor))
                scenario(e.steps, after: e.condition)
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
                out.append(Example(kind: SuggestionKind.nextStep.rawValue, useCase: useCase, previous: previous, target: node.text,
                                   inExtension: condition != nil))
            }
            for ext in node.children {
                guard let e = flow[ext] else { continue }
                if !e.text.trimmingSpaces.isEmpty {
                    out.append(Example(kind: SuggestionKind.conditions.rawValue, useCase: useCase,
                                       previous: previous + [node.text], target: e.text))
                }
                collect(flow, scenario: ext, useCase: useCase, condition: e.text, into: &out)
                // How the extension ends, after its steps (what `A` offers at its end).
                let steps = flow.children(of: ext).compactMap { flow[$0]?.text }
                if !steps.isEmpty {
                    let choice: EndingChoice
                    switch e.ending {
                    case .failure: choice = .failure
                    case .success: choice = .success
                    case .resumeNext: choice = .next
                    case .resume:
                        if case .step(let to) = flow.exit(of: ext), let i = flow.index(of: to), let j = flow.index(of: step),
                           flow[to]?.parent == node.parent, i <= j {
                            choice = .retry
                        } else {
                            choice = .next
                        }
                    }
                    out.append(Example(kind: Self.endingKind, useCase: useCase, previous: [e.text] + steps, target: choice.rawValue,
                                       inExtension: true))
                }
            }
            previous.append(node.text)
        }
    }

    /// The use cases of the library most like the asking one (its title, goal and steps so far),
    /// as text, at most `limit`: for a remote model's prompt, so that it writes in the team's
    /// wording. Never the asking use case itself (by title) nor one of its document's.
    public func similarUseCases(_ context: SuggestionContext, limit: Int = 3) -> [RelatedUseCase] {
        let skip = Set([context.useCase] + context.related.map(\.title))
        var drafts: [String: Example] = [:]
        for e in examples where e.kind == SuggestionKind.draft.rawValue && drafts[e.useCase] == nil { drafts[e.useCase] = e }
        var titleOf: [Int: String] = [:]
        for (title, p) in processOf where drafts[title] != nil && !skip.contains(title) { titleOf[p] = title }
        let ranked = processSimilarity(context).filter { titleOf[$0.key] != nil && $0.value > 0 }
            .sorted { $0.value > $1.value || ($0.value == $1.value && titleOf[$0.key]! < titleOf[$1.key]!) }
        return ranked.prefix(limit).compactMap { p, _ in
            guard let title = titleOf[p], let draft = drafts[title] else { return nil }
            return RelatedUseCase(title: title, actor: draft.actor ?? "", steps: draft.target.split(separator: "\n").map(String.init))
        }
    }

    /// The kind of the examples that teach how extensions end.
    static let endingKind = "ending"

    /// How likely each ending is at the end of the asking extension (shares summing to 1), from
    /// the extensions whose condition and steps are most like it; empty when nothing is alike.
    public func endingLikelihood(_ context: SuggestionContext) -> [EndingChoice: Float] {
        let previous = (context.condition.map { [$0] } ?? []) + context.stepsSoFar
        let query = Self.contextVector(useCase: context.useCase + " " + context.goal, previous: previous, idf: idf)
        var scores: [Int: Float] = [:]
        for (gram, q) in query {
            for (example, weight) in index[gram] ?? [] where examples[example].kind == Self.endingKind {
                scores[example, default: 0] += q * weight
            }
        }
        var out: [EndingChoice: Float] = [:]
        for (example, score) in scores.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }).prefix(25) {
            if let choice = EndingChoice(rawValue: examples[example].target) { out[choice, default: 0] += score }
        }
        let total = out.values.reduce(0, +)
        return total > 0 ? out.mapValues { $0 / total } : [:]
    }

    /// The offered endings, most likely first, and whether the first is likely enough to come
    /// before any step.
    public func rankEndings(_ context: SuggestionContext) -> (offers: [EndingOffer], first: Bool) {
        let likelihood = endingLikelihood(context)
        guard !likelihood.isEmpty else { return (context.endings, false) }
        let ranked = context.endings.enumerated().sorted {
            let (a, b) = (likelihood[$0.element.choice] ?? 0, likelihood[$1.element.choice] ?? 0)
            return a > b || (a == b && $0.offset < $1.offset)
        }.map(\.element)
        return (ranked, (ranked.first.flatMap { likelihood[$0.choice] } ?? 0) >= 0.5)
    }

    // MARK: Asking

    /// How the signals are weighed against each other. The defaults are the weights for next
    /// steps, tuned by `FlowBench tune` on the bundled corpus, cross-validated by file (the
    /// figures `flowsmith eval` and `make bench` print).
    public struct Weights: Sendable, Equatable {
        /// Learned steps that followed steps like the asking one, in processes like the asking one.
        public var retrieval: Float = 3.78
        /// The candidate itself talks about what the use case so far talks about.
        public var topic: Float = 3.43
        /// Who acts next: how often, after a step by the system (or the primary actor, or someone
        /// else), the next step was by each of them.
        public var turn: Float = 0.7
        /// The candidate stood about as far into its scenario as the asked place.
        public var position: Float = 1.4
        /// The candidate comes from the same kind of scenario: the main one, or an extension.
        public var scenario: Float = 1
        /// The candidate comes from a process like the asking one.
        public var process: Float = 0
        /// A context the model learned nearly word for word (your own flows, once trained on
        /// them): the step that followed it there. Grows with the fourth power of the match.
        public var memory: Float = 2
        /// Extra weight of the document's own use cases over the learned library.
        public var document: Float = 0
        /// How many of the most similar processes give all their steps as candidates.
        public var similarProcesses = 5
        /// Composed steps (`Composer`): how much a pattern's share counts against retrieval.
        public var compose: Float = 1
        /// How much the document's other use case titles count in telling which learned
        /// processes are like the asking one.
        public var documentTitles: Float = 0.5
        /// How much less a step of a similar process counts when it comes before the last step
        /// of that process the asking scenario has already done (it is then offered only when
        /// nothing else is left; 0 turns both off).
        public var behind: Float = 1
        /// How many of the best-ranked candidates the suggestions are chosen from (`consensus`).
        public var consensusPool = 100
        /// How far down the ranking a candidate still speaks for what the author will write:
        /// each counts exp((its score − the best score) / this). Small: the ranking's order
        /// alone; large: every candidate of the pool alike.
        public var consensusTemperature: Float = 1.5
        /// How much less a step said with less (`Composer.shortened`: "System checks the
        /// stock." for "System checks the stock and reserves the items.") counts than the
        /// whole; infinity offers none.
        public var shortening: Float = 1.75
        public init() {}

        public static let next = Weights()
        /// Tuned the same way on conditions: who acts and where do not matter there.
        public static let conditions: Weights = {
            var w = Weights()
            (w.retrieval, w.topic, w.turn, w.position) = (1, 4.8, 0, 0)
            (w.consensusTemperature, w.shortening) = (0.5, 1.25)
            return w
        }()
    }

    /// The weights for next steps and for conditions (what goes wrong depends more on the step's
    /// own words, so topic counts more there).
    public var weights = Weights.next
    public var conditionWeights = Weights.conditions

    /// Up to `count` suggestions, best first, never one of `context.existing`.
    public func suggest(_ asked: SuggestionContext, count: Int) -> [String] {
        var context = asked
        // A draft is of what the title does: its verb counts twice ("登录报销系统" is a sign-in,
        // in an expense system).
        if context.kind == .draft, let head = Self.titleHead(context.useCase) { context.useCase += " " + head }
        var previous = context.condition.map { [$0] + context.stepsSoFar } ?? context.stepsSoFar
        // What can go wrong depends on the step itself, not on the one before it.
        if context.kind == .conditions { previous = Array(previous.suffix(1)) }
        let kind = context.kind.rawValue
        let weights = context.kind == .conditions ? conditionWeights : weights
        let query = Self.contextVector(useCase: context.useCase + " " + context.goal, previous: previous, idf: idf)
        var scores: [Int: Float] = [:]
        for (gram, q) in query {
            for (example, weight) in index[gram] ?? [] where examples[example].kind == kind {
                scores[example, default: 0] += q * weight
            }
        }
        let process = processSimilarity(context)
        for (example, score) in scores {
            scores[example] = score * (0.25 + (processOf[examples[example].useCase].flatMap { process[$0] } ?? 0))
        }
        var avoid = Set(context.existing.map(OutputSanitizer.normalized))
        if context.kind == .nextStep, let last = context.stepsSoFar.last { avoid.insert(OutputSanitizer.normalized(last)) }

        // Candidates: the targets of the best-matching examples, and every target of the most
        // similar processes (a step of the same kind of process can follow differently worded
        // steps), and the document's own steps after steps like the asking one.
        struct Candidate {
            var text: String
            var actor: String?
            var vector: [Int: Float]
            /// The title of the use case it was learned from.
            var title = ""
            var retrieval: Float = 0
            var closest: Float = 0
            var process: Float = 0
            var position: Float = 0
            var scenario: Float = 0
            var own = false
            /// Said for a context nearly the same as the asking one (`sureLikeness`), or by a
            /// composing pattern that followed the verb more often than not.
            var sure = false
        }
        var pool: [String: Candidate] = [:]
        // A step that opened its process does not follow steps of another: it is offered only
        // where a scenario starts.
        let opening = context.kind == .nextStep && previous.isEmpty
        func consider(_ e: Example, key: String? = nil, vector: @autoclosure () -> [Int: Float], retrieval: Float, process: Float,
                      own: Bool = false, likeness: Float = 0) {
            if context.kind == .nextStep, e.previous.isEmpty, !opening { return }
            let key = key ?? OutputSanitizer.normalized(e.target)
            guard !avoid.contains(key) else { return }
            var c = pool[key] ?? Candidate(text: e.target, actor: e.actor, vector: vector(), title: e.useCase)
            c.retrieval += retrieval
            c.closest = max(c.closest, retrieval)
            c.process = max(c.process, process)
            let distance = Float(abs(e.previous.count - previous.count))
            c.position = max(c.position, 1 / (1 + distance / 2))
            c.own = c.own || own
            c.sure = c.sure || likeness >= Self.sureLikeness
            c.scenario = max(c.scenario, (e.inExtension ?? false) == (context.condition != nil) ? 1 : 0)
            pool[key] = c
        }
        for (example, score) in scores.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }).prefix(150) {
            let e = examples[example]
            let p = processOf[e.useCase].flatMap { process[$0] } ?? 0
            // The score was scaled by the process above; how alike the contexts are is what it was.
            consider(e, key: targetKeys[example], vector: targetVectors[example], retrieval: score, process: p, likeness: score / (0.25 + p))
        }
        let similar = process.sorted(by: { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }).prefix(weights.similarProcesses)
        // How far the asking scenario has come in each similar process: the steps of its main
        // scenario up to the last one the author has already done (by content, `alignedLikeness`)
        // are behind. A step behind was done already, or passed over; it is not what comes next
        // ("患者选择专家和就诊日期" offered after the patient chose the doctor and paid).
        var behind = Set<String>()
        if weights.behind > 0, context.kind == .nextStep, !context.stepsSoFar.isEmpty {
            let done = context.stepsSoFar.map { Novelty.content($0, actor: context.actor) }
            for (p, _) in similar {
                let steps = (examplesOfProcess[p] ?? []).filter { examples[$0].kind == kind && examples[$0].inExtension != true }
                    .sorted { examples[$0].previous.count < examples[$1].previous.count }
                guard let reached = steps.lastIndex(where: { example in
                    let theirs = content(examples[example].target, actor: examples[example].actor)
                    return done.contains { Evaluation.f1($0, theirs) >= Self.alignedLikeness }
                }) else { continue }
                for example in steps[...reached] { behind.insert(targetKeys[example]) }
            }
        }
        if weights.similarProcesses > 0 {
            for (p, _) in similar {
                for example in examplesOfProcess[p] ?? [] where examples[example].kind == kind && scores[example] == nil {
                    consider(examples[example], key: targetKeys[example], vector: targetVectors[example], retrieval: 0, process: process[p] ?? 0)
                }
            }
        }
        // The document's own use cases: retrieval as above, and they count as the most similar process.
        // Where one of them does what the asking step does (told by its own actor), what followed
        // there is sure.
        let asking = previous.last.map { Novelty.content($0, actor: context.actor) }
        for e in Self.examples(from: context.related) where e.kind == kind {
            let v = documentVectors.value("c\u{1}\(e.useCase)\u{1}\(e.previous.suffix(2).joined(separator: "\u{1}"))\u{1}\(e.previous.count)") {
                Self.contextVector(useCase: e.useCase, previous: e.previous, idf: idf)
            }
            let score = v.reduce(Float(0)) { $0 + $1.value * (query[$1.key] ?? 0) }
            guard score > 0 else { continue }
            let same = zip(asking.map { [$0] } ?? [], e.previous.suffix(1)).map { mine, theirs in
                Float(Evaluation.f1(mine, content(theirs, actor: e.actor)))
            }.first ?? 0
            consider(e, vector: documentVectors.value("t\u{1}" + e.target) { targetVector(e.target) },
                     retrieval: score * (0.25 + weights.document), process: 1, own: true,
                     likeness: same)
        }
        // Steps composed with the last step's object, as candidates whose retrieval stands for
        // how often their pattern followed that verb.
        if context.kind != .draft, weights.compose > 0, let last = previous.last {
            let top = max(pool.values.map(\.retrieval).max() ?? 0, 0.1)
            for (text, share) in composer.compose(after: last, actor: context.actor, kind: context.kind).prefix(4) {
                let key = OutputSanitizer.normalized(text)
                guard !avoid.contains(key) else { continue }
                var c = pool[key] ?? Candidate(text: text, actor: nil, vector: targetVector(text))
                c.retrieval += top * share * weights.compose
                c.closest = max(c.closest, 0)
                c.scenario = max(c.scenario, 1)
                c.own = true
                c.sure = c.sure || share > 0.5
                pool[key] = c
            }
        }
        guard !pool.isEmpty else { return [] }

        // What the use case so far talks about, the last step most.
        var topic: [Int: Float] = [:]
        for g in Self.grams(previous.last ?? "") { topic[g, default: 0] += 1 }
        for g in Self.grams(previous.dropLast().last ?? "") { topic[g, default: 0] += 0.5 }
        for g in Self.grams(context.useCase + " " + context.goal) { topic[g, default: 0] += 0.5 }
        topic = Self.normalize(topic.reduce(into: [:]) { $0[$1.key] = $1.value * (idf[$1.key] ?? 1) })
        let lastRole = previous.isEmpty ? Role.start : Self.role(of: previous.last ?? "", actor: context.actor)
        let best = max(pool.values.map(\.retrieval).max() ?? 0, .leastNonzeroMagnitude)
        var ranked: [(score: Float, text: String, actor: String?, own: Bool, sure: Bool, behind: Bool, title: String)] = []
        for (key, c) in pool {
            let back = behind.contains(key) ? weights.behind : 0
            let onTopic = c.vector.reduce(Float(0)) { $0 + $1.value * (topic[$1.key] ?? 0) }
            let turn = context.kind == .nextStep ? turnProbability(from: lastRole, to: Self.role(of: c.text, actor: c.actor ?? "")) : 0
            let score = weights.retrieval * c.retrieval / best + weights.topic * onTopic + weights.turn * turn
                + weights.position * c.position + weights.process * c.process + weights.scenario * c.scenario
                + weights.memory * c.closest * c.closest * c.closest * c.closest - back
            ranked.append((score, c.text, c.actor, c.own, c.sure, behind.contains(key), c.title))
        }
        ranked.sort { $0.score > $1.score || ($0.score == $1.score && $0.text < $1.text) }
        var out: [String] = []
        var shown = avoid
        // A candidate that repeats what the scenario already does (or a suggestion above it) is
        // no suggestion (`Novelty`). The step that already follows is closer at hand: a looser
        // likeness to it is already a repeat. Compared without the asking actor's name, which a
        // step and its successor often share.
        var novelty = Novelty.Checker(context)
        let following = context.kind == .nextStep && context.existing.count > context.stepsSoFar.count
            ? Novelty.content(context.existing[context.stepsSoFar.count], actor: context.actor) : nil
        let repeatsFollowing = { (text: String) in
            following.map { Evaluation.f1(Novelty.content(text, actor: context.actor), $0) >= 0.4 } ?? false
        }
        // The document's own steps are the user's words; actors who already act in this use case
        // keep their names.
        let documentSteps = context.stepsSoFar + context.existing
        // (The actor's name where the title or goal says it is no topic; its words elsewhere are:
        // "采购审批" is about 采购 whoever the actor "采购专员" is.)
        let about = (context.useCase + " " + context.goal).replacingOccurrences(of: context.actor.isEmpty ? "\u{0}" : context.actor, with: " ")
        let draftTopic = context.kind == .draft ? topicTerms(of: about).subtracting(Self.characterGrams(about)) : []
        var fresh: [Choice] = []
        let poolSize = context.kind == .draft ? count : max(count, weights.consensusPool)
        for candidate in ranked {
            let keep = context.kind == .conditions || candidate.own
                || candidate.actor.map { actor in documentSteps.contains { $0.hasPrefix(actor) } } == true
            let text = keep ? candidate.text : Self.retold(candidate.text, from: candidate.actor, to: context.actor)
            guard shown.insert(OutputSanitizer.normalized(text)).inserted else { continue }
            if repeatsFollowing(text) { continue }
            if context.kind == .draft {
                // A whole scenario is offered only from a process that talks about something the
                // use case does (a rare term of its title or goal, of two characters or more in
                // Chinese: 团 is in 剧团, 团队 and 团课 alike): one chosen on common words alone
                // ("Sign in to the system" for "Rectify a defect reported by the crew", on "enters"
                // in its goal) is no draft.
                // (Its own title counts: "Place an order" is about placing, whatever its steps say.)
                guard draftTopic.isEmpty || !draftTopic.isDisjoint(with: Self.grams(text + "\n" + candidate.title)), novelty.admit(text) else { continue }
                out.append(text)
                if out.count == count { break }
                continue
            }
            fresh.append(Choice(score: candidate.score, text: text, sure: candidate.sure, behind: candidate.behind))
            if fresh.count == poolSize { break }
            // The same step said with less, often what an author writes (one action a step);
            // not of a step that repeats what is there ("chooses the doctor" of "chooses the
            // doctor and the time", where "chooses the dentist and the time" is done).
            // (The comparison with what is there, the dearest check, comes after the cheap one.)
            if weights.shortening.isFinite, let short = Composer.shortened(text), case let key = OutputSanitizer.normalized(short),
               !shown.contains(key), !novelty.repeatsWhatIsThere(text) {
                shown.insert(key)
                if !repeatsFollowing(short) {
                    fresh.append(Choice(score: candidate.score - weights.shortening, text: short, sure: false, behind: candidate.behind))
                    if fresh.count >= poolSize { break }
                }
            }
        }
        guard context.kind != .draft else { return out }
        return Self.consensus(fresh, count: count, temperature: weights.consensusTemperature, novelty: &novelty)
    }

    /// Picks `count` of the candidates (best first by score) that together come closest to what
    /// the author is likely to write: each candidate stands for the others in proportion to its
    /// likelihood (exp of its score over `temperature`, against the best), and each pick adds
    /// what it shares (token F1) with the likely ones the picks before it did not already cover.
    /// A step many good candidates agree with beats a lone one that scored a little higher.
    static func consensus(_ candidates: [Choice], count: Int, temperature: Float, novelty: inout Novelty.Checker) -> [String] {
        guard let top = candidates.first?.score else { return [] }
        let n = candidates.count
        let likelihood = candidates.map { Double(exp(($0.score - top) / max(temperature, 1e-3))) }
        // Token F1 of every pair, over token numbers sorted once (a merge counts what two share).
        let bags = candidates.map { Evaluation.tokens($0.text).map(Evaluation.tokenNumber).sorted() }
        var share = Array(repeating: 0.0, count: n * n)
        for i in 0..<n {
            share[i * n + i] = 1
            for j in (i + 1)..<max(i + 1, n) {
                let f = sortedF1(bags[i], bags[j])
                share[i * n + j] = f
                share[j * n + i] = f
            }
        }
        var covered = Array(repeating: 0.0, count: n)
        var taken = Array(repeating: false, count: n)
        var out: [String] = []
        // What is sure comes first, in the ranking's order.
        for i in 0..<n where candidates[i].sure && out.count < count {
            taken[i] = true
            guard novelty.admit(candidates[i].text) else { continue }
            out.append(candidates[i].text)
            for j in 0..<n { covered[j] = max(covered[j], share[i * n + j]) }
        }
        while out.count < count {
            var best = -1, bestGain = -1.0
            for i in 0..<n where !taken[i] {
                var gain = 0.0
                for j in 0..<n where share[i * n + j] > covered[j] { gain += likelihood[j] * (share[i * n + j] - covered[j]) }
                // Any candidate not behind comes before one that is, whatever it adds.
                let better = best < 0 || (candidates[i].behind == candidates[best].behind ? gain > bestGain : candidates[best].behind)
                if better { (best, bestGain) = (i, gain) }
            }
            guard best >= 0 else { break }
            taken[best] = true
            guard novelty.admit(candidates[best].text) else { continue }
            out.append(candidates[best].text)
            for j in 0..<n { covered[j] = max(covered[j], share[best * n + j]) }
        }
        return out
    }

    /// A candidate for `consensus`: its ranking score, its text as it would be shown, and
    /// whether it is sure enough to come first whatever the others say.
    struct Choice {
        var score: Float
        var text: String
        var sure: Bool
        /// Behind what the author has done in a similar process (`Weights.behind`): it still
        /// speaks for what is likely, but is offered only when nothing else is left.
        var behind = false
    }

    /// How alike a learned place must be to the asking one for the step that followed it there to
    /// come first: the cosine of the context vectors for the library (a place the model saw nearly
    /// word for word, as in the user's own flows once trained on them), and the token F1 of the
    /// last steps, without their actors, for the document's other use cases.
    static let sureLikeness: Float = 0.8

    /// How alike (token F1 of their content) a step the author has written and a step of a
    /// similar process must be for the scenario to have come that far in it (`Weights.behind`).
    static let alignedLikeness = 0.5

    /// Token F1 of two sorted bags of token numbers (each token counted as often as it occurs).
    static func sortedF1(_ x: [UInt64], _ y: [UInt64]) -> Double {
        guard !x.isEmpty, !y.isEmpty else { return x.isEmpty && y.isEmpty ? 1 : 0 }
        return 2 * Double(Evaluation.common(sorted: x, y)) / Double(x.count + y.count)
    }

    private func targetVector(_ text: String) -> [Int: Float] {
        var t: [Int: Float] = [:]
        for g in Self.grams(text) { t[g, default: 0] += 1 }
        return Self.normalize(t.reduce(into: [:]) { $0[$1.key] = $1.value * (idf[$1.key] ?? 1) })
    }

    /// Who does a step: the system, the use case's primary actor, or someone else.
    enum Role: Int, CaseIterable { case start, system, primary, other }

    static func role(of step: String, actor: String) -> Role {
        let lower = step.lowercased()
        if lower.hasPrefix("system") || lower.hasPrefix("系统") || lower.hasPrefix("the system") { return .system }
        if !actor.isEmpty, step.hasPrefix(actor) { return .primary }
        return .other
    }

    private func turnProbability(from: Role, to: Role) -> Float {
        let row = turns[from.rawValue]
        let total = row.reduce(0, +)
        return total == 0 ? 0 : row[to.rawValue] / total
    }

    /// Tells a learned step in the asking use case's actor: the example's actor at the start of
    /// each line becomes the asking actor. Mentions later in a step are left alone: there they
    /// are mostly another party ("System emails the customer" in a clerk's use case).
    /// A line is left as it is when the actor is only the start of a longer word ("Managers")
    /// or when the target already appears in it ("Manager and HR partner meet …").
    public static func retold(_ text: String, from actor: String?, to target: String) -> String {
        guard let actor, !actor.isEmpty, !target.isEmpty, actor != target else { return text }
        let chinese = actor.unicodeScalars.first.map(isCJK) ?? false
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix(actor), !line.dropFirst(actor.count).contains(target) else { return String(line) }
            let next = line.dropFirst(actor.count).first
            if !chinese, let next, next.isLetter || next.isNumber { return String(line) }
            return target + line.dropFirst(actor.count)
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
        // The whole document: its other use cases' titles say what kind of processes it holds.
        for uc in c.related.prefix(8) { for g in Self.grams(uc.title) { v[g, default: 0] += weights.documentTitles } }
        let q = Self.normalize(v.reduce(into: [:]) { $0[$1.key] = $1.value * (idf[$1.key] ?? 1) })
        var out: [Int: Float] = [:]
        for (g, w) in q { for (p, pw) in processIndex[g] ?? [] { out[p, default: 0] += w * pw } }
        return out
    }

    // MARK: Vectors

    private mutating func buildProcesses() {
        var docs: [[Int: Float]] = []
        examplesOfProcess = [:]
        for (i, e) in examples.enumerated() where e.kind != SuggestionKind.draft.rawValue && e.kind != Self.endingKind {
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
            examplesOfProcess[p, default: []].append(i)
            if e.kind == SuggestionKind.nextStep.rawValue {
                let actor = e.actor ?? ""
                let from = e.previous.isEmpty ? Role.start : Self.role(of: e.previous.last ?? "", actor: actor)
                turns[from.rawValue][Self.role(of: e.target, actor: actor).rawValue] += 1
            }
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
        var byText: [String: Int] = [:]
        targetVectors = []
        targetVectors.reserveCapacity(examples.count)
        targetKeys = []
        targetKeys.reserveCapacity(examples.count)
        for (i, e) in examples.enumerated() {
            if let j = byText[e.target] { targetVectors.append(targetVectors[j]); targetKeys.append(targetKeys[j]); continue }
            byText[e.target] = i
            targetVectors.append(targetVector(e.target))
            targetKeys.append(OutputSanitizer.normalized(e.target))
        }
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
        gramCache.value(text) { computeGrams(text) }
    }

    /// Steps recur (each is the target of one example and the context of the next, and the open
    /// document is asked about again and again), so their terms are kept, up to a bound.
    static let gramCache = BoundedStore<[Int]>(bound: 200_000)

    /// Values made from text, kept by key for the next time they are wanted, at most `bound` of
    /// them (when full it starts afresh); safe to share between threads.
    final class BoundedStore<Value: Sendable>: Sendable {
        private let values = Mutex<[String: Value]>([:])
        private let bound: Int
        init(bound: Int) { self.bound = bound }
        func value(_ key: String, _ make: () -> Value) -> Value {
            if let known = values.withLock({ $0[key] }) { return known }
            let made = make()
            values.withLock { values in
                if values.count >= bound { values.removeAll(keepingCapacity: true) }
                values[key] = made
            }
            return made
        }
    }

    private static func computeGrams(_ text: String) -> [Int] {
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
        for c in Self.foldedChinese(text).lowercased() {
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
        return terms.map(termNumber)
    }

    /// A term's number among `grams` (FNV-1a of its UTF-8).
    static func termNumber(_ term: String) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in term.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: h)
    }

    /// The terms of `grams` that are one Chinese character alone: "团" of 剧团 says little of
    /// what a title is about (团队, 团课 and 剧团 share it).
    static func characterGrams(_ text: String) -> Set<Int> {
        Set(foldedChinese(text).lowercased().filter { $0.unicodeScalars.first.map(isCJK) ?? false }.map { termNumber(String($0)) })
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

    /// Chinese words analysts use for the same action, folded to one spelling before the
    /// characters are counted, so "核验身份证" meets "校验身份证" and "检索客户" meets "查询客户".
    static let chineseSynonyms: [(String, String)] = [
        ("核验", "校验"), ("验证", "校验"), ("核对", "校验"), ("检验", "校验"), ("检查", "校验"), ("核实", "校验"),
        ("检索", "查询"), ("搜索", "查询"), ("查找", "查询"), ("查看", "查询"),
        ("展示", "显示"), ("列出", "显示"), ("呈现", "显示"),
        ("录入", "输入"), ("填写", "输入"), ("填入", "输入"), ("键入", "输入"),
        ("发起", "提交"), ("递交", "提交"),
        ("预付", "支付"), ("缴纳", "支付"),
        ("选取", "选择"), ("勾选", "选择"), ("挑选", "选择"),
        ("推送", "发送"), ("下发", "发送"),
        ("存储", "保存"), ("储存", "保存"),
        ("提醒", "通知"), ("告知", "通知"),
        ("审核", "审批"), ("批准", "审批"),
        ("进入", "打开"), ("点开", "打开"),
        ("帐号", "账号"), ("工号", "账号"),
    ]

    /// The synonyms as pairs of scalars packed into one number, for a one-pass scan.
    private static let chineseFolds: [UInt64: String] = {
        var out: [UInt64: String] = [:]
        for (from, to) in chineseSynonyms where from.unicodeScalars.count == 2 {
            let u = Array(from.unicodeScalars)
            out[UInt64(u[0].value) << 32 | UInt64(u[1].value)] = to
        }
        return out
    }()
    private static let chineseFoldStarts = Set(chineseSynonyms.compactMap { $0.0.unicodeScalars.first?.value })

    /// One pass over the text; 验证码 (a code, not a check) stays whole.
    static func foldedChinese(_ text: String) -> String {
        let u = Array(text.unicodeScalars)
        guard u.contains(where: { chineseFoldStarts.contains($0.value) }) else { return text }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < u.count {
            if i + 2 < u.count, u[i] == "验", u[i + 1] == "证", u[i + 2] == "码" {
                out.append(contentsOf: u[i...(i + 2)])
                i += 3
                continue
            }
            if i + 1 < u.count, chineseFoldStarts.contains(u[i].value),
               let to = chineseFolds[UInt64(u[i].value) << 32 | UInt64(u[i + 1].value)] {
                out.append(contentsOf: to.unicodeScalars)
                i += 2
                continue
            }
            out.append(u[i])
            i += 1
        }
        return String(out)
    }

    /// A light English stemmer, so "pays", "paid" and "payment" meet at "pay".
    /// What a text talks about: its terms that few learned contexts use (`topicRarity`), so that
    /// "enters" or "the system" do not count. Terms never learned cannot be matched and are left
    /// out; a model too small for any term to be rare gives none.
    func topicTerms(of text: String) -> Set<Int> {
        Set(Self.grams(text).filter { (idf[$0] ?? 0) >= Self.topicRarity })
    }

    /// The inverse document frequency from which a term says what a text is about: used by
    /// about one learned context in 30 or fewer.
    static let topicRarity: Float = 4.5

    static func stem(_ word: String) -> String {
        guard word.count > 4, word.allSatisfy({ $0.isASCII }) else { return word }
        for suffix in ["ments", "ment", "ings", "ing", "ied", "ies", "ed", "es", "s"] where word.hasSuffix(suffix) {
            let base = String(word.dropLast(suffix.count))
            if base.count >= 3 { return suffix == "ied" || suffix == "ies" ? base + "y" : base }
        }
        return word
    }

    /// What a use case's title says it does, when it starts with it: its first word ("Log" of
    /// "Log in to the expense system"), or its first two characters in Chinese ("登录" of
    /// "登录报销系统").
    static func titleHead(_ title: String) -> String? {
        let t = title.trimmingSpaces
        guard let first = t.unicodeScalars.first else { return nil }
        if isCJK(first) {
            let head = t.unicodeScalars.prefix { isCJK($0) }.prefix(2)
            return head.count == 2 ? String(String.UnicodeScalarView(head)) : nil
        }
        return t.split(separator: " ").first.map(String.init)
    }

    public static func isCJK(_ u: Unicode.Scalar) -> Bool {
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
