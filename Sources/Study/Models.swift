import Base
import Features
import Foundation
import NeuralNet

// The study's models as values: a registry, like the feature sets' (`FeatureSets`) and the
// chapters' (`Chapters`). Chapter 7 crosses them with the feature sets; nothing downstream
// names a particular model.

/// A model the study can train on one feature set's rows.
protocol StudyModel: Sendable {
    /// The registry name (`cnn1d`).
    var name: String { get }
    /// One line for listings and the report.
    var summary: String { get }
    /// Whether it takes this kind of feature set.
    func accepts(_ shape: FeatureShape) -> Bool
    /// Whether the default ladder (`--ladder default`) trains it on a set of this shape: cheap
    /// enough for the default run's time budget.
    func inDefaultLadder(_ shape: FeatureShape, valuesPerClip: Int) -> Bool
    /// Its cost per training row relative to the notebook's CNN on 40 values, to start the
    /// costliest runs first.
    func relativeCost(valuesPerClip: Int) -> Double
    /// Trains on the training rows, early-stopping (or nothing) on the validation rows.
    func train(_ data: ModelData, options: StudyOptions, seed: UInt64, label: String, progress: StudyProgress) throws -> TrainedModel
}

/// The rows a model trains and validates on: inputs row-major, `valuesPerClip` values each.
struct ModelData {
    var xTrain: [Float]
    var yTrain: [Int]
    var xValidation: [Float]
    var yValidation: [Int]
    var shape: FeatureShape
    var valuesPerClip: Int
    var classes: Int
}

/// A trained model: its class probabilities for any rows, and how the training went.
struct TrainedModel {
    /// Class probabilities of `count` rows, row-major (row × class).
    var probabilities: (_ x: [Float], _ count: Int) -> [Float]
    /// Epochs run (iterations for a convex fit) and the one kept.
    var epochs: Int
    var bestEpoch: Int
    /// Ended at the uniform prediction (val_loss ≈ ln classes), or predicts one class for every
    /// validation row.
    var collapsed: Bool
    /// The network, for the neural models (chapter 5 saves it).
    var network: Sequential?
}

extension TrainedModel {
    /// A neural model's training run: its network answers, its history says how it went.
    init(_ run: TrainingRun) {
        let model = run.model
        self.init(probabilities: { x, n in model.predictProbabilities(x, count: n) },
                  epochs: run.history.rows.count, bestEpoch: run.history.bestEpoch, collapsed: run.collapsed, network: model)
    }
}

/// The study's models.
public enum Models {
    static let all: [any StudyModel] = [CNN1DModel(), LogisticModel(), TCNModel()]

    static func named(_ name: String) -> (any StudyModel)? { all.first { $0.name == name } }

    /// The registry's names and one-line summaries, for the command line.
    public static var list: [(name: String, summary: String)] { all.map { ($0.name, $0.summary) } }

    /// The models that take a set of this shape, in registry order.
    static func taking(_ shape: FeatureShape) -> [any StudyModel] { all.filter { $0.accepts(shape) } }

    /// The notebook's model and the feature set it was made for: the ladder's baseline.
    static let baseline = (features: "mfcc-means", model: "cnn1d")
}

/// `cnn1d`: the notebook's 1-D CNN on any vector set (input length = D), trained with the
/// notebook's Adam, batch, epochs and early stopping (`TrainingRun.fit`).
struct CNN1DModel: StudyModel {
    var name: String { "cnn1d" }
    var summary: String { "the notebook's 1-D CNN (5 × Conv1D 5 + max-pool, Dense 32, softmax) over the D values of a vector set" }
    func accepts(_ shape: FeatureShape) -> Bool { shape.isVector }
    /// Its epoch costs about D / 40 of the notebook's: up to 128 values (3.2×) in the default.
    func inDefaultLadder(_ shape: FeatureShape, valuesPerClip: Int) -> Bool { shape.isVector && valuesPerClip <= 128 }
    func relativeCost(valuesPerClip: Int) -> Double { Double(valuesPerClip) / 40 }

    func train(_ d: ModelData, options o: StudyOptions, seed: UInt64, label: String, progress: StudyProgress) throws -> TrainedModel {
        TrainedModel(try TrainingRun.fit(xTrain: d.xTrain, yTrain: d.yTrain, xValidation: d.xValidation, yValidation: d.yValidation,
                                         features: d.valuesPerClip, classes: d.classes, options: o, seed: seed, label: label,
                                         progress: progress))
    }
}

/// `tcn`: a small temporal CNN over a sequence set's frames (NeuralNet's `TemporalCNN`: 4 ×
/// Conv1D(64, 5) + max-pool 2, global average pooling, dropout, a dense softmax), trained with
/// the same Adam, batch, epochs and early stopping as the notebook's network.
struct TCNModel: StudyModel {
    var name: String { "tcn" }
    var summary: String { "a temporal CNN over the frames (4 × Conv1D 64, 5 + max-pool 2, global average pooling, softmax)" }
    func accepts(_ shape: FeatureShape) -> Bool { !shape.isVector }
    /// Only a sequence set the run names (`--features logmel`) puts it in the default ladder.
    func inDefaultLadder(_ shape: FeatureShape, valuesPerClip: Int) -> Bool { !shape.isVector }
    /// Measured (`study-bench nn`, one thread): an epoch on 301 × 64 log-mel frames takes 1.42 s,
    /// about 1.6× the notebook's CNN on 40 means.
    func relativeCost(valuesPerClip: Int) -> Double { 1.6 }

    func train(_ d: ModelData, options o: StudyOptions, seed: UInt64, label: String, progress: StudyProgress) throws -> TrainedModel {
        guard case .sequence(let frames, let bands) = d.shape else {
            throw StudyError.invalidOption("the tcn model takes a sequence feature set (frames × bands), not a vector set")
        }
        return TrainedModel(try TrainingRun.fit(xTrain: d.xTrain, yTrain: d.yTrain, xValidation: d.xValidation,
                                                yValidation: d.yValidation, features: d.valuesPerClip, classes: d.classes,
                                                options: o, seed: seed, label: label, progress: progress) { seed in
            TemporalCNN.make(frames: frames, bands: bands, classes: d.classes, seed: seed)
        })
    }
}

/// `logistic`: multinomial logistic regression with L2 (scikit-learn's C = 1) on the training
/// side's rows, each column z-scored with the training rows' statistics first (scikit-learn's
/// StandardScaler + LogisticRegression pipeline), fitted to convergence with L-BFGS. It has no
/// epochs to stop early, so it fits on the training and validation rows together: the whole
/// training side, never a test row.
struct LogisticModel: StudyModel {
    /// scikit-learn's default inverse penalty strength.
    var c: Double = 1
    var name: String { "logistic" }
    var summary: String { "multinomial logistic regression, L2 (C = 1), per-column z-scores, L-BFGS to convergence" }
    func accepts(_ shape: FeatureShape) -> Bool { shape.isVector }
    func inDefaultLadder(_ shape: FeatureShape, valuesPerClip: Int) -> Bool { shape.isVector }
    func relativeCost(valuesPerClip: Int) -> Double { 0.05 * Double(valuesPerClip) / 40 }

    func train(_ d: ModelData, options o: StudyOptions, seed: UInt64, label: String, progress: StudyProgress) throws -> TrainedModel {
        let x = d.xTrain + d.xValidation, y = d.yTrain + d.yValidation
        let scaler = Standardizer.fit(x: x, count: y.count, features: d.valuesPerClip, scope: .perCoefficient)
        let start = Date()
        let fit = try LogisticRegression.fit(x: scaler.apply(x), samples: y.count, features: d.valuesPerClip, labels: y,
                                             classes: d.classes, c: c, tolerance: 1e-6, maxIterations: 500)
        progress.line(String(format: "%@: %d L-BFGS iterations%@ (%.2f s)", label, fit.iterations,
                             fit.converged ? ", converged" : ", not converged", Date().timeIntervalSince(start)))
        let predicted = fit.predict(scaler.apply(x), samples: y.count)
        return TrainedModel(probabilities: { x, n in fit.probabilities(scaler.apply(x), samples: n) },
                            epochs: fit.iterations, bestEpoch: fit.iterations,
                            collapsed: Set(predicted).count <= 1, network: nil)
    }
}
