/// A stable identity for a use case, step or extension.
///
/// Ids never change while a flow is edited, so the cursor, resume targets, suggestions and undo
/// history can refer to a node across insertions and moves. They are not written to files: the
/// reader hands out fresh ids in document order, so the same text always gives the same ids.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let raw: UInt32

    public init(_ raw: UInt32) { self.raw = raw }

    public static func < (a: NodeID, b: NodeID) -> Bool { a.raw < b.raw }
    public var description: String { "#\(raw)" }
}
