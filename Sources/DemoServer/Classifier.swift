import Audio
import Foundation
import Inference

/// What `POST /api/predict` answers: the study's prediction for one clip, in the JSON shape
/// of issue 7 (`duration_s` and `sample_rate` describe the file as uploaded, before the
/// analysis window and resampling).
public struct ClipReport: Codable, Sendable, Equatable {
    public var label: String
    /// Softmax probability of every class, keyed by the model's class names; Float as the
    /// network computes them, so that the JSON digits round-trip to the very same numbers.
    public var confidences: [String: Float]
    public var durationSeconds: Double
    public var sampleRate: Int
    public var model: ModelSummary
    /// PNG data URIs, only when the request asks for them (`?figures=1`): drawing costs more
    /// than the prediction itself.
    public var figures: Figures?

    enum CodingKeys: String, CodingKey {
        case label, confidences, model, figures
        case durationSeconds = "duration_s"
        case sampleRate = "sample_rate"
    }
}

/// Which model answered, so that a screenshot or a log line can be traced to a study run.
public struct ModelSummary: Codable, Sendable, Equatable {
    public var file: String
    public var featurePreset: String
    /// The feature set the model reads (`mfcc-means`, …).
    public var featureSet: String = "mfcc-means"
    public var classes: [String]
    /// The corpus it was trained on, when the model file says (files from `study run` do).
    public var corpus: String?

    enum CodingKeys: String, CodingKey {
        case file, classes, corpus
        case featurePreset = "feature_preset", featureSet = "feature_set"
    }
}

public struct Figures: Codable, Sendable, Equatable {
    public var waveform: String
    public var spectrogram: String
}

/// Classifies uploaded clips exactly as `study predict` does — both run Inference's
/// `Predictor`, so the features (the model file's recipe) cannot drift between them — and turns
/// decoder errors into client errors.
public final class ClipClassifier: Sendable {
    public let summary: ModelSummary
    /// The model's classes with their display names, for the page.
    public let classes: ModelClasses
    /// How the model turns a clip into features (offset, duration, rate…), for the page and
    /// for error messages.
    public let recipe: FeatureRecipe
    private let pool: PredictorPool

    public init(modelURL: URL, workers: Int) throws {
        let first = try Predictor(modelURL: modelURL)
        // A collapsed model answers one class whatever the clip: serving it would be a lie.
        guard !first.collapsed else {
            throw InvalidModelFile(path: modelURL.path, reason: "its training collapsed to the uniform prediction (it answers one class "
                                   + "for every clip), so the demo will not serve it; chapter 5 of a study run saves a collapse-free "
                                   + "model as 05-training/model.safetensors when the notebook's recipe collapses")
        }
        var predictors = [first]
        for _ in 1..<max(1, workers) { predictors.append(try Predictor(modelURL: modelURL)) }
        recipe = first.recipe
        classes = first.classes
        summary = ModelSummary(file: modelURL.lastPathComponent, featurePreset: first.presetName, featureSet: first.featureSet.name,
                               classes: first.labels,
                               corpus: first.corpus)
        pool = PredictorPool(predictors)
    }

    /// The report for an uploaded file's bytes. Throws `DemoError` for anything wrong with
    /// the upload; other errors are the server's own.
    public func classify(_ bytes: [UInt8], figures: Bool = false) async throws -> ClipReport {
        guard !bytes.isEmpty else { throw DemoError.emptyBody }
        let offset = recipe.offset
        let summary = summary
        return try await pool.withPredictor { predictor in
            do {
                return try UploadFile.withTemporaryFile(holding: bytes) { url in
                    try Self.report(for: url, predictor: predictor, summary: summary, figures: figures)
                }
            } catch {
                throw DemoError.from(error, offset: offset) ?? error
            }
        }
    }

    private static func report(for url: URL, predictor: Predictor, summary: ModelSummary, figures: Bool) throws -> ClipReport {
        let info = try AudioFile.info(url)
        let prediction = try predictor.predict(url)
        // The features are checked finite (a clip whose samples overflow is a 422); NaN here
        // means the network itself overflows (weights near Float's limit): the server's model
        // is at fault, a 500 that is logged, and no NaN reaches the JSON encoder.
        guard prediction.probabilities.allSatisfy(\.isFinite) else {
            throw ModelOutputError(model: summary.file)
        }
        let confidences = Dictionary(uniqueKeysWithValues: zip(predictor.labels, prediction.probabilities))
        return ClipReport(label: prediction.label, confidences: confidences, durationSeconds: info.duration,
                          sampleRate: info.sampleRate, model: summary,
                          figures: figures ? try Figures(predictor.figures(url)) : nil)
    }
}

/// The model gave NaN or infinite probabilities for features that were finite.
struct ModelOutputError: Error, CustomStringConvertible {
    let model: String
    var description: String { "\(model): the network's probabilities are NaN or infinite (its weights overflow Float)" }
}

extension Figures {
    /// Both figures as inline PNG data URIs.
    init(_ figures: ClipFigures) throws {
        self.init(waveform: try ClipFigures.dataURI(figures.waveform),
                  spectrogram: try ClipFigures.dataURI(figures.spectrogram))
    }
}

/// Hands each request a predictor of its own: `Sequential` keeps per-instance work buffers,
/// so one network cannot serve two threads at once. Requests beyond the pool's size wait
/// their turn in arrival order.
actor PredictorPool {
    private var idle: [PooledPredictor]
    private var waiting: [CheckedContinuation<PooledPredictor, Never>] = []

    init(_ predictors: [Predictor]) {
        idle = predictors.map(PooledPredictor.init)
    }

    /// Runs `body` off the actor (nonisolated), so that clips are analysed in parallel.
    nonisolated func withPredictor<T>(_ body: (Predictor) throws -> T) async throws -> T {
        let slot = await acquire()
        let result = Result { try body(slot.predictor) }
        await release(slot)
        return try result.get()
    }

    private func acquire() async -> PooledPredictor {
        if let slot = idle.popLast() { return slot }
        return await withCheckedContinuation { waiting.append($0) }
    }

    private func release(_ slot: PooledPredictor) {
        if waiting.isEmpty { idle.append(slot) } else { waiting.removeFirst().resume(returning: slot) }
    }
}

/// A predictor that only the pool moves between tasks, one holder at a time; that discipline,
/// not the type system, is what makes handing it across threads safe: `@unchecked` because
/// `Predictor` holds a `Sequential` (a class with mutable work buffers), and the pool never
/// gives one slot to two holders at once, so those buffers are never touched concurrently.
final class PooledPredictor: @unchecked Sendable {
    let predictor: Predictor
    init(_ predictor: Predictor) { self.predictor = predictor }
}
