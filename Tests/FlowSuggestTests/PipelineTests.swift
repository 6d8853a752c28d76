import FlowCore
import FlowFormats
import FlowSuggest
import TestSupport
import Testing

private let purchasing = """
    # Purchasing

    ## Raise a purchase order

    - Primary actor: Buyer

    1. Buyer selects the supplier.
    2. Buyer enters the items and the quantities.
    3. System checks the budget.
       - 3a. The budget is exhausted:
         1. System rejects the order.
         - End: failure.
       - 3b. The supplier is blocked:
         1. System warns the buyer.
         - End: failure.
    4. Approver approves the order.

    ## Receive the goods

    1. Storekeeper scans the delivery note.
    2. System matches the delivery to the order.
    3. Storekeeper books the goods into stock.

    """

private func flow(_ text: String) throws -> Flow { try FlowMarkdownReader.read(text).flow }

@Suite struct DatasetTests {
    @Test func examplesAreTheEnginesPromptAnsweredByTheAuthor() throws {
        let f = try flow(purchasing)
        let all = Dataset.examples(from: [f], kinds: [.nextStep, .conditions, .draft])
        // Next: after each step but the last of each scenario, plus the first step of each extension.
        #expect(all.filter { $0.kind == .nextStep }.count == 3 + 2 + 2)
        #expect(all.filter { $0.kind == .conditions }.map(\.assistant) == ["The budget is exhausted\nThe supplier is blocked"])
        #expect(all.filter { $0.kind == .draft }.count == 2)
        let after2 = try #require(all.first { $0.kind == .nextStep && $0.assistant == "System checks the budget." })
        // The prompt the openai engine sends when the author writes forward from step 2.
        let step2 = try #require(f.node(numbered: "2", in: f.useCases[0]))
        var ctx = try #require(SuggestionContext.at(step2, in: f)).0
        ctx.existing = ctx.stepsSoFar
        #expect(after2.user == PromptBuilder.user(ctx, count: 3))
        #expect(after2.system == PromptBuilder.system)
        #expect(!after2.user.contains("Approver approves"), "a later step leaked into the prompt")
        let draft = try #require(all.first { $0.kind == .draft && $0.group.hasSuffix("Receive the goods") })
        #expect(draft.assistant.split(separator: "\n").count == 3)
    }

    @Test func jsonLinesKeepTextAndEscapeWhatJSONNeeds() throws {
        let e = FineTuneExample(kind: .nextStep, group: "g", system: "s", user: "系统\t\"登录\"\n\\ \u{1}", assistant: "a")
        let parsed = try JSONValue.parse(e.jsonLine)
        guard case .array(let messages)? = parsed["messages"] else { Issue.record("no messages"); return }
        #expect(messages.count == 3)
        #expect(messages[1]["content"]?.string == "系统\t\"登录\"\n\\ \u{1}")
        #expect(e.jsonLine.contains("系统"))
        #expect(Dataset.check(Array((e.jsonLine + "\n").utf8)).problems.isEmpty)
    }

    @Test func splitIsByUseCaseDeterministicAndDeduplicated() throws {
        let f = try flow(purchasing)
        let g = try flow(purchasing.replacingOccurrences(of: "Buyer", with: "Clerk"))
        let examples = Dataset.examples(from: [f, f, g], kinds: [.nextStep, .conditions, .draft])
        let one = Dataset.split(examples, validationFraction: 0.34, seed: 1)
        let again = Dataset.split(examples, validationFraction: 0.34, seed: 1)
        #expect(one.training == again.training && one.validation == again.validation)
        // The second copy of the same document is a duplicate, example for example.
        #expect(one.duplicates == examples.count / 3)
        #expect(!one.validation.isEmpty)
        #expect(Set(one.training.map(\.group)).isDisjoint(with: Set(one.validation.map(\.group))))
        let other = Dataset.split(examples, validationFraction: 0.34, seed: 2)
        #expect(other.training.map(\.jsonLine) != one.training.map(\.jsonLine))
        #expect(Dataset.split(examples, validationFraction: 0, seed: 1).validation.isEmpty)
    }

    @Test func tokenEstimatesCountCJKByCharacter() {
        #expect(Dataset.estimatedTokens("系统登录") == 4)
        #expect(Dataset.estimatedTokens("System logs in") == 4)
    }

    @Test func checkListsEveryProblemByLine() {
        let text = """
            {"messages":[{"role":"system","content":"s"},{"role":"user","content":"u"},{"role":"assistant","content":"a"}]}
            {"messages":[{"role":"user","content":"u"}]}
            [1,2]
            {"messages":[{"role":"user","content":"u"},{"role":"assistant","content":"a","weight":2}]}
            {"messages":[{"role":"user"},{"role":"assistant","content":"a"}], "prompt": "x"}
            {"messages": "no"}
            {"messages":[{"role":"user","content":"u"},{"role":"assistant","content":"a"}]
            """
        let r = Dataset.check(Array(text.utf8))
        #expect(r.examples == 1)
        #expect(r.problems.map(\.line) == [2, 3, 4, 5, 5, 6, 7])
        #expect(r.problems[0].message == "no assistant message: nothing to learn")
        #expect(r.problems[1].message.hasPrefix("expected a JSON object"))
        #expect(r.problems[2].message.contains("weight"))
        #expect(r.problems[3].message.contains("unknown key \"prompt\""))
        #expect(r.problems[4].message == "message 1 (user) has no \"content\"")
        #expect(r.problems[6].message.hasPrefix("not valid JSON: column "))
        #expect(Dataset.check([0xFF, 0x0A]).problems.first?.message == "not UTF-8 text")
        #expect(Dataset.check([]).problems.first?.message == "the file is empty")
        // A byte order mark and an empty last line are named as such; the role list names every role.
        let line = #"{"messages":[{"role":"user","content":"u"},{"role":"assistant","content":"a"}]}"#
        #expect(Dataset.check([0xEF, 0xBB, 0xBF] + Array((line + "\n").utf8)).problems.map(\.message)
                == ["the file starts with a byte order mark (BOM), which the platform refuses: save it as UTF-8 without one"])
        #expect(Dataset.check(Array((line + "\n\n").utf8)).problems.map(\.message)
                == ["an empty line at the end of the file: remove it (every line is one example)"])
        #expect(Dataset.check(Array((line + "\n").utf8)).problems.isEmpty)
        #expect(Dataset.check(Array(#"{"messages":[{"role":"robot","content":"x"},{"role":"assistant","content":"a"}]}"#.utf8))
                .problems.first?.message == "message 1 has the role \"robot\"; expected system, developer, user, assistant or tool")
    }
}

@Suite struct JSONValueTests {
    @Test func parsesAndPointsAtTheColumn() throws {
        let v = try JSONValue.parse(#"{"a":[1,-2.5e3,true,null,"x\u00e9\ud83d\ude00"],"b":{}}"#)
        #expect(v["a"] == .array([.number(1), .number(-2500), .bool(true), .null, .string("xé😀")]))
        #expect(v.serialized == #"{"a":[1,-2500,true,null,"xé😀"],"b":{}}"#)
        for (bad, column) in [("{\"a\" 1}", 6), ("[1,]", 4), ("{\"a\":1", 7), ("\"abc", 5), ("tru", 1), ("1 2", 3)] {
            #expect(throws: JSONValue.ParseError.self, "\(bad)") { try JSONValue.parse(bad) }
            do { _ = try JSONValue.parse(bad) } catch { #expect(error.column == column, "\(bad): \(error)") }
        }
        let deep = String(repeating: "[", count: 10_000)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(deep) }
    }
}

@Suite struct BaselineTests {
    @Test func answersWithTheMostFrequentStepAfterTheSameActorAndVerb() throws {
        let library = try flow("""
            ## A

            1. Customer submits the claim.
            2. System notifies the approver.

            ## B

            1. Customer submits the form.
            2. System notifies the approver.

            ## C

            1. Customer submits the order.
            2. System checks the stock.

            ## D

            1. Clerk opens the file.
            2. Clerk prints the page.

            """)
        let model = BaselineModel(flows: [library])
        let ctx = SuggestionContext(kind: .nextStep, useCase: "E", stepsSoFar: ["Customer submits the request."],
                                    existing: ["Customer submits the request."])
        #expect(model.suggest(ctx, count: 3) == ["System notifies the approver.", "System checks the stock.", "Clerk prints the page."])
        // Another verb of the same actor falls back to the actor, then to everything.
        let other = SuggestionContext(kind: .nextStep, useCase: "E", stepsSoFar: ["Clerk files the form."])
        #expect(model.suggest(other, count: 1) == ["Clerk prints the page."])
        // Never what is already there.
        var there = ctx
        there.existing.append("System notifies the approver.")
        #expect(model.suggest(there, count: 1) == ["System checks the stock."])
    }
}

@Suite struct ScoringTests {
    @Test func precisionAndRecallAreOfTheFirstSuggestion() {
        let c = EvaluationCase(group: "g", context: SuggestionContext(kind: .nextStep, useCase: "u"), truths: ["System checks the stock"])
        let reports = Evaluation.score([c, c], [.success(["System checks stock levels now", "x"]), .failure(.init("down"))], k: 3)
        let r = reports[0]
        #expect(r.cases == 2 && r.failed == 1 && r.answered == 1 && r.firstError == "down")
        // 3 common tokens: precision 3/5, recall 3/4, over 2 cases.
        #expect(abs(r.meanPrecision - 0.3) < 1e-9)
        #expect(abs(r.meanRecall - 0.375) < 1e-9)
        #expect(r.measures.map(\.0) == ["accuracy_at_1", "hit_at_k", "precision", "recall", "f1", "near_at_k", "best_f1_at_k"])
    }

    @Test func crossValidationNeverTrainsOnTheAskedDocument() throws {
        let flows = try (0..<4).map { i in
            try flow("## Case \(i)\n\n1. Worker\(i) opens the hatch\(i).\n2. Worker\(i) polishes the lens\(i).\n3. Worker\(i) closes it.\n")
        }
        let cases = Evaluation.cases(from: flows, kinds: [.nextStep])
        var trainedOn: [[Int]] = []
        _ = Evaluation.crossValidatedAnswers(cases, documents: flows.count, folds: 4, k: 3) { training, held in
            trainedOn.append(training)
            #expect(held.count == 1)
            return { _, _ in [] }
        }
        // The folds run at once, so in any order.
        #expect(Set(trainedOn) == [[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]] && trainedOn.count == 4)
    }

    /// Folds by group (`FlowBench domains`): documents of one group are asked together, and
    /// never learned while one of them is asked.
    @Test func documentsOfOneGroupShareTheirFold() throws {
        let flows = try (0..<6).map { i in try flow("## Case \(i)\n\n1. Worker opens hatch \(i).\n2. Worker closes it.\n") }
        let cases = Evaluation.cases(from: flows, kinds: [.nextStep])
        let group = [0, 0, 1, 1, 2, 2]
        var trainedOn: [[Int]] = []
        _ = Evaluation.crossValidatedAnswers(cases, documents: flows.count, folds: 3, k: 3, foldOf: { group[$0] }) { training, _ in
            trainedOn.append(training)
            return { _, _ in [] }
        }
        #expect(Set(trainedOn) == [[2, 3, 4, 5], [0, 1, 4, 5], [0, 1, 2, 3]] && trainedOn.count == 3)
    }
}

/// "Never repeat": the cases a new user found, as tests.
@Suite struct NeverRepeatTests {
    static let model = LocalModelTests.model

    func suggestions(_ text: String, useCase: Int, at number: String, kind: SuggestionKind? = nil) throws -> (SuggestionContext, [String]) {
        let flow = try FlowMarkdownReader.read(text).flow
        let uc = flow.useCases[useCase - 1]
        let node = number.isEmpty ? uc : try #require(flow.node(numbered: number, in: uc))
        let (ctx, _) = try #require(SuggestionContext.at(node, in: flow, kind: kind))
        return (ctx, Self.model.suggest(ctx, count: 3))
    }

    @Test func afterAStepThatLogsNoOfferLogsAgain() throws {
        let crm = try Fixtures.text(Fixtures.root.appendingPathComponent("examples/crm-zh.flow.md"))
        let flow = try FlowMarkdownReader.read(crm).flow
        let uc = try #require(flow.useCases.first { flow[$0]?.text.contains("停用") == true })
        let (ctx, found) = try suggestions(crm, useCase: flow.useCases.firstIndex(of: uc)! + 1, at: "5")
        #expect(ctx.stepsSoFar.last == "系统将客户档案标记为停用，并记录操作日志。")
        #expect(!found.isEmpty)
        #expect(!found.contains { $0.contains("日志") }, "\(found)")
    }

    /// In an extension, a step of the scenario around it is no suggestion either: the trial saw
    /// step 7 offered word for word in 6a.
    @Test func anExtensionIsNotOfferedTheStepsAroundIt() throws {
        let claim = """
            ## 员工报销

            - 主要参与者: 员工

            1. 员工填写报销单并上传发票。
            2. 系统校验发票的真伪。
            3. 部门经理审批报销单。
            4. 财务审核报销单。
               - 4a. 金额超过标准:
            5. 出纳通过网银支付报销款。

            """
        let flow = try FlowMarkdownReader.read(claim).flow
        let ext = try #require(flow.node(numbered: "4a", in: flow.useCases[0]))
        let (ctx, _) = try #require(SuggestionContext.at(ext, in: flow))
        #expect(ctx.around == flow.children(of: flow.useCases[0]).compactMap { flow[$0]?.text })
        #expect(Novelty.filter(["出纳通过网银支付报销款。", "系统通知员工补充说明。", "财务审核报销单。"], context: ctx, count: 3) == ["系统通知员工补充说明。"])
        // Asked of the evaluation, as an author writing forward has it, the measure stays as it was.
        #expect(Evaluation.cases(from: [flow]).allSatisfy { $0.context.around.isEmpty })
    }

    @Test func aConditionTheStepHasIsNotOfferedAgain() throws {
        let claim = """
            ## 提交报销单

            - 主要参与者: 员工

            1. 员工填写报销单并上传发票。
            2. 系统校验发票的真伪和是否重复报销。
               - 2a. 发票已被报销过:
                 1. 系统提示该发票已报销。
                 - End: failure.
            3. 员工提交报销单。

            """
        let (_, found) = try suggestions(claim, useCase: 1, at: "2", kind: .conditions)
        #expect(!found.contains { Evaluation.f1($0, "发票已被报销过") >= 0.5 }, "\(found)")
    }

    /// The trial saw "The user says that the fault is not fixed" offered at step 4 while 5a had
    /// it: a condition of the use case is not news at another of its steps.
    @Test func aConditionOfAnotherStepIsNotOfferedAgain() throws {
        let incident = """
            ## Resolve a reported incident

            - Primary actor: Service desk agent

            1. Service desk agent records the incident reported by the user.
            2. System categorises the incident and suggests a priority.
            3. Service desk agent searches the knowledge base for a known solution.
            4. Service desk agent applies the documented fix together with the user.
            5. System asks the user to confirm the fix.
               - 5a. The user says that the fault is not fixed:
                 1. System reopens the incident.
            6. System closes the incident and notifies the user.

            """
        let (ctx, found) = try suggestions(incident, useCase: 1, at: "4", kind: .conditions)
        #expect(ctx.existing == ["The user says that the fault is not fixed"])
        #expect(!found.contains { Evaluation.f1($0, "The user says that the fault is not fixed") >= 0.5 }, "\(found)")
    }

    @Test func aDraftDoesNotRetellAUseCaseOfTheDocument() throws {
        for doc in [
            """
            ## Onboard a new hire

            - Primary actor: HR officer

            1. HR officer creates the employee record.
            2. HR officer sends the contract for signature.
            3. IT creates the accounts and issues the laptop.
            4. Manager assigns a buddy.
            5. New hire completes the safety training.

            ## Onboard a contractor

            - Primary actor: HR officer

            """,
            """
            ## 新员工入职

            - 主要参与者: 人事专员

            1. 人事专员创建员工档案。
            2. 人事专员发送劳动合同。
            3. IT部门开通账号并发放电脑。
            4. 部门经理指定导师。
            5. 新员工完成安全培训。

            ## 外包人员入场

            - 主要参与者: 人事专员

            """,
        ] {
            let flow = try FlowMarkdownReader.read(doc).flow
            let (ctx, found) = try suggestions(doc, useCase: 2, at: "", kind: .draft)
            let first = flow.children(of: flow.useCases[0]).compactMap { flow[$0]?.text }
            for draft in found {
                let lines = draft.split(separator: "\n").map(String.init)
                let copied = lines.filter { l in first.contains { Evaluation.f1(l, $0) >= 0.8 } }.count
                #expect(copied * 2 < lines.count, "\(ctx.useCase): \(draft)")
            }
        }
    }

    @Test func sameActionNeedsTheSameVerb() {
        #expect(Novelty.repeats("系统记录本次查询日志。", "系统将客户档案标记为停用，并记录操作日志。"))
        #expect(Novelty.repeats("发票已在其他报销单中报销过", "发票已被报销过"))
        // 预付 and 缴纳 are ways to pay (支付): paying the fee again is no next step.
        #expect(Novelty.repeats("患者预付挂号费。", "患者用微信或医保卡支付挂号费。", actor: "患者"))
        #expect(!Novelty.repeats("患者预付挂号费。", "患者取消挂号。", actor: "患者"))
        #expect(Novelty.repeats("System saves the order.", "System saves the order and emails the customer."))
        #expect(!Novelty.repeats("Customer confirms the card number.", "Customer enters the card number."))
        #expect(!Novelty.repeats("系统显示订单详情。", "系统显示错误提示。"))
        #expect(Novelty.repeats("System sends the instruction to the carrier.", "System passes the instruction to the carrier."))
        #expect(!Novelty.repeats("财务经理新建采购申请单。", "财务经理打开采购申请单。", actor: "财务经理"))
        #expect(!Novelty.repeats("Fine-tuned model checks the order.", "Fine-tuned model asks the approver."))
        // A verb after whom it is for (向…发送): the same start and most words are the same action.
        #expect(Novelty.repeats("系统向会员绑定的手机号发送身份验证短信。", "系统向绑定手机号发送验证码。"))
        #expect(Novelty.repeats("系统向手机号发送短信验证码。", "系统向待绑定的手机号下发验证短信。"))
        #expect(!Novelty.repeats("系统向客户退款。", "系统向客户发送通知。"))
        // A request to someone is the same only when it asks the same (a remote trial's case).
        #expect(!Novelty.repeats("系统更新房态为脏房并通知客房部清扫。", "前台接待通知客房服务员查房。", actor: "前台接待"))
        #expect(Novelty.repeats("系统通知客房部清扫。", "系统通知客房部尽快清扫。"))
        #expect(!Novelty.repeats("系统向商家后台推送催发货消息。", "系统向买家发送发货通知。"))
    }

    @Test func noSuggestionRepeatsAStepOfItsScenarioAndTheThreeDiffer() throws {
        let corpus = ModelStore.flows(in: Fixtures.root.appendingPathComponent("corpus").path).flows
        let cases = Evaluation.cases(from: corpus, kinds: [.nextStep, .conditions])
        var checked = 0
        for c in stride(from: 0, to: cases.count, by: 7).map({ cases[$0] }) {
            var ctx = c.context
            ctx.existing = ctx.kind == .conditions ? c.truths : ctx.stepsSoFar    // what the author already wrote
            let found = Self.model.suggest(ctx, count: 3)
            let there = ctx.kind == .conditions ? ctx.existing : ctx.stepsSoFar
            for s in found {
                // Near-copies by the plain words, and repeats of an action by `Novelty`'s reading.
                #expect(!there.contains { Novelty.nearCopy(s, $0) || Novelty.repeats(s, $0, actor: ctx.actor) },
                        "\(s) repeats one of \(there)")
                checked += 1
            }
            for (i, a) in found.enumerated() {
                for b in found[(i + 1)...] { #expect(!Novelty.nearCopy(a, b) && !Novelty.repeats(a, b, actor: ctx.actor), "\(a) / \(b)") }
            }
        }
        #expect(checked > 1_000)
    }
}

@Suite struct EndingTests {
    @Test func theModelLearnsHowExtensionsLikeThisOneEnd() throws {
        var text = ""
        for i in 0..<6 {
            text += """
                ## Pay order \(i)

                1. Customer enters the card.
                2. System charges the card.
                   - 2a. The card is declined:
                     1. System asks for another card.
                     - Resume at 2.
                   - 2b. [exception] Fraud is suspected:
                     1. System blocks the account.
                     - End: failure.
                3. System confirms the order.

                """
        }
        let library = try FlowMarkdownReader.read(text).flow
        let model = LocalModel(examples: LocalModel.examples(from: [library]))
        let asking = try FlowMarkdownReader.read("""
            ## Pay an invoice

            1. Clerk enters the card.
            2. System charges the card.
               - 2a. The card is declined by the bank:
                 1. System asks for another card.
               - 2b. Fraud is suspected by the bank:
                 1. System blocks the account.
            3. System confirms the payment.

            """).flow
        for (number, want) in [("2a1", EndingChoice.retry), ("2b1", .failure)] {
            let step = try #require(asking.node(numbered: number, in: asking.useCases[0]))
            let (ctx, _) = try #require(SuggestionContext.at(step, in: asking))
            let (offers, first) = model.rankEndings(ctx)
            #expect(offers.first?.choice == want && first, "\(number): \(offers.map(\.text))")
            // The local engine puts a likely ending first, the steps after it.
            let found = try LocalEngine(model: model).suggest(ctx, count: 3, partial: { _ in }, isCancelled: { false })
            #expect(found.first == offers.first?.text, "\(found)")
        }
    }
}

@Suite struct LibraryExampleTests {
    @Test func similarUseCasesComeFromTheLibraryNeverTheAskingOnes() throws {
        let model = LocalModelTests.model
        var ctx = SuggestionContext(kind: .nextStep, useCase: "Return a faulty product", stepsSoFar: ["Customer brings the product and the receipt."])
        ctx.related = [RelatedUseCase(title: "Process a refund", steps: ["x"])]
        let found = model.similarUseCases(ctx)
        #expect(found.count == 3 && found.allSatisfy { $0.steps.count >= 2 })
        #expect(!found.contains { $0.title == "Return a faulty product" || $0.title == "Process a refund" })
        let words = found.map { ($0.title + " " + $0.steps.joined(separator: " ")).lowercased() }
        #expect(words.contains { $0.contains("return") || $0.contains("refund") }, "\(found.map(\.title))")
    }

    @Test func thePromptCarriesThemWithinTheBudget() {
        var ctx = SuggestionContext(kind: .nextStep, useCase: "Pay", stepsSoFar: ["Customer pays."])
        let long = (1...40).map { "Step \($0) of a long library use case with many words in it." }
        ctx.library = [RelatedUseCase(title: "Library one", steps: long), RelatedUseCase(title: "Library two", steps: ["A.", "B."])]
        ctx.related = [RelatedUseCase(title: "Own one", steps: long)]
        let prompt = PromptBuilder.user(ctx, count: 3)
        #expect(prompt.contains("Similar use cases from the team's library, for its wording:\nUse case: Library one\n1. Step 1"))
        #expect(prompt.contains("Other use cases in this document, for its wording and actors:\nUse case: Own one"))
        #expect(prompt.count < PromptBuilder.relatedBudget + 600)
        #expect(prompt.range(of: "Library one")!.lowerBound < prompt.range(of: "Own one")!.lowerBound)
    }
}

@Suite struct ComposerTests {
    static let library = """
        ## Check an order

        - Primary actor: Clerk

        1. Clerk enters the order number.
        2. System validates the order number.
        3. System checks the card.
           - 3a. The card has expired:
             1. System asks for another card.

        ## Check an invoice

        - Primary actor: Accountant

        1. Accountant enters the invoice number.
        2. System validates the invoice number.
        3. System checks the voucher.
           - 3a. The voucher has expired:
             1. System asks for another voucher.

        ## 核对订单

        - 主要参与者: 店员

        1. 店员填写订单编号。
        2. 系统校验订单编号。
           - 2a. 订单编号不存在:
             1. 系统提示重新输入。

        ## 核对发票

        - 主要参与者: 会计

        1. 会计填写发票号码。
        2. 系统校验发票号码。
           - 2a. 发票号码不存在:
             1. 系统提示重新输入。

        """

    @Test func composesWithTheObjectOfTheStepBefore() throws {
        let flow = try FlowMarkdownReader.read(Self.library).flow
        let composer = Composer(examples: LocalModel.examples(from: [flow]))
        #expect(composer.compose(after: "Buyer enters the delivery address.", actor: "Buyer", kind: .nextStep).first?.text
            == "System validates the delivery address.")
        #expect(composer.compose(after: "System checks the gift card.", actor: "", kind: .conditions).first?.text == "The gift card has expired")
        #expect(composer.compose(after: "采购员填写供应商编码。", actor: "采购员", kind: .nextStep).first?.text == "系统校验供应商编码。")
        #expect(composer.compose(after: "系统校验供应商编码。", actor: "采购员", kind: .conditions).first?.text == "供应商编码不存在")
        // Nothing to compose with: no verb or no object.
        #expect(composer.compose(after: "OK", actor: "", kind: .nextStep).isEmpty)
        // The local model offers the composed step among its suggestions.
        let model = LocalModel(examples: LocalModel.examples(from: [flow]))
        let ctx = SuggestionContext(kind: .nextStep, useCase: "Deliver", actor: "Buyer", stepsSoFar: ["Buyer enters the delivery address."],
                                    existing: ["Buyer enters the delivery address."])
        #expect(model.suggest(ctx, count: 3).contains("System validates the delivery address."))
    }

    /// What a step asks for is its object, and what answers it is learned under "asks for":
    /// "System asks for a photo of the damage." → "Customer uploads the photo.".
    @Test func composesTheAnswerToWhatAStepAsksFor() throws {
        let library = """
            ## Claim for damage

            - Primary actor: Customer

            1. Customer reports the damage.
            2. System asks for a photo of the damage.
            3. Customer uploads the photo.

            ## Claim for a lost parcel

            - Primary actor: Sender

            1. Sender reports the loss.
            2. System asks the sender for the receipt.
            3. Sender uploads the receipt.

            """
        let flow = try FlowMarkdownReader.read(library).flow
        let composer = Composer(examples: LocalModel.examples(from: [flow]))
        #expect(composer.compose(after: "System asks for the passport details.", actor: "Passenger", kind: .nextStep).map(\.text)
            == ["Passenger uploads the passport details."])
    }

    /// Another party's name belongs to its own process: "Finance director approves the
    /// {object}." seen twice after "sends" is no pattern for a shop's "sends the one-time code".
    /// One text is offered once, even when the whole object and its head make it alike.
    @Test func composesOnlyWithTheSystemOrTheAskingActor() throws {
        let library = """
            ## Pay a supplier

            - Primary actor: Clerk

            1. System sends the payment run.
            2. Finance director approves the payment run.
            3. Clerk enters the payment run.
            4. System validates the payment run.

            ## Pay a contractor

            - Primary actor: Clerk

            1. System sends the invoice batch.
            2. Finance director approves the invoice batch.
            3. Clerk enters the invoice batch.
            4. System validates the invoice batch.

            """
        let flow = try FlowMarkdownReader.read(library).flow
        let composer = Composer(examples: LocalModel.examples(from: [flow]))
        #expect(composer.compose(after: "System sends the one-time code.", actor: "Shopper", kind: .nextStep).isEmpty)
        let made = composer.compose(after: "Shopper enters the one-time code.", actor: "Shopper", kind: .nextStep).map(\.text)
        #expect(made == ["System validates the one-time code."])
        // "verifies" is kept with "validates" and "checks": one action, one set of patterns.
        #expect(composer.compose(after: "Shopper types the code.", actor: "Shopper", kind: .nextStep).map(\.text) == ["System validates the code."])
    }
}
