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

    /// What a file of this mode is when it is neither a regular file nor a directory ("a FIFO (a
    /// named pipe)", "a device", "a socket"), as messages name it; nil for those two.
    public static func special(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG, S_IFDIR: nil
        case S_IFIFO: "a FIFO (a named pipe)"
        case S_IFCHR, S_IFBLK: "a device"
        default: "a socket"
        }
    }

    /// Reads a file as bytes, unchecked (for formats that check their own lines).
    /// Only a regular file is read, or standard input by name (`/dev/stdin`, `/dev/fd/0`): a
    /// FIFO would wait for a writer forever, and a device (`/dev/null`, `/dev/urandom`) is no file.
    public static func readBytes(_ path: String) throws(Failure) -> [UInt8] {
        // (Opened without waiting, so a FIFO with no writer is said to be one, not waited on.)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw failure(path, "cannot open", errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw failure(path, "cannot read", errno) }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw Failure(path: path, message: "is a directory, not a file") }
        let stream = ["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"].contains(path)
        if !stream, let what = special(st.st_mode) {
            throw Failure(path: path, message: "is \(what), not a file: give the name of a regular file")
        }
        // Reading waits for what a pipe brings, as a file's reader expects.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
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
        // ("-" is standard output, which may have been sent into the flow itself: > or 1<>.)
        if let source, sameFile(output == "-" ? "/dev/stdout" : output, source) {
            return "\(output == "-" ? "standard output" : output) is the flow being exported: write the export to another file"
        }
        if output == "-" { return nil }
        // A save of it that did not finish: its backup is settled first, or it would later be
        // taken for the text to put back over this one.
        if let unfinished = unfinishedSave(output) { return "\(output): \(unfinished)" }
        // What no force could write: said as it is, not as a file to replace.
        var st = stat()
        let found = stat(output, &st) == 0
        if !found, errno == ELOOP {
            return "\(output) is a symbolic link that leads round in a loop: give another file name"
        }
        if found, (st.st_mode & S_IFMT) == S_IFDIR {
            return "\(output) is a directory: give a file name (\(output.hasSuffix("/") ? output : output + "/")NAME)"
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

    /// True when the file is a document someone wrote rather than what an export made: named
    /// like Markdown (`.md`, `.markdown`, so also a flow), or, whatever its name, not starting as
    /// an export does (`flowchart`, `%%`, `digraph`, `//`, `*** Settings ***`, a title underlined
    /// with ═ or =): an outline, a script, notes. An empty file holds nothing to lose.
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
        let lines = text.split(whereSeparator: { $0.isNewline }).filter { !$0.allSatisfy { $0.isWhitespace } }
        guard let first = lines.first?.drop(while: { $0 == " " || $0 == "\t" }) else { return false }
        // flowsmith's own beginnings, not the formats' alone: a hand-written graph or test suite
        // is a document too.
        let start = lines.prefix(8).joined(separator: "\n")
        if first.hasPrefix("flowchart "), start.contains("subgraph u1[") || start.contains("%% ") { return false }
        if first.hasPrefix("digraph \"flow\" {") { return false }
        if first.hasPrefix("*** Settings ***"), start.contains("Generated by flowsmith") || start.contains("由 flowsmith 生成") { return false }
        // The text diagram: a use case's heading ("Use case 1: …", "用例 1：…"), under the flow's
        // underlined title if it has one, then its boxes. (A Markdown "Title\n=====" has no boxes.)
        let top = lines.prefix(4).map { $0.drop { $0 == " " } }
        if top.contains(where: { $0.hasPrefix("Use case ") || $0.hasPrefix("用例 ") }),
           lines.prefix(6).contains(where: { $0.first == "+" || $0.first == "┌" }) {
            return false
        }
        return true
    }
}

extension TextFile {
    /// What identifies a file's contents on disk: inode, size, modification time to the
    /// nanosecond, and a digest of its bytes. Two equal stamps mean nobody replaced or changed
    /// the file between, also one rewritten with the same size and its time set back (rsync
    /// --inplace -t, `touch -d`); a `chmod` or a `touch` alone changes no content, and no stamp
    /// but the time's.
    public struct Stamp: Hashable, Sendable {
        public let inode: UInt64
        public let size: Int64
        public let seconds: Int64
        public let nanoseconds: Int64
        public var digest: UInt64 = 0
    }

    /// The file's stamp, or nil when nothing is there.
    public static func stamp(_ path: String) -> Stamp? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Stamp(inode: UInt64(st.st_ino), size: Int64(st.st_size),
                     seconds: Int64(st.st_mtim.tv_sec), nanoseconds: Int64(st.st_mtim.tv_nsec),
                     digest: (st.st_mode & S_IFMT) == S_IFREG ? digest(path) : 0)
    }

    /// A 64-bit digest of a regular file's bytes (eight at a time: a 10 MB file takes a few
    /// milliseconds), 0 when it cannot be read.
    static func digest(_ path: String) -> UInt64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        var buffer = [UInt64](repeating: 0, count: 1 << 13)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? h : 0 }
            // (The last word's unused bytes are zeroed, so a shorter read hashes what it read.)
            let words = (n + 7) / 8
            if n % 8 != 0 { _ = buffer.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: n).initializeMemory(as: UInt8.self, repeating: 0, count: words * 8 - n) } }
            for i in 0..<words {
                h = (h ^ buffer[i]) &* 0x0000_0100_0000_01B3
                h ^= h >> 29
            }
            h = (h ^ UInt64(n)) &* 0xFF51_AFD7_ED55_8CCD
        }
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
