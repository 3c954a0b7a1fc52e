import Base
import Foundation

/// Everything a study run depends on. Defaults reproduce the notebook on the embedded
/// synthetic corpus: `notebook` feature preset, seed 42, up to 50 epochs, raw MFCC means.
public struct StudyOptions: Sendable {
    /// A real TESS copy (any layout); nil uses the synthetic TESS-shaped corpus.
    public var dataDirectory: URL?
    public var outputDirectory: URL = URL(fileURLWithPath: "output")
    /// Where the synthetic corpus is cached; default `<output>/corpus-synthetic`.
    public var corpusCache: URL?
    /// Words per speaker and emotion in the synthetic corpus (TESS has 200).
    public var syntheticWords: Int = 200
    public var syntheticSeed: UInt64 = 42
    /// `notebook` (resampy kaiser_best + reflect padding) or `librosa` (soxr HQ + zeros).
    public var preset: String = "notebook"
    public var seed: UInt64 = 42
    public var epochs: Int = 50
    public var batchSize: Int = 64
    public var patience: Int = 5
    /// Extra training runs over seeds seed+1 … for the spread of accuracy (0 = none).
    public var repeats: Int = 0
    /// Standardise each MFCC coefficient with the training split's mean and deviation.
    public var standardize: Bool = false
    /// Run the speaker-independent evaluation in chapter 7.
    public var speakerIndependent: Bool = true
    public var from: ChapterID?
    public var only: ChapterID?
    public var quiet: Bool = false
    public var threads: Int = 2

    public init() {}

    public var corpusFolder: URL {
        corpusCache ?? outputDirectory.appendingPathComponent("corpus-synthetic")
    }

    public func chapterFolder(_ id: ChapterID) -> URL {
        outputDirectory.appendingPathComponent(id.rawValue, isDirectory: true)
    }

    /// The options that change a chapter's result, as text for its cache key.
    func keyComponents(for id: ChapterID) -> [String] {
        switch id {
        case .load: return [dataDirectory?.standardizedFileURL.path ?? "synthetic:\(syntheticWords):\(syntheticSeed)"]
        case .eda, .targets: return []
        case .features: return ["preset=\(preset)"]
        case .training, .evaluation: return ["seed=\(seed)", "epochs=\(epochs)", "batch=\(batchSize)", "patience=\(patience)", "standardize=\(standardize)", "threads=\(threads)"]
        case .beyond: return ["threads=\(threads)", "seed=\(seed)", "epochs=\(epochs)", "batch=\(batchSize)", "patience=\(patience)", "standardize=\(standardize)", "repeats=\(repeats)", "si=\(speakerIndependent)"]
        }
    }
}

/// Bumped when a chapter's computation changes, so stale records are re-run.
let studyCodeVersion = "2"
