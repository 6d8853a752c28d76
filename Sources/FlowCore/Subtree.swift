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

    /// The extensions in it that resume at a step outside it, with that step.
    public var resumesOutside: [(ext: Node, target: NodeID)] {
        let inside = Set(allIDs)
        return (CollectionOfOne(root) + descendants).compactMap { n in
            guard n.kind == .extension, case .resume(.step(let t)) = n.ending, !inside.contains(t) else { return nil }
            return (n, t)
        }
    }
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

extension Flow {
    /// Where each extension of `tree` resumes when that is outside the tree, as a place counted
    /// from the extension's own step among that step's siblings (0: the step again, 1: the one
    /// after it, -1: the one before), so that a copy pasted elsewhere can resume at the same
    /// place from its new step (`pastedEndings`). Taken while the tree is still in this flow.
    /// An extension resuming at a step of another list has no place.
    public func resumePlaces(of tree: Subtree) -> [NodeID: Int] {
        var out: [NodeID: Int] = [:]
        for (n, t) in tree.resumesOutside {
            guard let step = n.parent, let target = nodes[t], target.kind == .step, let own = nodes[step], own.kind == .step,
                  target.parent == own.parent, let i = index(of: step), let j = index(of: t) else { continue }
            out[n.id] = j - i
        }
        return out
    }

    /// For a copy just pasted into this flow (`copy`, made from `original` by `cloneWithFreshIDs`):
    /// the extensions whose resume target is not a step of the use case they now stand in, each
    /// with the ending that keeps its place from its new step (`resumePlaces`), or nil when that
    /// place is no step here.
    public func pastedEndings(_ copy: Subtree, original: Subtree, places: [NodeID: Int]) -> [(ext: NodeID, ending: Ending?)] {
        var out: [(NodeID, Ending?)] = []
        for (old, new) in zip(CollectionOfOne(original.root) + original.descendants, CollectionOfOne(copy.root) + copy.descendants)
        where new.kind == .extension {
            guard case .resume(let target) = nodes[new.id]?.ending, case .unknown = resolve(target, from: new.id),
                  case .step = target else { continue }
            guard let place = places[old.id], let step = nodes[new.id]?.parent, let i = index(of: step) else {
                out.append((new.id, nil))
                continue
            }
            let list = children(of: nodes[step]?.parent)
            let j = i + place
            if list.indices.contains(j), nodes[list[j]]?.kind == .step {
                out.append((new.id, .resume(.step(list[j]))))
            } else {
                out.append((new.id, nil))
            }
        }
        return out
    }
}
