import FlowCore

/// What is being asked for.
public enum SuggestionKind: String, Sendable, CaseIterable {
    /// The step after the cursor's step (or the first step of an empty scenario).
    case nextStep = "next"
    /// Conditions for new extensions of the cursor's step: what can go wrong here?
    case conditions
    /// A whole main scenario drafted from a use case's title and goal.
    case draft
}

/// How an extension can end, as offered when its steps seem done.
public enum EndingChoice: String, CaseIterable, Sendable {
    /// Back to the extended step (or before it): try again.
    case retry
    /// On with the step after the extended one.
    case next
    case failure, success
}

/// An ending offered as a suggestion: its text as the file writes it, and the ending it sets.
public struct EndingOffer: Hashable, Sendable {
    public var choice: EndingChoice
    public var text: String
    public var ending: Ending
    public init(choice: EndingChoice, text: String, ending: Ending) {
        self.choice = choice
        self.text = text
        self.ending = ending
    }
}

/// Where accepted suggestions go in the flow.
public struct InsertionPoint: Hashable, Sendable {
    /// The use case or extension that gets new steps, or the step that gets new extensions.
    public let parent: NodeID
    public let index: Int
    public let kind: SuggestionKind
}

/// Another use case of the same document, as plain text: the author's own words, actors and
/// habits, which fit the asking use case better than anything learned elsewhere.
public struct RelatedUseCase: Hashable, Sendable {
    public struct Extension: Hashable, Sendable {
        /// The step the extension belongs to.
        public var at: String
        public var condition: String
        public var steps: [String]
        public init(at: String, condition: String, steps: [String]) {
            self.at = at
            self.condition = condition
            self.steps = steps
        }
    }

    public var title: String
    public var actor: String
    public var steps: [String]
    /// Every extension, nested ones too, in document order.
    public var extensions: [Extension]

    public init(title: String, actor: String = "", steps: [String], extensions: [Extension] = []) {
        self.title = title
        self.actor = actor
        self.steps = steps
        self.extensions = extensions
    }

    /// The use case `id` of `flow` as text.
    public init?(_ id: NodeID, in flow: Flow) {
        guard let uc = flow[id] else { return nil }
        let texts = { (ids: [NodeID]) in ids.compactMap { flow[$0]?.text } }
        var extensions: [Extension] = []
        var scenarios = [id]
        var i = 0
        while i < scenarios.count {
            for step in flow.children(of: scenarios[i]) {
                guard let node = flow[step] else { continue }
                for ext in node.children {
                    guard let e = flow[ext] else { continue }
                    extensions.append(Extension(at: node.text, condition: e.text, steps: texts(e.children)))
                    scenarios.append(ext)
                }
            }
            i += 1
        }
        self.init(title: uc.text, actor: LocalModel.primaryActor(uc.fields) ?? "", steps: texts(flow.children(of: id)),
                  extensions: extensions)
    }

    /// The other use cases of the flow `useCase` is in, nearest first, at most `limit`.
    public static func around(_ useCase: NodeID, in flow: Flow, limit: Int = 40) -> [RelatedUseCase] {
        guard let i = flow.useCases.firstIndex(of: useCase) else { return [] }
        let others = flow.useCases.enumerated().filter { $0.offset != i }
            .sorted { abs($0.offset - i) < abs($1.offset - i) || (abs($0.offset - i) == abs($1.offset - i) && $0.offset < $1.offset) }
        return others.prefix(limit).compactMap { RelatedUseCase($0.element, in: flow) }
    }
}

/// Everything an engine needs to know about the place in the flow, as plain text.
public struct SuggestionContext: Hashable, Sendable {
    public var kind: SuggestionKind
    public var useCase: String
    public var goal: String
    public var actor: String
    /// The scenario's steps before the insertion point (for conditions: up to the step itself).
    public var stepsSoFar: [String]
    /// For an extension's scenario: its condition.
    public var condition: String?
    /// Texts already there (siblings; for conditions, the step's and then every other condition
    /// of the use case), never to be suggested again.
    public var existing: [String]
    /// In an extension's scenario: the steps of the scenarios around it (the step it extends and
    /// its siblings, and so on out to the main scenario), which a suggestion there must not
    /// repeat either ("出纳通过网银支付报销款。" in 6a, where it is step 7).
    public var around: [String] = []
    /// The document's other use cases.
    public var related: [RelatedUseCase] = []
    /// The use cases of the user's trained library most like this one (`LocalModel.similarUseCases`),
    /// which a remote model's prompt carries as examples of the team's wording.
    public var library: [RelatedUseCase] = []
    /// At the end of an extension with steps: the endings it can take, most usual first for its
    /// kind (an exception ends in failure; an alternative goes on), for engines to rank.
    public var endings: [EndingOffer] = []

    public init(kind: SuggestionKind, useCase: String, goal: String = "", actor: String = "", stepsSoFar: [String] = [],
                condition: String? = nil, existing: [String] = []) {
        self.kind = kind
        self.useCase = useCase
        self.goal = goal
        self.actor = actor
        self.stepsSoFar = stepsSoFar
        self.condition = condition
        self.existing = existing
    }

    /// The context for the cursor's position, and where accepted text goes. A use case row asks
    /// for the step after its last one (or, when it has none, a draft); a step for the step after it (or, with
    /// `conditions`, for conditions); an extension row for the next step at the end of the extension.
    public static func at(_ cursor: NodeID, in flow: Flow, kind requested: SuggestionKind? = nil) -> (SuggestionContext, InsertionPoint)? {
        guard let node = flow[cursor], let uc = flow.useCase(of: cursor), let ucNode = flow[uc] else { return nil }
        let field = { (name: String) in ucNode.fields.first { $0.name == name }?.value ?? "" }
        var ctx = SuggestionContext(kind: .nextStep, useCase: ucNode.text, goal: field("Goal"), actor: field("Primary actor"))
        if ctx.goal.isEmpty { ctx.goal = ucNode.fields.first { $0.name == "目标" }?.value ?? "" }
        ctx.actor = LocalModel.primaryActor(ucNode.fields) ?? ""
        ctx.related = RelatedUseCase.around(uc, in: flow)
        let texts = { (ids: [NodeID]) in ids.compactMap { flow[$0]?.text } }
        switch (node.kind, requested) {
        case (.step, .conditions?):
            ctx.kind = .conditions
            ctx.stepsSoFar = texts(Array(flow.children(of: node.parent).prefix { $0 != cursor })) + [node.text]
            // The step's own conditions, and then every other condition of the use case: what
            // can go wrong at one step is seldom news at the next.
            var conditions = texts(node.children)
            for id in flow.descendants(of: uc) {
                if let n = flow[id], n.kind == .extension, n.parent != cursor, !conditions.contains(n.text) { conditions.append(n.text) }
            }
            ctx.existing = conditions
            return (ctx, InsertionPoint(parent: cursor, index: node.children.count, kind: .conditions))
        case (.useCase, let k) where k == .draft || (k == nil && node.children.isEmpty):
            ctx.kind = .draft
            ctx.existing = texts(node.children)
            return (ctx, InsertionPoint(parent: cursor, index: node.children.count, kind: .draft))
        case (.useCase, _):
            // The title row of a use case with steps continues its main scenario.
            ctx.stepsSoFar = texts(node.children)
            ctx.existing = ctx.stepsSoFar
            return (ctx, InsertionPoint(parent: cursor, index: node.children.count, kind: .nextStep))
        case (.extension, _):
            ctx.condition = node.text
            ctx.stepsSoFar = texts(node.children)
            ctx.existing = ctx.stepsSoFar
            ctx.around = around(cursor, in: flow)
            if !node.children.isEmpty { ctx.endings = endingOffers(cursor, in: flow) }
            return (ctx, InsertionPoint(parent: cursor, index: node.children.count, kind: .nextStep))
        case (.step, _):
            guard let parent = node.parent, let i = flow.index(of: cursor) else { return nil }
            let siblings = flow.children(of: parent)
            ctx.stepsSoFar = texts(Array(siblings.prefix(i + 1)))
            ctx.existing = texts(siblings)
            if let p = flow[parent], p.kind == .extension {
                ctx.condition = p.text
                ctx.around = around(parent, in: flow)
                if i == siblings.count - 1 { ctx.endings = endingOffers(parent, in: flow) }
            }
            return (ctx, InsertionPoint(parent: parent, index: i + 1, kind: .nextStep))
        }
    }

    /// The steps of the scenarios an extension sits in, from the one it extends a step of out to
    /// the main scenario.
    static func around(_ ext: NodeID, in flow: Flow) -> [String] {
        var out: [String] = []
        var current = flow[ext]?.parent
        while let step = current, let scenario = flow[step]?.parent {
            out += flow.children(of: scenario).compactMap { flow[$0]?.text }
            current = flow[scenario]?.kind == .extension ? flow[scenario]?.parent : nil
        }
        return out
    }

    /// The endings an extension can take: back to its step or the one before it, on with the
    /// next one, failure, success; an exception's failure first, an alternative's going on first. None for an
    /// extension that already ends ("Resume at 2.", "End: failure."): E changes the one it has.
    static func endingOffers(_ ext: NodeID, in flow: Flow) -> [EndingOffer] {
        guard let e = flow[ext], e.ending == .resumeNext, let step = e.parent, let number = flow.number(of: step) else { return [] }
        // Said as the document says its endings ("Resume at 2." / "回到第2步。").
        let wording = flow.effectiveWording
        func offer(_ choice: EndingChoice, _ ending: Ending, _ number: String = "") -> EndingOffer {
            EndingOffer(choice: choice, text: wording.endingLine(ending, number: number) ?? "", ending: ending)
        }
        var offers = [offer(.retry, .resume(.step(step)), number)]
        if let scenario = flow[step]?.parent, let i = flow.index(of: step) {
            let siblings = flow.children(of: scenario)
            // Trying again often starts a step earlier, where what was wrong is given again
            // ("1. User enters the password. 2. System checks it. 2a. Wrong: resume at 1."):
            // a third of the library's extensions that go back do so.
            if i > 0, let before = flow.number(of: siblings[i - 1]) {
                offers.append(offer(.retry, .resume(.step(siblings[i - 1])), before))
            }
            if i + 1 < siblings.count, let next = flow.number(of: siblings[i + 1]) {
                offers.append(offer(.next, .resume(.step(siblings[i + 1])), next))
            }
        }
        offers.append(offer(.failure, .failure))
        offers.append(offer(.success, .success))
        let order: [EndingChoice] = e.extensionKind == .exception ? [.failure, .retry, .next, .success] : [.next, .retry, .failure, .success]
        return offers.sorted { order.firstIndex(of: $0.choice)! < order.firstIndex(of: $1.choice)! }
    }
}
