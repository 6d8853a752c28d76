import ArgumentParser
import FlowCore
import FlowFormats
import Foundation

extension Direction: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a flow: \(ExportFormat.names).",
        discussion: "text is a drawing for a terminal (--width, --ascii); mermaid and dot are diagram sources; robot is a Robot Framework task file.")

    @Argument(help: "The .flow.md file to export.", completion: .file(extensions: ["md"]))
    var file: String

    @Option(name: .shortAndLong, help: "\(ExportFormat.names) (any letter case).")
    var format: ExportFormat = .mermaid

    @Option(name: .shortAndLong, help: "Layout direction: TD, TB, BT, LR or RL.")
    var direction: Direction = .TD

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output (- is standard output).", completion: .file())
    var output: String?

    @Option(help: "The text diagram's width in columns (\(TextDiagram.minimumWidth) at least).")
    var width: Int = 80

    @Flag(help: "Draw the text diagram with ASCII characters only.")
    var ascii = false

    @Option(name: .customLong("use-case"), help: "Export only this use case: its number (1 is the first) or its title.")
    var useCase: String?

    @Flag(help: "Replace the output file even if it is a Markdown document (a flow, a README) or write-protected (never the flow being exported).")
    var force = false

    func run() throws {
        guard width >= TextDiagram.minimumWidth else {
            complain("--width \(width): the text diagram needs at least \(TextDiagram.minimumWidth) columns")
            throw ExitCode(64)
        }
        var flow = try loadFlow(file).flow
        if let useCase {
            let ucs = flow.useCases
            let found = Int(useCase).flatMap { n in ucs.indices.contains(n - 1) ? ucs[n - 1] : nil }
                ?? ucs.first { flow[$0]?.text == useCase } ?? ucs.first { flow[$0]?.text.lowercased() == useCase.lowercased() }
            guard let found else {
                complain(Sanitize.line("--use-case \(useCase): \(file) has no such use case (it has \(counted(ucs.count, "use case")), 1 to \(ucs.count), or give a title)"))
                throw ExitCode(64)
            }
            flow = flow.extract(useCase: found)
        }
        // -o replaces what an earlier export wrote, but not a flow or another document someone
        // wrote (`isADocument`), and never the one exported.
        // (Without -o too: standard output may have been sent into the flow, > or 1<>.)
        if let refusal = TextFile.exportRefusal(
            output ?? "-", source: file, replace: { force || !TextFile.isADocument($0) }, howToReplace: "--force") {
            complain(refusal)
            throw ExitCode(1)
        }
        let text = format.render(flow, direction: direction, width: width, ascii: ascii)
        try emit(text, to: output, force: force)
        if format == .mermaid, let why = MermaidWriter.tooLargeToDraw(text) {
            complain("warning: \(why) (--use-case N)")
        }
    }
}

extension ExportFormat: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn an outline (use case and step lines marked with bullets, or indented plain lines) into a .flow.md file.",
        discussion: "A use case line starts with * (or the bullets U+25CF, U+2022), a step line with - (or U+25CB, U+25E6); without bullets, the least indented lines are use cases and the next level their steps. Markdown and org-mode lists, decimal outlines, mind-map exports and use-case templates in Cockburn's layout (Use case:, Main success scenario:, Extensions:, 2a., 2a1.) are read too; numbers are left out, and ending lines (End: failure, Resume at 2) end their extension. FORMAT.md in the documentation has the whole of it.")

    @Argument(help: "The outline text file (- reads standard input).", completion: .file())
    var outline: String

    @Option(name: .shortAndLong, help: "The .flow.md file to write (standard output if omitted).", completion: .file(extensions: ["md"]))
    var output: String?

    @Flag(help: "Overwrite the output file if it exists, even if it is write-protected.")
    var force = false

    func run() throws {
        // "-" is standard input (a pasted outline: xclip -o | flowsmith import - -o new.flow.md).
        let stdin = outline == "-"
        let name = stdin ? "<standard input>" : outline
        let text: String
        do {
            text = try TextFile.read(stdin ? "/dev/stdin" : outline)
        } catch {
            complain(stdin ? error.description.replacingOccurrences(of: "/dev/stdin", with: name) : error.description)
            throw ExitCode(1)
        }
        let parsed: ParsedFlow
        let notes: [OutlineImporter.Note]
        do {
            (parsed, notes) = try OutlineImporter.importing(text, file: name)
        } catch {
            var err = StandardError()
            print(Sanitize.line(error.description), to: &err)
            throw ExitCode(1)
        }
        // An outline with nothing in it (or only a title) makes no flow: said, and nothing written.
        guard !parsed.flow.useCases.isEmpty else {
            complain("\(name): no use case in it: an outline starts with a use case line (● Title, * Title, or a line at the left margin)")
            throw ExitCode(1)
        }
        if let output {
            // Never over the outline itself, and the real reason first where --force cannot help.
            if !stdin, TextFile.sameFile(output, outline) {
                complain("\(output) is the outline being imported: write the flow to another file (-o NAME.flow.md)")
                throw ExitCode(1)
            }
            var st = stat()
            if stat(output, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                complain("\(output) is a directory: give a file name (-o \(output)/NAME.flow.md)")
                throw ExitCode(1)
            } else if TextFile.exists(output), stat(output, &st) != 0, errno == ELOOP {
                complain("\(output) is a symbolic link that leads round in a loop: give another file name")
                throw ExitCode(1)
            }
            // (Even with --force: the backup would later be taken for the text to put back.)
            if let unfinished = TextFile.unfinishedSave(output) {
                complain("\(output): \(unfinished)")
                throw ExitCode(1)
            }
            if !force, TextFile.exists(output) {
                complain("\(output) already exists; choose another name or add --force to replace it")
                throw ExitCode(1)
            }
        }
        try emit(FlowMarkdownWriter.write(parsed.flow), to: output, force: force)
        // What the import guessed, and what the outline left unsaid: the file is written, and
        // each is named with its line, in the order of the lines.
        var said = notes.map { (at: $0.position, message: $0.message) }
        for p in parsed.flow.validate() {
            said.append((parsed.sourceMap.position(of: p) ?? SourcePosition(line: 1, column: 1),
                         p.message + (p.message.hasSuffix("has no condition") ? " (start the line with [condition])" : "")))
        }
        var err = StandardError()
        for (at, message) in said.enumerated().sorted(by: { a, b in
            (a.element.at.line, a.element.at.column, a.offset) < (b.element.at.line, b.element.at.column, b.offset)
        }).map(\.element) {
            print(Sanitize.line("\(name):\(at): warning: \(message)"), to: &err)
        }
        // Written to a file: what it holds, to see at a glance that the outline was read as meant.
        if let output {
            let flow = parsed.flow
            let extensions = flow.nodes.values.filter { $0.kind == .extension }.count
            func count(_ n: Int, _ what: String) -> String { "\(n) \(what)\(n == 1 ? "" : "s")" }
            print(Sanitize.line("wrote \(output): \(count(flow.useCases.count, "use case")), \(count(flow.stepCount, "step")), "
                                + count(extensions, "extension") + (said.isEmpty ? "" : ", \(count(said.count, "warning")) above")), to: &err)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a flow file and list its problems as FILE:LINE:COLUMN: message (exit 1 if any).")

    @Argument(help: "The .flow.md files to check.", completion: .file(extensions: ["md"]))
    var files: [String]

    func run() throws {
        var failed = false
        for file in files where TextFile.sameFile("/dev/stdout", file) {
            complain("standard output is \(file), being checked: send the report elsewhere")
            throw ExitCode(1)
        }
        for file in files {
            // A save that did not finish may have cut the file short, whatever it reads as.
            if let unfinished = TextFile.unfinishedSave(file) {
                print(Sanitize.line("\(file):1:1: \(unfinished)"))
                failed = true
                continue
            }
            guard let parsed = try? loadFlow(file) else {
                failed = true
                continue
            }
            let problems = parsed.flow.validate()
            // In line order, as the reader's mistakes are (validation goes use case by use case,
            // a kind of problem at a time).
            let placed = problems.enumerated().map { (i, p) in (i, parsed.sourceMap.position(of: p) ?? SourcePosition(line: 1, column: 1), p) }
                .sorted { ($0.1.line, $0.1.column, $0.0) < ($1.1.line, $1.1.column, $1.0) }
            for (_, at, p) in placed {
                print(Sanitize.line("\(file):\(at): \(p.message)"))
            }
            if problems.isEmpty {
                let (u, n) = (parsed.flow.useCases.count, parsed.flow.stepCount)
                print(Sanitize.line("\(file): no problems (\(counted(u, "use case")), \(counted(n, "step")))"))
            }
            failed = failed || !problems.isEmpty
        }
        if failed { throw ExitCode(1) }
    }
}

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the key reference (keys.md in the documentation) from the binding table, with your config's keys.")

    func run() throws {
        let config = try UserConfig.load(ProcessInfo.processInfo.environment)
        print(config.bindings().markdown(), terminator: "")
    }
}
