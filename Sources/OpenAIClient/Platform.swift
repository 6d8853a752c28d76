import Foundation

// The platform side of an OpenAI-compatible server: files, fine-tuning jobs and batches. The
// same transport, key handling, errors and retries as the chat completions.

/// A file stored on the server (`POST /files`).
public struct RemoteFile: Sendable, Equatable {
    public var id: String
    public var filename: String
    public var bytes: Int
    public var purpose: String
    public var createdAt: Int
    public var status: String?

    init?(_ json: [String: Any]) {
        guard let id = json["id"] as? String else { return nil }
        self.id = id
        filename = json["filename"] as? String ?? ""
        bytes = (json["bytes"] as? NSNumber)?.intValue ?? 0
        purpose = json["purpose"] as? String ?? ""
        createdAt = (json["created_at"] as? NSNumber)?.intValue ?? 0
        status = json["status"] as? String
    }
}

/// A fine-tuning job (`/fine_tuning/jobs`).
public struct FineTuningJob: Sendable, Equatable {
    public var id: String
    public var status: String
    public var model: String
    public var fineTunedModel: String?
    public var trainedTokens: Int?
    public var createdAt: Int
    public var finishedAt: Int?
    public var estimatedFinish: Int?
    public var trainingFile: String?
    public var validationFile: String?
    /// The platform's words when the job failed, with its code when it gave one.
    public var error: String?

    /// The statuses a job ends in.
    public static let finalStatuses: Set<String> = ["succeeded", "failed", "cancelled"]
    public var isFinished: Bool { Self.finalStatuses.contains(status) }

    public init(id: String, status: String, model: String = "") {
        self.id = id
        self.status = status
        self.model = model
        createdAt = 0
    }

    init?(_ json: [String: Any]) {
        guard let id = json["id"] as? String, let status = json["status"] as? String else { return nil }
        self.id = id
        self.status = status
        model = json["model"] as? String ?? ""
        fineTunedModel = json["fine_tuned_model"] as? String
        trainedTokens = (json["trained_tokens"] as? NSNumber)?.intValue
        createdAt = (json["created_at"] as? NSNumber)?.intValue ?? 0
        finishedAt = (json["finished_at"] as? NSNumber)?.intValue
        estimatedFinish = (json["estimated_finish"] as? NSNumber)?.intValue
        trainingFile = json["training_file"] as? String
        validationFile = json["validation_file"] as? String
        if let e = json["error"] as? [String: Any], let message = e["message"] as? String, !message.isEmpty {
            let code = (e["code"] as? String).map { " (\($0))" } ?? ""
            error = message + code
        }
    }
}

/// One event of a fine-tuning job.
public struct FineTuningEvent: Sendable, Equatable {
    public var id: String
    public var createdAt: Int
    public var level: String
    public var message: String

    init?(_ json: [String: Any]) {
        guard let id = json["id"] as? String else { return nil }
        self.id = id
        createdAt = (json["created_at"] as? NSNumber)?.intValue ?? 0
        level = json["level"] as? String ?? "info"
        message = json["message"] as? String ?? ""
    }
}

/// A batch (`/batches`): many requests run by the platform within a completion window.
public struct Batch: Sendable, Equatable {
    public var id: String
    public var status: String
    public var inputFileID: String
    public var outputFileID: String?
    public var errorFileID: String?
    public var total: Int
    public var completed: Int
    public var failed: Int
    /// Why the batch failed as a whole (for example lines of the input file it refused).
    public var errors: [String]

    public static let finalStatuses: Set<String> = ["completed", "failed", "expired", "cancelled"]
    public var isFinished: Bool { Self.finalStatuses.contains(status) }

    init?(_ json: [String: Any]) {
        guard let id = json["id"] as? String, let status = json["status"] as? String else { return nil }
        self.id = id
        self.status = status
        inputFileID = json["input_file_id"] as? String ?? ""
        outputFileID = json["output_file_id"] as? String
        errorFileID = json["error_file_id"] as? String
        let counts = json["request_counts"] as? [String: Any] ?? [:]
        total = (counts["total"] as? NSNumber)?.intValue ?? 0
        completed = (counts["completed"] as? NSNumber)?.intValue ?? 0
        failed = (counts["failed"] as? NSNumber)?.intValue ?? 0
        let list = (json["errors"] as? [String: Any])?["data"] as? [[String: Any]] ?? []
        errors = list.map { e in
            let line = (e["line"] as? NSNumber).map { "line \($0.intValue): " } ?? ""
            let code = (e["code"] as? String).map { " (\($0))" } ?? ""
            return line + (e["message"] as? String ?? "error") + code
        }
    }
}

extension OpenAIClient {
    // MARK: JSON requests

    /// A JSON request. `idempotent` requests (reads, cancels) are retried like the chat; others
    /// (creating a job or a batch) only when the server answered that it did not take them
    /// (429, 5xx) or the connection never opened, so that a lost answer never creates two.
    public func json(_ method: String, _ path: String, body: [String: Any]? = nil, idempotent: Bool = true,
                     transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) -> [String: Any] {
        let data = body.map { (try? JSONSerialization.data(withJSONObject: $0)) ?? Data() }
        return try withRetries(transfer, retrying: idempotent ? { $0.isRetryable } : { $0.isRetryableBeforeSending }) { () throws(APIError) -> [String: Any] in
            let (status, headers, bytes) = try self.send(method, path, body: data, transfer: transfer, stream: false)
            guard (200..<300).contains(status) else { throw APIError.from(status: status, headers: headers, body: bytes) }
            guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
                throw APIError.badResponse("the answer to \(method) \(path) is not a JSON object")
            }
            return object
        }
    }

    /// Every item of a list endpoint's `data`.
    func list(_ path: String, transfer: HTTPTransfer) throws(APIError) -> [[String: Any]] {
        (try json("GET", path, transfer: transfer)["data"] as? [[String: Any]]) ?? []
    }

    static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.:~"))) ?? id
    }

    // MARK: Files

    /// A file of hundreds of megabytes takes longer than a chat answer: at least an hour in all
    /// (the connect, first-byte and stall timeouts still catch a dead link).
    static func fileTimeouts(_ t: HTTPTransfer.Timeouts) -> HTTPTransfer.Timeouts {
        var t = t
        t.total = max(t.total, .seconds(3600))
        return t
    }

    /// Uploads a file from disk (multipart, streamed: never read into memory whole).
    /// `progress(sent, total)` hears the bytes sent. When the answer is lost after the file went
    /// out (a dropped connection, a 5xx), the server's file list is checked for it before trying
    /// again, so a retried upload never stores the file twice.
    public func upload(path: String, purpose: String, transfer: HTTPTransfer = HTTPTransfer(),
                       progress: @escaping (Int64, Int64) -> Void = { _, _ in }) throws(APIError) -> RemoteFile {
        let filename = (path as NSString).lastPathComponent
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.int64Value else {
            throw APIError.badResponse("cannot read \(path)")
        }
        // (With some slack for the server's clock; the newest match is this upload's, not one of
        // the same file sent by an earlier run, whatever order the server lists them in.)
        let started = Int(Date().timeIntervalSince1970) - 30
        var tries = 0
        while true {
            do throws(APIError) {
                var request = self.request("POST", "/files", body: nil, stream: false)
                request.headers.removeAll { $0.hasPrefix("Content-Type:") }
                request.headers.append("Expect:")     // no 100-continue round trip
                request.form = [.field(name: "purpose", value: purpose),
                                .file(name: "file", path: path, filename: filename,
                                      contentType: filename.hasSuffix(".jsonl") ? "application/jsonl" : "application/octet-stream")]
                var headers: [String: String] = [:]
                var bytes = Data()
                let status: Int
                do {
                    status = try transfer.perform(request, timeouts: Self.fileTimeouts(configuration.timeouts), maxBytes: configuration.maxResponseBytes,
                                                  onHeaders: { _, h in headers = h }, onData: { bytes.append($0) },
                                                  onUpload: { progress($0, size) })
                } catch {
                    throw APIError(error)
                }
                guard (200..<300).contains(status) else { throw APIError.from(status: status, headers: headers, body: bytes) }
                guard let object = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any], let file = RemoteFile(object) else {
                    throw APIError.badResponse("the answer to the upload is not a file object")
                }
                progress(size, size)
                return file
            } catch let raw {
                let error = cleaned(raw)
                tries += 1
                guard error.isRetryable, tries <= configuration.retries(for: error), !transfer.isCancelled else { throw error }
                // The file may have arrived although its answer did not.
                if let stored = try? files(purpose: purpose, transfer: transfer)
                    .filter({ $0.filename == filename && Int64($0.bytes) == size && $0.createdAt >= started })
                    .max(by: { $0.createdAt < $1.createdAt }) {
                    progress(size, size)
                    return stored
                }
                pause(after: error, tries: tries)
                if transfer.isCancelled { throw .cancelled }
            }
        }
    }

    public func files(purpose: String? = nil, transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) -> [RemoteFile] {
        try list("/files" + (purpose.map { "?purpose=" + Self.escape($0) } ?? ""), transfer: transfer).compactMap(RemoteFile.init)
    }

    /// Writes a file's content to `destination` as it arrives (a batch's output can be large).
    public func download(fileID: String, to destination: String, transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) {
        try withRetries(transfer) { () throws(APIError) in
            guard let out = FileHandle(forWritingAtPath: destination) ?? {
                _ = FileManager.default.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600])
                return FileHandle(forWritingAtPath: destination)
            }() else { throw APIError.badResponse("cannot write \(destination)") }
            defer { try? out.close() }
            try? out.truncate(atOffset: 0)
            var status = 0
            var headers: [String: String] = [:]
            var errorBody = Data()
            var request = self.request("GET", "/files/\(Self.escape(fileID))/content", body: nil, stream: false)
            request.headers = request.headers.map { $0.hasPrefix("Accept:") ? "Accept: */*" : $0 }
            do throws(HTTPTransfer.Failure) {
                status = try transfer.perform(request, timeouts: Self.fileTimeouts(configuration.timeouts), maxBytes: Int.max,
                                              onHeaders: { code, h in status = code; headers = h },
                                              onData: { chunk in
                                                  if status == 200 { out.write(chunk) } else if errorBody.count < 65_536 { errorBody.append(chunk) }
                                              })
            } catch {
                throw APIError(error)
            }
            guard status == 200 else { throw APIError.from(status: status, headers: headers, body: errorBody) }
        }
    }

    // MARK: Fine-tuning

    public func createFineTuningJob(trainingFile: String, validationFile: String?, model: String, epochs: Int?,
                                    suffix: String?, seed: Int? = nil, transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) -> FineTuningJob {
        var body: [String: Any] = ["training_file": trainingFile, "model": model]
        if let validationFile { body["validation_file"] = validationFile }
        if let suffix { body["suffix"] = suffix }
        if let seed { body["seed"] = seed }
        if let epochs { body["hyperparameters"] = ["n_epochs": epochs] }
        return try job(try json("POST", "/fine_tuning/jobs", body: body, idempotent: false, transfer: transfer))
    }

    public func fineTuningJob(_ id: String, transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) -> FineTuningJob {
        try job(try json("GET", "/fine_tuning/jobs/\(Self.escape(id))", transfer: transfer))
    }

    public func cancelFineTuningJob(_ id: String, transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) -> FineTuningJob {
        try job(try json("POST", "/fine_tuning/jobs/\(Self.escape(id))/cancel", transfer: transfer))
    }

    public func fineTuningJobs(limit: Int = 20, transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) -> [FineTuningJob] {
        try list("/fine_tuning/jobs?limit=\(limit)", transfer: transfer).compactMap(FineTuningJob.init)
    }

    /// The job's events, oldest first. With `after` (an event id seen before), only newer ones:
    /// the list is paged newest first, so pages are read until that event or the end.
    public func fineTuningEvents(_ id: String, after seen: String? = nil, transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) -> [FineTuningEvent] {
        var found: [FineTuningEvent] = []
        var cursor: String?
        for _ in 0..<100 {
            let page = try json("GET", "/fine_tuning/jobs/\(Self.escape(id))/events?limit=100" + (cursor.map { "&after=" + Self.escape($0) } ?? ""),
                                transfer: transfer)
            let events = ((page["data"] as? [[String: Any]]) ?? []).compactMap(FineTuningEvent.init)
            if let seen, let i = events.firstIndex(where: { $0.id == seen }) {
                found += events[..<i]
                break
            }
            found += events
            guard page["has_more"] as? Bool == true, let last = events.last else { break }
            cursor = last.id
        }
        return found.reversed()
    }

    private func job(_ object: [String: Any]) throws(APIError) -> FineTuningJob {
        guard let job = FineTuningJob(object) else { throw APIError.badResponse("the answer is not a fine-tuning job") }
        return job
    }

    // MARK: Batches

    public func createBatch(inputFile: String, endpoint: String = "/v1/chat/completions", metadata: [String: String] = [:],
                            transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) -> Batch {
        var body: [String: Any] = ["input_file_id": inputFile, "endpoint": endpoint, "completion_window": "24h"]
        if !metadata.isEmpty { body["metadata"] = metadata }
        return try batch(try json("POST", "/batches", body: body, idempotent: false, transfer: transfer))
    }

    public func batch(_ id: String, transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) -> Batch {
        try batch(try json("GET", "/batches/\(Self.escape(id))", transfer: transfer))
    }

    public func cancelBatch(_ id: String, transfer: HTTPTransfer = HTTPTransfer()) throws(APIError) -> Batch {
        try batch(try json("POST", "/batches/\(Self.escape(id))/cancel", transfer: transfer))
    }

    private func batch(_ object: [String: Any]) throws(APIError) -> Batch {
        guard let batch = Batch(object) else { throw APIError.badResponse("the answer is not a batch") }
        return batch
    }
}
