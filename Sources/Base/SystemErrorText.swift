import Foundation

/// A Foundation or system error as the one line a user reads: the system's reason ("No such
/// file or directory", "File name too long", "Permission denied") instead of Foundation's
/// "The operation could not be completed" or a raw `NSCocoaErrorDomain Code=512`.
public enum SystemErrorText {
    /// The reason in `error`: the POSIX error underneath a Foundation file error when there is
    /// one, a plain reason for Foundation's own file codes, otherwise the error's description.
    public static func describe(_ error: Error) -> String {
        if let code = posixCode(error) { return String(cString: strerror(code)) }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or folder"
            case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
            case NSFileWriteOutOfSpaceError: return "no space left on the device"
            case NSFileWriteVolumeReadOnlyError: return "the file system is read-only"
            case NSFileWriteFileExistsError: return "a file of that name exists"
            case NSFileReadTooLargeError: return "the file is too large to read"
            case NSFileReadCorruptFileError: return "the file is not in the expected format"
            case NSFileReadInapplicableStringEncodingError: return "the text is not valid UTF-8"
            case NSFileReadUnknownError: return "the file could not be read"
            case NSFileWriteUnknownError: return "the file could not be written"
            default: return "file error \(ns.code)"
            }
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return String(describing: error)
    }

    /// The POSIX error number inside `error`, if any (directly, or as its underlying error).
    public static func posixCode(_ error: Error) -> Int32? {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return Int32(underlying.code)
        }
        return nil
    }
}
