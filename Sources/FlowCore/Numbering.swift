/// Cockburn numbering: main steps 1, 2, 3; extensions 3a, 3b; their steps 3a1, 3a2; nested 3a1a.
///
/// Numbers are derived from positions every time they are needed, never stored, so inserting
/// or moving a step renumbers everything after it for free.
public enum Numbering {
    /// The extension letters for a position: 0 → "a", 25 → "z", 26 → "aa", 27 → "ab" (bijective base 26).
    public static func letters(_ index: Int) -> String {
        precondition(index >= 0)
        var n = index + 1
        var scalars: [Unicode.Scalar] = []
        while n > 0 {
            n -= 1
            scalars.append(Unicode.Scalar(UInt8(ascii: "a") + UInt8(n % 26)))
            n /= 26
        }
        return String(String.UnicodeScalarView(scalars.reversed()))
    }

    /// The position for extension letters, the inverse of `letters`; nil for anything but a–z.
    public static func index(ofLetters s: Substring) -> Int? {
        guard !s.isEmpty else { return nil }
        var n = 0
        for u in s.unicodeScalars {
            guard u >= "a", u <= "z" else { return nil }
            let (m, o1) = n.multipliedReportingOverflow(by: 26)
            let (a, o2) = m.addingReportingOverflow(Int(u.value - 96))
            guard !o1, !o2 else { return nil }
            n = a
        }
        return n - 1
    }

    /// Splits "3a12b" into ["3", "a", "12", "b"]; nil unless it alternates digits and letters, starting with digits.
    public static func components(_ number: String) -> [Substring]? {
        var parts: [Substring] = []
        var start = number.startIndex
        var i = number.startIndex
        func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
        while i < number.endIndex {
            let digit = isDigit(number[i])
            guard digit || ("a"..."z").contains(number[i]) else { return nil }
            if parts.count % 2 == 0 ? !digit : digit {
                guard i > start else { return nil }
                parts.append(number[start..<i])
                start = i
            }
            i = number.index(after: i)
        }
        guard i > start else { return nil }
        parts.append(number[start..<i])
        return parts
    }
}

extension Flow {
    /// The Cockburn number of a step ("3a1") or extension ("3a"); for a use case, its position ("2").
    /// Costs O(depth × siblings); when drawing many rows, walk the tree instead.
    public func number(of id: NodeID) -> String? {
        // Parts from the node up to its use case, then joined in order (no recursion: a node
        // 1,000 extensions deep is numbered on a small stack too).
        var parts: [String] = []
        var current = id
        while true {
            guard let node = nodes[current], let idx = index(of: current) else { return nil }
            switch node.kind {
            case .useCase:
                return parts.isEmpty ? String(idx + 1) : parts.reversed().joined()
            case .extension:
                parts.append(Numbering.letters(idx))
            case .step:
                parts.append(String(idx + 1))
                guard let parent = node.parent, let parentNode = nodes[parent] else { return nil }
                if parentNode.kind == .useCase { return parts.reversed().joined() }
            }
            guard let parent = node.parent else { return nil }
            current = parent
        }
    }

    /// The step or extension that a Cockburn number names inside a use case, if any.
    public func node(numbered number: String, in useCase: NodeID) -> NodeID? {
        guard nodes[useCase]?.kind == .useCase, let parts = Numbering.components(number) else { return nil }
        var current = useCase
        for (i, part) in parts.enumerated() {
            let kids = children(of: current)
            let idx: Int?
            if i % 2 == 0 {
                idx = Int(part).map { $0 - 1 }
            } else {
                idx = Numbering.index(ofLetters: part)
            }
            guard let idx, idx >= 0, idx < kids.count else { return nil }
            current = kids[idx]
        }
        return current
    }

    /// A short human name for a node, for messages: "use case 2", "step 3a1", "extension 3a".
    public func describe(_ id: NodeID) -> String {
        guard let node = nodes[id], let n = number(of: id) else { return "a deleted node" }
        switch node.kind {
        case .useCase: return "use case \(n)"
        case .step: return "step \(n)"
        case .extension: return "extension \(n)"
        }
    }
}
