/// A table from node ids to values, stored as an array indexed by the id's number.
///
/// Ids are handed out one after another from 1 (`Flow.makeID`), so an array is dense: looking up,
/// adding or changing a node is an index, with no hashing, and a 100,000-step flow takes a
/// fraction of a dictionary's memory. Removed ids leave a hole (`nil`); two tables are equal when
/// they hold the same values for the same ids, whatever holes either has.
public struct NodeMap<Value>: Sendable where Value: Sendable {
    // Inlinable, so that other modules get a version specialised for their value type: a
    // generic table looked up through run-time metadata cost a third of reading a large file.
    @usableFromInline var slots: [Value?] = []
    @usableFromInline var stored = 0

    @inlinable public init() {}

    @inlinable public var count: Int { stored }
    @inlinable public var isEmpty: Bool { stored == 0 }

    @inlinable public subscript(id: NodeID) -> Value? {
        get {
            let i = Int(id.raw)
            return i < slots.count ? slots[i] : nil
        }
        _modify {
            let i = Int(id.raw)
            if i >= slots.count { grow(to: i) }
            let had = slots[i] != nil
            defer {
                let has = slots[i] != nil
                if had != has { stored += has ? 1 : -1 }
            }
            yield &slots[i]
        }
        set {
            let i = Int(id.raw)
            if i >= slots.count {
                guard newValue != nil else { return }
                grow(to: i)
            }
            let had = slots[i] != nil
            slots[i] = newValue
            let has = newValue != nil
            if had != has { stored += has ? 1 : -1 }
        }
    }

    @inlinable mutating func grow(to i: Int) {
        if i >= slots.capacity { slots.reserveCapacity(Swift.max(i + 1, slots.capacity * 2)) }
        while slots.count <= i { slots.append(nil) }
    }

    /// Every id that has a value, in order.
    @inlinable public var keys: [NodeID] { lazy.map(\.key) }

    /// Every value, in id order.
    @inlinable public var values: LazyMapSequence<LazyFilterSequence<LazySequence<[Value?]>.Elements>, Value> {
        slots.lazy.filter { $0 != nil }.map { $0! }
    }
}

extension NodeMap: Sequence {
    public struct Iterator: IteratorProtocol {
        @usableFromInline var slots: IndexingIterator<[Value?]>
        @usableFromInline var index: UInt32 = 0
        @inlinable init(slots: IndexingIterator<[Value?]>) { self.slots = slots }
        @inlinable public mutating func next() -> (key: NodeID, value: Value)? {
            while let slot = slots.next() {
                defer { index += 1 }
                if let value = slot { return (NodeID(index), value) }
            }
            return nil
        }
    }

    @inlinable public func makeIterator() -> Iterator { Iterator(slots: slots.makeIterator()) }
}

extension NodeMap: Equatable where Value: Equatable {
    @inlinable public static func == (a: NodeMap, b: NodeMap) -> Bool {
        guard a.count == b.count else { return false }
        let n = Swift.max(a.slots.count, b.slots.count)
        for i in 0..<n {
            let x = i < a.slots.count ? a.slots[i] : nil
            let y = i < b.slots.count ? b.slots[i] : nil
            if x != y { return false }
        }
        return true
    }
}
