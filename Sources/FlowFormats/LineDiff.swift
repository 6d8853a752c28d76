/// A line-by-line difference between two texts, for showing what a recovery file would change.
///
/// Common leading and trailing lines are matched first; the middle is compared with a longest
/// common subsequence when it is small enough (up to `budget` cells), and shown as removed then
/// added lines otherwise, so a huge file never stalls the editor.
public enum LineDiff {
    public enum Line: Equatable, Sendable {
        case same(String), removed(String), added(String)
    }

    public static func lines(from old: String, to new: String, budget: Int = 4_000_000) -> [Line] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let midA = Array(a[prefix..<(a.count - suffix)])
        let midB = Array(b[prefix..<(b.count - suffix)])
        var out = a[..<prefix].map(Line.same)
        if midA.count * midB.count <= budget {
            out += lcs(midA, midB)
        } else {
            out += midA.map(Line.removed) + midB.map(Line.added)
        }
        out += a[(a.count - suffix)...].map(Line.same)
        return out
    }

    /// Only the changed lines with `context` unchanged lines around each run; "…" marks a gap.
    public static func hunks(_ lines: [Line], context: Int = 2) -> [Line] {
        var keep = [Bool](repeating: false, count: lines.count)
        for (i, l) in lines.enumerated() {
            if case .same = l { continue }
            for j in max(0, i - context)...min(lines.count - 1, i + context) { keep[j] = true }
        }
        var out: [Line] = []
        var skipped = false
        for (i, l) in lines.enumerated() {
            if keep[i] {
                if skipped && !out.isEmpty { out.append(.same("…")) }
                out.append(l)
                skipped = false
            } else {
                skipped = true
            }
        }
        return out
    }

    private static func lcs(_ a: [String], _ b: [String]) -> [Line] {
        let n = a.count, m = b.count
        guard n > 0 else { return b.map(Line.added) }
        guard m > 0 else { return a.map(Line.removed) }
        // table[i][j]: the common length of a[i...] and b[j...], in one flat array.
        var table = [Int32](repeating: 0, count: (n + 1) * (m + 1))
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i * (m + 1) + j] = a[i] == b[j]
                    ? table[(i + 1) * (m + 1) + j + 1] + 1
                    : max(table[(i + 1) * (m + 1) + j], table[i * (m + 1) + j + 1])
            }
        }
        var out: [Line] = []
        var i = 0, j = 0
        while i < n && j < m {
            if a[i] == b[j] {
                out.append(.same(a[i])); i += 1; j += 1
            } else if table[(i + 1) * (m + 1) + j] >= table[i * (m + 1) + j + 1] {
                out.append(.removed(a[i])); i += 1
            } else {
                out.append(.added(b[j])); j += 1
            }
        }
        out += a[i...].map(Line.removed) + b[j...].map(Line.added)
        return out
    }
}
