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

    /// Which match the cursor is on, and how many there are (one walk of the flow, done when a
    /// search is kept or moved with n/N, not while it is typed).
    static func position(_ query: String, _ s: inout AppState) {
        var index = 0, total = 0
        let q = query.lowercased()
        for id in s.flow.documentOrder() {
            guard let text = s.flow[id]?.text, text.lowercased().contains(q) else { continue }
            total += 1
            if id == s.cursor { index = total }
        }
        s.searchPosition = index == 0 ? nil : s.cursor.map { ($0, index, total, s.history.revision) }
    }

    static func matches(_ text: String, _ query: String) -> Bool {
        text.lowercased().contains(query.lowercased())
    }

    /// Moves the cursor to the next node whose text contains the query; says so when none does.
    /// Returns true when the search went round the end (or the start) to find it.
    @discardableResult
    static func find(_ query: String, from start: NodeID?, forward: Bool, includeStart: Bool, _ s: inout AppState) -> Bool {
        let all = Rows(s.flow, folded: [])
        guard let origin = start ?? all.first else { return false }
        var id = origin
        var first = true
        var wrapped = false
        while true {
            if !(first && !includeStart), let text = s.flow[id]?.text, matches(text, query) {
                reveal(id, &s)
                s.cursor = id
                return wrapped
            }
            first = false
            let step = forward ? all.next(id) : all.previous(id)
            if step == nil { wrapped = true }
            id = step ?? (forward ? all.first : all.last) ?? origin
            if id == origin {
                if let text = s.flow[id]?.text, matches(text, query), !includeStart { reveal(id, &s); s.cursor = id; return wrapped }
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

