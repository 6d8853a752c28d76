import FlowDesigner
import Foundation
import TestSupport
import Testing

/// Replays the fuzz seeds (Fuzz/corpus/Config) and every input that once failed the harness
/// (Fuzz/regressions/Config) through the config and theme readers, checking what Fuzz/Config.swift
/// checks (Fuzz/README.md). Each input runs in a child process, so an input that crashes fails its
/// own test instead of ending the run.
@Suite struct ConfigFuzzRegressionTests {
    @Test(arguments: configFuzzInputs())
    func configInput(_ path: String) async {
        let passed = await #expect(processExitsWith: .success, "\(path)") { [path = path as String] in
            replayConfig(try Data(contentsOf: Fixtures.root.appendingPathComponent(path)))
        }
        guard passed == nil else { return }
        // Once more, to show what the child wrote: the property's message, or the crash.
        let failed = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [path = path as String] in
            replayConfig(try Data(contentsOf: Fixtures.root.appendingPathComponent(path)))
        }
        if let failed { Issue.record("\(path):\n\(String(decoding: failed.standardErrorContent, as: UTF8.self).suffix(3000))") }
    }

    @Test func theDocumentedExampleAndTheBundledThemesRead() throws {
        let config = try Config.parse(try Fixtures.text(Fixtures.root.appendingPathComponent("Fuzz/corpus/Config/documented.config")))
        #expect(config.theme == "light")
        #expect(config.keys[.delete] == [[.char("d"), .char("d")], [.delete]])
        _ = try Theme.parse(try Fixtures.text(Fixtures.root.appendingPathComponent("Fuzz/corpus/Config/theme-default.theme")), name: "default")
    }
}

/// Paths, from the repository root, of the config seeds and regressions (dot files left out).
private func configFuzzInputs() -> [String] {
    ["Fuzz/corpus/Config", "Fuzz/regressions/Config"].flatMap { folder in
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.root.appendingPathComponent(folder).path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder + "/" + $0 }
    }
}

private func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    guard !condition() else { return }
    FileHandle.standardError.write(Data(("fuzz property failed: " + message() + "\n").utf8))
    exit(3)
}

/// Read as a config file and as a theme file, the text is refused with an error on one of its
/// lines, or gives a config whose bindings can be made, or a theme that adapts to every colour depth.
private func replayConfig(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
    do {
        let config = try Config.parse(text)
        _ = config.bindings().markdown()
        for (_, keys) in config.keys {
            for sequence in keys {
                check(!sequence.isEmpty, "an empty key sequence was accepted")
                _ = Bindings.name(sequence)
            }
            _ = Bindings.names(keys)
        }
    } catch {
        check(error.line >= 1 && error.line <= lineCount, "config error on line \(error.line) of \(lineCount): \(error.message)")
    }
    do {
        let theme = try Theme.parse(text, name: "input")
        for colors in [0, 8, 16, 256] {
            let adapted = theme.adapted(toColors: colors)
            for role in Theme.Role.allCases { _ = adapted[role] }
        }
    } catch {
        check(error.line >= 1 && error.line <= lineCount, "theme error on line \(error.line) of \(lineCount): \(error.message)")
    }
}
