import FlowCore
import FlowFormats
@testable import FlowSuggest
import Testing

/// Choosing the three shown from the ranked candidates (`LocalModel.consensus`).
@Suite struct ConsensusTests {
    private func choices(_ items: [(Float, String)], sure: Set<String> = []) -> [LocalModel.Choice] {
        items.map { LocalModel.Choice(score: $0.0, text: $0.1, sure: sure.contains($0.1)) }
    }

    /// A step several good candidates agree with comes before a lone one that ranked a little
    /// higher; the second and third cover what the first does not, and no two do the same.
    @Test func whatTheLikelyOnesAgreeOnComesFirst() {
        let candidates = choices([
            (3.0, "Courier scans the parcel barcode at the depot."),
            (2.9, "System sends the order confirmation to the customer."),
            (2.8, "System emails the order confirmation to the customer."),
            (2.7, "System sends a confirmation of the order to the customer."),
            (2.6, "Warehouse clerk picks the items."),
        ])
        var novelty = Novelty.Checker(SuggestionContext(kind: .nextStep, useCase: "Place an order", stepsSoFar: ["Customer pays."]))
        let out = LocalModel.consensus(candidates, count: 3, temperature: 1.5, novelty: &novelty)
        #expect(out.count == 3)
        #expect(out[0] == "System sends the order confirmation to the customer.")
        // The other wordings of the same confirmation are the same action: not shown beside it.
        #expect(!out.contains("System emails the order confirmation to the customer."))
        #expect(!out.contains("System sends a confirmation of the order to the customer."))
        #expect(out.contains("Courier scans the parcel barcode at the depot."))
    }

    /// With a temperature near zero only the best-ranked candidate speaks: the ranking's order.
    @Test func aColdTemperatureKeepsTheRankingsOrder() {
        let candidates = choices([(3.0, "Alpha checks the beta."), (2.0, "Gamma sends the delta."), (1.0, "Gamma sends the delta report.")])
        var novelty = Novelty.Checker(SuggestionContext(kind: .nextStep, useCase: "U"))
        #expect(LocalModel.consensus(candidates, count: 1, temperature: 0.001, novelty: &novelty) == ["Alpha checks the beta."])
    }

    /// What is sure (a place learned nearly word for word) comes first whatever the others say,
    /// and a candidate repeating a step of the scenario is never shown, though it counts.
    @Test func sureFirstAndNeverARepeat() {
        let candidates = choices([
            (3.0, "System validates the voucher code."),
            (2.9, "System validates the voucher code and applies the discount."),
            (2.8, "System checks the voucher code."),
            (1.0, "Customer hands over the loyalty card."),
        ], sure: ["Customer hands over the loyalty card."])
        var novelty = Novelty.Checker(SuggestionContext(kind: .nextStep, useCase: "Pay", actor: "Customer",
                                                        stepsSoFar: ["Customer enters the voucher code.", "System validates the voucher code."]))
        let out = LocalModel.consensus(candidates, count: 3, temperature: 1.5, novelty: &novelty)
        #expect(out.first == "Customer hands over the loyalty card.")
        #expect(!out.contains("System validates the voucher code."))
        #expect(!out.contains("System checks the voucher code."))
    }

    /// A step that opened its process is offered where a scenario starts, never after later steps.
    @Test func anOpeningStepIsNotOfferedLater() throws {
        let library = try FlowMarkdownReader.read("""
            # Library

            ## Claim expenses

            - Primary actor: Employee

            1. Employee signs in to the expense portal.
            2. Employee enters the amount and uploads the receipt.
            3. System checks the receipt.
            4. Manager approves the claim.

            ## Claim mileage

            - Primary actor: Employee

            1. Employee signs in to the expense portal.
            2. Employee enters the distance.
            3. System checks the distance.
            4. Manager approves the claim.

            """).flow
        let model = LocalModel(examples: LocalModel.examples(from: [library]))
        let start = SuggestionContext(kind: .nextStep, useCase: "Claim a per diem", actor: "Employee")
        #expect(model.suggest(start, count: 3).contains("Employee signs in to the expense portal."))
        let later = SuggestionContext(kind: .nextStep, useCase: "Claim a per diem", actor: "Employee",
                                      stepsSoFar: ["Employee opens the per diem form.", "Employee enters the days."],
                                      existing: ["Employee opens the per diem form.", "Employee enters the days."])
        let found = model.suggest(later, count: 3)
        #expect(!found.isEmpty)
        #expect(!found.contains("Employee signs in to the expense portal."), "\(found)")
    }

    /// The same verb on another object is another action; a condition repeats only a condition.
    @Test func anotherObjectOrAConditionAboutAStepIsNew() {
        #expect(!Novelty.repeats("Traveller chooses seats and extra baggage.", "Traveller selects the outbound and return flights and a fare class.",
                                 actor: "Traveller"))
        #expect(Novelty.repeats("System records the operation log.", "System records the operation log and shows a message."))
        #expect(Novelty.repeats("系统记录本次查询日志。", "系统记录操作日志。"))
        // One action against one of a step's several: the same verb on another object is new
        // too (a remote model's three steps were all dropped as repeats, and it was fallen back from).
        for (step, new) in [("System authorises the payment and stores the order.", "System saves the address."),
                            ("System authorises the payment and stores the order.", "Customer checks the address."),
                            ("System shows the items, the quantities and the subtotal.", "System shows a summary.")] {
            #expect(!Novelty.repeats(new, step, actor: "Customer"), "\(new)")
            var checker = Novelty.Checker(SuggestionContext(kind: .nextStep, useCase: "Place an order", actor: "Customer", stepsSoFar: [step]))
            let admitted = checker.admit(new)
            #expect(admitted, "\(new)")
        }
        #expect(Novelty.repeats("System stores the order.", "System authorises the payment and stores the order."))
        var next = Novelty.Checker(SuggestionContext(kind: .nextStep, useCase: "Book a flight", actor: "Traveller",
                                                     stepsSoFar: ["Traveller searches for flights.", "Traveller selects the outbound and return flights and a fare class."]))
        let admittedNext = next.admit("Traveller chooses seats and extra baggage.")
        #expect(admittedNext)
        var conditions = Novelty.Checker(SuggestionContext(kind: .conditions, useCase: "退房结账", actor: "客人",
                                                           stepsSoFar: ["客人核对账单并确认。"], existing: ["客人未结清押金"]))
        let newCondition = conditions.admit("客人对账单有异议")
        let sameCondition = conditions.admit("客人尚未结清押金")
        #expect(newCondition && !sameCondition)
    }

    /// One doing all the other does, and more, is the same action, whatever its first words.
    @Test func sayingMoreOfTheSameIsARepeat() {
        #expect(Novelty.repeats("系统到税务平台查验发票真伪。", "系统查验发票真伪并校验预算额度。"))
        // Short contents are left to the verb rule: "审批申请" is not "提交审批申请".
        #expect(!Novelty.repeats("部门经理审批申请。", "员工提交审批申请。"))
    }

    /// A step's verb and object, whoever acts: another actor's capitalised name ("Customs",
    /// "Sales") is no verb, however it ends.
    @Test func theVerbIsNeverAnActorsName() {
        #expect(Composer.verbAndObject("Customs officer takes samples.", actor: "Customs broker")! == ("takes", "samples"))
        #expect(Composer.verbAndObject("Sales assistant prints the receipt.", actor: "Customer")! == ("prints", "receipt"))
        #expect(Composer.verbAndObject("Customer enters the card number.", actor: "Customer")! == ("enters", "card number"))
        #expect(Composer.verbAndObject("System checks the stock and reserves it.", actor: "Clerk")! == ("checks", "stock"))
        #expect(Composer.verbAndObject("Customs Officers Meetings.", actor: "") == nil)
    }

    /// What a step asks for is its object, under a verb of its own ("asks for").
    @Test func whatAStepAsksForIsItsObject() {
        #expect(Composer.verbAndObject("System asks for the passport details of each traveller.", actor: "Passenger")! == ("asks for", "passport details"))
        #expect(Composer.verbAndObject("System asks the passenger for a list of the contents.", actor: "Passenger")! == ("asks for", "list"))
        #expect(Composer.verbAndObject("Support agent asks the customer for log files.", actor: "Support agent")! == ("asks for", "log files"))
        // Not a request for something: a clause, or "for" too far off.
        #expect(Composer.verbAndObject("System asks whether the problem is urgent for the customer.", actor: "") == nil)
        #expect(Composer.verbAndObject("System asks the customer to check the address for typos.", actor: "")! == ("asks", "customer"))
    }

    /// A step said with less: cut at its first joint, never where the rest is what the verb needs.
    @Test func aStepSaidWithLess() {
        #expect(Composer.shortened("System sends the confirmation to the customer and closes the ticket.")
                == "System sends the confirmation to the customer.")
        #expect(Composer.shortened("System checks the stock, reserves the items and shows the date.") == "System checks the stock.")
        #expect(Composer.shortened("Clerk enters the amount within the limit.") == "Clerk enters the amount.")
        // A condition keeps having no full stop.
        #expect(Composer.shortened("The card is expired or blocked by the bank") == "The card is expired")
        #expect(Composer.shortened("系统保存客户档案并分配客户ID。") == "系统保存客户档案。")
        #expect(Composer.shortened("系统显示最近的物流信息，并标注更新时间。") == "系统显示最近的物流信息。")
        // Nothing to cut, or what would be left says too little.
        #expect(Composer.shortened("System saves the record.") == nil)
        #expect(Composer.shortened("Billing agent asks the customer for the receipt.") == nil)
        #expect(Composer.shortened("Manager and HR partner meet.") == nil)
        // Not cut where the rest is what the words before it need.
        #expect(Composer.shortened("The address is not in the lookup, for example a new build") == "The address is not in the lookup")
        #expect(Composer.shortened("The invoice was already in another claim") == nil)
        #expect(Composer.shortened("采购专员选择一，并提交。") == nil)
        #expect(Composer.shortened("系统并发。") == nil)
        #expect(Composer.shortened("Clerk enters the amount.\nSystem saves it and closes the form.") == nil)
    }

    /// Where the learned processes go on differently after the same first action, that action
    /// alone is offered: it is what they all agree on, and each goes on in its own way.
    @Test func whatTheyAllBeginWithIsOfferedAlone() throws {
        let tails = ["in every warehouse of the region", "for each line separately", "before any payment is taken",
                     "against open reservations", "with the supplier portal overnight"]
        let titles = ["by phone", "online", "at the counter", "by email", "for a branch"]
        let library = try FlowMarkdownReader.read("# Orders\n" + tails.enumerated().map { i, tail in
            "\n## Place an order \(titles[i])\n\n- Primary actor: Clerk\n\n"
                + "1. Clerk enters the items.\n2. System checks the stock \(tail).\n3. Clerk takes payment number \(i).\n"
        }.joined()).flow
        let model = LocalModel(examples: LocalModel.examples(from: [library]))
        let asked = SuggestionContext(kind: .nextStep, useCase: "Place an order by fax", actor: "Clerk",
                                      stepsSoFar: ["Clerk types the ordered items into the form."],
                                      existing: ["Clerk types the ordered items into the form."])
        let found = model.suggest(asked, count: 3)
        #expect(found.contains("System checks the stock."), "\(found)")
    }
}
