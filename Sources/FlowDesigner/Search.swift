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
        find(query, from: s.cursor, forward: forward, includeStart: false, &s)
    }

    static func matches(_ text: String, _ query: String) -> Bool {
        text.lowercased().contains(query.lowercased())
    }

    /// Moves the cursor to the next node whose text contains the query; says so when none does.
    static func find(_ query: String, from start: NodeID?, forward: Bool, includeStart: Bool, _ s: inout AppState) {
        let all = Rows(s.flow, folded: [])
        guard let origin = start ?? all.first else { return }
        var id = origin
        var first = true
        while true {
            if !(first && !includeStart), let text = s.flow[id]?.text, matches(text, query) {
                reveal(id, &s)
                s.cursor = id
                return
            }
            first = false
            let step = forward ? all.next(id) : all.previous(id)
            id = step ?? (forward ? all.first : all.last) ?? origin
            if id == origin {
                if let text = s.flow[id]?.text, matches(text, query), !includeStart { reveal(id, &s); s.cursor = id; return }
                return s.fail("Not found: \(query)")
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

