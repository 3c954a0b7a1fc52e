import Foundation

/// Why a report file could not be written.
public struct WriteError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): cannot write (\(reason)); check that the folder exists and is writable" }
}

/// Writes `data` to `url` atomically: a temporary file beside it, flushed, then renamed over
/// the target. An interrupted run therefore leaves either the old file or the new one, never a
/// half-written report.
public func writeAtomically(_ data: Data, to url: URL) throws {
    let dir = url.deletingLastPathComponent()
    do {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    } catch {
        throw WriteError(path: dir.path, reason: "cannot create the folder: \(error.localizedDescription)")
    }
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp")
    guard FileManager.default.createFile(atPath: tmp.path, contents: data) else {
        throw WriteError(path: url.path, reason: String(cString: strerror(errno)))
    }
    if rename(tmp.path, url.path) != 0 {
        let reason = String(cString: strerror(errno))
        try? FileManager.default.removeItem(at: tmp)
        throw WriteError(path: url.path, reason: reason)
    }
}

/// Writes UTF-8 `text` atomically (see `writeAtomically(_:to:)`).
public func writeAtomically(_ text: String, to url: URL) throws {
    try writeAtomically(Data(text.utf8), to: url)
}
