import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An uploaded clip on disk, for libsndfile, which decodes files rather than memory. The file
/// is private (mode 0600, created exclusively under a random name, so another local user can
/// neither read the upload nor plant a file in its place) and is removed when `body` returns
/// or throws.
enum UploadFile {
    static func withTemporaryFile<T>(holding bytes: [UInt8], _ body: (URL) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("study-demo-upload-\(UUID().uuidString)")
        try store(bytes, at: url)
        defer { unlink(url.path) }
        return try body(url)
    }

    private static func store(_ bytes: [UInt8], at url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw UploadError.cannotCreate(path: url.path, errno: errno) }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            guard n > 0 else {
                unlink(url.path)
                throw UploadError.cannotWrite(path: url.path, errno: errno)
            }
            written += n
        }
    }
}

/// The server could not stage an upload on disk (full or read-only temporary folder): the
/// server's fault, reported as such.
enum UploadError: Error, CustomStringConvertible {
    case cannotCreate(path: String, errno: Int32)
    case cannotWrite(path: String, errno: Int32)

    var description: String {
        switch self {
        case .cannotCreate(let path, let e): return "cannot create \(path): \(String(cString: strerror(e)))"
        case .cannotWrite(let path, let e): return "cannot write \(path): \(String(cString: strerror(e)))"
        }
    }
}
