import Audio
import Features
import Foundation
import TestSupport
import XCTest

/// Parity with librosa 0.11 on seven synthetic clips (mono/stereo, 16/22.05/24.4/44.1/96 kHz,
/// 8-bit, 16-bit and float, silence), runnable on a fresh clone: the expected values in
/// `Fixtures/synthetic-librosa.json` were computed by librosa itself
/// (`tools/make_feature_fixtures.py`) on clips built from the same formulas as
/// `SyntheticSignals`. Tolerances as in `ReferenceParityTests` (0.01 on the means).
final class SyntheticParityTests: XCTestCase {
    // A `let` never mutated after its thread-safe lazy initialisation; `Any` just isn't Sendable.
    nonisolated(unsafe) static let fixture: [String: Any] = {
        let url = Bundle.module.url(forResource: "synthetic-librosa", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    func floats(_ any: Any?) -> [Float] { (any as! [NSNumber]).map { $0.floatValue } }

    /// Writes every clip to a temporary folder after checking that our formulas give the same
    /// integers as the Python script did.
    func writeClips() throws -> (dir: URL, clips: [(json: [String: Any], url: URL)]) {
        let dir = try SharedData.temporaryDirectory("synthetic")
        let expected = Self.fixture["clips"] as! [[String: Any]]
        let built = Dictionary(uniqueKeysWithValues: SyntheticSignals.all().map { ($0.name, $0) })
        var out: [([String: Any], URL)] = []
        for json in expected {
            let name = json["name"] as! String
            let clip = try XCTUnwrap(built[name], "no formula for \(name)")
            let flat = clip.frames.flatMap { $0 }
            XCTAssertEqual(clip.frames.count, json["frames"] as? Int, name)
            XCTAssertEqual(clip.sampleRate, json["sample_rate"] as? Int, name)
            XCTAssertEqual(flat.reduce(0, +), json["int_sum"] as? Int, "\(name): samples differ from the Python formula")
            let weighted = flat.enumerated().reduce(0) { $0 + ($1.offset % 1000 + 1) * $1.element }
            XCTAssertEqual(weighted, json["int_weighted_sum"] as? Int, "\(name): samples differ from the Python formula")
            let url = dir.appendingPathComponent(name + ".wav")
            try SyntheticSignals.wavData(clip).write(to: url)
            let info = try AudioFile.info(url)
            XCTAssertEqual(info.encoding, json["subtype"] as? String, name)
            XCTAssertEqual(info.channels, json["channels"] as? Int, name)
            out.append((json, url))
        }
        return (dir, out)
    }

    func run(_ preset: FeaturePreset) throws -> Float {
        let (dir, clips) = try writeClips()
        defer { try? FileManager.default.removeItem(at: dir) }
        var maxMean: Float = 0
        for (json, url) in clips {
            let name = json["name"] as! String
            let blocks = json[preset.name] as! [String: Any]
            for (label, offset, duration) in [("notebook", 0.5, Double?(3)), ("full", 0.0, Double?.none)] {
                let expected = blocks[label] as! [String: Any]
                let y = try load(url, offset: offset, duration: duration, resampler: preset.resampler)
                XCTAssertEqual(y.samples.count, expected["n_samples"] as? Int, "\(name) \(label): sample count")
                for (a, b) in zip(y.samples.prefix(8), floats(expected["first8_samples"])) {
                    XCTAssertEqual(a, b, accuracy: 1e-5, "\(name) \(label): first samples")
                }
                for (a, b) in zip(y.samples.suffix(4), floats(expected["last4_samples"])) {
                    XCTAssertEqual(a, b, accuracy: 1e-5, "\(name) \(label): last samples")
                }
                let c = mfcc(y: y.samples, sampleRate: y.sampleRate, nMFCC: 40, padMode: preset.padMode)
                XCTAssertEqual([c.bins, c.frames], expected["mfcc_shape"] as? [Int], "\(name) \(label): MFCC shape")
                let means = mfccMeans(c)
                XCTAssertTrue(means.allSatisfy(\.isFinite), "\(name) \(label): non-finite mean")
                for (k, (a, b)) in zip(means, floats(expected["mfcc_mean"])).enumerated() {
                    XCTAssertEqual(a, b, accuracy: ReferenceParityTests.meanTolerance, "\(name) \(label) coefficient \(k)")
                    maxMean = max(maxMean, abs(a - b))
                }
            }
        }
        return maxMean
    }

    func testLibrosaPresetOnSyntheticClips() throws {
        let d = try run(.librosa)
        print("PARITY (synthetic fixtures) librosa preset: max |Δ| MFCC mean = \(d)")
    }

    func testNotebookPresetOnSyntheticClips() throws {
        let d = try run(.notebook)
        print("PARITY (synthetic fixtures) notebook preset: max |Δ| MFCC mean = \(d)")
    }
}
