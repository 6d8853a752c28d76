/// A problem found in a flow, tied to the node (and the part of it) that needs fixing.
public struct Problem: Hashable, Sendable {
    public enum Part: Hashable, Sendable { case text, ending, fields, title }

    public let node: NodeID?
    public let part: Part
    public let message: String

    public init(node: NodeID?, part: Part, message: String) {
        self.node = node
        self.part = part
        self.message = message
    }
}

extension Flow {
    /// Lists what is wrong or unfinished, in document order: empty labels, duplicate use-case
    /// titles, resume targets that do not exist, extensions that change nothing, use cases with
    /// no steps, steps that cannot be reached and steps from which the use case can never end.
    ///
    /// Linear in the size of the flow: titles are compared through one table built up front.
    public func validate() -> [Problem] {
        var firstWithTitle: [String: Int] = [:]
        var out: [Problem] = []
        for (i, uc) in useCases.enumerated() {
            let key = nodes[uc]?.text.trimmingSpaces.lowercased() ?? ""
            let first = firstWithTitle[key] ?? i
            if firstWithTitle[key] == nil { firstWithTitle[key] = i }
            out.append(contentsOf: validate(useCase: uc, at: i, firstWithTitle: first))
        }
        return out
    }

    private func labelProblems(_ id: NodeID) -> [Problem] {
        guard let node = nodes[id] else { return [] }
        var out: [Problem] = []
        // Named only when something is wrong: numbering every node would cost more than the checks.
        var name: String { describe(id) }
        if node.text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            out.append(Problem(node: id, part: .text, message: node.kind == .extension
                ? "\(name) has no condition" : "\(name) is empty"))
        }
        guard node.kind == .extension else { return out }
        if case .resume(let target) = node.ending, case .unknown = resolve(target, from: id) {
            let message: String
            switch target {
            case .unresolved(let written):
                message = "\(name) resumes at step \(written), which is not a step of this use case"
            case .step(let t) where nodes[t] == nil:
                message = "\(name) resumes at a step that was deleted: set a new ending"
            case .step:
                message = "\(name) resumes at a step of another use case: set a new ending"
            }
            out.append(Problem(node: id, part: .ending, message: message))
        }
        if node.children.isEmpty, node.ending == .resumeNext {
            out.append(Problem(node: id, part: .text,
                               message: "\(name) has no steps and no ending, so it changes nothing"))
        }
        return out
    }

    /// Reachability over the use case's steps: forward from step 1, backward from the ends.
    private func pathProblems(in uc: NodeID) -> [Problem] {
        let steps = descendants(of: uc).filter { nodes[$0]?.kind == .step }
        guard let start = children(of: uc).first else { return [] }
        var forward: [NodeID: [NodeID]] = [:]
        var backward: [NodeID: [NodeID]] = [:]
        var ends: [NodeID] = []
        for s in steps {
            for (_, dest) in successors(of: s) {
                switch dest {
                case .step(let t):
                    forward[s, default: []].append(t)
                    backward[t, default: []].append(s)
                case .success, .failure, .unknown:
                    // An unknown target is reported on its own; it is not also a loop.
                    ends.append(s)
                }
            }
        }
        let reached = Self.closure(from: [start], edges: forward)
        let canEnd = Self.closure(from: ends, edges: backward)
        var out: [Problem] = []
        for s in steps where !reached.contains(s) {
            out.append(Problem(node: s, part: .text, message: "\(describe(s)) can never be reached"))
        }
        for s in steps where reached.contains(s) && !canEnd.contains(s) {
            out.append(Problem(node: s, part: .text,
                               message: "from \(describe(s)) the use case can never end: every path loops back"))
        }
        return out
    }

    private static func closure(from start: [NodeID], edges: [NodeID: [NodeID]]) -> Set<NodeID> {
        var seen = Set(start)
        var stack = start
        while let n = stack.popLast() {
            for m in edges[n] ?? [] where seen.insert(m).inserted { stack.append(m) }
        }
        return seen
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines (no Foundation needed).
    public var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}

extension Flow {
    /// The problems of one use case only (its duplicate title checked against the others), for
    /// showing beside it without validating the whole flow.
    public func validate(useCase uc: NodeID) -> [Problem] {
        guard let node = nodes[uc], let i = useCases.firstIndex(of: uc) else { return [] }
        let key = node.text.trimmingSpaces.lowercased()
        let first = key.isEmpty ? i : useCases.firstIndex(where: { nodes[$0]?.text.trimmingSpaces.lowercased() == key }) ?? i
        return validate(useCase: uc, at: i, firstWithTitle: first)
    }

    /// The use case at index `i`, where `first` is the index of the first use case with its title.
    private func validate(useCase uc: NodeID, at i: Int, firstWithTitle first: Int) -> [Problem] {
        guard let node = nodes[uc] else { return [] }
        var problems: [Problem] = []
        if node.text.trimmingSpaces.isEmpty {
            problems.append(Problem(node: uc, part: .text, message: "use case \(i + 1) has no title"))
        } else if first < i {
            problems.append(Problem(node: uc, part: .text,
                                    message: "use case \(i + 1) has the same title as use case \(first + 1): \"\(node.text)\""))
        }
        if node.children.isEmpty {
            problems.append(Problem(node: uc, part: .text, message: "use case \(i + 1) has no steps"))
        }
        for id in descendants(of: uc) { problems.append(contentsOf: labelProblems(id)) }
        problems.append(contentsOf: pathProblems(in: uc))
        return problems
    }
}
