/// What a node is: the three building blocks of a Cockburn use case.
public enum NodeKind: Hashable, Sendable {
    /// A use case; its children are the steps of the main success scenario.
    case useCase
    /// A step; its children are its extensions (3a, 3b …).
    case step
    /// An extension of a step; its children are its own steps (3a1, 3a2 …).
    case `extension`

    /// The kind a node of this kind may have as parent (nil: the flow itself).
    public var allowedParents: Set<NodeKind?> {
        switch self {
        case .useCase: return [nil]
        case .step: return [.useCase, .extension]
        case .extension: return [.step]
        }
    }
}

/// Whether an extension is another way to succeed or something that went wrong.
public enum ExtensionKind: String, Hashable, Sendable, CaseIterable {
    case alternative
    case exception
}

/// Where a step of an extension's scenario resumes.
public enum ResumeTarget: Hashable, Sendable {
    /// A step of the same use case, by identity: it follows the step when steps move.
    case step(NodeID)
    /// A target that did not resolve when the file was read, kept as written so nothing is lost.
    case unresolved(String)
}

/// How an extension's scenario ends.
public enum Ending: Hashable, Sendable {
    /// No explicit ending: continue with the step after the extended one.
    case resumeNext
    /// Continue at a named step.
    case resume(ResumeTarget)
    /// The use case ends, its goal met.
    case success
    /// The use case ends, its goal not met.
    case failure
}

/// A named piece of use-case information such as "Primary actor: Customer".
public struct Field: Hashable, Sendable {
    public var name: String
    public var value: String
    /// What stands between the name and the value in the file: a colon (`:` or the fullwidth `：`
    /// Chinese keyboards type) and the spaces or tabs after it. A field read from a file keeps the
    /// one written there, so saving never rewrites it; a new field has `canonicalSeparator`.
    public var separator: String

    public init(_ name: String, _ value: String, separator: String = Field.canonicalSeparator) {
        self.name = name
        self.value = value
        self.separator = separator
    }

    /// The separator flowsmith writes for a field it made: `- Goal: text`.
    public static let canonicalSeparator = ": "

    /// A known field name in its canonical spelling, whatever the letter case; other names as given.
    public static func canonicalName(_ name: String) -> String {
        knownNames.first { $0.lowercased() == name.lowercased() } ?? name
    }

    /// The field names flowsmith knows, in the order a use-case template lists them.
    public static let knownNames = [
        "Primary actor", "Goal", "Trigger", "Preconditions", "Success guarantee",
        "Minimal guarantee", "Scope", "Level", "Stakeholders",
    ]
}

/// One use case, step or extension, stored flat in a `Flow` and linked by ids.
///
/// `text` is the use case's title, the step's text or the extension's condition. Fields only
/// mean something on use cases; `extensionKind` and `ending` only on extensions.
public struct Node: Hashable, Sendable {
    public let id: NodeID
    public let kind: NodeKind
    public internal(set) var parent: NodeID?
    public internal(set) var children: [NodeID]
    public internal(set) var text: String
    public internal(set) var fields: [Field]
    public internal(set) var extensionKind: ExtensionKind
    public internal(set) var ending: Ending

    public init(
        id: NodeID, kind: NodeKind, text: String, parent: NodeID? = nil, children: [NodeID] = [],
        fields: [Field] = [], extensionKind: ExtensionKind = .alternative, ending: Ending = .resumeNext
    ) {
        self.id = id
        self.kind = kind
        self.parent = parent
        self.children = children
        self.text = text
        self.fields = fields
        self.extensionKind = extensionKind
        self.ending = ending
    }
}
