import FlowCore
import FlowFormats

/// The detail pane's derived data (the use case's problems and its diagram source). It is
/// computed off the loop's thread (`Job.detail`) when the flow, the use case under the cursor or
/// the format changes, never per frame; until the new one arrives the pane shows the last one.
public struct DetailCache: Equatable, Sendable {
    public struct Key: Equatable, Sendable {
        let revision: Int
        let useCase: NodeID
        let format: ExportFormat
        /// A loaded file or a placeholder row changes the flow without moving the revision.
        let nodeCount: Int
    }

    let key: Key
    let problems: [Problem]
    let preview: [String]
}

public enum Detail {
    static func key(_ s: AppState) -> DetailCache.Key? {
        guard s.showDetail, let c = s.cursor, let uc = s.flow.useCase(of: c) else { return nil }
        return DetailCache.Key(revision: s.history.revision, useCase: uc, format: s.preview, nodeCount: s.flow.nodes.count)
    }

    /// Asks for the pane's data when what it shows changed (once per change).
    static func refresh(_ s: inout AppState) -> [Effect] {
        guard let key = key(s), s.detailCache?.key != key, s.detailWanted != key else { return [] }
        s.detailWanted = key
        return [.run(.detail(flow: s.flow, key: key))]
    }

    static func arrived(_ cache: DetailCache, _ s: inout AppState) {
        guard cache.key == s.detailWanted else { return }
        s.detailCache = cache
        s.detailWanted = nil
    }

    /// The pane's data for a use case: its problems and its diagram in the chosen format.
    public static func compute(_ flow: Flow, _ key: DetailCache.Key) -> DetailCache {
        let text = key.format.render(flow.extract(useCase: key.useCase))
        return DetailCache(key: key, problems: flow.validate(useCase: key.useCase),
                           preview: text.split(separator: "\n").map(String.init))
    }

    /// What the pane shows now: the last data that arrived (nil while the first is on its way),
    /// or, for a state drawn without the loop (never asked for), the data computed here.
    static func current(_ s: AppState) -> DetailCache? {
        if let cache = s.detailCache { return cache }
        if s.detailWanted != nil { return nil }
        return key(s).map { compute(s.flow, $0) }
    }
}
