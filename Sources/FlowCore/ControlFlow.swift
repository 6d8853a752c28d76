/// Where the flow goes after a step: the shared reading of Cockburn semantics that validation
/// and every exporter use, so a diagram and `flowsmith check` never disagree.
public enum Destination: Hashable, Sendable {
    case step(NodeID)
    case success
    case failure
    /// A resume target that does not name a step of the same use case.
    case unknown(String)
}

extension Flow {
    /// Where the flow goes when a step completes normally: the next step of its scenario, or,
    /// after the last one, wherever the scenario itself goes.
    public func destination(after step: NodeID) -> Destination {
        guard let node = nodes[step], let parent = node.parent, let idx = index(of: step) else {
            return .unknown("?")
        }
        let siblings = children(of: parent)
        if idx + 1 < siblings.count { return .step(siblings[idx + 1]) }
        return exit(of: parent)
    }

    /// Where a scenario goes after its last step: success for a main scenario, the ending for an
    /// extension. A loop, not recursion, so extensions nested 1,000 deep cost no stack.
    public func exit(of scenario: NodeID) -> Destination {
        var current = scenario
        while true {
            guard let node = nodes[current] else { return .unknown("?") }
            switch node.kind {
            case .useCase, .step:
                return .success
            case .extension:
                switch node.ending {
                case .success: return .success
                case .failure: return .failure
                case .resume(let target): return resolve(target, from: current)
                case .resumeNext:
                    // The step after the extended one, or, after the last, where its scenario goes.
                    guard let step = node.parent, let parent = nodes[step]?.parent, let idx = index(of: step) else {
                        return .unknown("?")
                    }
                    let siblings = children(of: parent)
                    if idx + 1 < siblings.count { return .step(siblings[idx + 1]) }
                    current = parent
                }
            }
        }
    }

    /// Where an extension starts: its first step, or, with no steps, straight to its exit.
    public func entry(of ext: NodeID) -> Destination {
        if let first = children(of: ext).first { return .step(first) }
        return exit(of: ext)
    }

    /// A resume target as a destination: a step of the same use case, or unknown.
    public func resolve(_ target: ResumeTarget, from node: NodeID) -> Destination {
        switch target {
        case .unresolved(let text):
            return .unknown(text)
        case .step(let id):
            guard let t = nodes[id], t.kind == .step, useCase(of: id) == useCase(of: node) else {
                return .unknown("?")
            }
            return .step(id)
        }
    }

    /// Every way out of a step: its normal successor, then one per extension (the extension and where it leads).
    public func successors(of step: NodeID) -> [(via: NodeID?, to: Destination)] {
        var out: [(NodeID?, Destination)] = [(nil, destination(after: step))]
        for ext in children(of: step) { out.append((ext, entry(of: ext))) }
        return out
    }
}
