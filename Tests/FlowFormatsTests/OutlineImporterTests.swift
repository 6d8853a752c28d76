import FlowCore
import FlowFormats
import Testing

@Suite struct OutlineImporterTests {
    @Test func readsTheAnalystsOutline() throws {
        let text = """
            用例图：

            ● 系统登录
            ○ 用户填写用户名、密码
            ○ 系统验证用户身份
              ○ [密码错误] 系统提示用户名或密码错误
              ○ 用户重新填写密码
              ○ 【账户锁定】系统提示联系管理员

            ● 查询客户信息
            ○ 用户选择查询条件：ID、姓名、手机号、邮箱
            ○ 系统检索客户信息
            ○ 系统显示查询结果
            """
        let flow = try OutlineImporter.read(text)
        #expect(flow.title == "用例图")
        #expect(flow.useCases.compactMap { flow[$0]?.text } == ["系统登录", "查询客户信息"])
        let login = flow.useCases[0]
        #expect(flow.children(of: login).compactMap { flow[$0]?.text } == ["用户填写用户名、密码", "系统验证用户身份"])
        let e2a = try #require(flow.node(numbered: "2a", in: login))
        let e2b = try #require(flow.node(numbered: "2b", in: login))
        #expect(flow[e2a]?.text == "密码错误")
        #expect(flow.children(of: e2a).compactMap { flow[$0]?.text } == ["系统提示用户名或密码错误", "用户重新填写密码"])
        #expect(flow[e2b]?.text == "账户锁定")
        #expect(flow.children(of: e2b).compactMap { flow[$0]?.text } == ["系统提示联系管理员"])
        #expect(flow.children(of: flow.useCases[1]).count == 3)
    }

    @Test func asciiMarkersWork() throws {
        let flow = try OutlineImporter.read("Title:\n* Log in\n- enter name\n- check\n    - [wrong] show error\n")
        #expect(flow.title == "Title")
        let uc = flow.useCases[0]
        #expect(flow[try #require(flow.node(numbered: "2a1", in: uc))]?.text == "show error")
    }

    @Test func plainIndentedOutlinesWithTabsOrSpaces() throws {
        let tabs = "Log in\n\tenter name\n\tcheck password\n\t\tshow error\n\t\t\tlock account\nSearch\n\tenter query\n"
        let spaces = tabs.replacingOccurrences(of: "\t", with: "  ")
        for text in [tabs, spaces] {
            let flow = try OutlineImporter.read(text)
            #expect(flow.title == "")
            #expect(flow.useCases.compactMap { flow[$0]?.text } == ["Log in", "Search"])
            let uc = flow.useCases[0]
            // A plain line under a step is what can happen there; lines under it are its steps.
            #expect(flow[try #require(flow.node(numbered: "2a", in: uc))]?.text == "show error")
            #expect(flow[try #require(flow.node(numbered: "2a1", in: uc))]?.text == "lock account")
            #expect(flow.validate().isEmpty, "\(flow.validate().map(\.message))")
        }
    }

    @Test func aStepASpaceTooDeepStaysInItsScenario() throws {
        // Two spaces a level; "charge the card" slipped one space deeper, and so did "retry".
        let text = "Return a bike\n  dock the bike\n   charge the card\n  send the receipt\n    card is declined\n      ask for another card\n       retry\n"
        let flow = try OutlineImporter.read(text)
        let uc = flow.useCases[0]
        #expect(flow.children(of: uc).compactMap { flow[$0]?.text } == ["dock the bike", "charge the card", "send the receipt"])
        #expect(flow[try #require(flow.node(numbered: "3a", in: uc))]?.text == "card is declined")
        #expect(flow[try #require(flow.node(numbered: "3a2", in: uc))]?.text == "retry")
        #expect(flow.validate().isEmpty, "\(flow.validate().map(\.message))")
        // Two levels deeper is still a condition.
        let nested = try OutlineImporter.read("Pay\n  enter card\n    card expired\n      ask again\n")
        let expired = try #require(nested.node(numbered: "1a", in: nested.useCases[0]))
        #expect(nested[expired]?.text == "card expired")
        // A slip after an extension's steps is a step of the main scenario too.
        let after = try OutlineImporter.read("UC\n  Step 1\n    Cond:\n      S1\n   Slip\n")
        #expect(after.children(of: after.useCases[0]).compactMap { after[$0]?.text } == ["Step 1", "Slip"])
        #expect(after.validate().isEmpty, "\(after.validate().map(\.message))")
    }

    /// An outline typed on a Chinese keyboard: indented with fullwidth spaces, headings ending in
    /// a fullwidth colon.
    @Test func aChineseKeyboardsOutlineReadsAsItLooks() throws {
        let text = "● 客户投诉处理：\n\u{3000}○ 客户提交投诉\n\u{3000}\u{3000}○ 【投诉内容不完整】客服专员向客户补充询问\n\u{3000}○ 客服专员受理投诉\n系统登录：\n\u{3000}\u{3000}用户填写用户名\n"
        let flow = try OutlineImporter.read(text)
        #expect(flow.useCases.compactMap { flow[$0]?.text } == ["客户投诉处理", "系统登录"])
        let uc = flow.useCases[0]
        #expect(flow.children(of: uc).compactMap { flow[$0]?.text } == ["客户提交投诉", "客服专员受理投诉"])
        #expect(flow[try #require(flow.node(numbered: "1a", in: uc))]?.text == "投诉内容不完整")
        #expect(flow.children(of: flow.useCases[1]).compactMap { flow[$0]?.text } == ["用户填写用户名"])
        // Fullwidth square brackets name a condition too.
        let brackets = try OutlineImporter.read("● 付款\n○ 用户付款\n  ○ ［余额不足］系统提示余额不足\n")
        let ext = try #require(brackets.node(numbered: "1a", in: brackets.useCases[0]))
        #expect(brackets[ext]?.text == "余额不足" && brackets.children(of: ext).compactMap { brackets[$0]?.text } == ["系统提示余额不足"])
    }

    @Test func markedStepsWithoutAConditionAreReportedWithTheirLine() throws {
        let parsed = try OutlineImporter.readWithPositions("● Pay\n○ enter card\n  ○ retry\n", file: "o.txt")
        let problem = try #require(parsed.flow.validate().first)
        #expect(problem.message == "extension 1a has no condition")
        #expect(parsed.sourceMap.position(of: problem) == SourcePosition(line: 3, column: 3))
    }

    @Test func aStepBeforeAnyUseCaseIsAnError() {
        #expect(throws: FormatError.self) { try OutlineImporter.read("○ orphan step\n", file: "o.txt") }
        do {
            _ = try OutlineImporter.read("Title:\n\n○ orphan step\n", file: "o.txt")
        } catch {
            #expect(error.description == "o.txt:3:1: a step before any use case: start the outline with a use case line (● …)")
        }
    }

    @Test func bundledOutlineImportsCleanly() throws {
        let text = try Fixtures.text(Fixtures.root.appendingPathComponent("examples/crm-zh.outline.txt"))
        let flow = try OutlineImporter.read(text)
        #expect(flow.useCases.count >= 2)
        #expect(flow.validate().isEmpty, "\(flow.validate().map(\.message))")
        // The import is a valid .flow.md file that reads back the same.
        #expect(try FlowMarkdownReader.read(FlowMarkdownWriter.write(flow)).flow == flow)
    }
}

import Foundation
import TestSupport
