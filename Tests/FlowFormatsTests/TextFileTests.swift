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
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    @Test func refusesWhatIsNotUTF8Text() {
        let cases: [(String, [UInt8], String)] = [
            ("bad.flow.md", Array("## A\n1. ok\n2. caf".utf8) + [0xE9, 0x0A], "line 3, column 7: not valid UTF-8 (byte 0xE9)"),
            ("bin.flow.md", [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x00, 0x00], "line 1, column 6: a NUL byte; this looks like a binary file"),
            ("surrogate.flow.md", [0x61, 0xED, 0xA0, 0x80], "line 1, column 2: not valid UTF-8 (byte 0xED)"),
            ("overlong.flow.md", [0xC0, 0xAF], "line 1, column 1: not valid UTF-8 (byte 0xC0)"),
            ("cut.flow.md", Array("中".utf8).dropLast(), "line 1, column 1: not valid UTF-8 (byte 0xE4)"),
        ]
        for (name, bytes, message) in cases {
            let path = write(name, bytes)
            #expect(throws: TextFile.Failure.self) { try TextFile.read(path) }
            do { _ = try TextFile.read(path) } catch {
                #expect(error.description.hasPrefix("\(path): \(message)"), "\(error)")
            }
        }
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
}
