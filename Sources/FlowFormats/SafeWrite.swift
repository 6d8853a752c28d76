#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing the user's files so that nothing is ever lost or broken (docs/RELIABILITY.md):
///
/// - a regular file is replaced atomically: a temporary file in the same folder, fsync, rename,
///   fsync of the folder; its mode, its extended attributes (an ACL) and its owner where
///   permitted are kept;
/// - a symlink is written through: its final target is replaced atomically and the link stays a
///   link (a dangling link gets its target created);
/// - a FIFO, a device, `-`, `/dev/stdout` and the like are opened and written into, never renamed over;
/// - a file with other hard links is written in place after a backup copy, so every name keeps
///   seeing the same file; the backup is removed once the new text is on disk;
/// - a file the user may write in a folder they may not is written in place (no file can be made
///   beside it), its old text put back on a failure;
/// - a file without any write permission (`chmod a-w`), or one the user has no permission to
///   write, is refused (`overProtection` writes it anyway, as `:w!` and `--force` ask): the folder
///   being writable is no licence to replace it;
/// - on any failure the target is untouched (or restored from the backup) and no temporary file
///   is left behind.
extension TextFile {
    /// The steps of a write, for tests that make one of them fail (the file-system seam).
    public enum Step: String, Sendable, CaseIterable {
        case createTemporary, writeData, syncData, replace, syncFolder, backup, openTarget
    }

    /// How a write went, for a message that says what happened to a link.
    public struct Written: Equatable, Sendable {
        /// The file that was really written (the link's target, or the path itself).
        public let target: String
        public enum Method: Equatable, Sendable { case atomic, inPlace, stream }
        public let method: Method
    }

    /// Answers, for a step about to run, an errno to fail it with (nil: run it). Tests only.
    public typealias Faults = @Sendable (Step) -> Int32?

    /// Writes text to a path as described above. Throws a `Failure` naming the path and the reason.
    @discardableResult
    /// `newFileMode` is the mode of a file that does not exist yet (default: 0666 less the umask).
    public static func write(_ text: String, to path: String, newFileMode: mode_t? = nil, overProtection: Bool = false,
                             faults: Faults? = nil) throws(Failure) -> Written {
        guard !path.isEmpty else { throw Failure(path: "\"\"", message: "is no file name: give the name of a file to write") }
        var bytes = Array(text.utf8)
        defer { bytes.removeAll() }
        if let fd = standardStream(path) {
            try writeAll(fd, bytes, path: path, faults: faults)
            return Written(target: path, method: .stream)
        }
        let target = try resolveLinks(path)
        var st = stat()
        if lstat(target, &st) != 0 {
            guard errno == ENOENT else { throw failure(path, "cannot write", errno) }
            try replaceAtomically(target, bytes, existing: nil, newFileMode: newFileMode, reportAs: path, faults: faults)
            return Written(target: target, method: .atomic)
        }
        if st.st_mode & S_IFMT == S_IFREG, !overProtection, let why = protection(target, st) {
            throw Failure(path: path, message: why, writeProtected: true)
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            throw Failure(path: path, message: "is a directory; give a file name")
        case S_IFREG where st.st_nlink > 1:
            try writeInPlace(target, bytes, reportAs: path, faults: faults)
            return Written(target: target, method: .inPlace)
        case S_IFREG where access(directory(of: target), W_OK) != 0 && errno == EACCES
                && (access(target, W_OK) == 0 || overProtection && st.st_uid == geteuid()):
            // A file the user may write in a folder they may not: no file can be made beside it,
            // so it is written in place (its old text kept in memory, and put back on a failure).
            // Their own write-protected file, forced, is made writable for the write and no longer.
            let protected = access(target, W_OK) != 0
            if protected, chmod(target, (st.st_mode & 0o7777) | S_IWUSR) != 0 { throw failure(path, "cannot write", errno) }
            defer { if protected { chmod(target, st.st_mode & 0o7777) } }
            try writeInPlace(target, bytes, backup: false, reportAs: path, faults: faults)
            return Written(target: target, method: .inPlace)
        case S_IFREG:
            try replaceAtomically(target, bytes, existing: st, reportAs: path, faults: faults)
            return Written(target: target, method: .atomic)
        default:
            try writeIntoSpecial(target, bytes, reportAs: path, faults: faults)
            return Written(target: target, method: .stream)
        }
    }

    /// Why a regular file is not to be written without the user's say-so: it has no write
    /// permission at all (which root would pass over), or none for this user. Nil when it may be.
    static func protection(_ target: String, _ st: stat) -> String? {
        if st.st_mode & 0o222 == 0 {
            return "is write-protected (mode \(String(st.st_mode & 0o7777, radix: 8)))"
        }
        guard access(target, W_OK) != 0, errno == EACCES else { return nil }
        let owner = getpwuid(st.st_uid).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "user \(st.st_uid)"
        return "you have no permission to write it (it belongs to \(owner), mode \(String(st.st_mode & 0o7777, radix: 8)))"
    }

    /// `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` name an open descriptor:
    /// write into it as it is (a redirection, a pipe, a terminal), never through a new file.
    static func standardStream(_ path: String) -> Int32? {
        switch path {
        case "-", "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                if let n = Int32(path.dropFirst(prefix.count)), fcntl(n, F_GETFD) != -1 { return n }
            }
            return nil
        }
    }

    /// Follows a chain of symlinks to the path that is finally meant (which may not exist yet).
    /// A link into `/proc` or `/dev` that does not name a real file is left for an open to follow.
    public static func resolveLinks(_ path: String) throws(Failure) -> String {
        var current = path
        for _ in 0..<40 {
            var st = stat()
            guard lstat(current, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else { throw failure(path, "cannot read the link", errno) }
            let link = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if link.hasPrefix("/") {
                current = link
            } else {
                current = directory(of: current) + "/" + link
            }
            // A magic link such as /proc/self/fd/1 -> pipe:[123]: open() knows where it goes.
            if current.hasPrefix("/proc/") || link.hasSuffix("]") && link.contains(":[") {
                return path
            }
        }
        throw Failure(path: path, message: "too many levels of symbolic links")
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    /// Temporary file beside the target, fsync, rename over it, fsync the folder.
    static func replaceAtomically(_ target: String, _ bytes: [UInt8], existing: stat?, newFileMode: mode_t? = nil, reportAs path: String,
                                  faults: Faults?) throws(Failure) {
        let dir = directory(of: target)
        let (fd, temp) = temporaryFile(beside: target, tag: "", faults?(.createTemporary))
        guard fd >= 0 else { throw failure(path, "cannot create a file in \(dir)", errno) }
        var done = false
        defer { if !done { unlink(temp) } }
        if let st = existing {
            fchmod(fd, st.st_mode & 0o7777)
            // Keep the owner when root edits someone else's file; others simply cannot, and that is fine.
            if st.st_uid != geteuid() || st.st_gid != getegid() { _ = fchown(fd, st.st_uid, st.st_gid) }
            // And its extended attributes: an ACL (which also sets the group bits from its mask),
            // a note, a security label.
            copyAttributes(from: target, to: fd)
        } else {
            fchmod(fd, newFileMode ?? (0o666 & ~currentUmask()))
        }
        do throws(Failure) {
            try writeAll(fd, bytes, path: path, faults: faults)
            if let e = faults?(.syncData) { throw failure(path, "cannot write to disk", e) }
            if fsync(fd) != 0 { throw failure(path, "cannot write to disk", errno) }
        } catch {
            close(fd)
            throw error
        }
        if close(fd) != 0 { throw failure(path, "cannot write to disk", errno) }
        if let e = faults?(.replace) { throw failure(path, "cannot replace the file", e) }
        guard rename(temp, target) == 0 else { throw failure(path, "cannot replace the file", errno) }
        done = true
        if faults?(.syncFolder) == nil {
            let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dfd >= 0 { fsync(dfd); close(dfd) }
        }
    }

    /// What a save that did not finish left of a file: the backup copy an in-place write makes
    /// (`.NAME.flowsmith-backup-xxxxxx`, removed once the new text is on disk). While there is
    /// one, the file may be cut short: the message says what to do, and nothing opens it.
    public static func unfinishedSave(_ path: String) -> String? {
        guard let target = try? resolveLinks(path) else { return nil }
        let dir = directory(of: target)
        let base = target.split(separator: "/").last.map(String.init) ?? target
        guard let d = opendir(dir) else { return nil }
        defer { closedir(d) }
        var found: [String] = []
        let place = { (name: String) in dir == "." ? name : dir.hasSuffix("/") ? dir + name : dir + "/" + name }
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            // Its own backup, or one made through another hard link in the folder (the same file).
            guard name.hasPrefix("."), let cut = name.range(of: ".flowsmith-backup-") else { continue }
            let of = String(name[name.index(after: name.startIndex)..<cut.lowerBound])
            if of == base || sameFile(place(of), target) { found.append(place(name)) }
        }
        guard let backup = found.sorted().first else { return nil }
        return "a save of it did not finish: \(backup) holds its text from before that save. Compare the two (diff \(backup) \(path)), "
            + "put back the one to keep (cp \(backup) \(path) puts back the old text, and its links keep it), then rm \(backup) and open it again"
    }

    /// A new file `.NAME.flowsmith-TAGxxxxxx` in the target's folder (mkstemp: mode 0600, never an
    /// existing file): its descriptor and path, or -1 with errno set (`fault`, in tests, fails it).
    static func temporaryFile(beside target: String, tag: String, _ fault: Int32?) -> (Int32, String) {
        let base = target.split(separator: "/").last.map(String.init) ?? target
        var template = Array("\(directory(of: target))/.\(base).flowsmith-\(tag)XXXXXX".utf8CString)
        if let fault { return (fail(fault), "") }
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        return (fd, template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }

    /// A file with other hard links: copy it aside, write into it, then drop the copy. If the write
    /// fails half way, the old text is put back from the copy.
    static func writeInPlace(_ target: String, _ bytes: [UInt8], backup makeBackup: Bool = true, reportAs path: String,
                             faults: Faults?) throws(Failure) {
        let old: [UInt8]
        do { old = try readBytes(target) } catch { throw Failure(path: path, message: error.message) }
        let dir = directory(of: target)
        var backup = ""
        if makeBackup {
            let (bfd, made) = temporaryFile(beside: target, tag: "backup-", faults?(.backup))
            guard bfd >= 0 else { throw failure(path, "cannot make a backup copy in \(dir) (the file has other hard links, so it is written in place)", errno) }
            backup = made
            do throws(Failure) {
                try writeAll(bfd, old, path: path, faults: nil)
                guard fsync(bfd) == 0 else { throw failure(path, "cannot write the backup copy", errno) }
            } catch {
                close(bfd)
                unlink(backup)
                throw error
            }
            close(bfd)
        }
        let fd: Int32 = if let e = faults?(.openTarget) { fail(e) } else { open(target, O_WRONLY | O_TRUNC | O_CLOEXEC) }
        guard fd >= 0 else {
            let e = errno
            if makeBackup { unlink(backup) }
            throw failure(path, "cannot write", e)
        }
        do throws(Failure) {
            try writeAll(fd, bytes, path: path, faults: faults)
            if let e = faults?(.syncData) { throw failure(path, "cannot write to disk", e) }
            if fsync(fd) != 0 { throw failure(path, "cannot write to disk", errno) }
            close(fd)
            if makeBackup { unlink(backup) }
        } catch {
            // Put the old text back; if even that fails, the backup stays and the message names it.
            let restored = ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0
                && (try? writeAll(fd, old, path: path, faults: nil)) != nil && fsync(fd) == 0
            close(fd)
            if restored {
                if makeBackup { unlink(backup) }
                throw Failure(path: path, message: error.message + " (the file is as it was)")
            }
            throw Failure(path: path, message: error.message + (backup.isEmpty ? "; the file may be cut short: write it again"
                                                                : "; the old text is kept in \(backup)"))
        }
    }

    /// A FIFO, a device or a socket: opened for writing and written into; never replaced.
    static func writeIntoSpecial(_ target: String, _ bytes: [UInt8], reportAs path: String, faults: Faults?) throws(Failure) {
        let fd: Int32 = if let e = faults?(.openTarget) { fail(e) } else { open(target, O_WRONLY | O_NOCTTY | O_CLOEXEC) }
        guard fd >= 0 else { throw failure(path, "cannot open for writing", errno) }
        defer { close(fd) }
        try writeAll(fd, bytes, path: path, faults: faults)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String, faults: Faults?) throws(Failure) {
        if let e = faults?(.writeData) { throw failure(path, "cannot write", e) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot write", errno)
            }
            written += n
        }
    }

    /// Sets errno and returns -1, as a failing call would.
    private static func fail(_ e: Int32) -> Int32 {
        errno = e
        return -1
    }
}
