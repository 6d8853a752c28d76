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
        #expect(trainedOn == [[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]])
    }
}
