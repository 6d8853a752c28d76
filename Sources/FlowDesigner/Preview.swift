import FlowCore
import FlowFormats

/// Exports for the preview pane and `:export`.
enum Exports {
    static func mermaid(_ flow: Flow) -> String { MermaidWriter.write(flow) }
    static func dot(_ flow: Flow) -> String { DotWriter.write(flow) }

    /// A flow holding only one use case, for a preview that costs what that use case costs.
    static func single(_ uc: NodeID, of flow: Flow) -> Flow {
        var out = Flow(title: flow.title)
        guard let tree = flow.subtree(uc) else { return out }
        _ = try? out.apply(.insert(tree, parent: nil, index: 0))
        return out
    }
}
