// A hostile model file through `Predictor` (what `study predict` and the demo use): refused with
// an error naming the file, never a trap; a model whose finite weights overflow says so instead
// of naming a class from NaN probabilities.
import Audio
import Foundation
import Inference
import NeuralNet
import TestSupport
import XCTest

final class HostileModelPredictorTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try SharedData.temporaryDirectory("inference-hostile") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    let metadata = FeatureRecipe(nMFCC: 12).metadata().merging(ModelClasses(codes: ["a", "b", "c"]).metadata()) { a, _ in a }

    /// A small CNN for 12 MFCC means and 3 classes, with the recipe and classes a predictor needs.
    func model(seed: UInt64 = 1) -> Sequential {
        Sequential(inputShape: [12, 1], specs: [
            .conv1D(filters: 4, kernelSize: 5, activation: .relu), .maxPool1D(poolSize: 3, stride: 2),
            .flatten, .dense(units: 3, activation: .softmax),
        ], seed: seed)
    }

    /// `url`'s file with the first conv layer's `field` in the architecture metadata set to `value`.
    func editFirstConv(_ url: URL, _ field: String, _ value: Int, to out: URL) throws {
        let bytes = try Data(contentsOf: url)
        let n = Int(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        var header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as! [String: Any]
        var meta = header["__metadata__"] as! [String: Any]
        var arch = try JSONSerialization.jsonObject(with: Data((meta["architecture"] as! String).utf8)) as! [String: Any]
        var layers = arch["layers"] as! [[String: Any]]
        var conv = layers[0]["conv1D"] as! [String: Any]
        conv[field] = value
        layers[0] = ["conv1D": conv]
        arch["layers"] = layers
        meta["architecture"] = String(decoding: try JSONSerialization.data(withJSONObject: arch), as: UTF8.self)
        header["__metadata__"] = meta
        var json = try JSONSerialization.data(withJSONObject: header)
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        try (file + json + bytes.subdata(in: (8 + n)..<bytes.count)).write(to: out)
    }

    func testPredictorRefusesAnEditedArchitectureNamingTheFile() throws {
        let good = folder.appendingPathComponent("good.safetensors")
        try ModelFile.save(model(), metadata: metadata, to: good)
        XCTAssertNoThrow(try Predictor(modelURL: good))
        for (field, value, expected) in [("filters", 2_147_483_647, "filters 2147483647 is above the limit 4096"),
                                         ("kernelSize", -5, "kernelSize -5 is below the minimum 1"),
                                         ("kernelSize", 0, "kernelSize 0 is below the minimum 1"),
                                         ("filters", 8, "tensor 'conv1d_0.kernel' has shape [5, 1, 4], architecture layers[0] (conv1d) implies [5, 1, 8]")] {
            let bad = folder.appendingPathComponent("bad-\(field)\(value).safetensors")
            try editFirstConv(good, field, value, to: bad)
            XCTAssertThrowsError(try Predictor(modelURL: bad)) { e in
                let text = "\(e)"
                print("  \(bad.lastPathComponent) → \(text)")
                XCTAssertTrue(text.contains(bad.lastPathComponent) && text.contains(expected), text)
            }
        }
    }

    func testHugeFiniteWeightsGiveAnErrorNotNaNProbabilities() throws {
        let m = model()
        m.restore(m.snapshot().map { $0.map { _ in Float.greatestFiniteMagnitude } })
        let url = folder.appendingPathComponent("huge.safetensors")
        try ModelFile.save(m, metadata: metadata, to: url)
        let predictor = try Predictor(modelURL: url)   // finite weights: it loads
        let rate = 22050
        let tone = (0..<(4 * rate)).map { Float(0.3 * sin(2 * Double.pi * 220 * Double($0) / Double(rate))) }
        let clip = folder.appendingPathComponent("tone.wav")
        try AudioFile.writeWAV16(tone, sampleRate: rate, to: clip)
        XCTAssertThrowsError(try predictor.predict(clip)) { e in
            let text = "\(e)"
            print("  huge weights → \(text)")
            XCTAssertTrue(text.contains("huge.safetensors") && text.contains("tone.wav") && text.contains("finite probabilities"), text)
        }
    }
}
