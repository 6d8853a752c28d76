/// A labelled group of edits that the user sees as one change ("Add step", "Accept suggestion"):
/// one undo takes back all of it.
public struct Transaction: Hashable, Sendable {
    public var label: String
    public var edits: [Edit]

    public init(_ label: String, _ edits: [Edit]) {
        self.label = label
        self.edits = edits
    }
}

extension Flow {
    /// Applies every edit of a transaction, or none: when one fails, those already applied are
    /// undone and the error is rethrown. Returns the transaction that undoes it.
    @discardableResult
    public mutating func apply(_ transaction: Transaction) throws(EditError) -> Transaction {
        var inverses: [Edit] = []
        inverses.reserveCapacity(transaction.edits.count)
        for edit in transaction.edits {
            do {
                inverses.append(try apply(edit))
            } catch {
                for inverse in inverses.reversed() { _ = try? apply(inverse) }
                throw error
            }
        }
        return Transaction(transaction.label, inverses.reversed())
    }
}
