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
        }
    }
}
