import Audio
import Features
import Foundation
import Inference
import NeuralNet
import TestSupport
import XCTest

/// The model file as Inference reads it: recipe and classes written at training time come back
/// unchanged, older files still load, and broken ones are refused with the file's name.
final class InferenceTests: XCTestCase {
    static let codes = ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"]
    static let names = ["angry", "disgust", "fear", "happy", "neutral", "pleasant surprise", "sad"]

    var folder: URL!

    override func setUpWithError() throws {
        folder = try SharedData.temporaryDirectory("inference-tests")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Saves an untrained notebook CNN for `inputs` features with `metadata`.
    func saveModel(_ name: String, inputs: Int = 40, classes: Int = 7, standardizer: Standardizer? = nil,
                   metadata: [String: String]) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try ModelFile.save(NotebookCNN.make(inputLength: inputs, classes: classes, seed: 3), standardizer: standardizer,
                           metadata: metadata, to: url)
        return url
    }

    /// A 1.5 s harmonic tone at 24414 Hz (TESS's rate), deterministic.
    func writeClip(_ name: String, f0: Double = 180, seconds: Double = 1.5, rate: Int = 24414) throws -> URL {
        let samples = (0..<Int(seconds * Double(rate))).map { i -> Float in
            let t = Double(i) / Double(rate)
            var sum = 0.0
            for h in 1...4 {
                let harmonic = Double(h)
                let phase: Double = 2 * Double.pi * f0 * harmonic * t
                sum += 0.2 * sin(phase) / harmonic
            }
            return Float(sum)
        }
        let url = folder.appendingPathComponent(name)
        try AudioFile.writeWAV16(samples, sampleRate: rate, to: url)
        return url
    }

    // MARK: Recipe and classes through a model file

    func testRecipeAndClassesRoundTripThroughAModelFile() throws {
        let recipe = FeatureRecipe(preset: "librosa", nMFCC: 20, offset: 0.25, duration: 1, sampleRate: 16000,
                                   standardization: .perCoefficient)
        let classes = ModelClasses(codes: Self.codes, displayNames: Self.names)
        let standardizer = Standardizer(mean: [Float](repeating: -10, count: 20), std: [Float](repeating: 20, count: 20))
        let url = try saveModel("new.safetensors", inputs: 20, standardizer: standardizer,
                                metadata: recipe.metadata().merging(classes.metadata()) { a, _ in a })

        let metadata = try ModelFile.load(from: url).metadata
        XCTAssertEqual(try FeatureRecipe(metadata: metadata, file: url.path), recipe)
        XCTAssertEqual(try ModelClasses(metadata: metadata, file: url.path), classes)
        XCTAssertEqual(metadata["classes"], Self.codes.joined(separator: ","), "codes stay comma-separated under 'classes'")
        XCTAssertEqual(ModelFile.classNames(metadata), Self.codes)

        let predictor = try Predictor(modelURL: url)
        XCTAssertEqual(predictor.recipe, recipe)
        XCTAssertEqual(predictor.classes.displayNames, Self.names)
        XCTAssertEqual(predictor.labels, Self.codes)
        XCTAssertEqual(predictor.classes.displayName("ps"), "pleasant surprise")
        XCTAssertEqual(predictor.presetName, "librosa")

        // The features follow the recipe (values written out here, not read from it), standardised.
        let clip = try writeClip("tone.wav")
        let raw = try extractMFCCMeans(url: clip, preset: .librosa, offset: 0.25, duration: 1, nMFCC: 20, sampleRate: 16000)
        XCTAssertEqual(try predictor.features(clip), raw.map { ($0 - -10) / 20 })
        let prediction = try predictor.predict(clip)
        XCTAssertEqual(prediction.probabilities.count, 7)
        XCTAssertEqual(prediction.probabilities.reduce(0, +), 1, accuracy: 1e-5)
        XCTAssertEqual(prediction.label, Self.codes[prediction.probabilities.indices.max { prediction.probabilities[$0] < prediction.probabilities[$1] }!])
        XCTAssertEqual(prediction.path, clip.path)
    }

    func testOldStyleModelFileStillLoads() throws {
        // As `study run` wrote them before the recipe existed: flat keys, no display names.
        let url = try saveModel("old.safetensors", metadata: [
            "classes": Self.codes.joined(separator: ","), "feature_preset": "librosa", "n_mfcc": "40",
            "offset_s": "0.75", "duration_s": "2.5", "standardized": "false", "seed": "42",
        ])
        let predictor = try Predictor(modelURL: url)
        XCTAssertEqual(predictor.recipe, FeatureRecipe(preset: "librosa", nMFCC: 40, offset: 0.75, duration: 2.5,
                                                       sampleRate: 22050, standardization: .none))
        XCTAssertEqual(predictor.labels, Self.codes)
        XCTAssertEqual(predictor.classes.displayNames, Self.codes, "display names default to the codes")
        XCTAssertEqual(predictor.classes.displayName("ps"), "ps")

        let clip = try writeClip("old.wav", seconds: 3.5)
        XCTAssertEqual(try predictor.features(clip),
                       try extractMFCCMeans(url: clip, preset: .librosa, offset: 0.75, duration: 2.5, nMFCC: 40, sampleRate: 22050))
    }

    func testUnknownPresetIsAClearErrorNamingTheFile() throws {
        var recipe = FeatureRecipe.notebook
        recipe.preset = "praat"
        let url = try saveModel("unknown-preset.safetensors",
                                metadata: recipe.metadata().merging(ModelClasses(codes: Self.codes).metadata()) { a, _ in a })
        XCTAssertThrowsError(try Predictor(modelURL: url)) { error in
            XCTAssertTrue(error is InvalidModelFile, "\(type(of: error))")
            let message = "\(error)"
            XCTAssertTrue(message.contains(url.path), message)
            XCTAssertTrue(message.contains("unknown feature preset 'praat'"), message)
        }
    }

    func testRecipeThatDoesNotFitTheNetworkIsRefused() throws {
        let recipe = FeatureRecipe(nMFCC: 13)
        let url = try saveModel("mismatch.safetensors", inputs: 40,
                                metadata: recipe.metadata().merging(ModelClasses(codes: Self.codes).metadata()) { a, _ in a })
        XCTAssertThrowsError(try Predictor(modelURL: url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(url.path), message)
            XCTAssertTrue(message.contains("mfcc-means gives 13 values") && message.contains("40 inputs"), message)
        }
    }

    func testClassesThatDoNotFitTheNetworkAreRefused() throws {
        let url = try saveModel("classes.safetensors", classes: 7,
                                metadata: FeatureRecipe.notebook.metadata().merging(ModelClasses(codes: ["a", "b", "c"]).metadata()) { a, _ in a })
        XCTAssertThrowsError(try Predictor(modelURL: url)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(url.path) && message.contains("3 classes") && message.contains("7 outputs"), message)
        }
    }

    func testMissingStandardizerIsRefused() throws {
        let recipe = FeatureRecipe(standardization: .perCoefficient)
        let url = try saveModel("no-std.safetensors",
                                metadata: recipe.metadata().merging(ModelClasses(codes: Self.codes).metadata()) { a, _ in a })
        XCTAssertThrowsError(try Predictor(modelURL: url)) { error in
            XCTAssertTrue("\(error)".contains(url.path) && "\(error)".contains("no standardizer"), "\(error)")
        }
    }

    // MARK: ModelClasses metadata

    func testClassesMetadata() throws {
        let classes = ModelClasses(codes: ["ps", "sad"], displayNames: ["pleasant surprise", "sad"])
        let metadata = classes.metadata()
        XCTAssertEqual(metadata["classes"], "ps,sad")
        XCTAssertEqual(try JSONDecoder().decode([String].self, from: Data(try XCTUnwrap(metadata["class_display_names"]).utf8)),
                       ["pleasant surprise", "sad"])
        XCTAssertEqual(ModelClasses(codes: ["ps", "sad"]).displayNames, ["ps", "sad"])

        XCTAssertThrowsError(try ModelClasses(metadata: [:], file: "/m.safetensors")) { XCTAssertTrue("\($0)".contains("/m.safetensors"), "\($0)") }
        XCTAssertThrowsError(try ModelClasses(metadata: ["classes": "ps,sad", "class_display_names": "[\"only one\"]"], file: "/m"))
        XCTAssertThrowsError(try ModelClasses(metadata: ["classes": "ps,sad", "class_display_names": "not json"], file: "/m"))
        XCTAssertThrowsError(try ModelClasses(metadata: ["classes": "ps,ps"], file: "/m"))
    }

    // MARK: Figures

    /// The spectrogram is bin-major with n_fft 2048 and hop 512 (centred frames), 80 dB deep,
    /// and a pure tone peaks in its own bin.
    func testSpectrogramDBShapeAndPeak() throws {
        let rate = 22050, n = 22050, f = 1000.0
        let y = (0..<n).map { Float(0.5 * sin(2 * .pi * f * Double($0) / Double(rate))) }
        let spec = spectrogramDB(y, sampleRate: rate)
        XCTAssertEqual(spec.rows, 1025)
        XCTAssertEqual(spec.cols, 1 + n / 512)
        XCTAssertEqual(spec.db.count, spec.rows * spec.cols)
        XCTAssertEqual(spec.seconds, 1, accuracy: 1e-12)
        let maxDB = spec.db.max()!, minDB = spec.db.min()!
        XCTAssertEqual(maxDB - minDB, 80, accuracy: 1e-3, "top_db 80")
        let frame = spec.cols / 2
        let column = (0..<spec.rows).map { spec.db[$0 * spec.cols + frame] }
        XCTAssertEqual(column.indices.max { column[$0] < column[$1] }, Int((f * 2048 / Double(rate)).rounded()))
    }

    func testClipFiguresArePNGs() throws {
        let clip = try writeClip("figures.wav")
        let figures = try ClipFigures.draw(clip, sampleRate: 22050)
        for (name, figure) in [("waveform", figures.waveform), ("spectrogram", figures.spectrogram)] {
            let png = try figure.pngData()
            XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], name)
            XCTAssertTrue(try ClipFigures.dataURI(figure).hasPrefix("data:image/png;base64,"), name)
        }
    }
}
