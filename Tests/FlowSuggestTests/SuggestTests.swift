import FlowCore
import FlowFormats
@testable import FlowSuggest
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

    /// What a chat model writes around its answer is no answer.
    @Test func talkThinkingAndProseAreNoCandidates() {
        let cases: [(String, [String])] = [
            ("Sure! Here are three steps:\n\n1. System checks stock.\n2. System ships.\n\nLet me know if you need more!",
             ["System checks stock.", "System ships."]),
            ("好的，以下是下一步：\n1、系统校验库存。\n2、系统发货。\n希望对你有帮助！", ["系统校验库存。", "系统发货。"]),
            ("Here are the next steps:\nSystem checks stock.\nSystem ships.", ["System checks stock.", "System ships."]),
            ("<think>\nThe user wants the next step.\n</think>\nSystem ships.", ["System ships."]),
            ("<THINKING>maybe stock</THINKING>System ships.", ["System ships."]),
            // Still thinking when the stream is cut (or shown half way): nothing yet.
            ("<think>\nThe user wants", []),
            ("System " + String(repeating: "checks a very long field ", count: 20) + "\nSystem ships.", ["System ships."]),
            // Plain lines, and a single line that ends in a colon (a condition may), stay.
            ("System checks stock.\nSystem ships.", ["System checks stock.", "System ships."]),
            ("The card is declined:", ["The card is declined:"]),
        ]
        for (raw, want) in cases {
            #expect(OutputSanitizer.candidates(raw, existing: [], limit: 5) == want, "\(raw)")
        }
        // While the answer streams, a lead-in is left out before the lines it leads into arrive.
        #expect(OutputSanitizer.candidates("Here are some ideas:", existing: [], limit: 5, partial: true) == [])
        #expect(OutputSanitizer.candidates("以下是建议：", existing: [], limit: 5, partial: true) == [])
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

    /// Cross-validated on the corpus by file (each file asked of a model that never learned it), on
    /// every fourth question: a floor under the figures `flowsmith eval` prints, so a change that
    /// makes suggestions worse fails here.
    @Test func heldOutQualityFloor() throws {
        let flows = ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path).flows
        let cases = Evaluation.cases(from: flows).enumerated().filter { $0.offset % 4 == 0 }.map(\.element)
        let (next, conditions) = try Self.nextAndConditions(Evaluation.crossValidated(cases, learning: flows, folds: 5, k: 3),
                                                             "local model, 5-fold cross-validated, every 4th question")
        #expect(next.cases > 2_200 && conditions.cases > 500)
        #expect(next.answered == next.cases)
        // Before suggestions were chosen by consensus (on the 56 files of then) this was about
        // 0.24, 0.33, 14% and 0.31; with consensus on 92 files about 0.30, 0.39, 24% and 0.36;
        // with steps said with less on 128 files about 0.31, 0.40, 26% and 0.39.
        #expect(next.meanF1At1 > 0.29 && next.meanBestF1AtK > 0.38, "\(next.summary)")
        #expect(Double(next.nearAtK) / Double(next.cases) > 0.23, "\(next.summary)")
        #expect(conditions.meanBestF1AtK > 0.36, "\(conditions.summary)")
    }

    /// The reports for next steps and for conditions, both required, printed under `title`.
    static func nextAndConditions(_ reports: [EvaluationReport], _ title: String) throws -> (EvaluationReport, EvaluationReport) {
        let next = try #require(reports.first { $0.kind == .nextStep })
        let conditions = try #require(reports.first { $0.kind == .conditions })
        print("\(title):\n\(next.summary)\n\(conditions.summary)")
        return (next, conditions)
    }

    /// A whole scenario comes from a process that shares a rare term with the use case's title or
    /// goal, never one matched on common words ("enters", "the"): the draft for an aircraft defect
    /// was the sign-in use case.
    @Test func aDraftTalksAboutWhatTheUseCaseIsAbout() {
        let model = Self.model
        var ctx = SuggestionContext(kind: .draft, useCase: "Rectify a defect reported by the crew",
                                    goal: "A defect the crew entered in the technical log is fixed or legally deferred before the next departure.",
                                    actor: "Line maintenance engineer")
        let drafts = model.suggest(ctx, count: 2)
        #expect(!drafts.isEmpty)
        let topic = model.topicTerms(of: ctx.useCase + " " + ctx.goal)
        #expect(!topic.isEmpty)
        for d in drafts {
            #expect(!d.contains("sign-in") && !d.contains("password"), "\(d)")
            #expect(!topic.isDisjoint(with: LocalModel.grams(d)), "\(d)")
        }
        // An actor whose name shares words with the title takes nothing from what it is about:
        // "采购审批" drafts the same with its actor 采购专员 named (it drafted nothing), in the
        // actor's name.
        let purchase = SuggestionContext(kind: .draft, useCase: "采购审批")
        var named = purchase
        named.actor = "采购专员"
        let (bare, withActor) = (model.suggest(purchase, count: 1), model.suggest(named, count: 1))
        #expect(!bare.isEmpty && !withActor.isEmpty && withActor.first?.contains("采购专员") == true, "\(bare) \(withActor)")
        // A learned use case whose title says what the asking one is about drafts it, whatever
        // its steps say: "Place an order" drafted a recruiter's placement (on "placement"), as
        // the shop's "Place an order …" use cases never say "place" in their steps.
        let order = model.suggest(SuggestionContext(kind: .draft, useCase: "Place an order"), count: 1)
        #expect(order.first.map { $0.contains("basket") && !$0.contains("placement") } == true, "\(order)")
        // The title's verb says what the use case does: "登录报销系统" is a sign-in (to an expense
        // system), though 报销 is the rarer word and the document is all expenses.
        var login = SuggestionContext(kind: .draft, useCase: "登录报销系统", actor: "员工")
        login.related = [RelatedUseCase(title: "提交报销单", actor: "员工", steps: ["员工新建报销单并填写费用明细。", "员工上传发票照片。", "系统校验发票信息。"])]
        let signIn = model.suggest(login, count: 1)
        #expect(signIn.first.map { $0.contains("登录") && !$0.contains("发票") && !$0.contains("报销单") } == true, "\(signIn)")
        // One Chinese character in common says nothing of what a process is about: a team's
        // invitations (团队) or a gym's classes (团课) were drafted for a theatre company (剧团)
        // lending costumes. Nothing is better.
        let costumes = model.suggest(SuggestionContext(kind: .draft, useCase: "剧团延期归还服装"), count: 2)
        #expect(costumes.allSatisfy { !$0.contains("团队") && !$0.contains("团课") }, "\(costumes)")
        // A small model, where nothing is rare, still drafts.
        let small = LocalModel(examples: LocalModel.examples(from: [SampleFlow.flow()]))
        ctx = SuggestionContext(kind: .draft, useCase: "系统登录")
        #expect(small.topicTerms(of: ctx.useCase).isEmpty && !small.suggest(ctx, count: 1).isEmpty)
    }

    /// Flows of domains the corpus does not cover (Benchmarks/held-out: vets, customs, clinical
    /// trials, water treatment …), asked of a model trained on the whole corpus, every 2nd
    /// question: how far the suggestions reach beyond what was learned. Nothing is ever tuned
    /// on these files.
    @Test func otherDomainsQualityFloor() throws {
        let corpus = ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path).flows
        let flows = ModelStore.flows(in: Fixtures.root.appendingPathComponent("Benchmarks/held-out").path).flows
        #expect(flows.count == 24)
        let model = LocalModel(examples: LocalModel.examples(from: corpus))
        let cases = Evaluation.cases(from: flows).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let (next, conditions) = try Self.nextAndConditions(Evaluation.run(cases, k: 3) { model.suggest($0, count: $1) },
                                                             "local model on 24 files of other domains, every 2nd question")
        #expect(next.cases > 850 && conditions.cases > 180)
        #expect(next.answered == next.cases)
        // On the 128 corpus files of session 6 about 0.25, 0.32, 9% and 0.30.
        #expect(next.meanF1At1 > 0.23 && next.meanBestF1AtK > 0.30, "\(next.summary)")
        #expect(Double(next.nearAtK) / Double(next.cases) > 0.07, "\(next.summary)")
        #expect(conditions.meanBestF1AtK > 0.28, "\(conditions.summary)")
    }

    /// The document's other use cases are the user's own words: a step that followed a step like
    /// the asking one there comes first, though the library never saw it.
    @Test func suggestsFromTheDocumentsOtherUseCases() throws {
        let flow = try FlowMarkdownReader.read("""
            ## Register a dog licence

            - Primary actor: Owner

            1. Owner opens the licensing portal.
            2. Owner enters the microchip number.
            3. System looks the microchip up in the national pet registry.
            4. Owner pays the licence fee.

            ## Renew a dog licence

            - Primary actor: Keeper

            1. Keeper opens the licensing portal.
            2. Keeper enters the microchip number.

            """).flow
        let step = try #require(flow.node(numbered: "2", in: flow.useCases[1]))
        let (ctx, _) = try #require(SuggestionContext.at(step, in: flow))
        #expect(ctx.related.map(\.title) == ["Register a dog licence"])
        #expect(Self.model.suggest(ctx, count: 1) == ["System looks the microchip up in the national pet registry."])
        var alone = ctx
        alone.related = []
        #expect(Self.model.suggest(alone, count: 3).allSatisfy { !$0.contains("national pet registry") })
    }

    /// A step of a similar process that comes before what the author has already done there was
    /// done or passed over: it is not offered as what comes next.
    @Test func aStepBehindWhatIsDoneIsNotNext() throws {
        let library = try FlowMarkdownReader.read("""
            ## Book a doctor's appointment

            - Primary actor: Patient

            1. Patient opens the clinic app.
            2. Patient enters the insurance number.
            3. Patient chooses the doctor and the time.
            4. Patient pays the booking fee.
            5. System sends the confirmation by text message.
            6. System adds the patient to the waiting list of the day.
            7. System reminds the patient the evening before.

            """).flow
        var model = LocalModel(examples: LocalModel.examples(from: [library]))
        var ctx = SuggestionContext(kind: .nextStep, useCase: "Book a dentist's appointment", actor: "Patient",
                                    stepsSoFar: ["Patient opens the clinic app.", "Patient chooses the dentist and the time.",
                                                 "Patient pays the booking fee by card."])
        ctx.existing = ctx.stepsSoFar
        #expect(Set(model.suggest(ctx, count: 3)) == ["System sends the confirmation by text message.",
                                                      "System adds the patient to the waiting list of the day.",
                                                      "System reminds the patient the evening before."])
        // Offered when nothing else is left.
        #expect(model.suggest(ctx, count: 4).last == "Patient enters the insurance number.")
        model.weights.behind = 0
        #expect(model.suggest(ctx, count: 3).contains("Patient enters the insurance number."))
    }

    /// The model keeps what it made of the document's use cases from one ask to the next; an
    /// edit between two asks is heard at once, and asking again gives the same answer.
    @Test func anEditedDocumentIsHeardAtTheNextAsk() throws {
        let model = LocalModel(examples: Self.model.examples)
        var ctx = SuggestionContext(kind: .nextStep, useCase: "Renew a dog licence", actor: "Keeper",
                                    stepsSoFar: ["Keeper opens the licensing portal.", "Keeper enters the microchip number."])
        ctx.existing = ctx.stepsSoFar
        func document(_ third: String) -> [RelatedUseCase] {
            [RelatedUseCase(title: "Register a dog licence", actor: "Owner",
                            steps: ["Owner opens the licensing portal.", "Owner enters the microchip number.", third])]
        }
        ctx.related = document("System looks the microchip up in the national pet registry.")
        let first = model.suggest(ctx, count: 1)
        #expect(first == ["System looks the microchip up in the national pet registry."])
        #expect(model.suggest(ctx, count: 1) == first)
        ctx.related = document("System reads the vaccination record from the veterinary database.")
        #expect(model.suggest(ctx, count: 1) == ["System reads the vaccination record from the veterinary database."])
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
        #expect(LocalModel.retold("客户提交申请。\n系统通知客户经理。", from: "客户", to: "会员") == "会员提交申请。\n系统通知客户经理。")
        #expect(LocalModel.retold("System emails the customer", from: "Customer", to: "Clerk") == "System emails the customer")
        #expect(LocalModel.retold("Manager and HR partner meet the employee.", from: "Manager", to: "HR partner")
            == "Manager and HR partner meet the employee.")
        #expect(LocalModel.retold("Managers sign it.", from: "Manager", to: "Clerk") == "Managers sign it.")
    }

    @Test func savesAndLoads() throws {
        let path = NSTemporaryDirectory() + "fs-model-\(UUID().uuidString)/model.json"
        try ModelStore.save(Self.model, to: path)
        let loaded = try ModelStore.load(from: path)
        #expect(loaded.examples == Self.model.examples)
    }
}

@Suite struct EvaluationTests {
    @Test func tokenF1CountsWordsAndChineseCharacters() {
        #expect(Evaluation.tokens("System checks the card, then 3-D Secure.") == ["system", "checks", "the", "card", "then", "3", "d", "secure"])
        #expect(Evaluation.tokens("系统校验PIN码。") == ["系", "统", "校", "验", "pin", "码"])
        #expect(abs(Evaluation.f1("System checks the card", "System checks the card quickly") - 8.0 / 9.0) < 1e-9)
        #expect(Evaluation.f1("系统校验", "系统核验") == 0.75)
        #expect(Evaluation.f1("the the the", "the cat") == 0.4)
        #expect(Evaluation.f1("", "x") == 0 && Evaluation.f1("x", "y") == 0)
    }

    static let flow = try! FlowMarkdownReader.read("""
        ## Withdraw cash

        1. Customer inserts the card.
        2. Customer enters the PIN.
           - 2a. The PIN is wrong:
             1. ATM asks again.
             2. Customer enters the PIN again.
           - 2b. The card is blocked:
             1. ATM keeps the card.
        3. ATM pays out the cash.

        ## Deposit a cheque

        1. Customer inserts the cheque.
        2. ATM reads the amount.

        """).flow

    @Test func casesAreEveryQuestionAFlowAnswers() {
        let cases = Evaluation.cases(from: [Self.flow])
        let next = cases.filter { $0.context.kind == .nextStep }
        // Main scenarios: 2 + 1; extension 2a: its first step and one after; 2b: its first step.
        #expect(next.map(\.truths) == [["Customer enters the PIN."], ["ATM pays out the cash."], ["ATM asks again."],
                                        ["Customer enters the PIN again."], ["ATM keeps the card."], ["ATM reads the amount."]])
        #expect(next.allSatisfy { $0.context.existing == $0.context.stepsSoFar })
        #expect(next[2].context.condition == "The PIN is wrong" && next[2].context.stepsSoFar.isEmpty)
        #expect(next[1].context.related.map(\.title) == ["Deposit a cheque"])
        let conditions = cases.filter { $0.context.kind == .conditions }
        #expect(conditions.map(\.truths) == [["The PIN is wrong", "The card is blocked"]])
        #expect(conditions[0].context.existing.isEmpty && conditions[0].context.stepsSoFar.last == "Customer enters the PIN.")
        #expect(Set(cases.map(\.group)) == ["Withdraw cash", "Deposit a cheque"])
    }

    @Test func scoresHitsNearHitsAndFailures() {
        let cases = Evaluation.cases(from: [Self.flow], kinds: [.nextStep])
        struct Offline: Error {}
        let reports = Evaluation.run(cases, k: 3) { ctx, _ in
            switch ctx.stepsSoFar.last {
            case "Customer inserts the card.": return ["customer enters the PIN", "x"]           // hit@1
            case "Customer enters the PIN.": return ["Bank rings a bell", "ATM pays out cash."]   // near, not hit
            case "ATM asks again.": throw Offline()
            case "Customer inserts the cheque.": return ["nothing alike", "y", "z", "ATM reads the amount."]  // 4th: not counted
            default: return []
            }
        }
        #expect(reports.count == 1)
        let r = reports[0]
        #expect(r.kind == .nextStep && r.cases == 6 && r.answered == 3 && r.failed == 1)
        #expect(r.hitAt1 == 1 && r.hitAtK == 1 && r.nearAtK == 2)
        #expect(abs(r.meanF1At1 - 1.0 / 6.0) < 1e-9)
        #expect(r.firstError != nil)
    }

    /// A use case asked about is never learned: steps found nowhere else are never predicted,
    /// while the same model does predict them when it has learned them.
    @Test func crossValidationNeverLearnsWhatItAsks() throws {
        let flows = try (0..<6).map { i in
            var text = "## Process \(i)\n\n"
            for j in 0..<5 { text += "\(j + 1). Clerk files a\(i)x\(j) with b\(i)x\(j) and c\(i)x\(j).\n" }
            return try FlowMarkdownReader.read(text).flow
        }
        let cases = Evaluation.cases(from: flows, kinds: [.nextStep])
        #expect(cases.map(\.document) == (0..<6).flatMap { Array(repeating: $0, count: 4) })
        let held = Evaluation.crossValidated(cases, learning: flows, folds: 3, k: 3)
        #expect(held.count == 1 && held[0].cases == 24 && held[0].hitAtK == 0)
        let model = LocalModel(examples: LocalModel.examples(from: flows))
        let seen = Evaluation.run(cases, k: 3) { model.suggest($0, count: $1) }
        #expect(seen[0].hitAt1 > 20)
    }
}

import Foundation
