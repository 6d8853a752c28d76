import FlowFormats
import FlowCore

/// Incremental search over use-case titles, steps and conditions, in document order, wrapping
/// around, ignoring case; a match inside a folded row unfolds what hides it.
enum Search {
    static func typed(_ key: Key, _ editor: inout LineEditor, origin: NodeID?, _ s: inout AppState) {
        switch editor.handle(key, s.bindings) {
        case .commit:
            s.mode = .normal
            let query = editor.string
            guard !query.isEmpty else { return }
            s.lastSearch = query
            s.searchShown = true
            position(query, &s)
        case .cancel:
            s.mode = .normal
            s.cursor = origin
        case .edited:
            s.mode = .search(editor, origin: origin)
            if editor.text.isEmpty { s.cursor = origin } else {
                find(editor.string, from: origin, forward: true, includeStart: false, &s)
            }
        default:
            s.mode = .search(editor, origin: origin)
        }
    }

    static func next(forward: Bool, _ s: inout AppState) {
        guard let query = s.lastSearch else { return s.fail("No search yet: / starts one") }
        s.searchShown = true
        let wrapped = find(query, from: s.cursor, forward: forward, includeStart: false, &s)
        position(query, &s)
        if wrapped, let at = s.searchPosition {
            s.say(forward ? "Search went past the end: back to match 1 of \(at.total)"
                          : "Search went past the start: back to match \(at.total) of \(at.total)")
        }
    }

    /// Which match the cursor is on, and how many there are: the matches are found by one walk
    /// of the flow when a search is kept, and kept for n/N until the flow or the query changes.
    static func position(_ query: String, _ s: inout AppState) {
        let revision = s.history.revision
        if s.searchMatches?.query != query || s.searchMatches?.revision != revision {
            let matcher = Matcher(query)
            let found = s.flow.documentOrder().filter { s.flow[$0].map { matcher.matches($0.text) } ?? false }
            s.searchMatches = (query, revision, found, Dictionary(uniqueKeysWithValues: found.enumerated().map { ($1, $0 + 1) }))
        }
        guard let all = s.searchMatches, let c = s.cursor, let index = all.index[c] else {
            s.searchPosition = nil
            return
        }
        s.searchPosition = (c, index, all.ids.count, revision)
    }

    static func matches(_ text: String, _ query: String) -> Bool { Matcher(query).matches(text) }

    /// Whether a text holds the query, ignoring case. Queries whose letters have no case outside
    /// ASCII (English, Chinese, digits) are matched on the UTF-8 bytes with ASCII letters folded,
    /// with no copy of the text: a search of a 100,000-step flow walks it in milliseconds.
    struct Matcher {
        let query: [UInt8]
        let lowered: String?

        init(_ query: String) {
            let simple = query.unicodeScalars.allSatisfy { $0.isASCII || !$0.properties.changesWhenCaseMapped }
            self.query = Array(query.utf8).map(Self.fold)
            lowered = simple ? nil : query.lowercased()
        }

        static func fold(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 32 : b }

        func matches(_ text: String) -> Bool {
            if let lowered { return text.lowercased().contains(lowered) }
            guard let first = query.first else { return true }
            var text = text
            return text.withUTF8 { bytes in
                let n = bytes.count, m = query.count
                guard m <= n else { return false }
                var i = 0
                while i <= n - m {
                    if Self.fold(bytes[i]) == first {
                        var j = 1
                        while j < m && Self.fold(bytes[i + j]) == query[j] { j += 1 }
                        if j == m { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    /// Moves the cursor to the next node whose text contains the query; says so when none does.
    /// Returns true when the search went round the end (or the start) to find it.
    @discardableResult
    static func find(_ query: String, from start: NodeID?, forward: Bool, includeStart: Bool, _ s: inout AppState) -> Bool {
        let all = Rows(s.flow, folded: [])
        let matcher = Matcher(query)
        guard let origin = start ?? all.first else { return false }
        var id = origin
        var first = true
        var wrapped = false
        while true {
            if !(first && !includeStart), let text = s.flow[id]?.text, matcher.matches(text) {
                reveal(id, &s)
                s.cursor = id
                return wrapped
            }
            first = false
            let step = forward ? all.next(id) : all.previous(id)
            if step == nil { wrapped = true }
            id = step ?? (forward ? all.first : all.last) ?? origin
            if id == origin {
                if let text = s.flow[id]?.text, matcher.matches(text), !includeStart { reveal(id, &s); s.cursor = id; return wrapped }
                s.searchPosition = nil
                s.fail("Not found: \(query)")
                return false
            }
        }
    }

    /// Unfolds every ancestor of a node so it shows.
    static func reveal(_ id: NodeID, _ s: inout AppState) {
        var current = s.flow[id]?.parent
        while let c = current {
            s.folded.remove(c)
            current = s.flow[c]?.parent
        }
    }
}

