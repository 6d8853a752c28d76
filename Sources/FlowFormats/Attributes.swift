import CXattr
#if canImport(Glibc)
import Glibc
#endif

/// A file's extended attributes: the ones a save keeps (a POSIX ACL, a user's note, an SELinux
/// label), and the one flowsmith notes on a recovery file.
extension TextFile {
    /// Copies every extended attribute of `source` (not following a link) onto the open file `fd`:
    /// a replaced file keeps its ACL (`system.posix_acl_access`) and the rest. What may not be
    /// set (a `security.` attribute as another user, a file system without them) is left.
    static func copyAttributes(from source: String, to fd: Int32) {
        let size = llistxattr(source, nil, 0)
        guard size > 0 else { return }
        var names = [CChar](repeating: 0, count: size)
        let got = llistxattr(source, &names, size)
        guard got > 0 else { return }
        for raw in names[..<got].split(separator: 0) {
            let name = Array(raw) + [0]
            let length = lgetxattr(source, name, nil, 0)
            guard length >= 0 else { continue }
            var value = [UInt8](repeating: 0, count: max(length, 1))
            let n = lgetxattr(source, name, &value, length)
            guard n >= 0 else { continue }
            _ = fsetxattr(fd, name, value, n, 0)
        }
    }

    /// Sets a `user.` attribute of a file; false where the file system keeps none.
    @discardableResult
    public static func setAttribute(_ name: String, _ value: String, of path: String) -> Bool {
        let bytes = Array(value.utf8)
        return setxattr(path, name, bytes, bytes.count, 0) == 0
    }

    public static func removeAttribute(_ name: String, of path: String) {
        _ = removexattr(path, name)
    }

    /// A `user.` attribute of a file, or nil when it has none (or its file system keeps none).
    public static func attribute(_ name: String, of path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = getxattr(path, name, &buffer, buffer.count)
        return n >= 0 ? String(decoding: buffer[..<n], as: UTF8.self) : nil
    }
}
