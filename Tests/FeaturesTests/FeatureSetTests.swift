import Audio
import Features
import Foundation
import TestSupport
import XCTest

/// The feature sets (`FeatureSet.swift`) against independent references:
/// - `MFCCFunctionalsSet`'s Δ, ΔΔ and 720 functionals against `Fixtures/functionals.json`, written
///   by librosa (`librosa.feature.delta`, width 9, mode "interp") and numpy (mean, std,
///   percentile 20/50/80 linear) in `tools/make_functionals_fixture.py`, not by our code;
/// - `MFCCMeansSet` through `FeatureSets.extract` against `extractMFCCMeans`, bit for bit;
/// - the columns, the too-short error and the registry.
final class FeatureSetTests: XCTestCase {
    // A `let` never mutated after its thread-safe lazy initialisation; `Any` just isn't Sendable.
    nonisolated(unsafe) static let fixture: [String: Any] = {
        let url = Bundle.module.url(forResource: "functionals", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    struct Case {
        let name: String
        /// rows (coefficients) × frames, librosa's orientation, float32 as written.
        let input: [[Float]]
        let delta1: [[Double]]
        let delta2: [[Double]]
        let functionals: [Double]

        /// The input as our frame-major `Spectrogram` (values[f * bins + k]).
        var spectrogram: Spectrogram {
            let bins = input.count, frames = input[0].count
            var values = [Float](repeating: 0, count: bins * frames)
            for k in 0..<bins { for f in 0..<frames { values[f * bins + k] = input[k][f] } }
            return Spectrogram(bins: bins, frames: frames, values: values)
        }
    }

    static let cases: [Case] = {
        func doubles(_ any: Any?) -> [Double] { (any as! [NSNumber]).map { Double($0.floatValue) } }
        return (fixture["cases"] as! [[String: Any]]).map { c in
            Case(name: c["name"] as! String,
                 input: (c["input"] as! [Any]).map { ($0 as! [NSNumber]).map { $0.floatValue } },
                 delta1: (c["delta1"] as! [Any]).map(doubles),
                 delta2: (c["delta2"] as! [Any]).map(doubles),
                 functionals: doubles(c["functionals"]))
        }
    }()

    /// float32 inputs, float64 reference stored as float32: 1e-4 absolute or relative,
    /// whichever is larger (values range from ~1e-3 to ~1e3; the stored reference itself
    /// carries float32 rounding, 6e-8 relative).
    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-4 * max(1, abs(b)) }

    /// Reports the first few mismatches one by one, then only their count (a wrong formula
    /// would otherwise print thousands of lines).
    struct Mismatches {
        var count = 0
        mutating func note(_ message: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
            count += 1
            if count <= 5 { XCTFail(message(), file: file, line: line) }
        }
        func finish(_ what: String, file: StaticString = #filePath, line: UInt = #line) {
            if count > 5 { XCTFail("\(what): \(count) mismatches in all (first 5 shown)", file: file, line: line) }
        }
    }

    // MARK: Δ, ΔΔ and the functionals against librosa/numpy

    func testFixtureCoversTheEdgeCases() {
        XCTAssertEqual(Self.cases.map(\.name), ["random9", "random10", "random64", "polynomial"])
        XCTAssertEqual(Self.cases.map { $0.input[0].count }, [9, 10, 64, 16])
        for c in Self.cases {
            XCTAssertEqual(c.input.count, 40, c.name)
            XCTAssertEqual(c.functionals.count, 720, c.name)
        }
    }

    func testDeltaMatchesLibrosa() {
        var worst = 0.0, bad = Mismatches()
        for c in Self.cases {
            for (order, expected) in [(1, c.delta1), (2, c.delta2)] {
                for k in 0..<c.input.count {
                    let got = MFCCFunctionalsSet.delta(c.input[k].map(Double.init), order: order)
                    XCTAssertEqual(got.count, expected[k].count, "\(c.name) order \(order) row \(k)")
                    for (t, (a, b)) in zip(got, expected[k]).enumerated() {
                        worst = max(worst, abs(a - b))
                        if !Self.close(a, b) {
                            bad.note("\(c.name) Δ order \(order) row \(k) frame \(t): ours \(a), librosa \(b)")
                        }
                    }
                }
            }
        }
        bad.finish("Δ")
        print("FUNCTIONALS delta: max |ours − librosa| = \(worst)")
    }

    /// The polynomial case by hand too: ΔΔ of a + b t + c t² is 2c at every frame (edges
    /// included: "interp" fits a quadratic there), and Δ is b + 2c t away from the edges.
    func testDeltaOfAQuadraticIsExact() {
        let x = (0..<16).map { t -> Double in let t = Double(t); return 3 - 2 * t + 0.5 * t * t }
        for v in MFCCFunctionalsSet.delta(x, order: 2) { XCTAssertEqual(v, 1, accuracy: 1e-12) }
        let d1 = MFCCFunctionalsSet.delta(x, order: 1)
        for t in 4..<12 { XCTAssertEqual(d1[t], -2 + Double(t), accuracy: 1e-12) }
        // Edge frames: the linear fit over the first / last 9 frames has the slope at the window's centre.
        for t in 0..<4 { XCTAssertEqual(d1[t], d1[4], accuracy: 1e-12) }
        for t in 12..<16 { XCTAssertEqual(d1[t], d1[11], accuracy: 1e-12) }
    }

    func testStatisticsMatchNumpy() {
        // numpy: mean 2.5, std sqrt(1.25), percentile(20)=1.6, 50 → 2.5, 80 → 3.4 for [1, 2, 3, 4].
        let s = MFCCFunctionalsSet.statistics([4, 1, 3, 2])
        for (a, b) in zip(s, [2.5, 1.25.squareRoot(), 1.6, 2.5, 3.4, 1.8]) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        let one = MFCCFunctionalsSet.statistics([7])
        XCTAssertEqual(one, [7, 0, 7, 7, 7, 0])
    }

    func testFunctionalsMatchLibrosaAndNumpy() {
        let columns = MFCCFunctionalsSet().columns
        var worst = 0.0, worstColumn = "", bad = Mismatches()
        for c in Self.cases {
            let got = MFCCFunctionalsSet.functionals(c.spectrogram)
            XCTAssertEqual(got.count, 720, c.name)
            for (i, (a, b)) in zip(got.map(Double.init), c.functionals).enumerated() {
                if abs(a - b) > worst { worst = abs(a - b); worstColumn = "\(c.name) \(columns[i])" }
                if !Self.close(a, b) {
                    bad.note("\(c.name) column \(i) \(columns[i]): ours \(a), numpy \(b)")
                }
            }
        }
        bad.finish("functionals")
        print("FUNCTIONALS 720-vector: max |ours − numpy| = \(worst) (\(worstColumn))")
    }

    // MARK: columns, errors, registry

    func testColumns() {
        let columns = MFCCFunctionalsSet().columns
        XCTAssertEqual(columns.count, 720)
        XCTAssertEqual(Set(columns).count, 720, "column names are not unique")
        XCTAssertEqual(columns.first, "mfcc0_mean")
        XCTAssertEqual(columns.last, "mfcc39_delta2_pctlrange")
        // stream "_delta" is stream 1, coefficient 3, statistic pctl80 is statistic 4.
        XCTAssertEqual(columns[1 * 40 * 6 + 3 * 6 + 4], "mfcc3_delta_pctl80")
        XCTAssertEqual(columns[2 * 40 * 6], "mfcc0_delta2_mean")
        let ends = Self.fixture["columns_first_last"] as! [String]
        XCTAssertEqual([columns.first!, columns.last!], ends, "the fixture script's column order differs")

        let means = MFCCMeansSet().columns
        XCTAssertEqual(means.count, 40)
        XCTAssertEqual(Set(means).count, 40)
    }

    func testRegistry() throws {
        XCTAssertEqual(FeatureSets.named("mfcc-means")?.name, "mfcc-means")
        XCTAssertEqual(FeatureSets.named("mfcc-functionals")?.columns.count, 720)
        XCTAssertNil(FeatureSets.named("nope"))
        XCTAssertEqual(FeatureSets.all.map(\.name), ["mfcc-means", "mfcc-functionals", "egemaps-v02", "logmel"])
        XCTAssertEqual(Set(FeatureSets.all.map(\.name)).count, FeatureSets.all.count)
    }

    func testTooShortForDeltasNamesTheFile() throws {
        let dir = try SharedData.temporaryDirectory("feature-set-short")
        defer { try? FileManager.default.removeItem(at: dir) }
        // 0.5 s skipped by the window, then 2000 samples at 22050 Hz: 1 + 2000 / 512 = 4 frames.
        var g = SyntheticSignals.LCG(state: 3)
        let clip = SyntheticSignals.Clip(name: "short", sampleRate: 22050, encoding: .pcm16,
                                         frames: (0..<(11025 + 2000)).map { _ in [g.next()] })
        let url = dir.appendingPathComponent("short-clip.wav")
        try SyntheticSignals.wavData(clip).write(to: url)
        XCTAssertThrowsError(try FeatureSets.extract(MFCCFunctionalsSet(), url: url)) { error in
            XCTAssertEqual(error as? FeatureError, .tooShortForDeltas(path: url.path, frames: 4))
            XCTAssertTrue("\(error)".contains("short-clip.wav"), "message does not name the file: \(error)")
        }
        // The means need no 9 frames.
        XCTAssertEqual(try FeatureSets.extract(MFCCMeansSet(), url: url).count, 40)
    }

    // MARK: mfcc-means is the notebook's chain, bit for bit

    func assertMeansSetIsExtractMFCCMeans(_ urls: [URL]) throws {
        for url in urls {
            let viaSet = try FeatureSets.extract(MFCCMeansSet(), url: url)
            let direct = try extractMFCCMeans(url: url)
            XCTAssertEqual(viaSet.count, 40, url.lastPathComponent)
            XCTAssertEqual(viaSet.map(\.bitPattern), direct.map(\.bitPattern), "\(url.lastPathComponent): not the same bits")
            // The registry's instance is the same set.
            let named = try FeatureSets.extract(XCTUnwrap(FeatureSets.named("mfcc-means")), url: url)
            XCTAssertEqual(named.map(\.bitPattern), direct.map(\.bitPattern), url.lastPathComponent)
            // The functionals' stream-0 means are the same means up to summation order (Double, not
            // numpy's float32 pairwise sum).
            let f = try FeatureSets.extract(MFCCFunctionalsSet(), url: url)
            XCTAssertEqual(f.count, 720)
            for k in 0..<40 {
                XCTAssertEqual(f[k * 6], direct[k], accuracy: 1e-3 * max(1, abs(direct[k])), "\(url.lastPathComponent) c\(k)")
            }
        }
    }

    func testMeansSetIsExtractMFCCMeansOnSyntheticClips() throws {
        let dir = try SharedData.temporaryDirectory("feature-set-synthetic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wanted = ["chirp_24414_pcm16", "noise_22050_pcm16", "silence_24414_pcm16", "stereo_44100_pcm16", "chirp_24414_float"]
        var urls: [URL] = []
        for clip in SyntheticSignals.all() where wanted.contains(clip.name) {
            let url = dir.appendingPathComponent(clip.name + ".wav")
            try SyntheticSignals.wavData(clip).write(to: url)
            urls.append(url)
        }
        XCTAssertEqual(urls.count, wanted.count)
        try assertMeansSetIsExtractMFCCMeans(urls)
    }

    func testMeansSetIsExtractMFCCMeansOnSharedTESSClips() throws {
        let root = try SharedData.require("tess-sample")
        let urls = ["OAF_angry", "YAF_sad", "OAF_neutral"].compactMap { folder -> URL? in
            let dir = root.appendingPathComponent(folder)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.filter { $0.hasSuffix(".wav") }.sorted()
            return files?.first.map { dir.appendingPathComponent($0) }
        }
        XCTAssertEqual(urls.count, 3, "expected a WAV in each of OAF_angry, YAF_sad, OAF_neutral under \(root.path)")
        try assertMeansSetIsExtractMFCCMeans(urls)
    }
}
