import FlowCore
import FlowSuggest

/// Asking for suggestions, showing them as ghost rows, and accepting one as a single transaction.
/// A request carries an id and the history revision it was built on; anything that arrives for
/// another id, or after the flow changed, is dropped, never inserted in the wrong place.
enum Suggesting {
    /// How often the spinner moves while suggestions are on their way.
    static let spinnerInterval = Duration.milliseconds(100)
    /// How long an automatic request waits for the typing to stop.
    static let autoDelay = Duration.milliseconds(400)

    /// Asks for suggestions at the cursor; with a delay, the request waits for a timer (and a key
    /// pressed meanwhile dismisses it before anything is sent).
    static func ask(_ kind: SuggestionKind?, delay: Duration? = nil, _ s: inout AppState) -> [Effect] {
        var effects = dismiss(&s)
        // A suggestion is offered to be taken into the flow: not where nothing may change it.
        if Editing.refusesChange(&s) { return effects }
        if kind == .conditions, let c = s.cursor, s.flow[c]?.kind != .step {
            s.fail("\(s.key(.suggestConditions)) suggests what can go wrong at a step: move to a step (3, 3a1) first")
            return effects
        }
        guard let c = s.cursor, let (context, point) = SuggestionContext.at(c, in: s.flow, kind: kind) else {
            s.fail(kind == .conditions ? "Conditions are suggested for a step: move to one (3, 3a1) and press S"
                                       : "Move to a use case, a step or an extension to get suggestions")
            return effects
        }
        let id = s.nextRequest
        s.nextRequest += 1
        s.suggestions = AppState.Suggestions(id: id, revision: s.history.revision, point: point, anchor: c)
        s.suggestions?.endings = context.endings
        if let p = s.flow[point.parent], p.kind != .step || point.kind == .conditions { s.folded.remove(point.parent) }
        let job = Job.suggest(id: id, context: context, count: context.kind == .draft ? min(2, s.suggestionCount) : s.suggestionCount)
        if let delay {
            s.delayedRequest = job
            effects.append(.startTimer(.autoSuggest(id: id), after: delay))
        } else {
            effects.append(.run(job))
        }
        effects.append(.startTimer(.spinner, after: spinnerInterval))
        return effects
    }

    /// Drops the suggestions on screen, cancelling the request if it is still running.
    static func dismiss(_ s: inout AppState) -> [Effect] {
        guard let current = s.suggestions else { return [] }
        s.suggestions = nil
        guard current.loading else { return [] }
        if s.delayedRequest?.id == current.id {
            s.delayedRequest = nil
            return [.cancelTimer(.autoSuggest(id: current.id))]
        }
        return [.cancel(jobID: current.id)]
    }

    static func arrived(id: Int, candidates: [String], done: Bool, _ s: inout AppState) {
        guard var current = s.suggestions, current.id == id else { return }
        guard current.revision == s.history.revision else {
            s.suggestions = nil
            return
        }
        // Whatever the engine did, nothing unsanitized is shown or inserted.
        current.candidates = candidates.map { text in
            current.point.kind == .draft
                ? text.split(separator: "\n").map { OutputSanitizer.line(String($0)) }.filter { !$0.isEmpty }.joined(separator: "\n")
                : OutputSanitizer.line(text)
        }.filter { !$0.isEmpty }
        current.index = min(current.index, max(0, candidates.count - 1))
        current.loading = !done
        if done && current.candidates.isEmpty {
            s.suggestions = nil
            s.say("No suggestion here")
            return
        }
        s.suggestions = current
    }

    static func failed(id: Int, message: String, _ s: inout AppState) {
        guard s.suggestions?.id == id else { return }
        s.suggestions = nil
        s.fail(message)
    }

    static func cycle(by delta: Int, _ s: inout AppState) {
        guard var current = s.suggestions, !current.candidates.isEmpty else { return }
        let n = current.candidates.count
        current.index = ((current.index + delta) % n + n) % n
        s.suggestions = current
    }

    /// Inserts the shown candidate as one transaction; with `chain`, asks for the step after it.
    static func accept(chain: Bool, _ s: inout AppState) -> [Effect] {
        guard let current = s.suggestions, current.index < current.candidates.count else { return [] }
        var effects = dismiss(&s)
        guard current.revision == s.history.revision, s.flow.contains(current.point.parent) else {
            s.fail("The flow changed since the suggestions were made: ask again")
            return effects
        }
        let text = current.candidates[current.index]
        if let offer = current.shownEnding, s.flow[current.point.parent]?.kind == .extension {
            // An ending ends the extension: nothing more to ask after it.
            Editing.perform(Transaction("Accept ending", [.setEnding(current.point.parent, offer.ending)]),
                            cursorAfter: s.cursor, &s)
            return effects
        }
        var edits: [Edit] = []
        var first: NodeID?
        switch current.point.kind {
        case .nextStep:
            let id = s.flow.makeID()
            edits = [.insert(.step(id, text), parent: current.point.parent, index: current.point.index)]
            first = id
        case .conditions:
            let id = s.flow.makeID()
            // Most conditions are handled and rejoin the scenario; `!` marks the ones that are exceptions.
            edits = [.insert(.extension(id, text, kind: .alternative), parent: current.point.parent, index: current.point.index)]
            first = id
        case .draft:
            for (i, line) in text.split(separator: "\n").enumerated() {
                let id = s.flow.makeID()
                edits.append(.insert(.step(id, String(line)), parent: current.point.parent, index: current.point.index + i))
                if first == nil { first = id }
            }
        }
        Editing.perform(Transaction("Accept suggestion", edits), cursorAfter: first, &s)
        // A condition goes on to the extension's first step; a step to the step after it.
        if chain, let last = lastInserted(edits) {
            s.cursor = last
            effects += ask(.nextStep, &s)
        }
        return effects
    }

    private static func lastInserted(_ edits: [Edit]) -> NodeID? {
        guard case .insert(let tree, _, _)? = edits.last else { return nil }
        return tree.root.id
    }

    /// The rows the ghost text takes, with the number each would get.
    static func ghostRows(_ current: AppState.Suggestions, _ s: AppState) -> [(label: String, text: String, depth: Int)] {
        let flow = s.flow
        let point = current.point
        let depth = Rows(flow, folded: []).depth(point.parent) + 1
        let base = flow[point.parent]?.kind == .useCase ? "" : flow.number(of: point.parent) ?? ""
        let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
        guard !current.candidates.isEmpty else {
            return [("", frames[s.spinner % frames.count] + " asking for suggestions…", depth)]
        }
        let text = current.candidates[current.index]
        switch point.kind {
        case .conditions:
            return [(base + Numbering.letters(point.index) + ".", text, depth)]
        case .nextStep:
            if current.shownEnding != nil { return [("", "- " + text, depth)] }
            return [(base + String(point.index + 1) + ".", text, depth)]
        case .draft:
            return text.split(separator: "\n").enumerated().map { (String(point.index + $0.offset + 1) + ".", String($0.element), depth) }
        }
    }
}
