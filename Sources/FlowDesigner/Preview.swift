import FlowCore
import FlowFormats

/// The detail pane's derived data (the use case's problems and its diagram source), computed
/// once per change of the flow, the use case under the cursor or the format, never per frame.
public struct DetailCache: Equatable, Sendable {
    public struct Key: Equatable, Sendable {
        let revision: Int
        let useCase: NodeID
        let format: ExportFormat
        /// The flow's own revision does not move for a placeholder row or a loaded file.
        let nodeCount: Int
    }

    let key: Key
    let problems: [Problem]
    let preview: [String]
}

enum Detail {
    /// Brings the cache up to date when the pane shows; costs one use case's work when it does.
    static func refresh(_ s: inout AppState) {
        guard s.showDetail, let c = s.cursor, let uc = s.flow.useCase(of: c) else { return }
        let key = DetailCache.Key(revision: s.history.revision, useCase: uc, format: s.preview, nodeCount: s.flow.nodes.count)
        if s.detailCache?.key == key { return }
        let one = single(uc, of: s.flow)
        let text = s.preview.render(one)
        s.detailCache = DetailCache(key: key, problems: s.flow.validate(useCase: uc),
                                    preview: text.split(separator: "\n").map(String.init))
    }

    /// A flow holding only one use case, for a preview that costs what that use case costs.
    static func single(_ uc: NodeID, of flow: Flow) -> Flow {
        var out = Flow(title: flow.title)
        guard let tree = flow.subtree(uc) else { return out }
        _ = try? out.apply(.insert(tree, parent: nil, index: 0))
        return out
    }
}
