import FlowCore
import FlowFormats
import Testing

/// A Chinese document reads as Chinese throughout: its endings, exception markers and the
/// conditions' colons in Chinese (`Wording`), read and written back as the file had them, the
/// slips a Chinese keyboard makes in labels read as the labels they are, and the drawn and
/// offered endings in the document's language.
@Suite struct ChineseWordingTests {
    static let chinese = """
        # 报销

        ## 员工报销

        1. 员工填写报销单。
           - 1a. [异常] 发票查验不通过：
             1. 系统提示重新上传发票。
             - 回到第1步。
           - 1b. 金额超过标准：
             1. 系统通知财务复核。
             - 结束：失败。
        2. 系统保存报销单。
           - 2a. [异常] 系统无响应：
             - 结束：成功。

        """

    @Test func chineseEndingsAndMarkersReadAndWriteBackAsWritten() throws {
        let flow = try FlowMarkdownReader.read(Self.chinese).flow
        #expect(flow.wording == .chinese)
        let uc = flow.useCases[0]
        let (a, b, c) = (flow.node(numbered: "1a", in: uc)!, flow.node(numbered: "1b", in: uc)!, flow.node(numbered: "2a", in: uc)!)
        #expect(flow[a]?.extensionKind == .exception && flow[a]?.text == "发票查验不通过")
        #expect(flow[a]?.ending == .resume(.step(flow.node(numbered: "1", in: uc)!)))
        #expect(flow[b]?.extensionKind == .alternative && flow[b]?.ending == .failure)
        #expect(flow[c]?.extensionKind == .exception && flow[c]?.ending == .success)
        #expect(FlowMarkdownWriter.write(flow) == Self.chinese)
        // The same flow in English words, as a file that has them keeps them.
        let english = Self.chinese.replacingOccurrences(of: "[异常]", with: "[exception]")
            .replacingOccurrences(of: "回到第1步。", with: "Resume at 1.").replacingOccurrences(of: "结束：失败。", with: "End: failure.")
            .replacingOccurrences(of: "结束：成功。", with: "End: success.").replacingOccurrences(of: "：\n", with: ":\n")
        let read = try FlowMarkdownReader.read(english).flow
        #expect(read == flow && read.wording == .english && FlowMarkdownWriter.write(read) == english)
    }

    @Test func theWaysAChineseKeyboardWritesThemAreRead() throws {
        let text = """
            ## 员工报销

            1. 员工填写报销单。
            2. 经理审批。
               - ３ａ．没有可用的处理人：
                 - 返回步骤 ２
               - 2b．发票已报销过：
                 - 回到第 1 步
               - 2c：系统无响应
                 - 结束: 失败
               - 2d、【异常】预算不足：
                 - 结束：成功
               - ［异常］ 审批超时:
                 - Resume at ２.
            3. 系统保存。

            """
        let flow = try FlowMarkdownReader.read(text).flow
        let uc = flow.useCases[0]
        let ext = { (n: String) in flow[flow.node(numbered: n, in: uc)!]! }
        #expect(["2a", "2b", "2c", "2d", "2e"].map { ext($0).text } == ["没有可用的处理人", "发票已报销过", "系统无响应", "预算不足", "审批超时"])
        #expect(["2a", "2b", "2c", "2d", "2e"].map { ext($0).extensionKind } == [.alternative, .alternative, .alternative, .exception, .exception])
        let (one, two) = (flow.node(numbered: "1", in: uc)!, flow.node(numbered: "2", in: uc)!)
        #expect(["2a", "2b", "2c", "2d", "2e"].map { ext($0).ending } == [.resume(.step(two)), .resume(.step(one)), .failure, .success, .resume(.step(two))])
        // Written in the words the file used first, Chinese.
        let written = FlowMarkdownWriter.write(flow)
        #expect(written.contains("   - 2a. 没有可用的处理人：\n     - 回到第2步。\n") && written.contains("   - 2e. [异常] 审批超时：\n     - 回到第2步。\n"), "\(written)")
        #expect(try FlowMarkdownReader.read(written).flow == flow)
    }

    /// The slips in an extension's lines are said or read as what they were meant to be, never
    /// taken into the condition, and each is said once, with nothing after it said wrongly.
    @Test func slipsInExtensionsAreNeverTakenIntoTheCondition() throws {
        func errors(_ text: String) -> [String] { FlowMarkdownReader.readAll(text, file: "f.flow.md").1.map(\.description) }
        let head = "## 下单\n\n1. 客户下单。\n2. 系统确认。\n"
        #expect(errors(head + "   - 2a. 缺货：\n     1.系统提示。\n     2. 系统记录。\n") == ["f.flow.md:6:8: put a space after \"1.\" (\"1. 系统提示。…\")"])
        #expect(errors(head + "   - 2a. 缺货：\n     1．系统提示。\n") == ["f.flow.md:6:7: \"1．\" is not a step number: steps are numbered \"1. \" (an ASCII full stop and a space)"])
        #expect(errors(head + "   -2a. 缺货：\n     1. 系统提示。\n") == ["f.flow.md:5:5: put a space after \"-\" (\"- 2a. 缺货：…\")"])
        #expect(errors("##客户\n\n1. 下单。\n") == ["f.flow.md:1:3: put a space after \"##\" (\"## 客户…\")"])
        #expect(errors("＃＃ 客户\n\n1. 下单。\n").count == 1)
        #expect(errors(head + "　　- 2a. 缺货：\n") == ["f.flow.md:5:1: indented with fullwidth spaces (\"　\"): indent with ASCII spaces"])
        // A label with a fullwidth space after it, or none before Chinese, is a label.
        let flow = try FlowMarkdownReader.read(head + "   - 2a.　缺货：\n   - 2b.已停售：\n").flow
        let uc = flow.useCases[0]
        #expect(["2a", "2b"].map { flow[flow.node(numbered: $0, in: uc)!]!.text } == ["缺货", "已停售"])
    }

    /// Endings as Chinese writers put them: going on, and step numbers in Chinese numerals.
    @Test func chineseEndingsAsPeopleWriteThem() throws {
        let text = "## 下单\n\n1. 客户下单。\n2. 系统确认。\n3. 系统发货。\n   - 3a. 缺货：\n     - 继续。\n   - 3b. 地址错误：\n     - 继续下一步。\n   - 3c. 超时：\n     - 回到第二步。\n"
        let flow = try FlowMarkdownReader.read(text).flow
        let uc = flow.useCases[0]
        let two = try #require(flow.node(numbered: "2", in: uc))
        #expect(["3a", "3b", "3c"].map { flow[flow.node(numbered: $0, in: uc)!]!.ending } == [.resumeNext, .resumeNext, .resume(.step(two))])
        do {
            _ = try FlowMarkdownReader.read("## A\n\n1. x\n   - 1a. c：\n     - 回到。\n", file: "f.flow.md")
            Issue.record("回到 with no step was taken")
        } catch {
            #expect(error.description.hasPrefix("f.flow.md:5:6: \"回到\" needs a step number"), "\(error)")
        }
    }

    @Test func aNewDocumentSpeaksItsLabelsLanguage() throws {
        var flow = Flow(title: "报销")
        let uc = flow.addUseCase("员工报销")
        let step = flow.addStep("员工填写报销单。", to: uc)
        let ext = flow.addExtension("【异常】发票查验不通过：", to: step, kind: .exception)
        flow.setEnding(.failure, of: ext)
        #expect(flow.wording == nil && flow.effectiveWording == .chinese)
        let written = FlowMarkdownWriter.write(flow)
        // A condition that begins as a marker does keeps its text (its first character as a reference).
        #expect(written.hasSuffix("   - 1a. [异常] &#12304;异常】发票查验不通过：：\n     - 结束：失败。\n"), "\(written)")
        #expect(try FlowMarkdownReader.read(written).flow == flow)
        // The drawn diagram and its sources say it in Chinese too.
        let diagram = TextDiagram.write(flow)
        #expect(diagram.contains("用例 1：员工报销") && diagram.contains("✗ 失败") && diagram.contains("[异常]"), "\(diagram)")
        #expect(MermaidWriter.write(flow).contains("✗ 失败") && DotWriter.write(flow).contains("✗ 失败"))
        // An English document stays English.
        var english = Flow(title: "Shop")
        let pay = english.addStep("Customer pays.", to: english.addUseCase("Pay"))
        english.setEnding(.success, of: english.addExtension("The card is declined", to: pay))
        #expect(english.effectiveWording == .english && FlowMarkdownWriter.write(english).hasSuffix("     - End: success.\n"))
        #expect(TextDiagram.write(english).contains("✓ success"))
    }
}
