import FlowCore
import Testing

@Suite struct HistoryTests {
    @Test func undoRedoAndModifiedMarker() throws {
        var flow = Flow()
        let uc = flow.addUseCase("Pay")
        let s1 = flow.addStep("one", to: uc)
        var history = History()
        #expect(!history.isModified && !history.canUndo)
        let original = flow
        try history.perform(Transaction("Rename", [.setText(s1, "uno")]), on: &flow, cursorBefore: s1, cursorAfter: s1)
        let s2 = flow.makeID()
        try history.perform(Transaction("Add step", [.insert(.step(s2, "two"), parent: uc, index: 1)]),
                            on: &flow, cursorBefore: s1, cursorAfter: s2)
        let twoSteps = flow
        #expect(history.isModified && history.revision == 2)
        history.markSaved()
        #expect(!history.isModified)

        #expect(try history.undo(on: &flow)?.cursorBefore == s1)
        #expect(history.isModified && history.revision == 3)
        try history.undo(on: &flow)
        #expect(flow == original)
        #expect(try history.undo(on: &flow) == nil)

        try history.redo(on: &flow)
        #expect(try history.redo(on: &flow)?.cursorAfter == s2)
        #expect(flow == twoSteps && !history.isModified)

        // A new change after an undo drops the redo stack.
        try history.undo(on: &flow)
        try history.perform(Transaction("Rename", [.setText(s1, "eins")]), on: &flow)
        #expect(!history.canRedo)
        #expect(history.isModified)
    }

    @Test func unlimitedUndo() throws {
        var flow = Flow()
        let uc = flow.addUseCase("Pay")
        var history = History()
        let empty = flow
        for i in 0..<5000 {
            let id = flow.makeID()
            try history.perform(Transaction("Add", [.insert(.step(id, "s\(i)"), parent: uc, index: i)]), on: &flow)
        }
        #expect(flow.stepCount == 5000)
        while try history.undo(on: &flow) != nil {}
        #expect(flow == empty)
    }
}
