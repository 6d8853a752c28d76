import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing the user's files: clear errors for every way a path can be wrong, and
/// atomic saves (temporary file, fsync, rename) so a file is never left half written.
public enum TextFile {
    /// Why a file could not be read or written; the message names the file and what to do.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        public let path: String
        public let message: String
        /// Where in the file, for a bad byte: then the description is FILE:LINE:COL: message,
        /// as the reader's mistakes are, so an editor can jump there.
        public let position: SourcePosition?
        /// The write was refused because the file is write-protected or not the user's to write
        /// (`TextFile.write`'s `overProtection` writes it anyway).
        public var writeProtected = false
        public var description: String { position.map { "\(path):\($0): \(message)" } ?? "\(path): \(message)" }

        public init(path: String, message: String, position: SourcePosition? = nil, writeProtected: Bool = false) {
            self.path = path
            self.message = message
            self.position = position
            self.writeProtected = writeProtected
        }
    }

    /// The largest file flowsmith reads (a 100,000-step flow is about 8 MB).
    public static let maxBytes = 256 << 20

    /// Reads a UTF-8 text file. Refuses directories, binary data and invalid UTF-8, naming the
    /// line and column of the first bad byte.
    public static func read(_ path: String) throws(Failure) -> String {
        String(decoding: try readUTF8(path), as: UTF8.self)
    }

    /// Reads a UTF-8 text file as bytes, checked as `read` checks them (what the `.flow.md`
    /// reader takes, so a large file is never held twice).
    public static func readUTF8(_ path: String) throws(Failure) -> [UInt8] {
        let bytes = try readBytes(path)
        // UTF-16, as Excel's "Unicode Text" and Windows tools save it, by its byte-order mark.
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw Failure(path: path, message: "is UTF-16 text (as Excel's \"Unicode Text\" saves it), not UTF-8: save it as UTF-8 "
                          + "(iconv -f UTF-16 -t UTF-8 \(path.hasPrefix("-") ? "./" : "")\(path.replacingOccurrences(of: " ", with: "\\ ")) > new.txt) and try again",
                          position: SourcePosition(line: 1, column: 1))
        }
        if let (offset, isNUL) = firstBadByte(bytes) {
            let (line, column) = lineAndColumn(bytes, offset)
            throw Failure(path: path, message: isNUL
                ? "a NUL byte; this looks like a binary file, not text"
                : "not valid UTF-8 (byte 0x\(String(bytes[offset], radix: 16, uppercase: true))); save the file as UTF-8 and try again",
                position: SourcePosition(line: line, column: column))
        }
        return bytes
    }

    /// Reads a file as bytes, unchecked (for formats that check their own lines).
    public static func readBytes(_ path: String) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "cannot open", errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw failure(path, "cannot read", errno) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw Failure(path: path, message: "is a directory, not a file") }
        if st.st_size > maxBytes { throw Failure(path: path, message: "is larger than \(maxBytes >> 20) MiB") }
        var out: [UInt8] = []
        out.reserveCapacity(Int(st.st_size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot read", errno)
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
            if out.count > maxBytes { throw Failure(path: path, message: "is larger than \(maxBytes >> 20) MiB") }
        }
        return out
    }

    /// The offset of the first NUL byte or invalid UTF-8 sequence, and whether it is a NUL.
    static func firstBadByte(_ b: [UInt8]) -> (Int, Bool)? {
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0 { return (i, true) }
            if c < 0x80 { i += 1; continue }
            let (length, low, high): (Int, UInt8, UInt8)
            switch c {
            case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
            case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
            case 0xED: (length, low, high) = (3, 0x80, 0x9F)
            case 0xE1...0xEF: (length, low, high) = (3, 0x80, 0xBF)
            case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
            case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
            case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
            default: return (i, false)
            }
            guard i + length <= b.count, (low...high).contains(b[i + 1]) else { return (i, false) }
            for k in 2..<max(2, length) where !(0x80...0xBF).contains(b[i + k]) { return (i, false) }
            i += length
        }
        return nil
    }

    /// 1-based line and column (in characters) of a byte offset in valid-so-far UTF-8.
    static func lineAndColumn(_ b: [UInt8], _ offset: Int) -> (Int, Int) {
        var line = 1
        var column = 1
        for i in 0..<offset {
            if b[i] == 0x0A { line += 1; column = 1 } else if b[i] & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    static func currentUmask() -> mode_t {
        let m = umask(0o022)
        umask(m)
        return m
    }

    static func failure(_ path: String, _ what: String, _ code: Int32) -> Failure {
        let reason = String(cString: strerror(code)).lowercased()
        return Failure(path: path, message: "\(what): \(reason)")
    }
}

extension TextFile {
    /// True when something (a file, a folder) exists at the path, through links. A dangling link
    /// is nothing there: writing to it creates its target and loses nothing. A link that cannot
    /// be followed (a loop, a folder not searchable) counts as something there.
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        if stat(path, &st) == 0 { return true }
        return errno == ENOENT || errno == ENOTDIR ? false : lstat(path, &st) == 0
    }
}

extension TextFile {
    /// True when both paths name the same file on disk (through links, `..` or hard links).
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }

    /// Why an export may not write to `output`, or nil when it may: never over the flow it was
    /// made from (that would lose the flow), and over another existing file only when `replace`
    /// allows it (`:export!`, `--force`; the command line replaces files that are no flow, as
    /// `-o` options do).
    public static func exportRefusal(_ output: String, source: String?, replace: (String) -> Bool, howToReplace: String) -> String? {
        if let source, sameFile(output, source) {
            return "\(output) is the flow being exported: write the export to another file"
        }
        if exists(output), !replace(output) {
            return "\(output) already exists: \(howToReplace) replaces it"
        }
        return nil
    }

    /// True when the path, or the file a link there leads to, is named like a flow (`.flow.md`).
    public static func namedLikeAFlow(_ path: String) -> Bool {
        let target = (try? resolveLinks(path)) ?? path
        return [path, target].contains { $0.lowercased().hasSuffix(".flow.md") }
    }

    /// True when the file is a document someone wrote rather than something an export made: named
    /// like Markdown (`.md`, `.markdown`, so also a flow), or, whatever its name, starting with a
    /// Markdown heading as every flow does ("# Title", "## Use case"). No export starts so.
    public static func isADocument(_ path: String) -> Bool {
        let target = (try? resolveLinks(path)) ?? path
        if [path, target].contains(where: { name in [".md", ".markdown"].contains { name.lowercased().hasSuffix($0) } }) { return true }
        let fd = Glibc.open(target, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        var head = [UInt8](repeating: 0, count: 4096)
        let n = Glibc.read(fd, &head, head.count)
        guard n > 0 else { return false }
        let text = String(decoding: head[..<n], as: UTF8.self).drop { $0 == "\u{FEFF}" }
        let first = text.split(whereSeparator: { $0.isNewline }).first { !$0.allSatisfy { $0.isWhitespace } } ?? ""
        let line = first.drop { $0 == " " || $0 == "\t" }
        return line.hasPrefix("# ") || line.hasPrefix("## ")
    }
}

extension TextFile {
    /// What identifies a file's contents on disk without reading it: inode, size and modification
    /// time to the nanosecond. Two equal stamps mean nobody replaced or changed the file between.
    public struct Stamp: Hashable, Sendable {
        public let inode: UInt64
        public let size: Int64
        public let seconds: Int64
        public let nanoseconds: Int64
    }

    /// The file's stamp, or nil when nothing is there.
    public static func stamp(_ path: String) -> Stamp? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Stamp(inode: UInt64(st.st_ino), size: Int64(st.st_size),
                     seconds: Int64(st.st_mtim.tv_sec), nanoseconds: Int64(st.st_mtim.tv_nsec))
    }
}

extension TextFile {
    /// Where a folder shipped with flowsmith (themes, corpus) may be, next to the program: first an
    /// install's `bin/../share/flowsmith/NAME`, then `NAME` in each folder above the program, which
    /// finds a source checkout's from `.build/…/debug/flowsmith`. The program is found as the
    /// system knows it (`/proc/self/exe`), so a bare `flowsmith` found on the PATH, or a symlink
    /// to it in another bin folder, still finds the install's data.
    public static func besideProgram(_ name: String, executable: String) -> [String] {
        var dir = URL(fileURLWithPath: programPath(executable)).deletingLastPathComponent()
        var out = [dir.appendingPathComponent("../share/flowsmith/" + name).standardized.path]
        for _ in 0..<5 {
            dir = dir.deletingLastPathComponent()
            out.append(dir.appendingPathComponent(name).path)
        }
        return out
    }

    /// The running program's real path: `/proc/self/exe` where there is one, else the given path
    /// with its links resolved.
    public static func programPath(_ executable: String) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
    }
}

/// What a text file's bytes hold beside the text the writer chooses: its line ends and a leading
/// byte-order mark. A save keeps the form of the file it replaces, so that an edit in a file from
/// a CRLF repository (or one a Windows editor marked) is a one-line change, not a whole-file one.
public struct TextForm: Equatable, Sendable {
    public var crlf = false
    public var byteOrderMark = false

    public init(crlf: Bool = false, byteOrderMark: Bool = false) {
        self.crlf = crlf
        self.byteOrderMark = byteOrderMark
    }

    /// The form of the text: CRLF when its first line ends so, a mark when it starts with one.
    public static func of(_ bytes: some Collection<UInt8>) -> TextForm {
        let mark = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        guard let newline = bytes.firstIndex(of: 0x0A) else { return TextForm(byteOrderMark: mark) }
        let crlf = newline != bytes.startIndex && bytes[bytes.index(newline, offsetBy: -1)] == 0x0D
        return TextForm(crlf: crlf, byteOrderMark: mark)
    }

    /// The form of the regular file at `path` (through links), from its first line; LF and no
    /// mark when there is none (a FIFO or a device is never read: that could wait for ever).
    public static func ofFile(_ path: String) -> TextForm {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return TextForm() }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return TextForm() }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return n > 0 ? of(buffer[..<n]) : TextForm()
    }

    /// The text (with "\n" line ends, as the writers make it) in this form.
    public func apply(_ text: String) -> String {
        var out = crlf ? text.replacingOccurrences(of: "\n", with: "\r\n") : text
        if byteOrderMark { out = "\u{FEFF}" + out }
        return out
    }
}
