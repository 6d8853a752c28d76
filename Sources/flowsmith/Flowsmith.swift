import ArgumentParser
import FlowCore
import FlowFormats

@main
struct Flowsmith: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "flowsmith",
        abstract: "Design business processes as Cockburn-style use cases, from the terminal.",
        discussion: """
            Flows are Markdown files (.flow.md); docs/FORMAT.md describes the format.
            `flowsmith FILE.flow.md` opens the editor on a file.
            """,
        version: version,
        subcommands: [Edit.self, Export.self, Import.self, Check.self, Suggest.self, Train.self, Eval.self, Models.self, Keys.self],
        defaultSubcommand: Edit.self
    )
}

/// Prints a message to standard error in the one shape every command uses.
func complain(_ message: String) {
    var err = StandardError()
    print("flowsmith: " + message, to: &err)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        let bytes = Array(string.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

/// Reads and parses a flow file, printing a clear message and exiting 1 when it cannot.
func loadFlow(_ path: String) throws -> ParsedFlow {
    do {
        let text = try TextFile.read(path)
        return try FlowMarkdownReader.read(text, file: path)
    } catch let error as TextFile.Failure {
        complain(error.description)
        throw ExitCode(1)
    } catch let error as FormatError {
        var err = StandardError()
        print(Sanitize.line(error.description), to: &err)
        throw ExitCode(1)
    }
}

/// Writes output to a file atomically, or to standard output when no file is named.
func emit(_ text: String, to path: String?) throws {
    guard let path else {
        print(text, terminator: "")
        return
    }
    do {
        try TextFile.write(text, to: path)
    } catch {
        complain(error.description)
        throw ExitCode(1)
    }
}

#if canImport(Glibc)
import Glibc
#endif
