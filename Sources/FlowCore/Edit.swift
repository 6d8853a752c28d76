/// One primitive change to a flow. Applying an edit returns its exact inverse, so undo is
/// "apply the inverse" and needs no snapshots.
public enum Edit: Hashable, Sendable {
    /// Put a subtree under `parent` (nil: a use case at the top level) at `index`.
    case insert(Subtree, parent: NodeID?, index: Int)
    /// Take a node out with everything under it.
    case remove(NodeID)
    /// Move a node with everything under it to `index` among the children of `parent`,
    /// where `index` counts the new siblings without the moved node.
    case move(NodeID, parent: NodeID?, index: Int)
    /// Replace a use case's title, a step's text or an extension's condition.
    case setText(NodeID, String)
    /// Replace the flow's title.
    case setTitle(String)
    /// Replace a use case's fields.
    case setFields(NodeID, [Field])
    /// Replace an extension's ending.
    case setEnding(NodeID, Ending)
    /// Replace an extension's kind.
    case setExtensionKind(NodeID, ExtensionKind)
}

/// Why an edit could not be applied. The flow is unchanged when one is thrown.
public enum EditError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingNode(NodeID)
    case duplicateID(NodeID)
    case wrongParent(child: NodeKind, parent: NodeKind?)
    case indexOutOfRange(Int, count: Int)
    case moveIntoItself(NodeID)
    case notApplicable(String)

    public var description: String {
        switch self {
        case .missingNode(let id): return "node \(id) does not exist"
        case .duplicateID(let id): return "node \(id) already exists"
        case .wrongParent(let c, let p): return "a \(c) cannot go under \(p.map { "a \($0)" } ?? "the flow")"
        case .indexOutOfRange(let i, let n): return "position \(i) is outside 0…\(n)"
        case .moveIntoItself(let id): return "node \(id) cannot move under itself"
        case .notApplicable(let why): return why
        }
    }
}

extension Flow {
    /// Applies one edit and returns the edit that undoes it exactly.
    @discardableResult
    public mutating func apply(_ edit: Edit) throws(EditError) -> Edit {
        switch edit {
        case .insert(let tree, let parent, let index):
            try insert(tree, parent: parent, index: index)
            return .remove(tree.root.id)
        case .remove(let id):
            guard let node = nodes[id], let tree = subtree(id), let idx = index(of: id) else { throw .missingNode(id) }
            detach(id, from: node.parent)
            for n in tree.allIDs { nodes[n] = nil }
            return .insert(tree, parent: node.parent, index: idx)
        case .move(let id, let parent, let index):
            return try move(id, to: parent, index: index)
        case .setText(let id, let text):
            guard let old = nodes[id]?.text else { throw .missingNode(id) }
            nodes[id]?.text = text
            return .setText(id, old)
        case .setTitle(let text):
            let old = title
            title = text
            return .setTitle(old)
        case .setFields(let id, let fields):
            guard let node = nodes[id] else { throw .missingNode(id) }
            guard node.kind == .useCase else { throw .notApplicable("only use cases have fields") }
            nodes[id]?.fields = fields
            return .setFields(id, node.fields)
        case .setEnding(let id, let ending):
            guard let node = nodes[id] else { throw .missingNode(id) }
            guard node.kind == .extension else { throw .notApplicable("only extensions have endings") }
            nodes[id]?.ending = ending
            return .setEnding(id, node.ending)
        case .setExtensionKind(let id, let kind):
            guard let node = nodes[id] else { throw .missingNode(id) }
            guard node.kind == .extension else { throw .notApplicable("only extensions have a kind") }
            nodes[id]?.extensionKind = kind
            return .setExtensionKind(id, node.extensionKind)
        }
    }

    private func checkParent(_ kind: NodeKind, _ parent: NodeID?) throws(EditError) {
        var parentKind: NodeKind?
        if let parent {
            guard let p = nodes[parent] else { throw .missingNode(parent) }
            parentKind = p.kind
        }
        guard kind.allowedParents.contains(parentKind) else { throw .wrongParent(child: kind, parent: parentKind) }
    }

    private mutating func insert(_ tree: Subtree, parent: NodeID?, index: Int) throws(EditError) {
        try checkParent(tree.root.kind, parent)
        let count = children(of: parent).count
        guard index >= 0, index <= count else { throw .indexOutOfRange(index, count: count) }
        for id in tree.allIDs where nodes[id] != nil { throw .duplicateID(id) }
        var root = tree.root
        root.parent = parent
        nodes[root.id] = root
        for n in tree.descendants { nodes[n.id] = n }
        if let maxRaw = tree.allIDs.map(\.raw).max(), maxRaw >= nextID { nextID = maxRaw + 1 }
        attach(root.id, to: parent, at: index)
    }

    private mutating func move(_ id: NodeID, to parent: NodeID?, index: Int) throws(EditError) -> Edit {
        guard let node = nodes[id], let oldIndex = self.index(of: id) else { throw .missingNode(id) }
        try checkParent(node.kind, parent)
        if let parent, isAncestor(id, of: parent) { throw .moveIntoItself(id) }
        let count = children(of: parent).count - (parent == node.parent ? 1 : 0)
        guard index >= 0, index <= count else { throw .indexOutOfRange(index, count: count) }
        detach(id, from: node.parent)
        nodes[id]?.parent = parent
        attach(id, to: parent, at: index)
        return .move(id, parent: node.parent, index: oldIndex)
    }

    private mutating func detach(_ id: NodeID, from parent: NodeID?) {
        if let parent {
            nodes[parent]?.children.removeAll { $0 == id }
        } else {
            useCases.removeAll { $0 == id }
        }
    }

    private mutating func attach(_ id: NodeID, to parent: NodeID?, at index: Int) {
        if let parent {
            nodes[parent]?.children.insert(id, at: index)
        } else {
            useCases.insert(id, at: index)
        }
    }
}
