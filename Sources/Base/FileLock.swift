import Foundation

/// An advisory lock on a folder, held for as long as the value lives (`flock` on a hidden file
/// inside it). The kernel drops the lock when the process exits, however it exits, so a killed
/// run never leaves a stale lock behind.
public final class FileLock: Sendable {
    public let path: String
    private let fd: Int32

    public struct Busy: Error, CustomStringConvertible, Sendable {
        public let folder: String
        public let holder: String
        public let what: String
        public var description: String {
            "\(folder): another run (\(holder)) is writing this \(what); wait for it to finish, or choose another folder"
        }
    }

    /// Takes the lock on `folder` (created if missing). With `wait` false, a folder locked by
    /// another process throws `Busy` at once; with `wait` true, blocks until it is free and calls
    /// `waiting` once before blocking. `what` names the folder's role in messages ("output folder").
    public init(folder: URL, what: String, wait: Bool = false, waiting: (String) -> Void = { _ in }) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent(".lock").path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw WriteError(path: path, reason: "cannot lock: \(reason)")
            }
            let holder = Self.holder(fd)
            guard wait else {
                close(fd)
                throw Busy(folder: folder.path, holder: holder, what: what)
            }
            waiting("\(folder.path): waiting for another run (\(holder)) to finish writing this \(what)")
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    throw WriteError(path: path, reason: "cannot lock: \(reason)")
                }
            }
        }
        // Who holds it, for the message another run prints.
        let text = "pid \(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    private static func holder(_ fd: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = pread(fd, &buffer, 63, 0)
        guard n > 0 else { return "another process" }
        let bytes = buffer.prefix(n).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
