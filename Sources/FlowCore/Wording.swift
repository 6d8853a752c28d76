/// The language of the words flowsmith itself puts into a document — its endings ("End:
/// failure." / "结束：失败。"), the exception marker ("[exception]" / "[异常]") and the drawn
/// diagrams' end marks — so that a Chinese document reads as Chinese throughout.
///
/// A flow read from a file keeps the wording its endings and markers were written in
/// (`Flow.wording`); a flow that has none yet speaks its labels' language (`detected`).
public enum Wording: String, Hashable, Sendable, CaseIterable {
    case english
    case chinese

    /// The marker of an exception extension, as written after its label.
    public var exceptionMarker: String { self == .english ? "[exception]" : "[异常]" }

    /// An ending line's text (without the list bullet), the number of a resume target as given.
    public func endingLine(_ ending: Ending, number: String) -> String? {
        switch (ending, self) {
        case (.resumeNext, _): return nil
        case (.success, .english): return "End: success."
        case (.failure, .english): return "End: failure."
        case (.resume, .english): return "Resume at \(number)."
        case (.success, .chinese): return "结束：成功。"
        case (.failure, .chinese): return "结束：失败。"
        case (.resume, .chinese): return "回到第\(number)步。"
        }
    }

    /// The end marks drawn in diagrams and beside extensions: "success", "failure", "resume at
    /// 3", "on to 4" — with the number where it goes in the language.
    public var success: String { self == .english ? "success" : "成功" }
    /// A use case's heading: "Use case 2: TITLE" / "用例 2：TITLE".
    public func useCaseHeading(_ number: String, _ title: String) -> String {
        (self == .english ? "Use case \(number): " : "用例 \(number)：") + title
    }
    public var failure: String { self == .english ? "failure" : "失败" }
    public func resumeAt(_ number: String) -> String { self == .english ? "resume at \(number)" : "回到第\(number)步" }
    public func onTo(_ number: String) -> String { self == .english ? "on to \(number)" : "继续第\(number)步" }

    /// The language most of these labels are written in: Chinese when more than half of those
    /// with letters hold Chinese characters. Looks at `limit` labels at most, so it costs the
    /// same for any size of flow.
    public static func detected<S: Sequence<String>>(in labels: S, limit: Int = 200) -> Wording {
        var chinese = 0, lettered = 0
        for label in labels.prefix(limit) {
            var hasHan = false, hasLetter = false
            for u in label.unicodeScalars {
                if (0x4E00...0x9FFF).contains(u.value) || (0x3400...0x4DBF).contains(u.value) { hasHan = true; break }
                if u.properties.isAlphabetic { hasLetter = true }
            }
            if hasHan { chinese += 1 }
            if hasHan || hasLetter { lettered += 1 }
        }
        return lettered > 0 && chinese * 2 > lettered ? .chinese : .english
    }
}

extension Flow {
    /// The wording flowsmith writes in this flow: the one read from its file, else its labels'.
    public var effectiveWording: Wording {
        if let wording { return wording }
        // The first labels in document order, walked only as far as they are needed.
        var labels = title.isEmpty ? [] : [title]
        var stack = Array(useCases.reversed())
        while let id = stack.popLast(), labels.count < 200 {
            guard let node = nodes[id] else { continue }
            labels.append(node.text)
            stack += node.children.prefix(200).reversed()
        }
        return Wording.detected(in: labels)
    }
}
