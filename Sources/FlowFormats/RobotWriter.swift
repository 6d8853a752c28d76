import FlowCore

/// A Robot Framework 7 task file an RPA developer starts from: one task per use case, each step a
/// keyword call, extensions as `TRY`/`EXCEPT` (exceptions) and `IF`/`ELSE IF` (alternatives) with
/// each condition a keyword that returns it, and one keyword per distinct step that fails with
/// "not implemented yet" until someone writes it. It passes `robot --dryrun` whatever the labels
/// hold: every cell is escaped by Robot's rules (`RobotWriter.cell`).
public enum RobotWriter {
    static let indent = "    "
    static let separator = "    "

    public static func write(_ flow: Flow) -> String {
        // The skeleton's own words in the document's language (`Wording`).
        let say = Phrases(flow.effectiveWording)
        var names = Names(say: say)
        var tasks: [String] = []
        var keywords: [String] = []
        var usesResume = false

        for (n, uc) in flow.useCases.enumerated() {
            guard let ucNode = flow[uc] else { continue }
            let title = names.task(ucNode.text, number: n + 1)
            tasks.append("")
            tasks.append(title)
            var doc = ucNode.fields.filter { !$0.value.isEmpty }.map { $0.name + ($0.separator.hasPrefix("：") ? "：" : ": ") + $0.value }
            if doc.isEmpty { doc = [say.useCase(ucNode.text)] }
            tasks += documentation("[Documentation]", doc, level: 1)

            // An explicit stack, not recursion: extensions nested a thousand deep are written on a
            // worker's small stack too.
            enum Op { case line(String, Int), scenario(NodeID, Int), step(NodeID, Int) }
            var stack: [Op] = [.scenario(uc, 1)]
            var body: [String] = []
            while let op = stack.popLast() {
                switch op {
                case .line(let text, let level):
                    body.append(String(repeating: indent, count: level) + text)
                case .scenario(let scenario, let level):
                    var ops: [Op] = flow.children(of: scenario).map { .step($0, level) }
                    var ending: [String] = []
                    if let node = flow[scenario], node.kind == .extension {
                        let condition = cell(node.text, argument: true)
                        switch node.ending {
                        case .failure: ending = ["Fail" + separator + condition]
                        case .success: ending = ["Pass Execution" + separator + condition]
                        case .resumeNext: break
                        case .resume(let target):
                            let after = node.parent.map { flow.destination(after: $0) }
                            let to = flow.resolve(target, from: scenario)
                            if to != after {
                                usesResume = true
                                let number: String = switch to {
                                case .step(let id): flow.number(of: id) ?? "?"
                                case .unknown(let written): written
                                default: "?"
                                }
                                ending = ["Resume At Step" + separator + cell(number, argument: true)]
                            }
                        }
                    }
                    if ops.isEmpty && ending.isEmpty { ending = ["No Operation"] }
                    ops += ending.map { .line($0, level) }
                    stack += ops.reversed()
                case .step(let step, let level):
                    guard let node = flow[step] else { continue }
                    let call = names.keyword(node.text, number: flow.number(of: step) ?? "", useCase: ucNode.text, kind: .step)
                    let exts = node.children.compactMap { id in flow[id].map { (id, $0) } }
                    let exceptions = exts.filter { $0.1.extensionKind == .exception }
                    let alternatives = exts.filter { $0.1.extensionKind != .exception }
                    var ops: [Op] = []
                    if exceptions.isEmpty {
                        ops.append(.line(call, level))
                    } else {
                        ops += [.line("TRY", level), .line(call, level + 1)]
                        for (id, e) in exceptions {
                            ops += [.line("EXCEPT" + separator + cell(e.text, argument: true), level), .scenario(id, level + 1)]
                        }
                        ops.append(.line("END", level))
                    }
                    if !alternatives.isEmpty {
                        var variables: [String] = []
                        for (id, e) in alternatives {
                            let number = flow.number(of: id) ?? "x"
                            let variable = "ext_" + number.filter { $0.isASCII && ($0.isLetter || $0.isNumber) }
                            variables.append(variable)
                            let check = names.keyword(e.text, number: number, useCase: ucNode.text, kind: .condition)
                            ops.append(.line("${\(variable)}=" + separator + check, level))
                        }
                        for (i, (id, _)) in alternatives.enumerated() {
                            ops += [.line((i == 0 ? "IF" : "ELSE IF") + separator + "$" + variables[i], level), .scenario(id, level + 1)]
                        }
                        ops.append(.line("END", level))
                    }
                    stack += ops.reversed()
                }
            }
            tasks += body
        }

        for k in names.defined {
            keywords.append("")
            keywords.append(k.name)
            switch k.kind {
            case .step:
                keywords += documentation("[Documentation]", [say.step(k.number, of: k.useCase, k.text), say.notYet], level: 1)
                keywords.append(indent + "[Tags]" + separator + "not-implemented")
                keywords.append(indent + "Fail" + separator + cell(say.notYet(k.text), argument: true))
            case .condition:
                keywords += documentation("[Documentation]", [say.condition(k.number, of: k.useCase, k.text), say.conditionNotYet], level: 1)
                keywords.append(indent + "[Tags]" + separator + "not-implemented" + separator + "condition")
                keywords.append(indent + "RETURN" + separator + "${FALSE}")
            }
        }
        if usesResume {
            keywords += ["", "Resume At Step", indent + "[Arguments]" + separator + "${step}"]
            keywords += documentation("[Documentation]", say.resumeDoc, level: 1, raw: true)
            keywords.append(indent + "Log" + separator + say.resumeLog)
        }

        var out = ["*** Settings ***"]
        let title = flow.title.isEmpty ? say.useCases : flow.title
        out += documentation("Documentation", [title, say.generated], level: 0)
        out += ["", "*** Tasks ***"]
        out += tasks.isEmpty ? ["", say.noUseCases, indent + "No Operation"] : tasks
        if !keywords.isEmpty { out += ["", "*** Keywords ***"] + keywords }
        return out.joined(separator: "\n") + "\n"
    }

    /// A documentation setting: its first line, then `...` continuation lines.
    static func documentation(_ setting: String, _ lines: [String], level: Int, raw: Bool = false) -> [String] {
        let pad = String(repeating: indent, count: level)
        return lines.enumerated().map { i, line in
            let value = raw ? line : cell(line, argument: true)
            return pad + (i == 0 ? setting : "...") + separator + value
        }
    }

    // MARK: Escaping

    /// Words Robot reads as syntax when they are a whole first cell.
    static let markers: Set<String> = [
        "IF", "ELSE IF", "ELSE", "END", "FOR", "IN", "IN RANGE", "IN ENUMERATE", "IN ZIP", "WHILE", "TRY", "EXCEPT",
        "FINALLY", "BREAK", "CONTINUE", "RETURN", "VAR", "GROUP", "AND",
    ]

    /// One cell of Robot data: tabs and runs of spaces (which separate cells) become one space;
    /// leading and trailing spaces go; `\`, variables (`${ @{ &{ %{`) and a leading `#` (a
    /// comment) are escaped with a backslash; as a first cell, a leading `...`, `|`, `*`, `[` and the
    /// control words (`IF`, `END` …) too. `argument` cells also escape `=` (named arguments,
    /// `type=` of `EXCEPT`). Never empty.
    public static func cell(_ text: String, argument: Bool = false) -> String {
        var flat = ""
        var space = false
        for u in text.unicodeScalars {
            let v = LabelText.visible(u)
            if v == " " || u == "\n" || u == "\r" || u == "\u{2028}" || u == "\u{2029}" || u == "\u{85}" {
                space = !flat.isEmpty
                continue
            }
            if space { flat.append(" "); space = false }
            flat.unicodeScalars.append(v)
        }
        var out = ""
        var previous: Character = " "
        for c in flat {
            if c == "{", "$@&%".contains(previous) {
                out.insert("\\", at: out.index(before: out.endIndex))
            }
            switch c {
            case "\\": out += "\\\\"
            case "=" where argument: out += "\\="
            case _ where c != " " && c.unicodeScalars.count == 1 && c.unicodeScalars.first!.properties.isWhitespace:
                // Robot separates cells at any two whitespace characters (no-break and
                // ideographic spaces too): those are written as \uXXXX, which Robot reads back.
                let hex = String(c.unicodeScalars.first!.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.append(c)
            }
            previous = c
        }
        if out.hasPrefix("#") || out.hasPrefix("...") || out.hasPrefix("|") || out.hasPrefix("*") || out.hasPrefix("[")
            || markers.contains(out) || (argument && out == "AS") {
            out = "\\" + out
        }
        return out.isEmpty ? "${EMPTY}" : out
    }

    /// A keyword or task name from a label: a cell without its final full stop.
    /// A keyword's or task's name for a label: empty when the label has no letter or digit to
    /// name it by (then it is named by its number).
    static func name(_ text: String) -> String {
        var t = text.trimmingSpaces
        while let last = t.last, ".。．".contains(last) { t.removeLast() }
        guard t.contains(where: { $0.isLetter || $0.isNumber }) else { return "" }
        let c = cell(t)
        return c == "${EMPTY}" ? "" : c
    }

    /// Robot compares names ignoring case, spaces and underscores.
    static func normalized(_ name: String) -> String {
        String(name.lowercased().filter { $0 != " " && $0 != "_" })
    }

    /// What the skeleton says itself (documentation, failure messages, names of unnamed
    /// keywords), in English or Chinese as the flow is worded. Robot's own words (`Fail`,
    /// `Resume At Step`, the `not-implemented` tag) stay as they are.
    struct Phrases {
        let wording: Wording
        init(_ wording: Wording) { self.wording = wording }
        var english: Bool { wording == .english }

        func useCase(_ title: String) -> String { english ? "Use case \(title)" : "用例：\(title)" }
        func step(_ number: String, of useCase: String, _ text: String) -> String {
            english ? "Step \(number) of \"\(useCase)\": \(text)" : "「\(useCase)」第\(number)步：\(text)"
        }
        var notYet: String { english ? "Not implemented yet." : "尚未实现。" }
        func notYet(_ text: String) -> String { english ? "Not implemented yet: \(text)" : "尚未实现：\(text)" }
        func condition(_ number: String, of useCase: String, _ text: String) -> String {
            english ? "Condition of \(number) in \"\(useCase)\": returns ${TRUE} when \(text)"
                : "「\(useCase)」第\(number)步的条件：\(text)时返回 ${TRUE}"
        }
        var conditionNotYet: String {
            english ? "Not implemented yet: returns ${FALSE}, so the main scenario runs." : "尚未实现：返回 ${FALSE}，主成功场景照常运行。"
        }
        var resumeDoc: [String] {
            english ? ["The use case goes on at step ${step} here.",
                       "Robot Framework has no jump: when implementing, make the steps from there a keyword or a WHILE loop."]
                : ["用例在此回到第 ${step} 步。", "Robot Framework 没有跳转：实现时把从那一步起的步骤写成关键字或 WHILE 循环。"]
        }
        var resumeLog: String { english ? "Resume at step ${step}" : "回到第 ${step} 步" }
        var useCases: String { english ? "Use cases" : "用例" }
        var noUseCases: String { english ? "No use cases" : "没有用例" }
        var generated: String {
            english ? "Generated by flowsmith: one task per use case, one keyword per step. Keywords tagged not-implemented are still to be written."
                : "由 flowsmith 生成：每个用例一个任务，每个步骤一个关键字。标记为 not-implemented 的关键字尚待编写。"
        }
        func stepName(_ number: String) -> String { english ? "Step \(number)" : "第\(number)步" }
        func conditionName(_ number: String) -> String { english ? "Condition \(number)" : "条件 \(number)" }
        func useCaseName(_ number: Int) -> String { english ? "Use case \(number)" : "用例 \(number)" }
    }

    struct Keyword {
        enum Kind { case step, condition }
        var name: String
        var kind: Kind
        var text: String
        var number: String
        var useCase: String
    }

    /// Names that stay distinct under Robot's comparison: one keyword per distinct step (the same
    /// text is the same keyword), conditions ending in `?`, tasks numbered when titles repeat.
    struct Names {
        let say: Phrases
        var defined: [Keyword] = []
        var byText: [String: String] = [:]
        /// The helper keyword's name is taken from the start, and so are the BuiltIn keywords the
        /// skeleton calls: a user keyword of the same name would be called instead of them (a
        /// step "Fail." made every `Fail    Not implemented yet: …` a call with one argument too many).
        var taken: Set<String> = Set(["Resume At Step", "Fail", "Pass Execution", "No Operation", "Log"].map(RobotWriter.normalized))
        var tasks: Set<String> = []

        mutating func keyword(_ text: String, number: String, useCase: String, kind: Keyword.Kind) -> String {
            let key = (kind == .step ? "s" : "c") + text
            if let known = byText[key] { return known }
            var base = RobotWriter.name(text)
            if base.isEmpty { base = kind == .step ? say.stepName(number) : say.conditionName(number) }
            if kind == .condition { base += "?" }
            var name = base
            var n = 2
            while taken.contains(RobotWriter.normalized(name)) {
                name = base + " (\(n))"
                n += 1
            }
            taken.insert(RobotWriter.normalized(name))
            byText[key] = name
            defined.append(Keyword(name: name, kind: kind, text: text, number: number, useCase: useCase))
            return name
        }

        mutating func task(_ title: String, number: Int) -> String {
            var base = RobotWriter.name(title)
            if base.isEmpty { base = say.useCaseName(number) }
            var name = base
            var n = 2
            while tasks.contains(RobotWriter.normalized(name)) {
                name = base + " (\(n))"
                n += 1
            }
            tasks.insert(RobotWriter.normalized(name))
            return name
        }
    }
}
