import FlowCore
import FlowFormats
import Testing

@Suite struct FlowMarkdownReaderTests {
    static let canonical = """
        # Shop

        ## Pay

        - Primary actor: Customer

        1. Customer enters the card.
           - 1a. [exception] The card is declined:
             1. System asks for another card.
             - Resume at 1.
        2. System confirms.

        """

    @Test func readsHandWrittenVariantsAsTheCanonicalFlow() throws {
        let expected = try FlowMarkdownReader.read(Self.canonical).flow
        let variants = [
            "\u{FEFF}" + Self.canonical,
            Self.canonical.replacingOccurrences(of: "\n", with: "\r\n"),
            Self.canonical.replacingOccurrences(of: "\n", with: "\r"),
            String(Self.canonical.dropLast()),
            Self.canonical.replacingOccurrences(of: "\n", with: "   \t\n"),
            Self.canonical.replacingOccurrences(of: "   - 1a.", with: "\t- 1a.")
                .replacingOccurrences(of: "     1. System", with: "\t\t1. System")
                .replacingOccurrences(of: "     - Resume", with: "\t\t* Resume"),
            // lazy numbering, N) markers, other bullets, no label, fullwidth colon, case, "step"
            """
            # Shop
            ## Pay
            * primary actor：Customer
            1) Customer enters the card.
              + [EXCEPTION] The card is declined：
                7. System asks for another card.
                - resume at step 1
            1) System confirms.
            """,
            // a wrapped step continues on the next line
            Self.canonical.replacingOccurrences(of: "1. Customer enters the card.", with: "1. Customer enters\n   the card."),
        ]
        // The fullwidth colon after a field name is kept, to be written back as it was.
        var fullwidth = expected
        let uc = fullwidth.useCases[0]
        try fullwidth.apply(.setFields(uc, (fullwidth[uc]?.fields ?? []).map { Field($0.name, $0.value, separator: "：") }))
        for (i, text) in variants.enumerated() {
            let flow = try FlowMarkdownReader.read(text).flow
            #expect(flow == (text.contains("actor：") ? fullwidth : expected), "variant \(i):\n\(FlowMarkdownWriter.write(flow))")
        }
    }

    @Test func escapesReadBack() throws {
        let text = "## \\# a \\*b\\* &#32;&#x41;&amp;&lt;&nbsp;&bogus; \\q \\#\n"
        let flow = try FlowMarkdownReader.read(text).flow
        #expect(flow[flow.useCases[0]]?.text == "# a *b* \u{20}A&<\u{A0}&bogus; \\q #")
    }

    @Test func sourceMapPointsAtLines() throws {
        let parsed = try FlowMarkdownReader.read(Self.canonical)
        let uc = parsed.flow.useCases[0]
        let ext = try #require(parsed.flow.node(numbered: "1a", in: uc))
        #expect(parsed.sourceMap.nodes[uc] == SourcePosition(line: 3, column: 1))
        #expect(parsed.sourceMap.nodes[ext] == SourcePosition(line: 8, column: 4))
        #expect(parsed.sourceMap.endings[ext] == SourcePosition(line: 10, column: 6))
    }

    @Test func danglingResumeTargetsLoadAndAreKept() throws {
        let text = Self.canonical.replacingOccurrences(of: "Resume at 1.", with: "Resume at 9.")
        let parsed = try FlowMarkdownReader.read(text, file: "shop.flow.md")
        #expect(FlowMarkdownWriter.write(parsed.flow) == text)
        let problem = try #require(parsed.flow.validate().first)
        #expect(problem.message == "extension 1a resumes at step 9, which is not a step of this use case")
        #expect(parsed.sourceMap.position(of: problem) == SourcePosition(line: 10, column: 6))
    }

    @Test(arguments: [
        ("Some text\n", "1:1: expected a use case heading"),
        ("# T\n# U\n", "2:1: the flow title (\"# …\") must be the first line"),
        ("### Deep\n", "1:1: only \"# flow title\" and \"## use case\" headings are allowed, found a level-3 heading"),
        ("1. step\n", "1:1: a list item before any use case"),
        ("## A\n1. x\n- Goal: g\n", "3:1: fields (\"- Name: value\") go before the first step"),
        ("## A\n- no colon\n", "2:1: expected a field \"- Name: value\""),
        ("## A\n1. x\n   1. y\n", "3:4: a step cannot hold steps directly"),
        ("## A\n1. x\n   - 1a. c:\n     - Jump to 3\n", "4:6: expected an ending"),
        ("## A\n1. x\n   - 1a. c:\n     - End: failure\n     - End: success\n", "5:6: this extension already has an ending line"),
        ("## A\n1. x\n   - 1a. c:\n     - End: failure\n       - more\n", "5:8: nothing can be nested under a field or an ending line"),
        ("## A\n1. x\n   - 1a. c:\n     - Resume at\n", "4:6: expected an ending"),
        ("## A\n- Goal: g\n  - sub\n", "3:3: nothing can be nested"),
        ("## A\n- ：空名\n", "2:1: a field needs a name before its colon"),
        ("## A\n1. x\n   - 1a. c:\n     - Resume at 1.\n     1. after\n", "5:6: a step after the extension's ending line"),
        // The slips a Chinese keyboard makes, said where they are and what to type.
        ("## A\n１．客户提交投诉\n", "2:1: \"１\" is a fullwidth character"),
        ("## A\n1．客户提交投诉\n", "2:2: \"1．\" is not a step number: steps are numbered \"1. \""),
        ("## A\n1.客户提交投诉\n", "2:3: put a space after \"1.\""),
        ("## A\n2.\u{3000}客服受理\n", "2:3: a fullwidth space after \"2.\""),
        ("## A\n-主要参与者：客服\n", "2:2: put a space after \"-\""),
        ("##客户投诉处理\n", "1:3: put a space after \"##\""),
        ("## A\n1. x\n＃＃ 投诉回访\n", "3:1: \"＃\" is a fullwidth character"),
        // What a shared file picks up: git's conflict markers, invisible characters.
        ("## A\n1. x\n<<<<<<< HEAD\n2. y\n=======\n2. z\n>>>>>>> feature\n", "3:1: an unresolved merge conflict (git's \"<<<<<<<\" line)"),
        ("<<<<<<< HEAD\n# Shop A\n=======\n# Shop B\n>>>>>>> x\n", "1:1: an unresolved merge conflict"),
        ("\u{FEFF}\u{FEFF}# 客服系统\n\n## A\n1. x\n", "1:1: the line starts with a byte-order mark (U+FEFF), which no editor shows: delete it"),
        ("## A\n\u{200B}1. x\n", "2:1: the line starts with a zero-width space (U+200B)"),
    ])
    func errorsSayWhereAndWhat(_ text: String, _ expected: String) {
        do {
            _ = try FlowMarkdownReader.read(text, file: "f.flow.md")
            Issue.record("no error for \(text.debugDescription)")
        } catch {
            #expect(error.description.hasPrefix("f.flow.md:" + expected), "got: \(error)")
        }
    }
    @Test func aMistypedStepNumberIsNamed() {
        let text = "## Pay\n\n1. Customer enters the card.\n2x. System checks it.\n3a1. System confirms.\n2024 was a good year\n"
            + "99999999999999999999. Too long to be a list item.\n"
        let (_, errors) = FlowMarkdownReader.readAll(text, file: "pay.flow.md")
        #expect(errors.map(\.description) == [
            "pay.flow.md:4:1: \"2x.\" is not a step number: steps are numbered \"1.\", \"2.\" … (an extension's steps too, indented under its \"- 2a. condition:\" line)",
            "pay.flow.md:5:1: \"3a1.\" is not a step number: steps are numbered \"1.\", \"2.\" … (an extension's steps too, indented under its \"- 2a. condition:\" line)",
            "pay.flow.md:6:1: expected a use case heading (\"## Title\"), a field (\"- Name: value\") or a numbered step (\"1. …\")",
            "pay.flow.md:7:1: \"99999999999999999999.\" is not a step number: steps are numbered \"1.\", \"2.\" … (an extension's steps too, indented under its \"- 2a. condition:\" line)",
        ])
    }

    @Test func listsEveryMistakeAndGoesOnAfterEach() {
        let text = """
            # Shop

            ## Pay

            1. Customer enters the card.
               1. nested step without an extension
                  1. under the faulty one: skipped with it
            2. System confirms.
            just a paragraph
            ### Too deep

            ## Refund

            1. Clerk checks.
               - 1a. Wrong:
                 - Resume later please
            2. Done.
               - 2a. fine:
                 - End: success.
            """
        let (parsed, errors) = FlowMarkdownReader.readAll(text, file: "shop.flow.md")
        #expect(errors.map { "\($0.position.line):\($0.position.column)" } == ["6:4", "9:1", "10:1", "16:6"])
        #expect(errors.allSatisfy { $0.description.hasPrefix("shop.flow.md:") })
        // Reading went on after each mistake: both use cases and the steps after the mistakes are there.
        #expect(parsed.flow.useCases.count == 2)
        #expect(parsed.flow.stepCount == 4)
        // `read` throws the first one.
        #expect(throws: FormatError.self) { try FlowMarkdownReader.read(text) }
        do { _ = try FlowMarkdownReader.read(text) } catch { #expect(error.position.line == 6) }
        #expect(FlowMarkdownReader.readAll(text, limit: 2).1.count == 2)
    }
}

import Foundation
