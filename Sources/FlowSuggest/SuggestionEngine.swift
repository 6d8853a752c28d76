import FlowCore

/// A source of suggestions. Engines run on a worker thread, never on the one that owns the screen;
/// `partial` reports text as it streams in, `isCancelled` is polled so a stale request stops early.
public protocol SuggestionEngine: Sendable {
    var name: String { get }
    func suggest(_ context: SuggestionContext, count: Int,
                 partial: @escaping @Sendable ([String]) -> Void,
                 isCancelled: @escaping @Sendable () -> Bool) throws -> [String]
    /// Reads now what the first request would otherwise wait for (a model, a library of
    /// examples); called on a worker thread while the user has not asked yet.
    func prepare()
}

extension SuggestionEngine {
    public func prepare() {}
}

/// An engine tried first, and another when it fails (when the user chose to fall back): the
/// answer says which one answered and why the first did not.
public struct FallbackEngine: SuggestionEngine {
    public let primary: SuggestionEngine
    public let secondary: SuggestionEngine
    public var name: String { primary.name }
    /// Where the reason the primary failed goes (shown as a status message).
    public let noticed: @Sendable (String) -> Void

    public init(primary: SuggestionEngine, secondary: SuggestionEngine, noticed: @escaping @Sendable (String) -> Void) {
        self.primary = primary
        self.secondary = secondary
        self.noticed = noticed
    }

    public func prepare() {
        primary.prepare()
        secondary.prepare()
    }

    public func suggest(_ context: SuggestionContext, count: Int, partial: @escaping @Sendable ([String]) -> Void,
                        isCancelled: @escaping @Sendable () -> Bool) throws -> [String] {
        do {
            return try primary.suggest(context, count: count, partial: partial, isCancelled: isCancelled)
        } catch {
            if isCancelled() { throw error }
            noticed("\(primary.name): \(error); showing \(secondary.name) suggestions")
            return try secondary.suggest(context, count: count, partial: partial, isCancelled: isCancelled)
        }
    }
}

/// Why an engine could not answer, in words a user can act on.
public struct SuggestionError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The local model as an engine: answers in milliseconds, offline.
public struct LocalEngine: SuggestionEngine {
    public let model: LocalModel
    public var name: String { "local" }

    public init(model: LocalModel) { self.model = model }

    public func suggest(_ context: SuggestionContext, count: Int,
                        partial: @escaping @Sendable ([String]) -> Void,
                        isCancelled: @escaping @Sendable () -> Bool) throws -> [String] {
        let found = model.suggest(context, count: count)
        guard !found.isEmpty || !context.endings.isEmpty else {
            throw SuggestionError("No suggestion from the local model here; flowsmith train DIR teaches it your own flows")
        }
        if context.kind == .draft {
            return found.map { $0.split(separator: "\n").map { OutputSanitizer.line(String($0)) }.filter { !$0.isEmpty }.joined(separator: "\n") }
        }
        let steps = found.map(OutputSanitizer.line).filter { !$0.isEmpty }
        guard !context.endings.isEmpty else { return steps }
        // At the end of an extension its endings are offered too: the likeliest first when the
        // extensions like it mostly end that way, else after the first step.
        let (endings, first) = model.rankEndings(context)
        let texts = endings.map(\.text)
        return first ? [texts[0]] + steps + texts.dropFirst() : Array(steps.prefix(1)) + texts.prefix(1) + steps.dropFirst() + texts.dropFirst()
    }
}
