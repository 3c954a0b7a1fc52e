import Foundation

/// Why a clip could not be read or written. Every case names the file, so that a message
/// printed from deep inside a 2800-clip run still tells the user which file to look at.
public enum AudioError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    /// The path names a folder, FIFO, socket or device rather than a regular file (`kind`).
    case notAFile(path: String, kind: String)
    case emptyFile(path: String)
    /// A WAV or AIFF file whose chunks declare more bytes than the file holds: cut short in a
    /// copy or a download. libsndfile would silently decode the part that is there.
    case truncated(path: String, reason: String)
    /// A header rate outside `AudioFile.sampleRateRange` (a damaged header, or not speech).
    case unsupportedSampleRate(path: String, rate: Int)
    case unreadable(path: String, reason: String)
    case noAudio(path: String, reason: String)
    case invalidSamples(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case resampleFailed(reason: String)
    /// The clip ends before the requested offset, so nothing is left to analyse.
    case shorterThanOffset(path: String, duration: Double, offset: Double)
    /// An argument such as a negative offset or duration.
    case invalidArgument(path: String, reason: String)

    /// The file the error is about (nil for `resampleFailed`, which names it in its reason).
    public var path: String? {
        switch self {
        case .fileNotFound(let p), .notAFile(let p, _), .emptyFile(let p), .truncated(let p, _),
             .unsupportedSampleRate(let p, _), .unreadable(let p, _), .noAudio(let p, _), .invalidSamples(let p, _),
             .writeFailed(let p, _), .shorterThanOffset(let p, _, _), .invalidArgument(let p, _):
            return p
        case .resampleFailed:
            return nil
        }
    }

    /// What is wrong, without the path (for tables that list the path in a column of its own).
    public var reason: String {
        switch self {
        case .fileNotFound:
            return "no such file"
        case .notAFile(_, let kind):
            return "not an audio file but \(kind)"
        case .truncated(_, let reason):
            return "the file is truncated (\(reason)); re-copy or re-download it"
        case .unsupportedSampleRate(_, let rate):
            let r = AudioFile.sampleRateRange
            return "sample rate \(rate) Hz is outside \(r.lowerBound)…\(r.upperBound) Hz, the rates this study reads (a damaged header?)"
        case .emptyFile:
            return "the file is empty (0 bytes); re-copy or re-download it"
        case .unreadable(_, let reason):
            return "not a readable audio file (\(reason)); expected WAV, AIFF or FLAC"
        case .noAudio(_, let reason), .invalidSamples(_, let reason), .invalidArgument(_, let reason):
            return reason
        case .writeFailed(_, let reason):
            return "could not write audio (\(reason))"
        case .resampleFailed(let reason):
            return "resampling failed: \(reason)"
        case .shorterThanOffset(_, let duration, let offset):
            return "the clip lasts \(String(format: "%.3f", duration)) s, shorter than the \(offset) s offset; "
                + "nothing is left to analyse (use a smaller offset or drop this clip)"
        }
    }

    public var description: String { path.map { "\($0): \(reason)" } ?? reason }
}
