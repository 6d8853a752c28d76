import FlowCore
import Testing

@Suite struct NumberingTests {
    @Test func lettersAreBijectiveBase26() {
        #expect(Numbering.letters(0) == "a")
        #expect(Numbering.letters(25) == "z")
        #expect(Numbering.letters(26) == "aa")
        #expect(Numbering.letters(27) == "ab")
        #expect(Numbering.letters(701) == "zz")
        #expect(Numbering.letters(702) == "aaa")
        for i in 0..<3000 { #expect(Numbering.index(ofLetters: Substring(Numbering.letters(i))) == i) }
        #expect(Numbering.index(ofLetters: "A") == nil)
        #expect(Numbering.index(ofLetters: "") == nil)
    }

    @Test func componentsAlternateDigitsAndLetters() {
        #expect(Numbering.components("3a12b")?.map(String.init) == ["3", "a", "12", "b"])
        #expect(Numbering.components("3") == ["3"])
        #expect(Numbering.components("a3") == nil)
        #expect(Numbering.components("3A") == nil)
        #expect(Numbering.components("") == nil)
        #expect(Numbering.components("3 a") == nil)
    }

    @Test func numbersAreDerivedFromPositions() throws {
        var flow = Flow()
        let uc = flow.addUseCase("Pay")
        let s1 = flow.addStep("one", to: uc)
        let s2 = flow.addStep("two", to: uc)
        let e2a = flow.addExtension("bad", to: s2)
        let e2b = flow.addExtension("worse", to: s2)
        let s2b1 = flow.addStep("fix", to: e2b)
        let e2b1a = flow.addExtension("still bad", to: s2b1)
        let s2b1a1 = flow.addStep("give up", to: e2b1a)
        #expect(flow.number(of: s1) == "1")
        #expect(flow.number(of: e2a) == "2a")
        #expect(flow.number(of: s2b1) == "2b1")
        #expect(flow.number(of: s2b1a1) == "2b1a1")
        #expect(flow.node(numbered: "2b1a1", in: uc) == s2b1a1)
        #expect(flow.node(numbered: "2b", in: uc) == e2b)
        #expect(flow.node(numbered: "9", in: uc) == nil)
        #expect(flow.node(numbered: "2c", in: uc) == nil)
        // Inserting a step before step 2 renumbers everything after it.
        try flow.apply(.insert(.step(flow.makeID(), "new"), parent: uc, index: 1))
        #expect(flow.number(of: s2b1a1) == "3b1a1")
        #expect(flow.describe(e2a) == "extension 3a")
    }
}
