import CCurl
import Foundation
import Synchronization

/// One HTTP exchange over libcurl, run on the calling (worker) thread: the body arrives through a
/// callback as it streams; `cancel()` from any thread ends it within milliseconds
/// (`curl_multi_wakeup`, measured at ~1 ms here, where the easy interface's progress callback
/// can take a second).
public final class HTTPTransfer: Sendable {
    public struct Request: Sendable {
        public var url: String
        public var method = "GET"
        public var headers: [String] = []
        public var body: Data?
        /// A multipart/form-data body instead of `body`; file parts stream from disk.
        public var form: [FormPart]?
        public init(url: String) { self.url = url }
    }

    /// One part of a multipart/form-data body.
    public enum FormPart: Sendable, Equatable {
        case field(name: String, value: String)
        /// A file read from disk while it is sent, never held in memory whole.
        case file(name: String, path: String, filename: String, contentType: String)
    }

    public struct Timeouts: Sendable, Equatable {
        /// To open the connection.
        public var connect: Duration = .seconds(10)
        /// From the request to the first byte of the response.
        public var firstByte: Duration = .seconds(60)
        /// Without any data while a response streams.
        public var stall: Duration = .seconds(30)
        /// For the whole exchange.
        public var total: Duration = .seconds(300)
        public init() {}
    }

    public enum Failure: Error, Equatable, Sendable {
        case cancelled
        case timedOut(String)
        case network(code: Int, message: String)
        case tooLarge(Int)
    }

    private let cancelled = Atomic<Bool>(false)
    /// The running multi handle, for `cancel()` to wake. A C pointer is not Sendable; this one is
    /// only touched under the lock, and libcurl allows `curl_multi_wakeup` from any thread.
    private struct MultiRef: @unchecked Sendable { var pointer: UnsafeMutableRawPointer? }
    private let multiBox = Mutex(MultiRef(pointer: nil))
    /// Also polled while the transfer runs (every 50 ms at most): a way to cancel from code that
    /// only has a flag to offer. Fixed when the transfer is made.
    private let cancelCheck: (@Sendable () -> Bool)?

    public init(cancelCheck: (@Sendable () -> Bool)? = nil) {
        self.cancelCheck = cancelCheck
    }

    public func cancel() {
        cancelled.store(true, ordering: .sequentiallyConsistent)
        multiBox.withLock { m in if let p = m.pointer { curl_multi_wakeup(p) } }
    }

    public var isCancelled: Bool { cancelled.load(ordering: .sequentiallyConsistent) || (cancelCheck?() ?? false) }

    /// Performs the request. `onHeaders(status, headers)` runs once before the first body bytes;
    /// `onData` gets body bytes as they come. Returns the HTTP status.
    /// `onUpload` hears how many body bytes have gone out so far (for a progress bar); while the
    /// body is still going out, the first-byte timeout waits.
    public func perform(_ request: Request, timeouts: Timeouts, maxBytes: Int,
                        onHeaders: (Int, [String: String]) -> Void, onData: (Data) -> Void,
                        onUpload: ((Int64) -> Void)? = nil) throws(Failure) -> Int {
        HTTPTransfer.globalInit
        guard let easy = curl_easy_init(), let multi = curl_multi_init() else {
            throw .network(code: -1, message: "libcurl could not start")
        }
        let ref = MultiRef(pointer: multi)
        multiBox.withLock { $0 = ref }
        let context = TransferContext(maxBytes: maxBytes)
        let contextPointer = Unmanaged.passRetained(context).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        var mime: OpaquePointer?
        defer {
            if let mime { curl_mime_free(mime) }
            multiBox.withLock { $0 = MultiRef(pointer: nil) }
            curl_multi_remove_handle(multi, easy)
            curl_easy_cleanup(easy)
            curl_multi_cleanup(multi)
            curl_slist_free_all(headerList)
            Unmanaged<TransferContext>.fromOpaque(contextPointer).release()
        }
        ccurl_setopt_string(easy, CURLOPT_URL, request.url)
        ccurl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)       // the key never follows a redirect elsewhere
        ccurl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(timeouts.connect.milliseconds))
        ccurl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method)
        ccurl_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        for h in request.headers { headerList = curl_slist_append(headerList, h) }
        ccurl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)
        if let body = request.body {
            ccurl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { raw in
                _ = ccurl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
            }
        }
        if let form = request.form {
            mime = curl_mime_init(easy)
            for part in form {
                let p = curl_mime_addpart(mime)
                switch part {
                case .field(let name, let value):
                    curl_mime_name(p, name)
                    let bytes = Array(value.utf8)
                    bytes.withUnsafeBufferPointer { b in
                        b.withMemoryRebound(to: CChar.self) { _ = curl_mime_data(p, $0.baseAddress, bytes.count) }
                    }
                case .file(let name, let path, let filename, let contentType):
                    curl_mime_name(p, name)
                    if curl_mime_filedata(p, path) != CURLE_OK { throw .network(code: 26, message: "cannot read \(path)") }
                    curl_mime_filename(p, filename)
                    curl_mime_type(p, contentType)
                }
            }
            ccurl_setopt_pointer(easy, CURLOPT_MIMEPOST, UnsafeMutableRawPointer(mime))
        }
        ccurl_setopt_write_cb(easy, writeCallback)
        ccurl_setopt_pointer(easy, CURLOPT_WRITEDATA, contextPointer)
        ccurl_setopt_header_cb(easy, headerCallback)
        ccurl_setopt_pointer(easy, CURLOPT_HEADERDATA, contextPointer)
        curl_multi_add_handle(multi, easy)

        let start = ContinuousClock.now
        var status = 0
        var headersSent = false
        var running: Int32 = 1
        var sent: curl_off_t = 0
        // The first-byte timeout counts from the last byte of the body sent, not from the start.
        var waitingSince = start
        while running > 0 {
            if isCancelled { throw .cancelled }
            curl_multi_perform(multi, &running)
            if request.body != nil || request.form != nil {
                var now: curl_off_t = 0
                ccurl_getinfo_off(easy, CURLINFO_SIZE_UPLOAD_T, &now)
                if now != sent {
                    sent = now
                    waitingSince = ContinuousClock.now
                    onUpload?(Int64(now))
                }
            }
            let chunks = context.take()
            if !chunks.isEmpty || context.headersDone {
                if !headersSent && (context.headersDone || !chunks.isEmpty) {
                    var code = 0
                    ccurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
                    status = code
                    onHeaders(code, context.headers)
                    headersSent = true
                }
                for c in chunks { onData(c) }
            }
            if context.overflow { throw .tooLarge(maxBytes) }
            let now = ContinuousClock.now
            if now - start > timeouts.total { throw .timedOut("the whole request took longer than \(timeouts.total.seconds) s") }
            if context.lastData == nil && now - waitingSince > timeouts.firstByte {
                throw .timedOut("no answer within \(timeouts.firstByte.seconds) s")
            }
            if let last = context.lastData, now - last > timeouts.stall {
                throw .timedOut("the answer stalled for \(timeouts.stall.seconds) s")
            }
            if running > 0 { curl_multi_poll(multi, nil, 0, 50, nil) }
        }
        if isCancelled { throw .cancelled }
        var queued: Int32 = 0
        while let msg = curl_multi_info_read(multi, &queued) {
            guard msg.pointee.msg == CURLMSG_DONE else { continue }
            let code = msg.pointee.data.result
            if code == CURLE_WRITE_ERROR && context.overflow { throw .tooLarge(maxBytes) }
            if code != CURLE_OK {
                if code == CURLE_OPERATION_TIMEDOUT { throw .timedOut("could not connect within \(timeouts.connect.seconds) s") }
                throw .network(code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)))
            }
        }
        let rest = context.take()
        if !headersSent {
            var code = 0
            ccurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
            status = code
            onHeaders(code, context.headers)
        }
        for c in rest { onData(c) }
        return status
    }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()
}

/// What the C callbacks write into; read by the transfer's own thread between perform calls.
/// Never shared with another thread (the callbacks run inside `curl_multi_perform` on it), so it
/// is not Sendable.
final class TransferContext {
    let maxBytes: Int
    private let lock = Mutex<(chunks: [Data], total: Int)>(([], 0))
    var headers: [String: String] = [:]
    var headersDone = false
    var overflow = false
    var lastData: ContinuousClock.Instant?

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    func add(_ data: Data) -> Bool {
        lastData = ContinuousClock.now
        return lock.withLock { state in
            state.total += data.count
            if state.total > maxBytes { overflow = true; return false }
            state.chunks.append(data)
            return true
        }
    }

    func take() -> [Data] { lock.withLock { s in defer { s.chunks = [] }; return s.chunks } }
}

private let writeCallback: curl_write_callback = { ptr, size, nmemb, userdata in
    let n = size * nmemb
    guard let ptr, let userdata else { return 0 }
    let ctx = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
    ctx.headersDone = true
    return ctx.add(Data(bytes: ptr, count: n)) ? n : 0
}

private let headerCallback: curl_write_callback = { ptr, size, nmemb, userdata in
    let n = size * nmemb
    guard let ptr, let userdata else { return 0 }
    let ctx = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
    if line.hasPrefix("HTTP/") { ctx.headers = [:] }
    if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        ctx.headers[name] = value
    }
    return n
}

/// (OpenAIClient imports nothing of the app's; FlowCore has the same two for the rest.)
extension Duration {
    @usableFromInline var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
    /// Seconds as said in a message: "3", or "0.8".
    var seconds: String { inSeconds == inSeconds.rounded() ? String(Int(inSeconds)) : String(format: "%.1f", inSeconds) }
}
