/// Unlimited undo and redo over a flow, one entry per transaction.
///
/// `revision` grows with every change, undo and redo included, so background work (a suggestion
/// request, an export preview) can tell whether the flow it was built on is still current.
/// `isModified` compares the current state with the one last saved, so undoing back to the saved
/// state clears the modified marker.
public struct History: Sendable {
    public struct Entry: Hashable, Sendable {
        public let label: String
        public let forward: Transaction
        public let backward: Transaction
        /// Where the cursor was before the change, and where it goes after it.
        public let cursorBefore: NodeID?
        public let cursorAfter: NodeID?
        let state: Int
    }

    public private(set) var undoStack: [Entry] = []
    public private(set) var redoStack: [Entry] = []
    public private(set) var revision = 0
    private var serial = 0
    private var savedState = 0

    public init() {}

    private var currentState: Int { undoStack.last?.state ?? 0 }

    public var canUndo: Bool { !undoStack.isEmpty }
    public var canRedo: Bool { !redoStack.isEmpty }
    public var isModified: Bool { currentState != savedState }

    /// Records that the flow as it stands now is what is on disk.
    public mutating func markSaved() { savedState = currentState }

    /// Applies a transaction and records it; clears the redo stack.
    @discardableResult
    public mutating func perform(
        _ transaction: Transaction, on flow: inout Flow, cursorBefore: NodeID? = nil, cursorAfter: NodeID? = nil
    ) throws(EditError) -> Entry {
        let backward = try flow.apply(transaction)
        serial += 1
        let entry = Entry(
            label: transaction.label, forward: transaction, backward: backward,
            cursorBefore: cursorBefore, cursorAfter: cursorAfter, state: serial)
        undoStack.append(entry)
        redoStack.removeAll()
        revision += 1
        return entry
    }

    /// Takes back the last change; returns it (its `cursorBefore` is where the cursor goes), or nil.
    @discardableResult
    public mutating func undo(on flow: inout Flow) throws(EditError) -> Entry? {
        guard let entry = undoStack.last else { return nil }
        try flow.apply(entry.backward)
        undoStack.removeLast()
        redoStack.append(entry)
        revision += 1
        return entry
    }

    /// Does again the last change undone; returns it (its `cursorAfter` is where the cursor goes), or nil.
    @discardableResult
    public mutating func redo(on flow: inout Flow) throws(EditError) -> Entry? {
        guard let entry = redoStack.last else { return nil }
        try flow.apply(entry.forward)
        redoStack.removeLast()
        undoStack.append(entry)
        revision += 1
        return entry
    }
}
