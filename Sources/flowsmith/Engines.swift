import FlowCore
import FlowFormats
import FlowSuggest
import Foundation
import OpenAIClient

/// The OpenAI-compatible engine: streams a chat completion and turns its lines into candidates.
struct OpenAIEngine: SuggestionEngine {
    let client: OpenAIClient
    let model: String
    /// The user's trained library, whose most similar use cases go into the prompt.
    var library: Library? = nil
    var name: String { "openai" }

    /// The local model, read once when first needed (on a worker thread), shared by every request.
    final class Library: @unchecked Sendable {
        private let lock = NSLock()
        private var loaded = false
        private var model: LocalModel?
        private let load: @Sendable () -> LocalModel?
        init(_ load: @escaping @Sendable () -> LocalModel?) { self.load = load }
        var current: LocalModel? {
            lock.withLock {
                if !loaded { model = load(); loaded = true }
                return model
            }
        }
    }

    /// The messages asked at a place in a flow, with the library's most similar use cases: the
    /// same for a live request and a batch line (and `flowsmith dataset` builds them alike).
    func prepare() { _ = library?.current }

    func messages(_ context: SuggestionContext, count: Int) -> [OpenAIClient.Message] {
        var c = context
        if c.library.isEmpty, let model = library?.current { c.library = model.similarUseCases(c) }
        return Self.messages(c, count: count)
    }

    func suggest(_ context: SuggestionContext, count: Int, partial: @escaping @Sendable ([String]) -> Void,
                 isCancelled: @escaping @Sendable () -> Bool) throws -> [String] {
        let transfer = HTTPTransfer(cancelCheck: isCancelled)
        let messages = self.messages(context, count: count)
        var text = ""
        let reply: String
        do {
            reply = try client.chat(model: model, messages: messages, transfer: transfer) { piece in
                text += piece
                // Candidates change only when a line is finished.
                if context.kind != .draft && piece.contains("\n") {
                    let whole = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().joined(separator: "\n")
                    let shown = OutputSanitizer.candidates(whole, existing: context.existing, limit: count, partial: true)
                    if !shown.isEmpty { partial(shown) }
                }
            }
        } catch .timedOut(let why) {
            // Which setting sets that wait, for a slow local server that needs longer.
            let setting = why.hasPrefix("no answer") ? "FLOWSMITH_FIRST_BYTE_TIMEOUT_MS" : why.contains("stalled") ? "FLOWSMITH_STALL_TIMEOUT_MS"
                : "FLOWSMITH_TOTAL_TIMEOUT_MS"
            throw APIError.timedOut(why + " (\(setting) sets how long, in milliseconds)")
        }
        // An answer with nothing left is a failure (said, and the local model asked when the user
        // chose to fall back), not an empty list; why is looked into only then.
        let found = Self.candidates(reply, for: context, count: count)
        guard found.count <= context.endings.count else { return found }
        if reply.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw SuggestionError("the model answered nothing") }
        if OutputSanitizer.candidates(reply, existing: [], limit: 1).isEmpty {
            throw SuggestionError("the model's answer holds no suggestion (only talk, thinking or over-long lines)")
        }
        throw SuggestionError("the model's suggestions all repeat what is already there")
    }

    /// A reply's text as suggestions: the same for a live answer and one read from a batch's results.
    static func candidates(_ reply: String, for context: SuggestionContext, count: Int) -> [String] {
        if context.kind == .draft {
            let steps = OutputSanitizer.candidates(reply, existing: [], limit: 12)
            return steps.isEmpty ? [] : Novelty.filter([steps.joined(separator: "\n")], context: context, count: 1)
        }
        // Every line the model gave, then those that repeat nothing already there; at the end of
        // an extension, its endings after them.
        let steps = Novelty.filter(OutputSanitizer.candidates(reply, existing: context.existing, limit: 50), context: context, count: count)
        return steps + context.endings.map(\.text)
    }

    /// The messages asked at a place in a flow: the same for a live request, a batch line and a
    /// fine-tuning example (`Dataset`).
    static func messages(_ context: SuggestionContext, count: Int) -> [OpenAIClient.Message] {
        [OpenAIClient.Message(role: "system", content: PromptBuilder.system),
         OpenAIClient.Message(role: "user", content: PromptBuilder.user(context, count: count))]
    }
}

/// Which engine to use, from flags, the config file and the environment (docs/CONFIG.md).
struct EngineChoice {
    var engine: String
    var baseURL: String?
    var apiKey: String?
    var model: String?
    var fallback: Bool
    var env: [String: String] = [:]

    /// Timeouts from the environment (milliseconds), for slow local models or impatient users.
    static func timeouts(_ env: [String: String]) -> HTTPTransfer.Timeouts {
        var t = HTTPTransfer.Timeouts()
        func ms(_ name: String) -> Duration? { number(name, env).map { .milliseconds(Int64($0)) } }
        if let v = ms("FLOWSMITH_CONNECT_TIMEOUT_MS") { t.connect = v }
        if let v = ms("FLOWSMITH_FIRST_BYTE_TIMEOUT_MS") { t.firstByte = v }
        if let v = ms("FLOWSMITH_STALL_TIMEOUT_MS") { t.stall = v }
        if let v = ms("FLOWSMITH_TOTAL_TIMEOUT_MS") { t.total = v }
        return t
    }

    /// A whole number from the environment, `least` or more; another value is said (once) and
    /// left out, so the default holds.
    static func number(_ name: String, _ env: [String: String], least: Int = 1) -> Int? {
        guard let text = env[name], !text.isEmpty else { return nil }
        if let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= least { return n }
        warnOnce("\(name)=\(text) is not a whole number of \(least) or more; the default is used")
        return nil
    }

    static func resolve(flag: String?, config: [String: String], env: [String: String]) -> EngineChoice {
        // A key read with `$(cat key.txt)` from a file saved on Windows ends in a CR: blanks and
        // line ends around it are no part of it (one inside it is refused in `configuration`).
        let key = (env["OPENAI_API_KEY"].flatMap { $0.isEmpty ? nil : $0 } ?? config["api-key"])
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
        let base = env["OPENAI_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? env["OPENAI_API_BASE"].flatMap { $0.isEmpty ? nil : $0 } ?? config["base-url"]
        // Engine names in any letter case (--engine Local, engine = Ollama).
        var engine = (flag ?? config["engine"] ?? ((key != nil || base != nil) ? "openai" : "local")).lowercased()
        var url = base
        if let preset = OpenAIClient.Configuration.presets[engine] {
            if url == nil { url = preset }
            if engine != "local" { engine = "openai" }
        }
        let model = env["FLOWSMITH_MODEL"].flatMap { $0.isEmpty ? nil : $0 } ?? config["model"]
        // A mistaken timeout or retry count is said now, before any screen starts.
        if engine == "openai" {
            _ = timeouts(env)
            _ = number("FLOWSMITH_MAX_RETRIES", env, least: 0)
        }
        return EngineChoice(engine: engine, baseURL: url, apiKey: key, model: model,
                            fallback: (config["fallback"] ?? "local") == "local", env: env)
    }

    /// The local engine: the trained model, or one built from the bundled corpus when first asked.
    static func localEngine(env: [String: String], executable: String) -> @Sendable () throws -> SuggestionEngine {
        return {
            guard let model = ModelStore.current(env, executable: executable) else { throw noLocalModel }
            return LocalEngine(model: model)
        }
    }

    static let noLocalModel = SuggestionError("no local model and no bundled corpus found; run `flowsmith train DIR` on a folder of .flow.md files")

    /// The client's settings for the chosen server: its address, the key, the timeouts and
    /// retries from the environment. No key for api.openai.com is refused, with `hint` after
    /// the reason.
    func configuration(withoutKey hint: String) throws(SuggestionError) -> OpenAIClient.Configuration {
        let url = baseURL ?? "https://api.openai.com/v1"
        if apiKey == nil && url.hasPrefix("https://api.openai.com") {
            throw SuggestionError("No API key: set OPENAI_API_KEY " + hint)
        }
        // A control character in the key would end the request's header line and start another;
        // a blank is never part of a key (two words pasted, or a key and a comment).
        if let apiKey, apiKey.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0.properties.isWhitespace }) {
            throw SuggestionError("The API key holds a blank, a line break or another control character: set OPENAI_API_KEY (or api-key in the config file) to the key alone")
        }
        var configuration = OpenAIClient.Configuration(baseURL: url, apiKey: apiKey)
        configuration.timeouts = Self.timeouts(env)
        if let n = Self.number("FLOWSMITH_MAX_RETRIES", env, least: 0) { configuration.maxRetries = n }
        return configuration
    }

    /// The user's trained library (or the bundled corpus) for the remote prompts' examples.
    static func library(_ env: [String: String]) -> OpenAIEngine.Library {
        let executable = CommandLine.arguments[0]
        return OpenAIEngine.Library { ModelStore.current(env, executable: executable) }
    }

    /// The engine to ask, or why there is none.
    func make(local: @escaping @Sendable () throws -> SuggestionEngine, noticed: @escaping @Sendable (String) -> Void) throws -> SuggestionEngine {
        switch engine {
        case "local":
            return try local()
        case "openai":
            var configuration = try configuration(withoutKey: "(or use the local engine: --engine local)")
            configuration.maxResponseBytes = 1 << 20     // a few suggestions are a few KiB
            // A wait of seconds (a rate limit's Retry-After) is said, not sat through in silence.
            configuration.onWait = { wait, error, attempt in
                let seconds = wait.inSeconds
                noticed("\(error.brief): trying again in \(String(format: "%.0f", seconds.rounded(.up))) s (try \(attempt))")
            }
            // One library serves the prompt's examples and the fallback, read once when first needed.
            let library = Self.library(env)
            let remote = OpenAIEngine(client: OpenAIClient(configuration), model: model ?? "gpt-4o-mini", library: library)
            guard fallback else { return remote }
            let localEngine = LazyLocal {
                guard let model = library.current else { throw Self.noLocalModel }
                return LocalEngine(model: model)
            }
            return FallbackEngine(primary: remote, secondary: localEngine, noticed: noticed)
        default:
            throw SuggestionError("Unknown engine \"\(engine)\": local, openai, ollama, llamacpp or vllm")
        }
    }
}

/// The local engine, built only if the fallback is ever needed.
struct LazyLocal: SuggestionEngine {
    let make: @Sendable () throws -> SuggestionEngine
    init(_ make: @escaping @Sendable () throws -> SuggestionEngine) { self.make = make }
    var name: String { "local" }
    func suggest(_ context: SuggestionContext, count: Int, partial: @escaping @Sendable ([String]) -> Void,
                 isCancelled: @escaping @Sendable () -> Bool) throws -> [String] {
        try make().suggest(context, count: count, partial: partial, isCancelled: isCancelled)
    }
}
