import Foundation

/// Why a clip could not be read or written. Every case names the file, so that a message
/// printed from deep inside a 2800-clip run still tells the user which file to look at.
public enum AudioError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    case emptyFile(path: String)
    case unreadable(path: String, reason: String)
    case noAudio(path: String, reason: String)
    case invalidSamples(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case resampleFailed(reason: String)
    /// The clip ends before the requested offset, so nothing is left to analyse.
    case shorterThanOffset(path: String, duration: Double, offset: Double)
    /// An argument such as a negative offset or duration.
    case invalidArgument(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .emptyFile(let path):
            return "\(path): the file is empty (0 bytes); re-copy or re-download it"
        case .unreadable(let path, let reason):
            return "\(path): not a readable audio file (\(reason)); expected WAV, AIFF or FLAC"
        case .noAudio(let path, let reason):
            return "\(path): \(reason)"
        case .invalidSamples(let path, let reason):
            return "\(path): \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): could not write audio (\(reason))"
        case .resampleFailed(let reason):
            return "resampling failed: \(reason)"
        case .shorterThanOffset(let path, let duration, let offset):
            return "\(path): the clip lasts \(String(format: "%.3f", duration)) s, shorter than the \(offset) s offset; "
                + "nothing is left to analyse (use a smaller offset or drop this clip)"
        case .invalidArgument(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
