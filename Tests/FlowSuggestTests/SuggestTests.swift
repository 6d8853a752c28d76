import FlowCore
import FlowFormats
import FlowSuggest
import TestSupport
import Testing

@Suite struct OutputSanitizerTests {
    @Test func removesEscapeSequencesWhole() {
        let raw = "System \u{1B}[31mshows\u{1B}[0m the \u{1B}]52;c;ZXZpbA==\u{07}error\u{1B}]0;title\u{1B}\\ \u{9B}2Jnow\u{1B}P1;2q\u{1B}\\\u{1B}(B."
        #expect(OutputSanitizer.stripControls(raw) == "System shows the error now.")
        #expect(OutputSanitizer.line("a\u{202E}b\u{2066}c\u{7F}\u{85}d\u{0}") == "abcd")
    }

    @Test func stripsNumberingBulletsAndQuotes() {
        for (raw, want) in [
            ("1. System validates the card.", "System validates the card."),
            ("3a1) System logs it", "System logs it"),
            ("- Clerk enters the name", "Clerk enters the name"),
            ("• 系统保存订单", "系统保存订单"),
            ("步骤3：系统发送通知", "系统发送通知"),
            ("Step 4: System confirms", "System confirms"),
            ("\"System sends the receipt.\"", "System sends the receipt."),
            ("**System locks the account**", "System locks the account"),
            ("2FA code is sent", "2FA code is sent"),
        ] {
            #expect(OutputSanitizer.line(raw) == want, "\(raw)")
        }
        #expect(OutputSanitizer.line(String(repeating: "系", count: 500)).count == OutputSanitizer.maxLength)
    }

    @Test func candidatesAreOnePerLineWithoutDuplicatesOrExistingSteps() {
        let raw = "1. System checks stock\n2. system checks  STOCK.\n\n3. Customer pays\n4. System ships"
        #expect(OutputSanitizer.candidates(raw, existing: ["Customer pays"], limit: 3) == ["System checks stock", "System ships"])
    }
}

@Suite struct LocalModelTests {
    static let model: LocalModel = {
        let flows = ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path).flows
        return LocalModel(examples: LocalModel.examples(from: flows))
    }()

    @Test func corpusIsBigAndBilingual() {
        let flows = ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path)
        #expect(flows.problems.isEmpty)
        let useCases = flows.flows.flatMap { f in f.useCases.compactMap { f[$0]?.text } }
        #expect(useCases.count >= 150)
        let chinese = useCases.filter { $0.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }
        #expect(chinese.count >= useCases.count * 2 / 5 && chinese.count <= useCases.count * 3 / 5)
    }

    @Test func suggestsANextStepInChinese() throws {
        let flow = try FlowMarkdownReader.read("""
            ## 提交报销申请

            1. 员工登录报销系统。
            2. 员工填写报销金额并上传发票。

            """).flow
        let step = try #require(flow.node(numbered: "2", in: flow.useCases[0]))
        let (ctx, point) = try #require(SuggestionContext.at(step, in: flow))
        #expect(point.index == 2)
        let found = Self.model.suggest(ctx, count: 3)
        #expect(found.count == 3)
        #expect(found.allSatisfy { $0.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }, "\(found)")
        #expect(!found.contains("员工填写报销金额并上传发票。"))
    }

    @Test func suggestsConditionsAndDrafts() throws {
        let flow = try FlowMarkdownReader.read("""
            ## Withdraw cash

            1. Customer inserts the card.
            2. Customer enters the PIN.

            ## Place an order

            """).flow
        let pin = try #require(flow.node(numbered: "2", in: flow.useCases[0]))
        let (conditions, _) = try #require(SuggestionContext.at(pin, in: flow, kind: .conditions))
        #expect(!Self.model.suggest(conditions, count: 3).isEmpty)
        let (draft, point) = try #require(SuggestionContext.at(flow.useCases[1], in: flow))
        #expect(draft.kind == .draft && point.index == 0)
        let drafts = Self.model.suggest(draft, count: 2)
        #expect(drafts.first.map { $0.split(separator: "\n").count >= 4 } == true, "\(drafts)")
    }

    /// Retrieval works: asked with a context it was trained on, the model answers with the step
    /// that followed it there, first, nearly always (repeated contexts with two different next
    /// steps are why it is not always).
    @Test func retrievesWhatItLearned() {
        let examples = Self.model.examples.filter { $0.kind == SuggestionKind.nextStep.rawValue }
        var hits = 0
        let sample = stride(from: 0, to: examples.count, by: max(1, examples.count / 300)).map { examples[$0] }
        for e in sample {
            let ctx = SuggestionContext(kind: .nextStep, useCase: e.useCase, stepsSoFar: e.previous)
            if Self.model.suggest(ctx, count: 1).first == e.target { hits += 1 }
        }
        #expect(Double(hits) / Double(sample.count) > 0.9, "hit@1 on learned contexts: \(hits)/\(sample.count)")
    }

    /// Leave one use case out (trained on everything else, its domain's other use cases too): how
    /// often the true next step, or one sharing half its character pairs, is in the top three.
    /// Printed for the record; the corpus's use cases are each quite specific, so this is low.
    @Test func heldOutFigure() throws {
        let flows = ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path).flows
        let all = LocalModel.examples(from: flows)
        var hits = 0
        var total = 0
        for held in flows.enumerated().filter({ $0.offset % 4 == 0 }).map(\.element) {
            guard let uc = held.useCases.first, let title = held[uc]?.text else { continue }
            let model = LocalModel(examples: all.filter { $0.useCase != title })
            let steps = held.children(of: uc)
            for j in 0..<(steps.count - 1) {
                guard let (ctx, _) = SuggestionContext.at(steps[j], in: held) else { continue }
                var c = ctx
                c.existing = ctx.stepsSoFar
                let truth = OutputSanitizer.normalized(held[steps[j + 1]]?.text ?? "")
                let top = model.suggest(c, count: 3).map(OutputSanitizer.normalized)
                total += 1
                if top.contains(where: { $0 == truth || bigramOverlap($0, truth) > 0.5 }) { hits += 1 }
            }
        }
        print("local model, leave one use case out: near-hit@3 \(hits)/\(total)")
        #expect(total > 50)
    }

    func bigramOverlap(_ a: String, _ b: String) -> Double {
        func grams(_ s: String) -> Set<String> {
            let c = Array(s)
            return c.count < 2 ? Set([s]) : Set((0..<(c.count - 1)).map { String(c[$0...($0 + 1)]) })
        }
        let (x, y) = (grams(a), grams(b))
        return Double(x.intersection(y).count) / Double(max(1, x.union(y).count))
    }

    @Test func stepsAreToldInTheAskingUseCasesActor() throws {
        let learned = try FlowMarkdownReader.read("## 提交报销申请\n\n- 主要参与者: 员工\n\n1. 员工登录报销系统。\n2. 员工填写报销金额。\n3. 系统校验预算。\n").flow
        let model = LocalModel(examples: LocalModel.examples(from: [learned]))
        let asking = try FlowMarkdownReader.read("## 提交差旅报销\n\n- 主要参与者: 销售代表（外勤）\n\n1. 销售代表登录报销系统。\n").flow
        let step = try #require(asking.node(numbered: "1", in: asking.useCases[0]))
        let (ctx, _) = try #require(SuggestionContext.at(step, in: asking))
        #expect(ctx.actor == "销售代表")
        #expect(model.suggest(ctx, count: 1) == ["销售代表填写报销金额。"])
        #expect(LocalModel.retold("Clerk enters it\nSystem checks it", from: "Clerk", to: "Agent") == "Agent enters it\nSystem checks it")
    }

    @Test func savesAndLoads() throws {
        let path = NSTemporaryDirectory() + "fs-model-\(UUID().uuidString)/model.json"
        try ModelStore.save(Self.model, to: path)
        let loaded = try ModelStore.load(from: path)
        #expect(loaded.examples == Self.model.examples)
    }
}

import Foundation
