@testable import DemoServer
import Features
import Foundation
import Inference
import NeuralNet
import TestSupport
import XCTest

/// The demo on a model of every feature set: it computes the set the model file names, answers
/// exactly as `Predictor` does for the same clip, names the set on its page and in its answer,
/// and refuses a model whose training collapsed.
final class FeatureSetModelDemoTests: XCTestCase {
    func model(_ set: any FeatureSet, in folder: URL, extra: [String: String] = [:]) throws -> URL {
        var recipe = FeatureRecipe(preset: "librosa")
        recipe.featureSet = .init(set)
        let network: Sequential
        switch set.shape {
        case .vector: network = NotebookCNN.make(inputLength: set.columns.count, classes: DemoFixture.labels.count, seed: 11)
        case .sequence(let frames, let bands): network = TemporalCNN.make(frames: frames, bands: bands, classes: DemoFixture.labels.count, seed: 11)
        }
        let url = folder.appendingPathComponent("\(set.name).safetensors")
        try ModelFile.save(network, metadata: recipe.metadata().merging(ModelClasses(codes: DemoFixture.labels).metadata()) { a, _ in a }
                            .merging(extra) { a, _ in a }, to: url)
        return url
    }

    func testTheDemoServesAModelOfEveryFeatureSet() async throws {
        let files = try DemoFixture.files.get()
        let folder = try SharedData.temporaryDirectory("demo-sets")
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = files.exampleFiles[2]
        let bytes = [UInt8](try Data(contentsOf: clip))
        for base in FeatureSets.all {
            let set = base.configured(preset: .librosa)
            let url = try model(set, in: folder)
            let classifier = try ClipClassifier(modelURL: url, workers: 1)
            XCTAssertEqual(classifier.summary.featureSet, set.name)
            let report = try await classifier.classify(bytes)
            let expected = try Predictor(modelURL: url).predict(clip)
            XCTAssertEqual(report.label, expected.label, set.name)
            for (i, code) in DemoFixture.labels.enumerated() {
                XCTAssertEqual(report.confidences[code], expected.probabilities[i], "\(set.name): \(code)")
            }
            let page = Page.html(examples: [], model: classifier.summary, classes: classifier.classes, recipe: classifier.recipe)
            XCTAssertTrue(page.contains("\(set.name) features"), set.name)
        }
    }

    func testACollapsedModelIsRefusedNamingTheFile() throws {
        let folder = try SharedData.temporaryDirectory("demo-collapsed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try model(MFCCMeansSet(preset: .librosa), in: folder, extra: [FeatureRecipe.collapsedKey: "true"])
        XCTAssertThrowsError(try ClipClassifier(modelURL: url, workers: 1)) { e in
            XCTAssertTrue("\(e)".contains(url.path) && "\(e)".contains("collapsed"), "\(e)")
        }
    }
}
