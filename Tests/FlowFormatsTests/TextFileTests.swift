import FlowFormats
import Foundation
import Testing

@Suite struct TextFileTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "flowsmith-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = dir + "/" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    @Test func refusesWhatIsNotUTF8Text() {
        let cases: [(String, [UInt8], String)] = [
            ("bad.flow.md", Array("## A\n1. ok\n2. caf".utf8) + [0xE9, 0x0A], ":3:7: not valid UTF-8 (byte 0xE9)"),
            ("bin.flow.md", [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x00, 0x00], ":1:6: a NUL byte; this looks like a binary file"),
            ("surrogate.flow.md", [0x61, 0xED, 0xA0, 0x80], ":1:2: not valid UTF-8 (byte 0xED)"),
            ("overlong.flow.md", [0xC0, 0xAF], ":1:1: not valid UTF-8 (byte 0xC0)"),
            ("cut.flow.md", Array("中".utf8).dropLast(), ":1:1: not valid UTF-8 (byte 0xE4)"),
            ("utf16.txt", [0xFF, 0xFE, 0x2A, 0x00, 0x20, 0x00], ":1:1: is UTF-16 text (as Excel's \"Unicode Text\" saves it), not UTF-8: save it as UTF-8"),
            ("utf16be.txt", [0xFE, 0xFF, 0x00, 0x2A], ":1:1: is UTF-16 text"),
        ]
        for (name, bytes, message) in cases {
            let path = write(name, bytes)
            #expect(throws: TextFile.Failure.self) { try TextFile.read(path) }
            do { _ = try TextFile.read(path) } catch {
                #expect(error.description.hasPrefix("\(path)\(message)"), "\(error)")
            }
        }
    }

    @Test func aFIFOOrADeviceIsRefusedAtOnceNeverWaitedOn() throws {
        // A FIFO with no writer would block open() forever; /dev/null would open as an empty flow.
        let fifo = dir + "/pipe.flow.md"
        #expect(mkfifo(fifo, 0o600) == 0)
        for (path, what) in [(fifo, "is a FIFO (a named pipe), not a file"), ("/dev/null", "is a device, not a file"),
                             ("/dev/urandom", "is a device, not a file")] {
            #expect { try TextFile.read(path) } throws: { ($0 as? TextFile.Failure)?.message.hasPrefix(what) == true }
        }
    }

    @Test func aSaveKeepsTheExtendedAttributesAndAChangeOfTheSameSizeAndTimeIsSeen() throws {
        let path = write("noted.flow.md", Array("## A\n\n1. one\n".utf8))
        #expect(TextFile.setAttribute("user.note", "keep me", of: path))
        try TextFile.write("## A\n\n1. two\n", to: path)
        #expect(TextFile.attribute("user.note", of: path) == "keep me")
        // Rewritten in place with the same size and its time set back: the stamp still differs.
        let before = try #require(TextFile.stamp(path))
        Thread.sleep(forTimeInterval: 0.02)
        let fd = open(path, O_WRONLY | O_TRUNC)
        _ = "## A\n\n1. six\n".withCString { Glibc.write(fd, $0, 13) }
        var times = [timespec(tv_sec: Int(before.seconds), tv_nsec: Int(before.nanoseconds)), timespec(tv_sec: Int(before.seconds), tv_nsec: Int(before.nanoseconds))]
        _ = futimens(fd, &times)
        close(fd)
        let after = try #require(TextFile.stamp(path))
        #expect(after.size == before.size && after.seconds == before.seconds && after.nanoseconds == before.nanoseconds)
        #expect(after != before)
    }

    @Test func refusesDirectoriesAndMissingFiles() {
        do { _ = try TextFile.read(dir) } catch { #expect(error.description == "\(dir): is a directory, not a file") }
        let missing = dir + "/nope.flow.md"
        do { _ = try TextFile.read(missing) } catch {
            #expect(error.description == "\(missing): cannot open: no such file or directory")
        }
    }

    @Test func writesAtomicallyAndKeepsPermissions() throws {
        let path = write("keep.flow.md", Array("old\n".utf8))
        chmod(path, 0o600)
        try TextFile.write("new 中文\n", to: path)
        #expect(try TextFile.read(path) == "new 中文\n")
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains("flowsmith-") }.isEmpty)
    }

    @Test func aFailedWriteLeavesTheFileAlone() throws {
        let path = write("ro.flow.md", Array("precious\n".utf8))
        let sub = dir + "/missing-folder/x.flow.md"
        #expect(throws: TextFile.Failure.self) { try TextFile.write("x", to: sub) }
        #expect(try TextFile.read(path) == "precious\n")
    }

    func leftovers() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains("flowsmith-") }
    }

    func kind(_ path: String) -> mode_t {
        var st = stat()
        lstat(path, &st)
        return st.st_mode & S_IFMT
    }

    @Test func writesThroughASymlinkAndKeepsTheLink() throws {
        let real = write("real.flow.md", Array("old\n".utf8))
        let link = dir + "/link.flow.md"
        symlink("real.flow.md", link)
        let chain = dir + "/chain.flow.md"
        symlink(link, chain)
        let done = try TextFile.write("new\n", to: chain)
        #expect(done.target == real && done.method == .atomic)
        #expect(kind(link) == S_IFLNK && kind(chain) == S_IFLNK)
        #expect(try TextFile.read(real) == "new\n")
        #expect(leftovers().isEmpty)
    }

    @Test func aDanglingLinkGetsItsTargetCreated() throws {
        let link = dir + "/dangling.flow.md"
        symlink("sub/target.flow.md", link)
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try TextFile.write("made\n", to: link)
        #expect(kind(link) == S_IFLNK)
        #expect(try TextFile.read(dir + "/sub/target.flow.md") == "made\n")
    }

    @Test func devicesAreWrittenIntoNeverReplaced() throws {
        let done = try TextFile.write("nothing\n", to: "/dev/null")
        #expect(done.method == .stream)
        #expect(kind("/dev/null") == S_IFCHR)
        // A full disk, for real: /dev/full answers every write with ENOSPC.
        do {
            try TextFile.write("x", to: "/dev/full")
            Issue.record("writing to /dev/full succeeded")
        } catch {
            #expect(error.description == "/dev/full: cannot write: no space left on device")
        }
        #expect(kind("/dev/full") == S_IFCHR)
    }

    @Test func aFIFOIsWrittenIntoAndStaysAFIFO() throws {
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let box = ResultBox()
        let thread = Thread {
            let fd = open(fifo, O_RDONLY)
            var data: [UInt8] = []
            var b = [UInt8](repeating: 0, count: 256)
            while true {
                let n = read(fd, &b, b.count)
                if n <= 0 { break }
                data += b[0..<n]
            }
            close(fd)
            box.set(String(decoding: data, as: UTF8.self))
        }
        thread.start()
        try TextFile.write("through the pipe 管道\n", to: fifo)
        #expect(box.wait() == "through the pipe 管道\n")
        #expect(kind(fifo) == S_IFIFO)
    }

    @Test func aHardLinkedFileKeepsItsLinks() throws {
        let a = write("a.flow.md", Array("old\n".utf8))
        let b = dir + "/b.flow.md"
        #expect(link(a, b) == 0)
        let done = try TextFile.write("new\n", to: a)
        #expect(done.method == .inPlace)
        #expect(try TextFile.read(b) == "new\n")
        var sa = stat(), sb = stat()
        stat(a, &sa); stat(b, &sb)
        #expect(sa.st_ino == sb.st_ino && sa.st_nlink == 2)
        #expect(leftovers().isEmpty)
        // A failure half way puts the old text back.
        do {
            try TextFile.write("newer\n", to: a, faults: { $0 == .syncData ? EIO : nil })
            Issue.record("the write did not fail")
        } catch {
            #expect(error.description.contains("input/output error"), "\(error)")
            #expect(error.description.hasSuffix("(the file is as it was)"), "\(error)")
        }
        #expect(try TextFile.read(b) == "new\n")
        #expect(leftovers().isEmpty)
        #expect(TextFile.unfinishedSave(a) == nil)
        // A save killed half way leaves the file cut short and its backup beside it: said, with
        // what to do, until the backup is put back or removed.
        let backup = dir + "/.a.flow.md.flowsmith-backup-Xq3z9A"
        #expect(FileManager.default.createFile(atPath: backup, contents: Data("new\n".utf8)))
        #expect(TextFile.unfinishedSave(a)?.hasPrefix("a save of it did not finish: \(backup) holds its text from before that save") == true)
        // (Also through its other name: the same file, cut short the same.)
        #expect(TextFile.unfinishedSave(b)?.contains(backup) == true)
        unlink(backup)
        #expect(TextFile.unfinishedSave(a) == nil)
    }

    @Test func everyFailingStepLeavesTheOriginalAndNoTemporaryFile() throws {
        let path = write("precious.flow.md", Array("precious\n".utf8))
        for step in [TextFile.Step.createTemporary, .writeData, .syncData, .replace] {
            for code in [ENOSPC, EIO, EACCES, EROFS] {
                do {
                    try TextFile.write("changed\n", to: path, faults: { $0 == step ? code : nil })
                    Issue.record("\(step) failing with \(code) still wrote")
                } catch {
                    let reason = String(cString: strerror(code)).lowercased()
                    #expect(error.description.hasPrefix(path + ": "), "\(error)")
                    #expect(error.description.hasSuffix(reason), "\(step): \(error)")
                }
                #expect(try TextFile.read(path) == "precious\n")
                #expect(leftovers().isEmpty, "\(step) left \(leftovers())")
            }
        }
    }

    @Test func modeAndOwnerAreKept() throws {
        let path = write("owned.flow.md", Array("old\n".utf8))
        chmod(path, 0o640)
        let someone: uid_t = geteuid() == 0 ? 4321 : geteuid()
        if geteuid() == 0 { #expect(chown(path, someone, 4321) == 0) }
        try TextFile.write("new\n", to: path)
        var st = stat()
        stat(path, &st)
        #expect(st.st_mode & 0o7777 == 0o640)
        #expect(st.st_uid == someone)
    }

    @Test func aWriteProtectedFileIsRefusedUnlessForced() throws {
        // chmod a-w protects a file even from root, whose access(2) would pass it; the folder
        // being writable is no licence to replace it.
        let path = write("protected.flow.md", Array("keep\n".utf8))
        chmod(path, 0o444)
        do {
            try TextFile.write("changed\n", to: path)
            Issue.record("a write-protected file was replaced")
        } catch {
            #expect(error.writeProtected)
            #expect(error.description == "\(path): is write-protected (mode 444)")
        }
        #expect(try TextFile.read(path) == "keep\n")
        #expect(leftovers().isEmpty)
        // So is one with other hard links, written in place.
        let other = dir + "/protected-link.flow.md"
        #expect(link(path, other) == 0)
        #expect(throws: TextFile.Failure.self) { try TextFile.write("changed\n", to: other) }
        // Forced, it is written and stays write-protected.
        unlink(other)
        try TextFile.write("changed\n", to: path, overProtection: true)
        #expect(try TextFile.read(path) == "changed\n")
        var st = stat()
        stat(path, &st)
        #expect(st.st_mode & 0o7777 == 0o444)
    }

    @Test func theFormOfAFileIsItsFirstLinesEndAndItsMark() throws {
        #expect(TextForm.of(Array("# T\r\n\n## A\n".utf8)) == TextForm(crlf: true))
        #expect(TextForm.of(Array("\u{FEFF}# T\n".utf8)) == TextForm(byteOrderMark: true))
        #expect(TextForm.of(Array("# no line end".utf8)) == TextForm())
        #expect(TextForm.of([UInt8]()) == TextForm())
        #expect(TextForm(crlf: true, byteOrderMark: true).apply("# T\n\n1. x\n") == "\u{FEFF}# T\r\n\r\n1. x\r\n")
        let path = write("windows.flow.md", Array("\u{FEFF}# T\r\n".utf8))
        #expect(TextForm.ofFile(path) == TextForm(crlf: true, byteOrderMark: true))
        #expect(TextForm.ofFile(dir + "/none.flow.md") == TextForm())
        #expect(TextForm.ofFile("/dev/null") == TextForm())
    }

    @Test func aDanglingLinkIsNothingThere() throws {
        let link = dir + "/nowhere.flow.md"
        symlink("missing/target.flow.md", link)
        #expect(!TextFile.exists(link))
        #expect(TextFile.exists(dir))
        let loop = dir + "/loop.flow.md"
        symlink("loop.flow.md", loop)
        #expect(TextFile.exists(loop))
    }

    @Test func aDirectoryIsRefused() {
        do {
            try TextFile.write("x", to: dir)
            Issue.record("wrote over a directory")
        } catch {
            #expect(error.description == "\(dir): is a directory; give a file name")
        }
    }
}

/// One value handed from a thread to the test.
final class ResultBox: @unchecked Sendable {
    private let lock = NSCondition()
    private var value: String?
    func set(_ v: String) { lock.lock(); value = v; lock.signal(); lock.unlock() }
    func wait() -> String? {
        lock.lock()
        defer { lock.unlock() }
        let deadline = Date().addingTimeInterval(10)
        while value == nil, lock.wait(until: deadline) {}
        return value
    }
}
