import Foundation

/// Server-sent events from bytes: buffers bytes and cuts only at line ends, so an event split
/// anywhere (inside a UTF-8 character, inside a line, between CR and LF) comes out whole.
public struct SSEParser: Sendable {
    private var buffer = Data()
    private var dataLines: [String] = []

    public init() {}

    /// Feeds bytes; returns the `data` of every event completed by them.
    public mutating func feed(_ bytes: Data) -> [String] {
        buffer.append(bytes)
        var events: [String] = []
        while let nl = buffer.firstIndex(of: 0x0A) {
            var lineData = buffer[buffer.startIndex..<nl]
            if lineData.last == 0x0D { lineData = lineData.dropLast() }
            buffer.removeSubrange(buffer.startIndex...nl)
            let line = String(decoding: lineData, as: UTF8.self)
            if line.isEmpty {
                if !dataLines.isEmpty { events.append(dataLines.joined(separator: "\n")) }
                dataLines = []
            } else if line.hasPrefix("data:") {
                var value = line.dropFirst(5)
                if value.first == " " { value = value.dropFirst() }
                dataLines.append(String(value))
            }
            // Comments (":"), event:, id: and retry: lines carry nothing we use.
        }
        return events
    }

    /// What is left when the stream ends: an event without its closing blank line still counts.
    public mutating func finish() -> [String] {
        var events = feed(Data("\n".utf8))
        if !dataLines.isEmpty { events.append(dataLines.joined(separator: "\n")); dataLines = [] }
        return events
    }
}
