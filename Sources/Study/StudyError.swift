import Base
import Foundation

/// Errors of the study runner. Each names the file or folder and says what to do.
public enum StudyError: Error, CustomStringConvertible {
    case missingOutput(path: String)
    case corruptOutput(path: String, reason: String)
    case invalidOption(String)
    case noUsableClips(path: String, reason: String)
    case featureFailures(count: Int, first: String)
    case outputNotWritable(path: String, reason: String)
    case tooFewClips(what: String, train: Int, validation: Int)
    /// A chapter asked to write a file whose name is not a safe relative path inside its folder
    /// (a bug: data-derived names go through `SafeFileName`); nothing was written.
    case unsafeOutputPath(name: String, folder: String, reason: String)

    public var description: String {
        switch self {
        case .missingOutput(let path):
            return "\(path): missing; run the earlier chapters first (`study run`, or `study run --from` an earlier chapter)"
        case .corruptOutput(let path, let reason):
            return "\(path): unreadable (\(reason)); delete it, or re-run with `study run --from` the chapter that wrote it"
        case .invalidOption(let text):
            return text
        case .noUsableClips(let path, let reason):
            return "\(path): \(reason)"
        case .featureFailures(let count, let first):
            return "feature extraction failed for \(count) clip(s); first: \(first)"
        case .tooFewClips(let what, let train, let validation):
            return "\(what): \(train) training and \(validation) validation clips are too few to train on; the study needs a few clips per emotion (TESS has 400)"
        case .unsafeOutputPath(let name, let folder, let reason):
            return "\(folder): refused to write '\(name)': \(reason); nothing is written outside the output folder (please report this)"
        case .outputNotWritable(let path, let reason):
            return "\(path): cannot write the output folder (\(reason)); choose another with --output"
        }
    }
}
