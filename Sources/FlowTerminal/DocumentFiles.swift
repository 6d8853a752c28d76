import FlowCore
import FlowDesigner
import FlowFormats
import Foundation
import Glibc
import Synchronization

/// Where the editor keeps what belongs to an open document but not in it: the recovery file of
/// unsaved changes and the lock that tells a second editor the file is open. Both live in
/// `$XDG_STATE_HOME/flowsmith/` (default `~/.local/state/flowsmith/`, mode 0700), named after
/// the document's real path, so a symlink and its target share them.
public struct DocumentFiles: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The state folder from the environment.
    public init(environment env: [String: String]) {
        let base = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (env["HOME"] ?? "/tmp") + "/.local/state"
        self.init(directory: base + "/flowsmith")
    }

    /// The real absolute path of a document (links resolved), the key of its recovery file and lock.
    public static func canonical(_ path: String) -> String {
        var target = path
        if let resolved = try? TextFile.resolveLinks(path) { target = resolved }
        let absolute = target.hasPrefix("/") ? target : FileManager.default.currentDirectoryPath + "/" + target
        let dir = (absolute as NSString).deletingLastPathComponent
        let base = (absolute as NSString).lastPathComponent
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        if realpath(dir, &buffer) != nil {
            let real = cString(buffer)
            return real + (real == "/" ? "" : "/") + base
        }
        return (absolute as NSString).standardizingPath
    }

    /// `NAME-HASH`: the document's name (for a person listing the folder) and a hash of its real path.
    func key(_ document: String?) -> String {
        guard let document else { return "unnamed-\(getpid())" }
        let real = Self.canonical(document)
        var hash: UInt64 = 0xcbf29ce484222325
        for b in real.utf8 { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        let name = Self.safeName(String(real.split(separator: "/").last ?? "flow"))
        return String(name.prefix(48)) + "-" + String(hash, radix: 16)
    }

    /// The recovery file this process writes for a document: the shared one, or its own when it
    /// opened the document while another editor had it (`claim`).
    public func recoveryPath(_ document: String?) -> String {
        let shared = sharedRecoveryPath(document)
        return Self.ownFiles.withLock { $0[shared] } ?? shared
    }

    /// The recovery file of whoever holds the document's lock.
    func sharedRecoveryPath(_ document: String?) -> String { directory + "/" + key(document) + ".recover.flow.md" }

    /// The recovery file of an editor that opened the document while another had it: named after
    /// its process and host, so neither editor writes over, offers or removes the other's.
    public func ownRecoveryPath(_ document: String?, pid: Int32 = getpid(), host: String = DocumentFiles.hostName) -> String {
        directory + "/" + key(document) + ".p\(pid)@" + Self.safeName(host) + ".recover.flow.md"
    }

    /// Shared recovery path → this process's own, for the documents it edits without the lock.
    private static let ownFiles = Mutex<[String: String]>([:])

    public static func safeName(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) ? Character($0) : "_" })
    }
    public func lockPath(_ document: String?) -> String { directory + "/" + key(document) + ".lock" }

    func makeDirectory() throws(TextFile.Failure) {
        var st = stat()
        if stat(directory, &st) == 0 { return }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw TextFile.Failure(path: directory, message: "cannot create the folder for recovery files")
        }
    }

    // MARK: Recovery files

    /// Writes the recovery file (mode 0600) atomically, noting (in an extended attribute) the
    /// stamp of the file it is a change of, to tell at the next opening whether that file has
    /// changed since. (Where the file system keeps no such attributes, the times tell.)
    /// (`base`: nil for a file not on disk yet, left out when not known.)
    public func writeRecovery(_ text: String, for document: String?, base: TextFile.Stamp?? = .none) throws(TextFile.Failure) {
        try makeDirectory()
        let path = recoveryPath(document)
        try TextFile.write(text, to: path, newFileMode: 0o600)
        // (A save keeps a file's attributes: an unknown base must not keep the last one.)
        if let base { TextFile.setAttribute(Self.baseAttribute, Self.baseValue(base), of: path) }
        else { TextFile.removeAttribute(Self.baseAttribute, of: path) }
    }

    static let baseAttribute = "user.flowsmith.base"

    static func baseValue(_ stamp: TextFile.Stamp?) -> String {
        stamp.map { "\($0.inode) \($0.size) \($0.seconds).\($0.nanoseconds) \(String($0.digest, radix: 16))" } ?? "new"
    }

    /// The base noted with a recovery file, if the file system kept it.
    static func base(of path: String) -> String? { TextFile.attribute(baseAttribute, of: path) }

    public func removeRecovery(for document: String?) {
        unlink(recoveryPath(document))
    }

    /// The recovery file of a document: offered whenever it holds something the document does
    /// not, also when the document changed on disk after it was written (a checkout, another
    /// editor's save): unsaved work is never passed over in silence. One that holds just what
    /// the document does is removed.
    public func recovery(for document: String?) -> RecoveryFile? {
        let path = recoveryPath(document)
        var rst = stat()
        guard stat(path, &rst) == 0, let text = try? TextFile.read(path) else { return nil }
        var changed = false
        if let document {
            if let current = try? TextFile.read(document), current == text {
                unlink(path)
                return nil
            }
            var dst = stat()
            let exists = stat(document, &dst) == 0
            if let base = Self.base(of: path) {
                changed = base != (exists ? Self.baseValue(TextFile.stamp(document)) : "new")
            } else {
                changed = exists && Self.seconds(dst.st_mtim) > Self.seconds(rst.st_mtim)
            }
        }
        return RecoveryFile(path: path, text: text, written: Self.format(rst.st_mtim.tv_sec), changedSince: changed)
    }

    static func seconds(_ t: timespec) -> Double { Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }

    static func format(_ seconds: Int) -> String {
        var t = seconds
        var parts = tm()
        localtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min))
    }

    // MARK: Locks

    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count - 1)
        return cString(buffer)
    }

    /// A C string in a buffer, up to its NUL, as UTF-8 text.
    static func cString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The lock an editor takes beside the holder's when it opens a document another editor has
    /// (read-only or editing anyway): named after its process and host, like its recovery file.
    public func sideLockPath(_ document: String?, pid: Int32 = getpid(), host: String = DocumentFiles.hostName) -> String {
        directory + "/" + key(document) + ".p\(pid)@" + Self.safeName(host) + ".lock"
    }

    /// Takes the lock of a document for this process. Returns the other editor that holds it,
    /// if one does (then nothing is taken). A lock left by a process of this host that no longer
    /// runs is stale: the lock goes to an editor still beside it (`sideLockPath`), which is then
    /// the one returned, or else to this process.
    public func lock(_ document: String?) -> LockOwner? {
        guard (try? makeDirectory()) != nil else { return nil }
        let path = lockPath(document)
        for _ in 0..<3 {
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                _ = Self.lockLine().withCString { write(fd, $0, strlen($0)) }
                close(fd)
                return nil
            }
            guard errno == EEXIST else { return nil }
            guard let owner = Self.owner(path) else { unlink(path); continue }
            if owner.pid == getpid() && owner.host == Self.hostName { return nil }
            if Self.gone(owner) {
                if !handOver(document) { unlink(path) }
                continue
            }
            return owner
        }
        return nil
    }

    /// Gives the lock back, if this process holds it: to an editor still beside it, if there is
    /// one, so that a third is warned of it. Drops this process's lock beside another's.
    public func unlock(_ document: String?) {
        unlink(sideLockPath(document))
        let path = lockPath(document)
        if let owner = Self.owner(path), owner.pid == getpid(), owner.host == Self.hostName {
            if !handOver(document) { unlink(path) }
        }
    }

    /// Takes a lock beside the holder's, for an editor that opened the document all the same.
    func standBeside(_ document: String?) {
        _ = try? TextFile.write(Self.lockLine(), to: sideLockPath(document), newFileMode: 0o600)
    }

    /// What a lock file says of this process: `pid host time`.
    static func lockLine() -> String { "\(getpid()) \(hostName) \(Int(time(nil)))\n" }

    /// Moves the newest lock beside the holder's that still has its editor onto the lock (gone
    /// editors' are removed). False when there is none.
    func handOver(_ document: String?) -> Bool {
        let prefix = key(document) + ".p", suffix = ".lock"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return false }
        var newest: (path: String, since: Int)?
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
            let path = directory + "/" + name
            guard let lock = Self.lockRecord(path), !(lock.owner.pid == getpid() && lock.owner.host == Self.hostName) else { continue }
            if Self.gone(lock.owner) { unlink(path); continue }
            if lock.since >= newest?.since ?? Int.min { newest = (path, lock.since) }
        }
        guard let newest else { return false }
        return rename(newest.path, lockPath(document)) == 0
    }

    /// A lock's process no longer runs (known only for this host's processes).
    static func gone(_ owner: LockOwner) -> Bool {
        owner.host == hostName && kill(owner.pid, 0) != 0 && errno == ESRCH
    }


    static func owner(_ path: String) -> LockOwner? { lockRecord(path)?.owner }

    /// A lock file read: its owner, and since when (seconds since the epoch).
    static func lockRecord(_ path: String) -> (owner: LockOwner, since: Int)? {
        guard let text = try? TextFile.read(path) else { return nil }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count >= 3, let pid = Int32(parts[0]), let since = Int(parts[2]) else { return nil }
        return (LockOwner(pid: pid, host: String(parts[1]), since: format(since)), since)
    }

    // MARK: Opening

    /// Takes a document's lock and finds the unsaved changes to offer. When another editor holds
    /// the lock, its recovery file is its own, live: nothing is offered, and this process keeps
    /// its recovery file apart (`ownRecoveryPath`). Otherwise the newest of the shared recovery
    /// file and those left by editors of this host that no longer run is offered (taken over as
    /// the shared one).
    public func claim(_ document: String) -> (lock: LockOwner?, recovery: RecoveryFile?) {
        let owner = lock(document)
        let shared = sharedRecoveryPath(document)
        if owner != nil {
            standBeside(document)
            let own = ownRecoveryPath(document)
            Self.ownFiles.withLock { $0[shared] = own }
            return (owner, nil)
        }
        _ = Self.ownFiles.withLock { $0.removeValue(forKey: shared) }
        if let found = recovery(for: document) { return (nil, found) }
        adoptOrphans(document)
        return (nil, recovery(for: document))
    }

    /// Moves the newest recovery file left by a gone editor of this host onto the shared name,
    /// which holds nothing to offer (the others stay, offered at later openings).
    func adoptOrphans(_ document: String) {
        let prefix = key(document) + ".p", suffix = ".recover.flow.md"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let host = Self.safeName(Self.hostName)
        var newest: (path: String, time: Double)?
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
            let tag = name.dropFirst(prefix.count).dropLast(suffix.count)
            guard let at = tag.firstIndex(of: "@"), let pid = Int32(tag[..<at]), tag[tag.index(after: at)...] == host,
                  kill(pid, 0) != 0 && errno == ESRCH else { continue }
            var st = stat()
            let path = directory + "/" + name
            guard stat(path, &st) == 0 else { continue }
            if Self.seconds(st.st_mtim) > newest?.time ?? -1 { newest = (path, Self.seconds(st.st_mtim)) }
        }
        guard let newest else { return }
        rename(newest.path, sharedRecoveryPath(document))
    }

    /// Reads and parses a document for the editor, with its recovery file and lock (given back
    /// when the file does not open).
    public func open(_ path: String) -> Msg {
        let (lock, recovery) = claim(path)
        let result = Self.read(path, recovery: recovery, lock: lock)
        if case .openFailed(let why) = result {
            unlock(path)
            // The unsaved changes waiting for it are said too: they are offered once it opens.
            if let recovery {
                return .openFailed(why + " · its unsaved changes of \(recovery.written) are kept in \(recovery.path), offered when it opens")
            }
        }
        return result
    }

    /// Reads and parses a document for the editor: `.opened`, or `.openFailed` with how many
    /// mistakes it has and the first of them.
    public static func read(_ path: String, recovery: RecoveryFile? = nil, lock: LockOwner? = nil) -> Msg {
        if let unfinished = TextFile.unfinishedSave(path) { return .openFailed("\(path) was not opened: \(unfinished)") }
        guard TextFile.exists(path) else {
            return .opened(Opened(path: path, flow: Flow(), isNew: true, stamp: nil, recovery: recovery, lock: lock))
        }
        do {
            let stamp = TextFile.stamp(path)
            let bytes = try TextFile.readUTF8(path)
            let (parsed, errors) = FlowMarkdownReader.readAll(bytes: bytes, file: path, limit: 50, positions: false)
            guard errors.isEmpty else {
                return .openFailed("\(path) was not opened: \(errors.count == 50 ? "50 or more" : String(errors.count)) mistake\(errors.count == 1 ? "" : "s"), the first \(errors[0].description) (flowsmith check \(path) lists them all)")
            }
            return .opened(Opened(path: path, flow: parsed.flow, isNew: false, stamp: stamp, recovery: recovery, lock: lock))
        } catch {
            return .openFailed(error.description)
        }
    }
}
