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
        var scratch = NodeMap<Int32>()
        for (i, uc) in useCases.enumerated() {
            let key = nodes[uc]?.text.trimmingSpaces.lowercased() ?? ""
            let first = firstWithTitle[key] ?? i
            if firstWithTitle[key] == nil { firstWithTitle[key] = i }
            out.append(contentsOf: validate(useCase: uc, at: i, firstWithTitle: first, scratch: &scratch))
        }
        return out
    }

    private func labelProblems(_ id: NodeID) -> [Problem] {
        guard let node = nodes[id] else { return [] }
        var out: [Problem] = []
        // Named only when something is wrong: numbering every node would cost more than the checks.
        var name: String { describe(id) }
        if node.text.isBlank {
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
    /// Steps get local numbers (through `local`, a table the caller reuses across use cases),
    /// so the walk is arrays and indexes, and no recursion: a use case nested 1,000 deep is
    /// checked on a worker's small stack too.
    private func pathProblems(in uc: NodeID, all: [NodeID], local: inout NodeMap<Int32>) -> [Problem] {
        guard let start = children(of: uc).first else { return [] }
        let steps = all.filter { nodes[$0]?.kind == .step }
        for (i, step) in steps.enumerated() { local[step] = Int32(i) }
        defer { for step in steps { local[step] = nil } }
        var from: [Int32] = [], to: [Int32] = []
        var ends = [Bool](repeating: false, count: steps.count)
        func edge(_ a: Int32, _ d: Destination) {
            if case .step(let t) = d, let b = local[t] {
                from.append(a)
                to.append(b)
            } else {
                // Success, failure, or an unknown target (reported on its own; it is not also a loop).
                ends[Int(a)] = true
            }
        }
        // Every scenario (the main one and each extension's): a step goes to the next one, the
        // last to where the scenario exits; a step also enters each of its extensions.
        for scenario in [uc] + all where scenario == uc || nodes[scenario]?.kind == .extension {
            let kids = children(of: scenario)
            for (i, step) in kids.enumerated() {
                guard let a = local[step] else { continue }
                edge(a, i + 1 < kids.count ? .step(kids[i + 1]) : exit(of: scenario))
                for ext in children(of: step) { edge(a, entry(of: ext)) }
            }
        }
        let reached = Self.reach([local[start] ?? 0], count: steps.count, from: from, to: to)
        let canEnd = Self.reach((0..<Int32(steps.count)).filter { ends[Int($0)] }, count: steps.count, from: to, to: from)
        var out: [Problem] = []
        for (i, s) in steps.enumerated() where !reached[i] {
            out.append(Problem(node: s, part: .text, message: "\(describe(s)) can never be reached"))
        }
        for (i, s) in steps.enumerated() where reached[i] && !canEnd[i] {
            out.append(Problem(node: s, part: .text,
                               message: "from \(describe(s)) the use case can never end: every path loops back"))
        }
        return out
    }

    /// The nodes reachable from `start` over the edges `from[k] → to[k]`.
    private static func reach(_ start: [Int32], count: Int, from: [Int32], to: [Int32]) -> [Bool] {
        // Adjacency in one array: the edges of node n are targets[offsets[n]..<offsets[n + 1]].
        var offsets = [Int](repeating: 0, count: count + 1)
        for a in from { offsets[Int(a) + 1] += 1 }
        for n in 0..<count { offsets[n + 1] += offsets[n] }
        var targets = [Int32](repeating: 0, count: from.count)
        var fill = offsets
        for k in from.indices {
            targets[fill[Int(from[k])]] = to[k]
            fill[Int(from[k])] += 1
        }
        var seen = [Bool](repeating: false, count: count)
        var stack: [Int32] = []
        for s in start where !seen[Int(s)] {
            seen[Int(s)] = true
            stack.append(s)
        }
        while let n = stack.popLast() {
            for k in offsets[Int(n)]..<offsets[Int(n) + 1] where !seen[Int(targets[k])] {
                seen[Int(targets[k])] = true
                stack.append(targets[k])
            }
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
        var scratch = NodeMap<Int32>()
        return validate(useCase: uc, at: i, firstWithTitle: first, scratch: &scratch)
    }

    /// The use case at index `i`, where `first` is the index of the first use case with its title.
    private func validate(useCase uc: NodeID, at i: Int, firstWithTitle first: Int, scratch: inout NodeMap<Int32>) -> [Problem] {
        guard let node = nodes[uc] else { return [] }
        var problems: [Problem] = []
        if node.text.isBlank {
            problems.append(Problem(node: uc, part: .text, message: "use case \(i + 1) has no title"))
        } else if first < i {
            problems.append(Problem(node: uc, part: .text,
                                    message: "use case \(i + 1) has the same title as use case \(first + 1): \"\(node.text)\""))
        }
        if node.children.isEmpty {
            problems.append(Problem(node: uc, part: .text, message: "use case \(i + 1) has no steps"))
        }
        let all = descendants(of: uc)
        for id in all { problems.append(contentsOf: labelProblems(id)) }
        problems.append(contentsOf: pathProblems(in: uc, all: all, local: &scratch))
        return problems
    }
}

extension String {
    /// True for a string of nothing but white space (or nothing at all).
    var isBlank: Bool {
        for u in unicodeScalars {
            if u.value > 0x20 && u.value < 0x7F { return false }
            if !u.properties.isWhitespace { return false }
        }
        return true
    }
}
