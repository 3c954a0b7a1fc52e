import Foundation

/// Catches WAV and AIFF files cut short in a copy or a transfer. libsndfile silently decodes
/// whatever part of the sound data is there, so a half-copied clip would otherwise be
/// classified (or trained on) as if it were the whole recording.
///
/// Only the chunk headers are read (a few `pread`s per file), never the sound data.
enum ContainerCheck {
    /// Why the file at `path` is incomplete, or nil when it is complete or not WAV/AIFF (other
    /// containers are left to libsndfile). Incomplete means: a RIFF/WAVE `data` or AIFF `SSND`
    /// chunk declares more bytes than follow it, a chunk before it does, or the file ends
    /// before any sound chunk. Throws only when the file cannot be opened.
    static func incompleteness(ofFileAt path: String) throws -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AudioError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw AudioError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(st.st_size)
        func read(_ count: Int, at offset: Int) -> [UInt8] {
            var b = [UInt8](repeating: 0, count: count)
            let n = b.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return n == count ? b : []
        }
        let head = read(12, at: 0)
        guard head.count == 12 else { return nil }
        let form = String(decoding: head[0..<4], as: UTF8.self)
        let kind = String(decoding: head[8..<12], as: UTF8.self)
        switch (form, kind) {
        case ("RIFF", "WAVE"): return walkChunks(size: size, soundChunk: "data", bigEndian: false, read: read)
        case ("FORM", "AIFF"), ("FORM", "AIFC"): return walkChunks(size: size, soundChunk: "SSND", bigEndian: true, read: read)
        default: return nil
        }
    }

    private static func walkChunks(size: Int, soundChunk: String, bigEndian: Bool, read: (Int, Int) -> [UInt8]) -> String? {
        var at = 12
        while at + 8 <= size {
            let header = read(8, at)
            guard header.count == 8 else { break }
            let id = String(decoding: header[0..<4], as: UTF8.self)
            let declared = readUInt32(header, at: 4, bigEndian: bigEndian)
            let available = size - (at + 8)
            if id == soundChunk {
                // 0 and 0xFFFFFFFF mean "unknown length" (streamed writers); nothing to check.
                if declared != 0, declared != UInt32.max, Int(declared) > available {
                    return "its '\(soundChunk)' chunk declares \(declared) bytes but only \(available) are there"
                }
                return nil
            }
            guard Int(declared) <= available else {
                return "its '\(id)' chunk declares \(declared) bytes but only \(available) are there"
            }
            at += 8 + Int(declared) + Int(declared & 1)
        }
        return "the header ends before any '\(soundChunk)' (sound data) chunk"
    }

    private static func readUInt32(_ b: [UInt8], at i: Int, bigEndian: Bool) -> UInt32 {
        let bytes = (0..<4).map { UInt32(b[i + $0]) }
        return bigEndian
            ? bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]
            : bytes[3] << 24 | bytes[2] << 16 | bytes[1] << 8 | bytes[0]
    }
}
