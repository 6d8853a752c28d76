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
        /// The diagram's width and characters (0 and false for the other formats, which do not
        /// depend on them).
        let width: Int
        let ascii: Bool
    }

    let key: Key
    let problems: [Problem]
    let preview: [String]
    /// The drawing, when the format is the text diagram: where each step is, to highlight it.
    let diagram: TextDiagram?
}

public enum Detail {
    static func key(_ s: AppState) -> DetailCache.Key? {
        guard s.showDetail, let c = s.cursor, let uc = s.flow.useCase(of: c) else { return nil }
        let text = s.preview == .text
        return DetailCache.Key(revision: s.history.revision, useCase: uc, format: s.preview, nodeCount: s.flow.nodes.count,
                               width: text ? paneWidth(s) : 0, ascii: text && s.asciiDiagram)
    }

    /// The columns inside the detail pane (beside the tree on wide screens, below it otherwise).
    static func paneWidth(_ s: AppState) -> Int {
        s.detailOnRight ? s.width * 2 / 5 - 3 : s.width - 2
    }

    /// The most steps the pane draws; a larger use case says how many more there are.
    static let diagramLimit = 2_000

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
        let problems = flow.validate(useCase: key.useCase)
        if key.format == .text {
            let diagram = TextDiagram.draw(flow, useCase: key.useCase, width: key.width, ascii: key.ascii, limit: diagramLimit)
            return DetailCache(key: key, problems: problems, preview: diagram.lines, diagram: diagram)
        }
        let text = key.format.render(flow.extract(useCase: key.useCase))
        return DetailCache(key: key, problems: problems, preview: text.split(separator: "\n").map(String.init), diagram: nil)
    }

    /// What the pane shows now: the last data that arrived (nil while the first is on its way),
    /// or, for a state drawn without the loop (never asked for), the data computed here.
    static func current(_ s: AppState) -> DetailCache? {
        if let cache = s.detailCache { return cache }
        if s.detailWanted != nil { return nil }
        return key(s).map { compute(s.flow, $0) }
    }
}
