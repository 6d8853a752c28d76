/// A node with everything under it, detached from any flow: what a removal captures and an
/// insertion puts back. The root's `parent` is ignored; the insertion sets it.
public struct Subtree: Hashable, Sendable {
    public var root: Node
    /// Every node under the root, each with its parent and children links intact.
    public var descendants: [Node]

    public init(root: Node, descendants: [Node] = []) {
        self.root = root
        self.descendants = descendants
    }

    /// A new single step with the given id.
    public static func step(_ id: NodeID, _ text: String) -> Subtree {
        Subtree(root: Node(id: id, kind: .step, text: text))
    }

    /// A new extension with no steps.
    public static func `extension`(
        _ id: NodeID, _ condition: String, kind: ExtensionKind = .alternative, ending: Ending = .resumeNext
    ) -> Subtree {
        Subtree(root: Node(id: id, kind: .extension, text: condition, extensionKind: kind, ending: ending))
    }

    /// A new use case with no steps.
    public static func useCase(_ id: NodeID, _ title: String, fields: [Field] = []) -> Subtree {
        Subtree(root: Node(id: id, kind: .useCase, text: title, fields: fields))
    }

    public var allIDs: [NodeID] { [root.id] + descendants.map(\.id) }
}

extension Flow {
    /// The subtree under `id`, as it stands.
    public func subtree(_ id: NodeID) -> Subtree? {
        guard let root = nodes[id] else { return nil }
        return Subtree(root: root, descendants: descendants(of: id).compactMap { nodes[$0] })
    }

    /// A copy of a subtree with fresh ids, for pasting: resume targets inside the copy follow
    /// the copy; targets outside it stay as they are.
    public mutating func cloneWithFreshIDs(_ tree: Subtree) -> Subtree {
        var map: [NodeID: NodeID] = [:]
        for id in tree.allIDs { map[id] = makeID() }
        func remap(_ n: Node) -> Node {
            var copy = Node(
                id: map[n.id] ?? n.id, kind: n.kind, text: n.text, parent: n.parent.flatMap { map[$0] ?? $0 },
                children: n.children.map { map[$0] ?? $0 }, fields: n.fields,
                extensionKind: n.extensionKind, ending: n.ending)
            if case .resume(.step(let t)) = n.ending, let mapped = map[t] { copy.ending = .resume(.step(mapped)) }
            return copy
        }
        return Subtree(root: remap(tree.root), descendants: tree.descendants.map(remap))
    }
}
