import Base
import Features
import Foundation
import NeuralNet

/// Classifies clips with a saved model. The file alone says which features to compute (its
/// `FeatureRecipe`: preset, number of coefficients, offset, duration, analysis rate), how to
/// normalise them (its standardizer) and what the outputs mean (its `ModelClasses`).
///
/// Not `Sendable`: the network keeps per-instance work buffers, so one predictor must not be
/// used by two threads at once (give each thread its own).
public struct Predictor {
    public let modelURL: URL
    public let recipe: FeatureRecipe
    public let classes: ModelClasses
    /// The corpus the model was trained on, as `study run` names it in the file (`"RAVDESS"`,
    /// `"synthetic TESS-shaped corpus"`); nil for files written before it did.
    public let corpus: String?
    /// Training ended at the uniform prediction (the file's `training_collapsed`; false for
    /// files that do not say): such a model answers one class for every clip.
    public let collapsed: Bool
    let model: Sequential
    let standardizer: Standardizer?
    let preset: FeaturePreset
    /// The feature set the network was trained on (its recipe's card; `mfcc-means` for files
    /// without one), configured with the recipe's preset.
    public let featureSet: any FeatureSet

    /// Class codes in output order (`classes.codes`).
    public var labels: [String] { classes.codes }

    /// The recipe's feature preset, `notebook` or `librosa`.
    public var presetName: String { recipe.preset }

    /// Reads weights, standardizer, recipe and classes. Throws `InvalidModelFile` (naming the
    /// file) when the recipe or the classes are missing or do not fit the network.
    public init(modelURL: URL) throws {
        let loaded = try ModelFile.load(from: modelURL)
        let path = modelURL.path
        let recipe = try FeatureRecipe(metadata: loaded.metadata, file: path)
        let classes = try ModelClasses(metadata: loaded.metadata, file: path)
        guard let preset = recipe.featurePreset else {   // FeatureRecipe(metadata:) already refuses this
            throw InvalidModelFile(path: path, reason: "unknown feature preset '\(recipe.preset)' in its recipe")
        }
        let featureSet: any FeatureSet
        switch recipe.resolvedFeatureSet() {
        case .success(let set): featureSet = set
        case .failure(let why): throw InvalidModelFile(path: path, reason: why.reason)
        }
        guard featureSet.valuesPerClip == loaded.model.inputSize else {
            throw InvalidModelFile(path: path, reason: "its feature set \(featureSet.name) gives \(featureSet.valuesPerClip) values per clip "
                                   + "but its network takes \(loaded.model.inputSize) inputs")
        }
        guard classes.count == loaded.model.classes else {
            throw InvalidModelFile(path: path, reason: "it names \(classes.count) classes but its network has "
                                   + "\(loaded.model.classes) outputs")
        }
        // The standardizer tensors, when present, are what training applied (the model file's
        // own `standardization` record says so); a recipe that asks for one without them is broken.
        if recipe.standardization != .none, loaded.standardizer == nil {
            throw InvalidModelFile(path: path, reason: "its recipe standardises the features but it holds no standardizer")
        }
        self.modelURL = modelURL
        self.recipe = recipe
        self.classes = classes
        self.corpus = loaded.metadata["corpus"].flatMap { $0.isEmpty ? nil : $0 }
        self.collapsed = loaded.metadata[FeatureRecipe.collapsedKey] == "true"
        self.model = loaded.model
        self.standardizer = loaded.standardizer
        self.preset = preset
        self.featureSet = featureSet
    }

    public struct Prediction: Sendable, Equatable {
        /// The clip's path as given.
        public let path: String
        /// The class code with the highest probability.
        public let label: String
        /// Probabilities in `labels` order.
        public let probabilities: [Float]
    }

    /// The network's input for one clip: its MFCC means by the recipe, standardised if the
    /// model was trained on standardised features. Errors name the clip.
    public func features(_ url: URL) throws -> [Float] {
        // The model's feature set, in its recipe's window.
        let x = try FeatureSets.extract(featureSet, url: url, preset: preset,
                                        window: .init(offset: recipe.offset, duration: recipe.duration, sampleRate: recipe.sampleRate))
        return standardizer.map { $0.apply(x) } ?? x
    }

    /// The prediction for one clip; errors name the clip.
    public func predict(_ url: URL) throws -> Prediction {
        let p = model.predictProbabilities(try features(url), count: 1)
        // Finite weights (`ModelFile.load` refuses others) can still be large enough to overflow
        // Float32 on the way: NaN probabilities, of which argmax would still name a class.
        if let bad = p.prefix(labels.count).first(where: { !$0.isFinite }) {
            throw InvalidModelFile(path: modelURL.path, reason: "its network answers \(bad) for \(url.lastPathComponent) "
                                   + "(its weights overflow Float32 arithmetic); a model needs weights that give finite probabilities")
        }
        let k = argmax(p, row: 0, classes: labels.count)
        return Prediction(path: url.path, label: labels[k], probabilities: Array(p.prefix(labels.count)))
    }

    /// The clip's waveform and spectrogram at the recipe's analysis rate (`ClipFigures.draw`),
    /// over the part the features look at: its first offset + duration seconds.
    public func figures(_ url: URL) throws -> ClipFigures {
        try ClipFigures.draw(url, sampleRate: recipe.sampleRate, seconds: recipe.offset + recipe.duration)
    }
}
