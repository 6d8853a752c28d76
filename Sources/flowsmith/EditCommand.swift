import ArgumentParser
import FlowCore
import FlowDesigner
import FlowFormats
import FlowSuggest
import FlowTerminal
import Foundation

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the full-screen editor on a flow file (a new file if it does not exist).")

    @Argument(help: "The .flow.md file to edit.", completion: .file(extensions: ["md"]))
    var file: String

    @Flag(help: "Start a new flow even though the name does not end in .md.")
    var new = false

    @Option(help: "Theme: default, light, high-contrast, monochrome, or a themes/NAME.theme of your own.",
            completion: .custom { _, _, _ in Themes.names(ProcessInfo.processInfo.environment) })
    var theme: String?

    @Option(help: "Suggestion engine: local, openai, ollama, llamacpp or vllm (default: the config's engine, else openai when a key or server address is set, else local).",
            completion: .list(Config.engineNames))
    var engine: String?

    /// Files larger than twice this show their first use cases before the rest is read.
    static let headBytes = 256 << 10

    func run() throws {
        if !TextFile.exists(file) && !new && !file.lowercased().hasSuffix(".md") {
            complain("no file \(file); a new flow's name ends in .md, or start it with: flowsmith edit --new \(file)")
            throw ExitCode(64)
        }
        let env = ProcessInfo.processInfo.environment
        let config = try UserConfig.load(env)
        // Everything that can refuse to start is asked before the file is locked.
        let chosen = try Themes.load(theme ?? config.theme, env: env,
                                     namedAt: theme == nil ? config.themeLine.map { "\(UserConfig.path(env)):\($0)" } : nil)
        var flow = Flow()
        var message: String?
        var stamp: TextFile.Stamp?
        var rest: [UInt8]?
        let documents = DocumentFiles(environment: env)
        let (lock, recovery) = documents.claim(file)
        if let unfinished = TextFile.unfinishedSave(file) {
            documents.unlock(file)
            complain("\(file): \(unfinished)")
            throw ExitCode(1)
        }
        if TextFile.exists(file) {
            stamp = TextFile.stamp(file)
            // (Unsaved changes waiting for it are said too: they are offered once it opens.)
            let hint = "\(file) was not opened, so nothing in it can be lost: fix the lines above (flowsmith check \(file) lists them again) and open it again"
                + (recovery.map { "; its unsaved changes of \($0.written) are kept in \($0.path), offered when it opens" } ?? "")
            // A large file shows its head at once and is read whole behind it (unless a question
            // about it must be answered first, which needs the whole file).
            do {
                let bytes = try readChecked(file)
                if lock == nil, recovery == nil, let cut = FlowMarkdownReader.headCut(bytes, after: Self.headBytes) {
                    flow = try parseOrComplain(Array(bytes[..<cut]), file: file, hint: hint, positions: false).flow
                    rest = bytes
                    message = "Reading the rest of \(file)…"
                } else {
                    flow = try parseOrComplain(bytes, file: file, hint: hint, positions: false).flow
                }
            } catch {
                documents.unlock(file)
                throw error
            }
        } else {
            message = "New file \(file): N adds a use case, ? lists the keys"
        }
        guard isatty(0) == 1, isatty(1) == 1 else {
            documents.unlock(file)
            complain("the editor needs a terminal; in scripts use `flowsmith check` or `flowsmith export`")
            throw ExitCode(1)
        }
        if let problem = NcursesDevice.terminalProblem() {
            documents.unlock(file)
            complain(Sanitize.line(problem))
            throw ExitCode(1)
        }
        // What the config file's reading warned of stays on the status line: the screen hides standard error.
        if let warning = config.warnings.first, rest == nil { message = warning }
        let noColor = !(env["NO_COLOR"] ?? "").isEmpty
        let (t, f, m, st) = (chosen, flow, message, stamp)
        let path = file
        let bindings = config.bindings()
        let choice = EngineChoice.resolve(flag: engine, config: config.settings, env: env)
        let local = EngineChoice.localEngine(env: env, executable: CommandLine.arguments[0])
        let lazyEngine = LazyEngine { notice in try choice.make(local: local, noticed: notice) }
        let head = rest
        let status = MainActor.assumeIsolated {
            FlowTerminalMain.run(flow: f, path: path, stamp: st, theme: t, bindings: bindings, noColor: noColor,
                                 message: m, engine: lazyEngine, documents: documents, recovery: recovery, lock: lock,
                                 rest: head, settings: config.settings)
        }
        if let status { throw ExitCode(status) }
    }
}

/// Finds and reads the config file and themes.
enum UserConfig {
    static func path(_ env: [String: String]) -> String {
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (env["HOME"] ?? "") + "/.config"
        return base + "/flowsmith/config"
    }

    static func load(_ env: [String: String]) throws -> Config {
        let p = path(env)
        guard TextFile.exists(p) else { return Config() }
        do {
            var config = try Config.parse(try TextFile.read(p))
            // A key in a file others can read is not used: keys belong in 0600 files or the environment.
            if config.settings["api-key"] != nil, let attrs = try? FileManager.default.attributesOfItem(atPath: p),
               let mode = attrs[.posixPermissions] as? Int, mode & 0o077 != 0 {
                let warning = "\(p) holds an api-key but other users can read it (mode \(String(mode, radix: 8))); "
                    + "the key is ignored: run chmod 600 \(p)"
                complain(warning)
                config.warnings.append(warning)
                config.settings["api-key"] = nil
            }
            return config
        } catch let e as Config.Failure {
            for m in e.all { complain("\(p):\(m.line): \(m.message)") }
            throw ExitCode(1)
        } catch {
            complain("\(error)")
            throw ExitCode(1)
        }
    }
}

enum Themes {
    /// Where themes are looked for, first match wins.
    static func directories(_ env: [String: String]) -> [String] {
        var dirs: [String] = []
        if let d = env["FLOWSMITH_THEMES"], !d.isEmpty { dirs.append(d) }
        let config = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (env["HOME"] ?? "") + "/.config"
        dirs.append(config + "/flowsmith/themes")
        dirs += TextFile.besideProgram("themes", executable: CommandLine.arguments[0])
        return dirs + ["/usr/local/share/flowsmith/themes", "/usr/share/flowsmith/themes"]
    }

    /// The themes there are, by name (the first of each name, as loading takes it), and whether
    /// each reads without mistakes.
    static func found(_ env: [String: String]) -> [(name: String, usable: Bool)] {
        var known: [String: Bool] = [:]
        for dir in directories(env) {
            for entry in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() where entry.hasSuffix(".theme") {
                let name = String(entry.dropLast(6))
                guard known[name] == nil else { continue }
                known[name] = (try? TextFile.read(dir + "/" + entry)).map { text in (try? Theme.parse(text, name: name)) != nil } ?? false
            }
        }
        return known.keys.sorted().map { ($0, known[$0]!) }
    }

    /// What `--theme` completes to: the themes that read, the user's own among them.
    static func names(_ env: [String: String]) -> [String] { found(env).filter(\.usable).map(\.name) }

    /// `namedAt`: where the name was written (the config file's FILE:LINE), said when it is not found.
    static func load(_ name: String?, env: [String: String], namedAt: String? = nil) throws -> Theme {
        let wanted = name ?? "default"
        for dir in directories(env) {
            let file = dir + "/" + wanted + ".theme"
            guard TextFile.exists(file) else { continue }
            do {
                return try Theme.parse(try TextFile.read(file), name: wanted)
            } catch let e as ThemeError {
                for m in e.all { complain("\(file):\(m.line): \(m.message)") }
                throw ExitCode(1)
            } catch {
                complain("\(error)")
                throw ExitCode(1)
            }
        }
        if name == nil { return .fallback }
        let listed = found(env).map { $0.usable ? $0.name : $0.name + " (has mistakes)" }.joined(separator: ", ")
        complain((namedAt.map { "\($0): " } ?? "") + "no theme \"\(wanted)\"; the themes found are: "
                 + (listed.isEmpty ? "none" : listed)
                 + " (looked for in " + directories(env).filter { TextFile.exists($0) }.joined(separator: ", ") + ")")
        throw ExitCode(1)
    }
}
