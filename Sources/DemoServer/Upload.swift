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

/// Catches WAV and AIFF files cut short in transfer. libsndfile silently decodes whatever part
/// of the sound data arrived, so a half-uploaded clip would otherwise get a confident
/// prediction for audio the user never sent.
enum ContainerCheck {
    /// Throws `DemoError.truncated` when a RIFF/WAVE `data` or AIFF `SSND` chunk declares more
    /// bytes than the upload holds, or the header itself is cut off. Other formats pass.
    static func verifyComplete(_ bytes: [UInt8]) throws {
        guard bytes.count >= 12 else { return }
        let form = String(decoding: bytes[0..<4], as: UTF8.self)
        let kind = String(decoding: bytes[8..<12], as: UTF8.self)
        switch (form, kind) {
        case ("RIFF", "WAVE"): try walkChunks(bytes, soundChunk: "data", bigEndian: false)
        case ("FORM", "AIFF"), ("FORM", "AIFC"): try walkChunks(bytes, soundChunk: "SSND", bigEndian: true)
        default: return
        }
    }

    private static func walkChunks(_ bytes: [UInt8], soundChunk: String, bigEndian: Bool) throws {
        var at = 12
        while at + 8 <= bytes.count {
            let id = String(decoding: bytes[at..<at + 4], as: UTF8.self)
            let size = readUInt32(bytes, at: at + 4, bigEndian: bigEndian)
            let available = bytes.count - (at + 8)
            if id == soundChunk {
                // 0 and 0xFFFFFFFF mean "unknown length" (streamed writers); nothing to check.
                if size != 0, size != UInt32.max, Int(size) > available {
                    throw DemoError.truncated(reason: "its '\(soundChunk)' chunk declares \(size) bytes but only \(available) arrived")
                }
                return
            }
            guard Int(size) <= available else {
                throw DemoError.truncated(reason: "its '\(id)' chunk declares \(size) bytes but only \(available) arrived")
            }
            at += 8 + Int(size) + Int(size & 1)
        }
        throw DemoError.truncated(reason: "the header ends before any '\(soundChunk)' (sound data) chunk")
    }

    private static func readUInt32(_ b: [UInt8], at i: Int, bigEndian: Bool) -> UInt32 {
        let bytes = (0..<4).map { UInt32(b[i + $0]) }
        return bigEndian
            ? bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]
            : bytes[3] << 24 | bytes[2] << 16 | bytes[1] << 8 | bytes[0]
    }
}
