import FlowCore

/// Which way a diagram runs: top-down, bottom-up, left-right or right-left.
public enum Direction: String, CaseIterable, Sendable { case TD, TB, BT, LR, RL }

/// The one list of export formats: `flowsmith export --format`, `:export` and the detail pane's
/// preview all come from here, so a new format (a writer and a case) is added in one place.
public enum ExportFormat: String, CaseIterable, Sendable {
    case text, mermaid, dot, robot

    /// What a person calls it (the preview's title).
    public var title: String {
        switch self {
        case .text: "Diagram"
        case .mermaid: "Mermaid"
        case .dot: "DOT"
        case .robot: "Robot Framework"
        }
    }

    /// The usual file name ending.
    public var fileExtension: String {
        switch self {
        case .text: "txt"
        case .mermaid: "mmd"
        case .dot: "dot"
        case .robot: "robot"
        }
    }

    /// The format for a name as typed, in any letter case (`MERMAID`, `Dot`).
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The flow in this format.
    /// `width` and `ascii` shape the text diagram (columns; ASCII only); the others ignore them.
    public func render(_ flow: Flow, direction: Direction = .TD, width: Int = 80, ascii: Bool = false) -> String {
        switch self {
        case .text: TextDiagram.write(flow, width: width, ascii: ascii)
        case .mermaid: MermaidWriter.write(flow, direction: direction)
        case .dot: DotWriter.write(flow, direction: direction)
        case .robot: RobotWriter.write(flow)
        }
    }

    /// The next format in the list (the preview's `t`).
    public var next: ExportFormat {
        let all = Self.allCases
        return all[((all.firstIndex(of: self) ?? 0) + 1) % all.count]
    }

    /// "mermaid or dot", for usage messages.
    public static var names: String {
        let all = allCases.map(\.rawValue)
        return all.dropLast().joined(separator: ", ") + (all.count > 1 ? " or " : "") + (all.last ?? "")
    }
}
