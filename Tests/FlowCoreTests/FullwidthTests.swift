import FlowCore
import Testing

@Suite struct FullwidthTests {
    @Test func everyFullwidthFormIsItsASCII() {
        // The whole block U+FF01–U+FF5E and nothing beside it.
        for v in UInt32(0x21)...0x7E {
            let wide = Unicode.Scalar(v + 0xFEE0)!
            #expect(Fullwidth.ascii(wide) == Unicode.Scalar(v)!)
        }
        for u: Unicode.Scalar in ["\u{FF00}", "\u{FF5F}", "a", "。", "、", "系"] {
            #expect(Fullwidth.ascii(u) == nil)
        }
        #expect(Fullwidth.ascii("\u{3000}") == nil)
        #expect(Fullwidth.ascii("\u{3000}", space: true) == " ")
        #expect(Fullwidth.halfwidth("ｗ　报销.flow.md") == "w　报销.flow.md")
        #expect(Fullwidth.halfwidth("３ａ１：") == "3a1:")
    }

    @Test func aNumberMapsOnlyDigitsAndSmallLetters() {
        #expect(Fullwidth.halfwidthNumber("３ａ１") == "3a1")
        #expect(Fullwidth.halfwidthNumber("第３Ａ步：") == "第3Ａ步：")
    }
}
