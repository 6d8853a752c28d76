/// The chat messages that ask a language model for suggestions. The model is told the use case,
/// the steps so far and exactly what shape of answer to give: one candidate per line, no numbers,
/// in the language of the use case. Whatever it answers still goes through `OutputSanitizer`.
public enum PromptBuilder {
    public static let system = """
        You help business analysts write use cases in Alistair Cockburn's style: a main success \
        scenario of numbered steps, each "actor + present-tense verb + object" in one sentence \
        (for example "Customer enters the delivery address." or "系统校验手机号格式。"), and \
        extensions with a condition (what differs or goes wrong at a step). Write in the language \
        the use case is written in. Answer with the requested lines only: no numbering, no bullets, \
        no quotes, no explanation.
        """

    /// How much of the document's other use cases and the library's examples goes into a
    /// prompt, in characters; the library's take at most `libraryShare` of it.
    public static let relatedBudget = 2_000
    public static let libraryShare = 900

    /// Use cases as numbered blocks, nearest first, each cut to what is left of `budget`.
    static func blocks(_ cases: [RelatedUseCase], budget: inout Int) -> [String] {
        var out: [String] = []
        for uc in cases {
            var block = ["Use case: \(uc.title)"] + uc.steps.enumerated().map { "\($0.offset + 1). \($0.element)" }
            while !block.isEmpty && block.joined(separator: "\n").count > budget { block.removeLast() }
            guard block.count > 1 else { break }
            budget -= block.joined(separator: "\n").count
            out.append(block.joined(separator: "\n"))
        }
        return out
    }

    public static func user(_ c: SuggestionContext, count: Int) -> String {
        var lines: [String] = []
        // Similar use cases from the team's library, then the author's other use cases nearest
        // first, so the model writes in their words and actors.
        var libraryBudget = min(libraryShare, relatedBudget)
        let library = blocks(c.library, budget: &libraryBudget)
        var budget = relatedBudget - (min(libraryShare, relatedBudget) - libraryBudget)
        let related = blocks(c.related, budget: &budget)
        if !library.isEmpty {
            lines.append("Similar use cases from the team's library, for its wording:")
            lines.append(library.joined(separator: "\n\n"))
            lines.append("")
        }
        if !related.isEmpty {
            lines.append("Other use cases in this document, for its wording and actors:")
            lines.append(related.joined(separator: "\n\n"))
            lines.append("")
        }
        if !library.isEmpty || !related.isEmpty {
            lines.append("The use case to work on:")
        }
        lines.append("Use case: \(c.useCase)")
        if !c.goal.isEmpty { lines.append("Goal: \(c.goal)") }
        if !c.actor.isEmpty { lines.append("Primary actor: \(c.actor)") }
        if let condition = c.condition { lines.append("This is the extension for the condition: \(condition)") }
        if !c.stepsSoFar.isEmpty {
            lines.append(c.kind == .conditions ? "Steps up to the step in question:" : "Steps so far:")
            for (i, s) in c.stepsSoFar.enumerated() { lines.append("\(i + 1). \(s)") }
        }
        switch c.kind {
        case .nextStep:
            lines.append(c.stepsSoFar.isEmpty
                ? "Give \(count) different candidates for the first step, one per line."
                : "Give \(count) different candidates for the next step, one per line.")
        case .conditions:
            lines.append("Give \(count) different conditions that can happen at the last step listed (things that go wrong or differ), one per line, each a short statement such as \"The card is declined\".")
        case .draft:
            lines.append("Write the main success scenario: 4 to 9 steps, one per line.")
        }
        if !c.existing.isEmpty {
            lines.append("Do not repeat any of these: " + c.existing.joined(separator: " | "))
        }
        return lines.joined(separator: "\n")
    }
}
