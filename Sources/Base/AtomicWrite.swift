import Foundation

/// Why a file could not be written. Names the file and the system's reason (a full disk says
/// "No space left on device", not "not writable").
public struct WriteError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    /// The system's error number when the failure came from a system call (nil otherwise).
    public let code: Int32?
    public init(path: String, reason: String, code: Int32? = nil) {
        self.path = path
        self.reason = reason
        self.code = code
    }
    /// A failed system call: the reason is the system's text for `code`.
    public init(path: String, code: Int32) {
        self.init(path: path, reason: String(cString: strerror(code)), code: code)
    }
    /// The disk, or the user's quota, is full (ENOSPC, EDQUOT).
    public var isDiskFull: Bool { code == ENOSPC || code == EDQUOT }

    /// What to do about it, by cause: a full disk is not a permission problem.
    public var hint: String {
        if isDiskFull { return "the disk (or your quota) is full: free some space, or write somewhere else" }
        switch code {
        case EACCES?, EPERM?, EROFS?: return "the folder is not writable: check its permissions, or write somewhere else"
        case ENAMETOOLONG?: return "the path is too long (a name over 255 bytes, or a path over 4096): choose a shorter output folder"
        case ENOENT?: return "a folder on the way does not exist: create it, or choose another"
        case ENOTDIR?: return "a part of the path is a file, not a folder: choose another"
        default: return "check that the folder exists, is writable and the disk is not full"
        }
    }
    public var description: String { "\(path): cannot write (\(reason)); \(hint)" }
}

/// Creates `folder` and the folders above it that are missing (`mkdir -p`), with the system's
/// reason when one cannot be made (Foundation's createDirectory says only "file error 514").
public func makeFolders(_ folder: URL) throws {
    let parts = folder.standardizedFileURL.path.split(separator: "/", omittingEmptySubsequences: true)
    var path = folder.path.hasPrefix("/") ? "" : "."
    for part in parts {
        path += "/" + part
        if mkdir(path, 0o755) == 0 { continue }
        let code = errno
        var st = stat()
        if code == EEXIST, stat(path, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { continue }
            throw WriteError(path: path, reason: "cannot create the folder \(folder.path): \(path) is a file, not a folder", code: ENOTDIR)
        }
        throw WriteError(path: folder.path, reason: "cannot create the folder (\(String(cString: strerror(code))) at \(path))", code: code)
    }
}

/// Writes `data` to `url` atomically: a temporary file beside it, written in full and flushed,
/// then renamed over the target. An interrupted run therefore leaves either the old file or the
/// new one, never a half-written one. The one atomic write of the whole package: every module
/// that writes a file people or later runs rely on calls this. With `createFolders` false, a
/// missing folder is an error ("the folder … does not exist") instead of being created.
public func writeAtomically(_ data: Data, to url: URL, createFolders: Bool = true) throws {
    let dir = url.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    if !FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory) {
        guard createFolders else { throw WriteError(path: url.path, reason: "the folder \(dir.path) does not exist") }
        try makeFolders(dir)
    } else if !isDirectory.boolValue {
        throw WriteError(path: url.path, reason: "\(dir.path) is a file, not a folder")
    }
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp")
    let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw WriteError(path: url.path, code: errno) }
    var failure: Int32?
    data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return
            }
            offset += n
        }
    }
    if failure == nil, fsync(fd) != 0 { failure = errno }
    if close(fd) != 0, failure == nil { failure = errno }
    if let failure {
        unlink(tmp.path)
        throw WriteError(path: url.path, code: failure)
    }
    if rename(tmp.path, url.path) != 0 {
        let code = errno
        unlink(tmp.path)
        throw WriteError(path: url.path, code: code)
    }
}

/// Writes UTF-8 `text` atomically (see `writeAtomically(_:to:)`).
public func writeAtomically(_ text: String, to url: URL, createFolders: Bool = true) throws {
    try writeAtomically(Data(text.utf8), to: url, createFolders: createFolders)
}
