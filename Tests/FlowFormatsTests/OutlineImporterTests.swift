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

    @Test func aStepBeforeAnyUseCaseIsAnError() throws {
        #expect(throws: FormatError.self) { try OutlineImporter.read("○ orphan step\n", file: "o.txt") }
        do {
            _ = try OutlineImporter.read("  ○ orphan step\n", file: "o.txt")
            Issue.record("an orphan step was taken")
        } catch {
            #expect(error.description == "o.txt:1:3: a step before any use case: start the outline with a use case line (● …, * …, or a line at the left margin)")
        }
        // A first line ending in a colon with steps under it is their use case, not the title.
        let titled = try OutlineImporter.read("Log in:\n- User enters the name\n- System checks it\n")
        #expect(titled.title == "" && titled.useCases.compactMap { titled[$0]?.text } == ["Log in"])
        #expect(titled.children(of: titled.useCases[0]).count == 2)
    }

    /// Renders an import as the file it writes, for comparing whole results.
    func imported(_ text: String) throws -> String { FlowMarkdownWriter.write(try OutlineImporter.read(text)) }

    @Test func endingsEndTheirExtensionsInEitherLanguageAndStyle() throws {
        let marked = try imported("* Approve leave\n- Employee requests leave\n- Manager reviews the request\n  - [Manager rejects] System notifies the employee\n  - End: failure\n  - [Dates unclear] Manager asks the employee\n  - Resume at 1\n- System books the leave\n")
        #expect(marked == "## Approve leave\n\n1. Employee requests leave\n2. Manager reviews the request\n   - 2a. Manager rejects:\n     1. System notifies the employee\n     - End: failure.\n   - 2b. Dates unclear:\n     1. Manager asks the employee\n     - Resume at 1.\n3. System books the leave\n")
        let chinese = try OutlineImporter.read("● 请假审批\n○ 员工提交请假申请\n○ 经理审批\n  ○ [经理驳回] 系统通知员工\n  ○ 结束：失败\n  ○ [日期不清] 经理询问员工\n  ○ 回到第1步\n○ 系统登记假期\n")
        let uc = chinese.useCases[0]
        #expect(chinese[try #require(chinese.node(numbered: "2a", in: uc))]?.ending == .failure)
        #expect(chinese[try #require(chinese.node(numbered: "2b", in: uc))]?.ending == .resume(.step(try #require(chinese.node(numbered: "1", in: uc)))))
        let plain = try OutlineImporter.read("Log in\n\tenter name\n\tcheck password\n\t\tPassword is wrong\n\t\t\tshow error\n\t\t\tResume at 1.\n")
        #expect(plain[try #require(plain.node(numbered: "2a", in: plain.useCases[0]))]?.ending == .resume(.step(try #require(plain.node(numbered: "1", in: plain.useCases[0])))))
        #expect(plain.stepCount == 3)
    }

    @Test func numbersTheOutlineWasWrittenWithAreLeftOut() throws {
        #expect(try imported("Purchase approval\n    1. Requester fills in the request\n    2. Manager approves\n        2a. Amount over 10,000 EUR:\n            2a1. Director approves\n")
            == "## Purchase approval\n\n1. Requester fills in the request\n2. Manager approves\n   - 2a. Amount over 10,000 EUR:\n     1. Director approves\n")
        #expect(try imported("一、报销申请\n    1、员工填写报销单\n    2、经理审批\n        （1）金额超过5000元\n            ①财务总监审批\n")
            == "## 报销申请\n\n1. 员工填写报销单\n2. 经理审批\n   - 2a. 金额超过5000元：\n     1. 财务总监审批\n")
        #expect(try imported("* Log in\n- 1) User enters the name\n- (2) System checks it\n- iii. System shows the start page\n- 第4步：系统记录日志\n- 1.5 kg are weighed\n")
            == "## Log in\n\n1. User enters the name\n2. System checks it\n3. System shows the start page\n4. 系统记录日志\n5. 1\\.5 kg are weighed\n")
    }

    @Test func aUseCaseTemplateInCockburnsLayoutIsOneUseCase() throws {
        let text = "Use Case: Submit expense claim\nPrimary Actor: Employee\nMain Success Scenario:\n1. Employee enters the claim.\n2. Manager approves the claim.\n3. System pays the claim.\nExtensions:\n2a. Manager rejects the claim:\n    2a1. System notifies the employee.\n    2a2. End: failure.\n2b. Manager is away:\n    2b1. Deputy approves.\n    2b2. Resume at 3.\n\nUse Case: Pay the claim\n1. Finance pays.\n"
        #expect(try imported(text) == "## Submit expense claim\n\n- Primary actor: Employee\n\n1. Employee enters the claim.\n2. Manager approves the claim.\n   - 2a. Manager rejects the claim:\n     1. System notifies the employee.\n     - End: failure.\n   - 2b. Manager is away:\n     1. Deputy approves.\n     - Resume at 3.\n3. System pays the claim.\n\n## Pay the claim\n\n1. Finance pays.\n")
        let zh = try OutlineImporter.read("用例：提交报销单\n主要参与者：员工\n主成功场景：\n1. 员工填写报销单。\n2. 经理审批。\n扩展：\n2a. 经理驳回：\n  2a1. 系统通知员工。\n  2a2. 结束：失败。\n")
        #expect(zh.useCases.compactMap { zh[$0]?.text } == ["提交报销单"] && zh[zh.useCases[0]]?.fields.first?.name == "主要参与者")
        #expect(zh[try #require(zh.node(numbered: "2a", in: zh.useCases[0]))]?.ending == .failure)
    }

    @Test func listsFromMarkdownOrgModeWikisAndMindMapsKeepTheirLevels() throws {
        let expected = "## Onboard an employee\n\n1. HR creates the record\n2. IT creates the accounts\n   - 2a. No free laptop:\n     1. IT orders a laptop\n\n## Offboard an employee\n\n1. HR ends the contract\n"
        for text in [
            "- Onboard an employee\n  - HR creates the record\n  - IT creates the accounts\n    - No free laptop\n      - IT orders a laptop\n- Offboard an employee\n  - HR ends the contract\n",
            "* Onboard an employee\n  * HR creates the record\n  * IT creates the accounts\n    * No free laptop\n      * IT orders a laptop\n* Offboard an employee\n  * HR ends the contract\n",
            "* Onboard an employee\n** HR creates the record\n** IT creates the accounts\n*** No free laptop\n**** IT orders a laptop\n* Offboard an employee\n** HR ends the contract\n",
            "1 Onboard an employee\n1.1 HR creates the record\n1.2 IT creates the accounts\n1.2.1 No free laptop\n1.2.1.1 IT orders a laptop\n2 Offboard an employee\n2.1 HR ends the contract\n",
            "> * Onboard an employee\n> - HR creates the record\n> - IT creates the accounts\n>   - [No free laptop] IT orders a laptop\n> * Offboard an employee\n> - HR ends the contract\n",
        ] {
            #expect(try imported(text) == expected, "\(text)")
        }
        // Quoted again, or under the line saying who wrote it; org-mode's keywords and tags left out.
        for text in ["Anna wrote:\n> > * Onboard an employee\n> > - HR creates the record\n> > - IT creates the accounts\n> >   - [No free laptop] IT orders a laptop\n> > * Offboard an employee\n> > - HR ends the contract\n",
                     "* TODO Onboard an employee :hr:\n** HR creates the record\n** DONE IT creates the accounts\n*** No free laptop\n**** IT orders a laptop\n* Offboard an employee\n** HR ends the contract :legal:\n"] {
            #expect(try imported(text) == expected, "\(text)")
        }
        // Markdown headings as levels (a mind map exported as Markdown).
        #expect(try imported("# HR processes\n## Onboard an employee\n### HR creates the record\n### IT creates the accounts\n#### No free laptop\n##### IT orders a laptop\n## Offboard an employee\n### HR ends the contract\n")
            == "# HR processes\n\n" + expected)
        // A mind map's export: its one root is the flow's title.
        #expect(try imported("HR processes\n\tOnboard an employee\n\t\tHR creates the record\n\t\tIT creates the accounts\n\tOffboard an employee\n\t\tHR ends the contract\n")
            == "# HR processes\n\n## Onboard an employee\n\n1. HR creates the record\n2. IT creates the accounts\n\n## Offboard an employee\n\n1. HR ends the contract\n")
        // A Markdown heading over bulleted use cases is the title; org-mode's #+TITLE too.
        #expect(try OutlineImporter.read("# Onboarding\n\n- Onboard\n  - HR creates the record\n- Offboard\n  - HR ends it\n").title == "Onboarding")
        // A heading over steps is their use case, at any level.
        for text in ["## Reset password\n\n- User asks for a link\n- System sends it\n", "# Reset password\n- User asks for a link\n- System sends it\n"] {
            #expect(try imported(text) == "## Reset password\n\n1. User asks for a link\n2. System sends it\n", "\(text)")
        }
        #expect(try imported("## Reset password\n- User asks for a link\n  - [Unknown address] System shows an error\n")
            == "## Reset password\n\n1. User asks for a link\n   - 1a. Unknown address:\n     1. System shows an error\n")
        #expect(try OutlineImporter.read("#+TITLE: Helpdesk\n* Reset a password\n** User asks\n").title == "Helpdesk")
        // A flow file is said to be one.
        #expect(throws: FormatError.self) { try OutlineImporter.read("## Log in\n\n1. User enters the name.\n") }
    }

    /// From a re-trial of the import: what the first fixes broke or missed.
    @Test func numbersInTextMindMapsAndEndingsInCockburnsWords() throws {
        // "2nd", "48h" and "1st" are words, not labels (a label ends in a stop).
        #expect(try imported("* Send reminders\n- Clerk checks the due date\n- 2nd reminder is sent\n- 48h later the case is escalated\n- 1st reminder is archived\n")
            == "## Send reminders\n\n1. Clerk checks the due date\n2. 2nd reminder is sent\n3. 48h later the case is escalated\n4. 1st reminder is archived\n")
        // A use case whose every step has a condition is no mind map.
        #expect(try imported("Log in\n    User enters the name\n        The name is unknown\n            System shows an error\n    System checks the password\n        The password is wrong\n            Resume at 1\n")
            == "## Log in\n\n1. User enters the name\n   - 1a. The name is unknown:\n     1. System shows an error\n2. System checks the password\n   - 2a. The password is wrong:\n     - Resume at 1.\n")
        // Endings as Cockburn's templates say them, alone or at the end of a step.
        #expect(try imported("Use case: Log in\nMain success scenario:\n1. User enters the name.\n2. System checks the password.\nExtensions:\n2a. The password is wrong:\n    2a1. System shows an error; resume at step 1.\n2b. The account is locked:\n    2b1. System shows the hotline.\n    2b2. The use case ends in failure.\n2c. The user gives up:\n    2c1. Go to step 1.\n")
            == "## Log in\n\n1. User enters the name.\n2. System checks the password.\n   - 2a. The password is wrong:\n     1. System shows an error\n     - Resume at 1.\n   - 2b. The account is locked:\n     1. System shows the hotline.\n     - End: failure.\n   - 2c. The user gives up:\n     - Resume at 1.\n")
        let zh = try OutlineImporter.read("用例：登录\n1. 用户输入用户名\n2. 系统验证密码\n扩展：\n2a. 账号锁定：\n    2a1. 系统提示联系客服\n    2a2. 用例结束\n2b. 用户名不存在：\n    2b1. 系统提示错误，转到第1步\n")
        let uc = zh.useCases[0]
        #expect(zh[try #require(zh.node(numbered: "2a", in: uc))]?.ending == .failure)
        #expect(zh[try #require(zh.node(numbered: "2b", in: uc))]?.ending == .resume(.step(try #require(zh.node(numbered: "1", in: uc)))))
        // Numbered lines under an unnumbered title at the same margin are its steps; so are a
        // decimal outline's under an unnumbered first line; fullwidth labels read as labels.
        let expected = "## Log in\n\n1. User enters the name\n2. System checks it\n   - 2a. The password is wrong:\n     1. System shows an error\n"
        for text in ["Log in\n1. User enters the name\n2. System checks it\n2a. The password is wrong:\n2a1. System shows an error\n",
                     "Log in\n1 User enters the name\n2 System checks it\n2.1 The password is wrong\n2.1.1 System shows an error\n",
                     "Use case: Log in\n１．User enters the name\n２．System checks it\n２ａ．The password is wrong：\n２ａ１．System shows an error\n"] {
            #expect(try imported(text) == expected, "\(text)")
        }
        #expect(try imported("● 安装\n１．用户插入ＵＳＢ设备\n") == "## 安装\n\n1. 用户插入ＵＳＢ设备\n")
        // An empty use-case bullet still starts a use case: its steps never join the one above.
        let (parsed, _) = try OutlineImporter.importing("* Log in\n- User enters the name\n*\n- User chooses Log out\n")
        #expect(parsed.flow.useCases.count == 2 && parsed.flow.children(of: parsed.flow.useCases[1]).count == 1)
        #expect(parsed.flow.validate().first?.message == "use case 2 has no title")
    }

    /// Use-case templates as teams write them: sections after the steps, exceptions sections,
    /// extensions before the main scenario, Markdown sections, wrapped numbered steps.
    @Test func templatesWithTheirSectionsInAnyOrder() throws {
        let (parsed, notes) = try OutlineImporter.importing("Use case: Log in\nMain success scenario:\n1. User enters the name.\n2. System checks the password.\nExtensions:\n2a. The password is wrong:\n    2a1. System shows an error.\nPostconditions: The user is logged in.\nOpen issues:\n- Single sign-on?\n")
        #expect(FlowMarkdownWriter.write(parsed.flow) == "## Log in\n\n- Postconditions: The user is logged in.\n\n1. User enters the name.\n2. System checks the password.\n   - 2a. The password is wrong:\n     1. System shows an error.\n")
        #expect(notes.map(\.message) == ["\"Open issues:\" and the lines under it hold no steps: left out"])
        #expect(try imported("用例名称：提交报销\n基本流：\n1. 员工填写报销单\n2. 经理审批\n异常流：\n2a. 系统无响应：\n    2a1. 系统保存草稿\n后置条件：报销单已提交\n")
            == "## 提交报销\n\n- 后置条件：报销单已提交\n\n1. 员工填写报销单\n2. 经理审批\n   - 2a. [异常] 系统无响应：\n     1. 系统保存草稿\n")
        let expected = "## Log in\n\n1. User enters the name.\n2. System checks it.\n   - 2a. The password is wrong:\n     1. System shows an error.\n     - Resume at 1.\n"
        for text in ["Use case: Log in\nExtensions:\n2a. The password is wrong:\n    2a1. System shows an error.\n    2a2. Resume at 1.\nMain success scenario:\n1. User enters the name.\n2. System checks it.\n",
                     "## Log in\n\n**Main success scenario:**\n\n1. User enters the name.\n2. System checks it.\n\n### Extensions\n\n2a. The password is wrong:\n    2a1. System shows an error.\n    2a2. Resume at 1.\n"] {
            #expect(try imported(text) == expected, "\(text)")
        }
        for label in ["Use Case Name:", "Use case UC-01:", "UC 3:", "Use case 1.2:", "用例名称："] {
            let flow = try OutlineImporter.read("\(label) Log in\n1. User enters the name.\n")
            #expect(flow[flow.useCases[0]]?.text == "Log in", "\(label)")
        }
        // A numbered step wrapped by hand goes on; a line starting anew under it is a condition.
        #expect(try imported("Log in\n1. Employee fills in the form and attaches\n   the receipts\n2. Manager approves\n   Amount over limit\n      Director approves\n")
            == "## Log in\n\n1. Employee fills in the form and attaches the receipts\n2. Manager approves\n   - 2a. Amount over limit:\n     1. Director approves\n")
    }

    @Test func pastedTextsSlipsAreReadAsMeant() throws {
        // A hard-wrapped line continues the step; an empty bullet is left out; Word's "o" and
        // "▪", a fullwidth mark, a mark glued to its text and no-break spaces are all outlines.
        #expect(try imported("* Submit travel expenses\n- Employee fills in the form and attaches the receipts for all\n  expenses of the trip\n-\n- Manager approves the claim\n")
            == "## Submit travel expenses\n\n1. Employee fills in the form and attaches the receipts for all expenses of the trip\n2. Manager approves the claim\n")
        for text in ["• Submit expenses\n    o Employee fills in the form\n    o Employee attaches the receipts\n",
                     "• Submit expenses\n▪ Employee fills in the form\n▪ Employee attaches the receipts\n",
                     "＊ Submit expenses\n－ Employee fills in the form\n-\u{3000}Employee attaches the receipts\n",
                     "*Submit expenses\n-Employee fills in the form\n-Employee attaches the receipts\n",
                     "Submit expenses\n\u{A0}\u{A0}\u{A0}\u{A0}Employee fills in the form\n\u{A0}\u{A0}\u{A0}\u{A0}Employee attaches the receipts\n",
                     "\u{200B}* Submit expenses\n- Employee fills in the form\n\u{FEFF}- Employee attaches the receipts\n"] {
            #expect(try imported(text) == "## Submit expenses\n\n1. Employee fills in the form\n2. Employee attaches the receipts\n", "\(text)")
        }
        // Exceptions are marked as the format marks them; a condition alone on its line opens
        // its extension; a tab inside a line is a blank.
        #expect(try imported("* Pay an invoice\n- Clerk sends the payment\n  - [exception] [The bank does not answer] System retries later\n  - [The card is declined]\n  - Clerk calls the bank\n- 1.\tClerk files it\n")
            == "## Pay an invoice\n\n1. Clerk sends the payment\n   - 1a. [exception] The bank does not answer:\n     1. System retries later\n   - 1b. The card is declined:\n     1. Clerk calls the bank\n2. Clerk files it\n")
        // Rows pasted from a spreadsheet: a column is a level, the row of column names is left out.
        #expect(try imported("Use case\tStep\tExtension\nApprove invoice\tClerk enters the invoice\t\n\tManager approves\t\n\t\tAmount over limit\n\tFinance pays\t\n")
            == "## Approve invoice\n\n1. Clerk enters the invoice\n2. Manager approves\n   - 2a. Amount over limit:\n3. Finance pays\n")
        // What was guessed is said, with the line.
        let (_, notes) = try OutlineImporter.importing("* Log in\n-\n- User\tenters it\n\u{200B}- System checks it\n")
        #expect(notes.map { "\($0.position): \($0.message)" } == [
            "2:1: an empty bullet was left out", "3:7: a tab inside the line was read as a space",
            "4:1: an invisible character (U+200B) at the start of the line was left out"])
        // A line a little deeper with lines under it is what they are under, not a slip.
        #expect(try imported("Log in\n    User enters the name\n    System checks it\n      Password is wrong\n        System shows an error\n    System shows the start page\n")
            == "## Log in\n\n1. User enters the name\n2. System checks it\n   - 2a. Password is wrong:\n     1. System shows an error\n3. System shows the start page\n")
    }

    @Test func cockburnsExtensionsOfAnyStepOrARangeGoToTheirFirstStepAndAreSaid() throws {
        let (parsed, notes) = try OutlineImporter.importing("Use case: Place an order\nMain success scenario:\n1. Customer fills the cart.\n2. Customer pays.\n3. System confirms.\nExtensions:\n2a. The card is declined:\n    2a1. Resume at 2.\n*a. The customer cancels:\n    *a1. System empties the cart.\n    *a2. End: failure.\n2-3a. The session times out:\n    2-3a1. System signs the customer out.\n")
        #expect(FlowMarkdownWriter.write(parsed.flow) == "## Place an order\n\n1. Customer fills the cart.\n   - 1a. The customer cancels:\n     1. System empties the cart.\n     - End: failure.\n2. Customer pays.\n   - 2a. The card is declined:\n     - Resume at 2.\n   - 2b. The session times out:\n     1. System signs the customer out.\n3. System confirms.\n")
        #expect(notes.map { "\($0.position): \($0.message)" } == [
            "9:1: *a is an extension at any step, and a flowsmith extension belongs to one step: it was put at step 1; in the editor, dd and p move it to another",
            "12:1: 2-3a is an extension of steps 2-3, and a flowsmith extension belongs to one step: it was put at step 2; in the editor, dd and p move it to another"])
        // "2-3" alone, and a star with emphasis, stay text.
        #expect(try imported("* Log in\n- 2-3 users sign in\n- *a* word\n") == "## Log in\n\n1. 2-3 users sign in\n2. \\*a\\* word\n")
    }

    @Test func orgDrawersAndTheMailAroundAQuotedOutlineAreLeftOutAndSaid() throws {
        let (org, orgNotes) = try OutlineImporter.importing("* TODO Reset a password :helpdesk:\n  :PROPERTIES:\n  :ID: 42\n  :END:\n  SCHEDULED: <2026-12-01 Tue>\n** User asks for a reset\n** DONE [#A] System sends a link\n")
        #expect(FlowMarkdownWriter.write(org.flow) == "## Reset a password\n\n1. User asks for a reset\n2. System sends a link\n")
        #expect(orgNotes.map { "\($0.position): \($0.message)" } == [
            "1:1: org-mode's keywords, priorities and :tags: (TODO, [#A] …) were left out (and 1 more line like it)",
            "2:1: org-mode's drawers and planning lines (:PROPERTIES: …) were left out (and 1 more line like it)"])
        let (mail, mailNotes) = try OutlineImporter.importing("Hi Bob,\n\nOn Monday, Anna <anna@example.com> wrote:\n> * Log in\n> - User enters the name\n>\n> - System checks it\n\n-- \nAnna\nSales\n")
        #expect(FlowMarkdownWriter.write(mail.flow) == "## Log in\n\n1. User enters the name\n2. System checks it\n")
        #expect(mailNotes.map { "\($0.position): \($0.message)" } == [
            "1:1: 5 lines around the quoted outline (a greeting, who wrote it, a signature) left out",
            "4:1: the outline is quoted as in a mail (> …): read without the quote marks"])
        // A quote among an outline's own lines is its text; so are marked lines around a quote.
        #expect(try imported("* Log in\n- User enters the name\n> Note: single sign-on later\n- System checks it\n").contains("Note: single sign-on later"))
        #expect(try imported("* Log in\n> - User enters the name\n> - System checks it\n").hasPrefix("## Log in\n"))
        // No-break spaces are said once a line.
        let (_, spaces) = try OutlineImporter.importing("Log in\n\u{A0}\u{A0}\u{A0}\u{A0}User enters the name\n")
        #expect(spaces.map { "\($0.position): \($0.message)" } == ["2:1: no-break spaces (pasted from a web page or a mail) were read as spaces"])
    }

    @Test func spreadsheetColumnNamesAndNumberColumnsAreLeftOutAndCellsAreWhereTheyAre() throws {
        let (sheet, notes) = try OutlineImporter.importing("ID\tUse case\tNo.\tStep\tAlternative step\nUC-01\tApprove invoice\t\t\t\n\t\t1\tClerk enters the invoice\t\n\t\t2\tManager approves\t\n\t\t\t\tAmount over limit\n\t\t2a1\t\t\n")
        #expect(FlowMarkdownWriter.write(sheet.flow) == "## Approve invoice\n\n1. Clerk enters the invoice\n2. Manager approves\n   - 2a. Amount over limit:\n")
        #expect(notes.map { "\($0.position): \($0.message)" } == [
            "1:1: tab-separated columns (pasted from a spreadsheet) were read as levels: the first column's cells are use cases, the next steps, then conditions",
            "1:1: the first row names the columns: left out",
            "2:1: 2 columns of numbers or IDs (UC-01, 1 …) left out: the columns of text are the levels"])
        // What is said of a cell points at the cell.
        let cells = try OutlineImporter.readWithPositions("Approve invoice\tClerk enters the invoice\n\tManager approves\tAmount over limit\n")
        let condition = try #require(cells.flow.node(numbered: "2a", in: cells.flow.useCases[0]))
        #expect(cells.sourceMap.nodes[condition].map { "\($0)" } == "2:19")
    }

    @Test func aDecimalOutlineResumesAtItsOwnNumbersAndWarningsComeInLineOrder() throws {
        #expect(try imported("1. Incident handling\n1.1. User reports the incident\n1.2. Service desk logs a ticket\n1.2.1. The user is unknown\n1.2.1.1. Service desk creates the user\n1.2.1.2. Resume at 1.2\n1.3. Service desk closes it\n")
            == "## Incident handling\n\n1. User reports the incident\n2. Service desk logs a ticket\n   - 2a. The user is unknown:\n     1. Service desk creates the user\n     - Resume at 2.\n3. Service desk closes it\n")
        let (_, notes) = try OutlineImporter.importing("* Log in\n- User\tenters it\n-\n\u{200B}- System checks it\n- \n")
        #expect(notes.map(\.position.line) == [2, 3, 4])
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
