import Audio
import Features
import Foundation
@testable import Inference
import NeuralNet
import TestSupport
import XCTest

/// A model file of every feature set: its recipe names the set (name, version, parameters),
/// `Predictor` computes that set for a clip, and the network's input is exactly the set's
/// features as `FeatureSets.extract` computes them in the recipe's window (the property), for
/// the vector sets and the sequence set alike.
final class FeatureSetModelTests: XCTestCase {
    var folder: URL!
    static let codes = ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"]

    override func setUpWithError() throws { folder = try SharedData.temporaryDirectory("feature-set-models") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func clip() throws -> URL {
        let rate = 24414
        let samples = (0..<Int(2.2 * Double(rate))).map { i -> Float in
            let t = Double(i) / Double(rate)
            return Float(0.3 * sin(2 * Double.pi * (150 + 40 * t) * t) + 0.05 * sin(2 * Double.pi * 2200 * t))
        }
        let url = folder.appendingPathComponent("clip.wav")
        try AudioFile.writeWAV16(samples, sampleRate: rate, to: url)
        return url
    }

    /// A network that takes `set`'s values: the notebook CNN for a vector set, the temporal CNN
    /// for a sequence set.
    func network(for set: any FeatureSet) -> (Sequential, String) {
        switch set.shape {
        case .vector: return (NotebookCNN.make(inputLength: set.columns.count, classes: 7, seed: 5), NotebookCNN.architecture)
        case .sequence(let frames, let bands): return (TemporalCNN.make(frames: frames, bands: bands, classes: 7, seed: 5), TemporalCNN.architecture)
        }
    }

    func save(_ set: any FeatureSet, recipe: FeatureRecipe, name: String) throws -> URL {
        let (model, architecture) = network(for: set)
        let url = folder.appendingPathComponent(name)
        try ModelFile.save(model, metadata: recipe.metadata().merging(ModelClasses(codes: Self.codes).metadata()) { a, _ in a },
                           modelName: architecture, to: url)
        return url
    }

    func testEveryFeatureSetRoundTripsThroughAModelFileAndIsWhatPredictComputes() throws {
        let clip = try clip()
        for base in FeatureSets.all {
            for preset in [FeaturePreset.notebook, .librosa] {
                let set = base.configured(preset: preset)
                var recipe = FeatureRecipe(preset: preset.name)
                recipe.featureSet = .init(set)
                let url = try save(set, recipe: recipe, name: "\(set.name)-\(preset.name).safetensors")
                let predictor = try Predictor(modelURL: url)
                XCTAssertEqual(predictor.featureSet.name, set.name)
                XCTAssertEqual(predictor.recipe.featureSet, FeatureRecipe.FeatureSetCard(set), "the card survives the file")
                let expected = try FeatureSets.extract(set, url: clip, preset: preset, window: .init(offset: 0.5, duration: 3, sampleRate: 22050))
                let x = try predictor.features(clip)
                XCTAssertEqual(x.count, set.valuesPerClip, set.name)
                XCTAssertEqual(x, expected, "\(set.name) (\(preset.name)): the predictor's input is the set's features")
                let p = try predictor.predict(clip)
                XCTAssertEqual(p.probabilities.count, 7)
                XCTAssertEqual(Double(p.probabilities.reduce(0, +)), 1, accuracy: 1e-4)
            }
        }
    }

    func testACardThisBuildCannotComputeIsRefusedNamingTheFileAndTheSet() throws {
        let set = FeatureSets.named("mfcc-functionals")!
        var recipe = FeatureRecipe()
        recipe.featureSet = .init(name: set.name, version: set.version + 1, parameters: set.parameters.map { [$0.0, $0.1] })
        let newer = try save(set, recipe: recipe, name: "newer.safetensors")
        XCTAssertThrowsError(try Predictor(modelURL: newer)) { e in
            XCTAssertTrue("\(e)".contains(newer.path) && "\(e)".contains("version \(set.version + 1)"), "\(e)")
        }
        recipe.featureSet = .init(name: set.name, version: set.version, parameters: [["delta_width", "5"]])
        let other = try save(set, recipe: recipe, name: "other.safetensors")
        XCTAssertThrowsError(try Predictor(modelURL: other)) { e in XCTAssertTrue("\(e)".contains("delta_width=5"), "\(e)") }
        recipe.featureSet = .init(name: "wav2vec-<script>", version: 1, parameters: [])
        let unknown = try save(set, recipe: recipe, name: "unknown.safetensors")
        XCTAssertThrowsError(try Predictor(modelURL: unknown)) { e in XCTAssertTrue("\(e)".contains("which this build does not have"), "\(e)") }
        // A set whose size does not fit the network: mfcc-functionals' card on a 40-input CNN.
        recipe.featureSet = .init(set)
        let url = folder.appendingPathComponent("misfit.safetensors")
        try ModelFile.save(NotebookCNN.make(inputLength: 40, classes: 7, seed: 1),
                           metadata: recipe.metadata().merging(ModelClasses(codes: Self.codes).metadata()) { a, _ in a }, to: url)
        XCTAssertThrowsError(try Predictor(modelURL: url)) { e in XCTAssertTrue("\(e)".contains("720 values per clip") && "\(e)".contains("40 inputs"), "\(e)") }
    }

    func testFilesWithoutACardReadMFCCMeansAndSayWhetherTheyCollapsed() throws {
        let url = try save(MFCCMeansSet(), recipe: FeatureRecipe(), name: "plain.safetensors")
        let p = try Predictor(modelURL: url)
        XCTAssertEqual(p.featureSet.name, "mfcc-means")
        XCTAssertFalse(p.collapsed)
        let (model, _) = network(for: MFCCMeansSet())
        let collapsed = folder.appendingPathComponent("collapsed.safetensors")
        try ModelFile.save(model, metadata: FeatureRecipe().metadata().merging(ModelClasses(codes: Self.codes).metadata()) { a, _ in a }
                            .merging([FeatureRecipe.collapsedKey: "true"]) { a, _ in a }, to: collapsed)
        XCTAssertTrue(try Predictor(modelURL: collapsed).collapsed)
    }
}
