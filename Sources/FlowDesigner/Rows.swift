import FlowCore

/// The tree as rows on screen, walked locally: the next, previous, first and last visible row
/// are found from a row's neighbours, never by flattening the flow, so moving the cursor costs the
/// same in a 1,000-step and a 100,000-step flow. A row is a node; a folded node hides its subtree.
public struct Rows {
    public let flow: Flow
    public let folded: Set<NodeID>

    public init(_ flow: Flow, folded: Set<NodeID>) {
        self.flow = flow
        self.folded = folded
    }

    public var first: NodeID? { flow.useCases.first }

    public var last: NodeID? {
        guard var id = flow.useCases.last else { return nil }
        while !folded.contains(id), let child = flow.children(of: id).last { id = child }
        return id
    }

    public func next(_ id: NodeID) -> NodeID? {
        if !folded.contains(id), let child = flow.children(of: id).first { return child }
        return nextSkippingChildren(id)
    }

    /// The row after this node's subtree.
    public func nextSkippingChildren(_ id: NodeID) -> NodeID? {
        var current = id
        while let node = flow[current] {
            let siblings = flow.children(of: node.parent)
            if let i = siblings.firstIndex(of: current), i + 1 < siblings.count { return siblings[i + 1] }
            guard let parent = node.parent else { return nil }
            current = parent
        }
        return nil
    }

    public func previous(_ id: NodeID) -> NodeID? {
        guard let node = flow[id] else { return nil }
        let siblings = flow.children(of: node.parent)
        guard let i = siblings.firstIndex(of: id) else { return nil }
        if i == 0 { return node.parent }
        var row = siblings[i - 1]
        while !folded.contains(row), let child = flow.children(of: row).last { row = child }
        return row
    }

    /// Moves `count` rows down (negative: up), stopping at the ends.
    public func offset(_ id: NodeID, by count: Int) -> NodeID {
        var row = id
        for _ in 0..<abs(count) {
            guard let n = count > 0 ? next(row) : previous(row) else { break }
            row = n
        }
        return row
    }

    /// True when no ancestor of the node is folded.
    public func isVisible(_ id: NodeID) -> Bool {
        var current = flow[id]?.parent
        while let c = current {
            if folded.contains(c) { return false }
            current = flow[c]?.parent
        }
        return flow.contains(id)
    }

    /// The nearest visible node: itself, or its outermost folded ancestor.
    public func visibleAncestor(_ id: NodeID) -> NodeID {
        var result = id
        var current = flow[id]?.parent
        while let c = current {
            if folded.contains(c) { result = c }
            current = flow[c]?.parent
        }
        return result
    }

    public func depth(_ id: NodeID) -> Int {
        var d = 0
        var current = flow[id]?.parent
        while let c = current { d += 1; current = flow[c]?.parent }
        return d
    }

    /// Up to `count` rows starting at `top`.
    public func window(from top: NodeID, count: Int) -> [NodeID] {
        var out: [NodeID] = []
        var row: NodeID? = top
        while let r = row, out.count < count {
            out.append(r)
            row = next(r)
        }
        return out
    }
}
