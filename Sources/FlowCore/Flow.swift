/// A flow document: a title and an ordered list of use cases, each a tree of steps and extensions.
///
/// Nodes are stored flat, keyed by id, with parent and child links, so that finding, editing or
/// moving a node costs the same in a 10-step and a 100,000-step flow. Cockburn numbers are
/// derived from positions (see `number(of:)`), never stored.
///
/// Two flows are equal when their titles, use cases and nodes are equal; the id counter is not
/// compared, so undoing an insertion gives back an equal flow.
public struct Flow: Sendable {
    public var title: String
    /// The language of the endings and markers the file was written with (`Wording`), kept for
    /// writing it back so; nil when it had none. Not compared by `==`: it is how the document
    /// spells flowsmith's own words, not what it says.
    public var wording: Wording?
    public internal(set) var useCases: [NodeID]
    public internal(set) var nodes: NodeMap<Node>
    var nextID: UInt32

    public init(title: String = "") {
        self.title = title
        self.useCases = []
        self.nodes = NodeMap()
        self.nextID = 1
    }

    // MARK: Reading

    public subscript(id: NodeID) -> Node? { nodes[id] }

    public func contains(_ id: NodeID) -> Bool { nodes[id] != nil }

    /// The children of a node, or the use cases for `nil`.
    public func children(of id: NodeID?) -> [NodeID] {
        guard let id else { return useCases }
        return nodes[id]?.children ?? []
    }

    /// The position of a node among its siblings. Costs O(siblings).
    public func index(of id: NodeID) -> Int? {
        guard let node = nodes[id] else { return nil }
        return children(of: node.parent).firstIndex(of: id)
    }

    /// The use case a node belongs to (itself for a use case).
    public func useCase(of id: NodeID) -> NodeID? {
        var current = id
        while let node = nodes[current] {
            guard let parent = node.parent else { return node.kind == .useCase ? current : nil }
            current = parent
        }
        return nil
    }

    /// True when `ancestor` is `id` or one of its ancestors.
    public func isAncestor(_ ancestor: NodeID, of id: NodeID) -> Bool {
        var current: NodeID? = id
        while let c = current {
            if c == ancestor { return true }
            current = nodes[c]?.parent
        }
        return false
    }

    /// All nodes under `id` (not itself), in document order.
    public func descendants(of id: NodeID) -> [NodeID] {
        var out: [NodeID] = []
        var stack = Array(children(of: id).reversed())
        while let next = stack.popLast() {
            out.append(next)
            stack.append(contentsOf: children(of: next).reversed())
        }
        return out
    }

    /// Every node in document order: each use case, then its steps depth first.
    public func documentOrder() -> [NodeID] {
        var out: [NodeID] = []
        out.reserveCapacity(nodes.count)
        for uc in useCases {
            out.append(uc)
            out.append(contentsOf: descendants(of: uc))
        }
        return out
    }

    /// The number of steps in the whole flow, at every depth.
    public var stepCount: Int { nodes.values.reduce(0) { $0 + ($1.kind == .step ? 1 : 0) } }

    // MARK: Building

    /// A fresh id, never used before in this flow.
    public mutating func makeID() -> NodeID {
        defer { nextID += 1 }
        return NodeID(nextID)
    }

    /// Appends a use case. Building calls (`addUseCase`, `addStep`, `addExtension`) are for
    /// readers and generators; edits that a user can undo go through `apply(_:)`.
    @discardableResult
    public mutating func addUseCase(_ title: String, fields: [Field] = []) -> NodeID {
        let id = makeID()
        nodes[id] = Node(id: id, kind: .useCase, text: title, fields: fields)
        useCases.append(id)
        return id
    }

    /// Appends a step to a use case's main scenario or to an extension.
    @discardableResult
    public mutating func addStep(_ text: String, to parent: NodeID) -> NodeID {
        precondition(nodes[parent].map { $0.kind != .step } ?? false, "steps belong to use cases and extensions")
        let id = makeID()
        nodes[id] = Node(id: id, kind: .step, text: text, parent: parent)
        nodes[parent]?.children.append(id)
        return id
    }

    /// Appends an extension to a step.
    @discardableResult
    public mutating func addExtension(
        _ condition: String, to step: NodeID, kind: ExtensionKind = .alternative, ending: Ending = .resumeNext
    ) -> NodeID {
        precondition(nodes[step]?.kind == .step, "extensions belong to steps")
        let id = makeID()
        nodes[id] = Node(id: id, kind: .extension, text: condition, parent: step, extensionKind: kind, ending: ending)
        nodes[step]?.children.append(id)
        return id
    }

    /// Appends a field to a use case while building.
    public mutating func addField(_ field: Field, to useCase: NodeID) {
        precondition(nodes[useCase]?.kind == .useCase, "fields belong to use cases")
        nodes[useCase]?.fields.append(field)
    }

    /// Sets an extension's ending while building (resume targets often point forward, so a
    /// reader sets them once every step exists).
    public mutating func setEnding(_ ending: Ending, of ext: NodeID) {
        nodes[ext]?.ending = ending
    }

    /// Returns a copy whose ids are 1, 2, 3 … in document order, with resume targets remapped.
    /// Two flows with the same content are equal after renumbering, whatever edits made them.
    public func renumbered() -> Flow {
        var map: [NodeID: NodeID] = [:]
        for (i, id) in documentOrder().enumerated() { map[id] = NodeID(UInt32(i + 1)) }
        var out = Flow(title: title)
        out.wording = wording
        out.nextID = UInt32(map.count + 1)
        out.useCases = useCases.compactMap { map[$0] }
        for (old, node) in nodes {
            guard let new = map[old] else { continue }
            var copy = Node(
                id: new, kind: node.kind, text: node.text, parent: node.parent.flatMap { map[$0] },
                children: node.children.compactMap { map[$0] }, fields: node.fields,
                extensionKind: node.extensionKind, ending: node.ending)
            if case .resume(.step(let target)) = node.ending, let mapped = map[target] {
                copy.ending = .resume(.step(mapped))
            }
            out.nodes[new] = copy
        }
        return out
    }
}

extension Flow {
    /// A flow of one use case, with the flow's title and fresh ids 1, 2, 3 … (resume targets
    /// remapped), so it costs what that use case costs however large the flow is.
    public func extract(useCase uc: NodeID) -> Flow {
        var out = Flow(title: title)
        // The part speaks as the whole does, whatever its own labels are.
        out.wording = effectiveWording
        guard nodes[uc]?.kind == .useCase else { return out }
        let order = [uc] + descendants(of: uc)
        var map: [NodeID: NodeID] = [:]
        map.reserveCapacity(order.count)
        for (i, id) in order.enumerated() { map[id] = NodeID(UInt32(i + 1)) }
        out.nextID = UInt32(order.count + 1)
        out.useCases = [NodeID(1)]
        for old in order {
            guard let node = nodes[old], let new = map[old] else { continue }
            var ending = node.ending
            if case .resume(.step(let target)) = node.ending {
                // A target outside the use case stays outside: written as it reads.
                ending = .resume(map[target].map(ResumeTarget.step) ?? .unresolved(number(of: target) ?? "?"))
            }
            out.nodes[new] = Node(id: new, kind: node.kind, text: node.text, parent: node.parent.flatMap { map[$0] },
                                  children: node.children.compactMap { map[$0] }, fields: node.fields,
                                  extensionKind: node.extensionKind, ending: ending)
        }
        return out
    }
}

extension Flow: Equatable {
    public static func == (a: Flow, b: Flow) -> Bool {
        a.title == b.title && a.useCases == b.useCases && a.nodes == b.nodes
    }
}
