import Base
import Features
import Foundation
import NeuralNet

/// Classifies clips with a saved model: the file alone says which features to compute
/// (preset, number of coefficients, offset and duration), how to normalise them and the
/// class order.
public struct Predictor {
    public let modelURL: URL
    public let labels: [String]
    public let presetName: String
    let model: Sequential
    let standardizer: Standardizer?
    let preset: FeaturePreset
    let nMFCC: Int
    let offset: Double
    let duration: Double

    public init(modelURL: URL) throws {
        self.modelURL = modelURL
        let loaded = try ModelFile.load(from: modelURL)
        model = loaded.model
        standardizer = loaded.standardizer
        let meta = loaded.metadata
        labels = (meta["classes"] ?? "").split(separator: ",").map(String.init)
        presetName = meta["feature_preset"] ?? "notebook"
        guard let p = FeaturePreset.named(presetName) else {
            throw StudyError.corruptOutput(path: modelURL.path, reason: "unknown feature preset '\(presetName)' in its metadata")
        }
        preset = p
        nMFCC = Int(meta["n_mfcc"] ?? "40") ?? 40
        offset = Double(meta["offset_s"] ?? "0.5") ?? 0.5
        duration = Double(meta["duration_s"] ?? "3") ?? 3
        guard labels.count >= 2 else {
            throw StudyError.corruptOutput(path: modelURL.path, reason: "its metadata names no classes")
        }
    }

    public struct Prediction {
        public let path: String
        public let label: String
        /// Probabilities in `labels` order.
        public let probabilities: [Float]
    }

    /// The prediction for one clip; errors name the clip.
    public func predict(_ url: URL) throws -> Prediction {
        var x = try extractMFCCMeans(url: url, preset: preset, offset: offset, duration: duration, nMFCC: nMFCC)
        if let s = standardizer { x = s.apply(x) }
        let p = model.predictProbabilities(x, count: 1)
        let k = argmax(p, row: 0, classes: labels.count)
        return Prediction(path: url.path, label: labels[k], probabilities: Array(p.prefix(labels.count)))
    }
}
