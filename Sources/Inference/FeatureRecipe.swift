import Base
import Features
import NeuralNet
import Foundation

/// Everything that turns a clip into the model's input: the feature preset, the number of
/// MFCCs, the analysis window (librosa.load's `offset` and `duration`), the analysis rate and
/// whether the means were standardised. Training writes it once into the model file; `study
/// predict` and the demo read it back, so the three can never compute different features.
public struct FeatureRecipe: Codable, Sendable, Equatable {
    /// `notebook` (resampy kaiser_best, reflect padding) or `librosa` (soxr HQ, zero padding).
    public var preset: String
    /// MFCC coefficients per frame; their means over frames are the features.
    public var nMFCC: Int
    /// Seconds skipped at the start of each clip (the notebook's `librosa.load(offset=0.5)`).
    public var offset: Double
    /// Seconds analysed after the offset (the notebook's `librosa.load(duration=3)`).
    public var duration: Double
    /// The analysis rate every clip is resampled to (librosa's default 22050 Hz).
    public var sampleRate: Int
    /// How the means were normalised before the network: `none` (the notebook's raw means) or
    /// `per-coefficient` (z-score with the training split's statistics, stored in the model file).
    public var standardization: Standardization
    /// The feature set the model reads (`FeatureSets`), as it was when the model was trained:
    /// name, version and parameters. nil in files written before feature sets existed, which
    /// all hold `mfcc-means`.
    public var featureSet: FeatureSetCard?

    /// A feature set as a model file records it.
    public struct FeatureSetCard: Codable, Sendable, Equatable {
        public var name: String
        public var version: Int
        /// `key=value` pairs in the set's order.
        public var parameters: [[String]]
        public init(name: String, version: Int, parameters: [[String]]) {
            self.name = name
            self.version = version
            self.parameters = parameters
        }
        /// The card of `set`.
        public init(_ set: any FeatureSet) {
            self.init(name: set.name, version: set.version, parameters: set.parameters.map { [$0.0, $0.1] })
        }
    }

    /// `text` from a file, for a message: `visibleText`, at most 80 characters.
    private func visible(_ text: String) -> String {
        let shown = visibleText(text)
        return shown.count > 80 ? shown.prefix(80) + "…" : shown
    }

    /// Why a recipe's feature set cannot be computed by this build.
    public struct SetMismatch: Error, Sendable { public var reason: String }

    /// The feature set's name (`mfcc-means` for files without a card).
    public var featureSetName: String { featureSet?.name ?? "mfcc-means" }

    /// The set this recipe computes, configured with its preset (and, for `mfcc-means`, its
    /// coefficient count), or why this build cannot compute what the model was trained on.
    public func resolvedFeatureSet() -> Result<any FeatureSet, SetMismatch> {
        guard let preset = featurePreset else { return .failure(SetMismatch(reason: "unknown feature preset '\(self.preset)'")) }
        let set: any FeatureSet
        if featureSetName == "mfcc-means" {
            set = MFCCMeansSet(preset: preset, nMFCC: nMFCC)
        } else if let named = FeatureSets.named(featureSetName) {
            set = named.configured(preset: preset)
                .configured(window: .init(offset: offset, duration: duration, sampleRate: sampleRate))
        } else {
            return .failure(SetMismatch(reason: "it was trained on the feature set '\(visible(featureSetName))', which this build does not have "
                                        + "(it has \(FeatureSets.all.map(\.name).joined(separator: ", ")))"))
        }
        if let card = featureSet {
            let here = FeatureSetCard(set)
            // The card comes from a file: shown with control characters made visible and at
            // most 8 parameters.
            func shown(_ p: [[String]]) -> String {
                let parts = p.prefix(8).map { visible($0.joined(separator: "=")) }
                return parts.joined(separator: " ") + (p.count > 8 ? " … (\(p.count) parameters)" : "")
            }
            guard card.version == here.version else {
                let newer = card.version > here.version
                return .failure(SetMismatch(reason: "it was trained on \(visible(card.name)) version \(card.version); this build computes version "
                                            + "\(here.version)" + (newer ? " (the model is newer than this build: update the study)" : "")))
            }
            guard card.parameters == here.parameters else {
                return .failure(SetMismatch(reason: "it was trained on \(visible(card.name)) with \(shown(card.parameters)); this build computes \(shown(here.parameters))"))
            }
        }
        return .success(set)
    }

    public enum Standardization: String, Codable, Sendable, CaseIterable {
        case none
        /// Each MFCC coefficient z-scored with the training split's mean and deviation.
        case perCoefficient = "per-coefficient"
        /// Each coefficient centred on its training mean, all scaled by one deviation.
        case centred
        /// One mean and one deviation over all coefficients of the training split.
        case global

        /// The statistics' scope, nil for `none`.
        public var scope: Standardizer.Scope? {
            switch self {
            case .none: return nil
            case .perCoefficient: return .perCoefficient
            case .centred: return .centred
            case .global: return .global
            }
        }
    }

    public init(preset: String = "notebook", nMFCC: Int = 40, offset: Double = 0.5, duration: Double = 3,
                sampleRate: Int = 22050, standardization: Standardization = .none, featureSet: FeatureSetCard? = nil) {
        self.featureSet = featureSet
        self.preset = preset
        self.nMFCC = nMFCC
        self.offset = offset
        self.duration = duration
        self.sampleRate = sampleRate
        self.standardization = standardization
    }

    /// The notebook's recipe: `notebook` preset, 40 MFCCs, offset 0.5 s, duration 3 s, 22050 Hz,
    /// raw means.
    public static let notebook = FeatureRecipe()

    /// The preset this recipe names; nil when it names none this build knows.
    public var featurePreset: FeaturePreset? { FeaturePreset.named(preset) }

    /// The model file's record of whether training collapsed to one class (`"true"`/`"false"`):
    /// the demo refuses to serve such a model.
    public static let collapsedKey = "training_collapsed"

    /// The key under which the recipe is stored (as JSON) in a model file's metadata.
    public static let metadataKey = "feature_recipe"

    /// The recipe as model-file metadata: `{"feature_recipe": "<JSON>"}`.
    public func metadata() -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return [Self.metadataKey: json]
    }

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let reason: String
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        public var description: String { "\(path): \(reason); re-train it with `study run` to write a current model file" }
    }

    /// Reads the recipe from a model file's metadata (`file` names it in errors). Model files
    /// written before the recipe existed carry `feature_preset`, `n_mfcc`, `offset_s` and
    /// `duration_s` instead; those are read too.
    public init(metadata: [String: String], file: String) throws {
        if let json = metadata[Self.metadataKey] {
            do { self = try JSONDecoder().decode(FeatureRecipe.self, from: Data(json.utf8)) } catch {
                throw Invalid(path: file, reason: "its '\(Self.metadataKey)' metadata is not a feature recipe (\(error))")
            }
        } else if let preset = metadata["feature_preset"] {
            // Missing keys take the notebook's values (the defaults of `init`).
            let d = FeatureRecipe.notebook
            self.init(preset: preset, nMFCC: Int(metadata["n_mfcc"] ?? "") ?? d.nMFCC,
                      offset: Double(metadata["offset_s"] ?? "") ?? d.offset,
                      duration: Double(metadata["duration_s"] ?? "") ?? d.duration,
                      standardization: metadata["standardized"] == "true" ? .perCoefficient : .none)
        } else {
            throw Invalid(path: file, reason: "its metadata has no '\(Self.metadataKey)'")
        }
        guard featurePreset != nil else {
            throw Invalid(path: file, reason: "unknown feature preset '\(preset)' in its recipe")
        }
        guard nMFCC >= 1, nMFCC <= 128, offset >= 0, offset.isFinite, duration > 0, duration.isFinite,
              sampleRate >= 1000, sampleRate <= 384_000 else {
            throw Invalid(path: file, reason: "its feature recipe is out of range (\(nMFCC) MFCCs, offset \(offset) s, duration \(duration) s, \(sampleRate) Hz)")
        }
    }
}
