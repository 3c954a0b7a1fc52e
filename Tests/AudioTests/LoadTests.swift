import XCTest
@testable import Audio
import TestSupport

/// `load` against librosa.load's documented arithmetic, and the two resamplers against
/// python-soxr / resampy facts and mathematical properties.
final class LoadTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try SharedData.temporaryDirectory("load") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    /// Integer ramp k/32768 (exact in 16 bits), `channels` interleaved.
    func ramp(_ frames: Int, rate: Int, channels: Int = 1, name: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        let samples: [Float] = (0..<(frames * channels)).map { Float(($0 / channels) % 1000 - 500 + ($0 % channels) * 7) / 32768 }
        try AudioFile.write(samples, sampleRate: rate, format: 0x010002 /* WAV | PCM_16 */, channels: channels, to: url)
        return url
    }

    func testOffsetAndDurationFollowLibrosaArithmetic() throws {
        let url = try ramp(30000, rate: 24414, name: "ramp.wav")
        let y = try load(url, sampleRate: nil, offset: 0.5, duration: 0.25)
        // seek Int(0.5 · 24414) = 12207, read Int(0.25 · 24414) = 6103 frames.
        XCTAssertEqual(y.sampleRate, 24414)
        XCTAssertEqual(y.samples.count, 6103)
        XCTAssertEqual(y.samples[0], Float(12207 % 1000 - 500) / 32768)
        // Past the end: fewer samples, no padding (30000 − 12207).
        XCTAssertEqual(try load(url, sampleRate: nil, offset: 0.5, duration: 3).samples.count, 17793)
        XCTAssertEqual(try load(url, sampleRate: nil).samples.count, 30000)
    }

    func testStereoIsAveraged() throws {
        let url = try ramp(1000, rate: 22050, channels: 2, name: "stereo.wav")
        let y = try load(url)
        XCTAssertEqual(y.samples.count, 1000)
        for i in [0, 1, 500, 999] {
            let l = Float(i % 1000 - 500) / 32768, r = Float(i % 1000 - 500 + 7) / 32768
            XCTAssertEqual(y.samples[i], (l + r) / 2)
        }
    }

    /// librosa: n_out = ceil(n · 22050 / 24414); python-soxr may deliver one fewer (904 for
    /// 1001 samples) and librosa's fix_length pads the end with a zero.
    func testSoxrLengthIsLibrosasCeilWithZeroPadding() throws {
        let x = [Float](repeating: 0.25, count: 1001)
        let y = try resampleSoxr(x, from: 24414, to: 22050)
        XCTAssertEqual(y.count, 905)
        XCTAssertEqual(y.last, 0)
        for n in [1, 2, 17, 24414, 36621] {
            XCTAssertEqual(try resampleSoxr([Float](repeating: 0.1, count: n), from: 24414, to: 22050).count,
                           Int((Double(n) * 22050 / 24414).rounded(.up)), "n = \(n)")
        }
    }

    /// resampy returns Int(n · ratio) samples and librosa pads to ceil: a zero last sample
    /// whenever n · ratio is not an integer.
    func testResampyLengthAndDCGain() throws {
        let x = [Float](repeating: 0.5, count: 24414)
        let y = try resampleResampy(x, from: 24414, to: 22050)
        XCTAssertEqual(y.count, 22050)
        // A constant passes with unit gain away from the edges (the filter's DC gain is
        // rolloff · Σ sinc ≈ 1 to within its −100 dB stop band).
        for i in stride(from: 1000, to: 21000, by: 997) { XCTAssertEqual(y[i], 0.5, accuracy: 1e-4) }
        let z = try resampleResampy([Float](repeating: 0.5, count: 1001), from: 24414, to: 22050)
        XCTAssertEqual(z.count, 905)
        XCTAssertEqual(z.last, 0)
        XCTAssertThrowsError(try resampleResampy([0.5], from: 24414, to: 22050))
    }

    /// Upsampling and downsampling a 1 kHz sine keep it a 1 kHz sine of the same amplitude.
    func testResampyKeepsASineInBothDirections() throws {
        for (from, to) in [(16000, 22050), (96000, 22050), (24414, 22050)] {
            let x: [Float] = (0..<from).map { Float(0.5 * sin(2 * Double.pi * 1000 * Double($0) / Double(from))) }
            let y = try resampleResampy(x, from: from, to: to)
            for i in stride(from: 2000, to: to - 2000, by: 1231) {
                let expected = Float(0.5 * sin(2 * Double.pi * 1000 * Double(i) / Double(to)))
                XCTAssertEqual(y[i], expected, accuracy: 2e-4, "\(from)→\(to) at \(i)")
            }
        }
    }

    /// A rate pair with no useful common period (96001 → 22050: 22050 phases × 440 taps, over
    /// the phase-table limit) goes through resampy's per-sample loop; it too keeps a sine.
    func testResampyDirectLoopKeepsASine() throws {
        let from = 96001, to = 22050
        let x: [Float] = (0..<(from / 4)).map { Float(0.5 * sin(2 * Double.pi * 1000 * Double($0) / Double(from))) }
        let y = try resampleResampy(x, from: from, to: to)
        XCTAssertEqual(y.count, Int((Double(x.count) * Double(to) / Double(from)).rounded(.up)))
        for i in stride(from: 1000, to: y.count - 1000, by: 397) {
            let expected = Float(0.5 * sin(2 * Double.pi * 1000 * Double(i) / Double(to)))
            XCTAssertEqual(y[i], expected, accuracy: 2e-4, "at \(i)")
        }
    }

    /// Both resampy paths against resampy itself (librosa 0.11 with res_type="kaiser_best") on a
    /// real clip: the first 16 output samples of `reference/librosa-mfcc.json`.
    func testResampyPathsMatchResampyOnARealClip() throws {
        let ref = try SharedData.require("reference/librosa-mfcc.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: ref)) as! [String: Any]
        let file = (object["files"] as! [[String: Any]]).first { $0["path"] as? String == "OAF_angry/OAF_back_angry.wav" }!
        let block = (file["notebook"] as! [String: Any])["study_librosa09_defaults"] as! [String: Any]
        let expected = (block["first16_samples"] as! [NSNumber]).map { $0.floatValue }
        let url = SharedData.root.appendingPathComponent("tess-sample/OAF_angry/OAF_back_angry.wav")
        // 2000 native samples from the 0.5 s offset are enough for the first 16 outputs.
        let x = try AudioFile.readMono(url, startFrame: 12207, frameCount: 2000).samples
        let direct = try resampleResampy(x, from: 24414, to: 22050, filter: .kaiserBest, allowPhaseTable: false)
        let table = try resampleResampy(x, from: 24414, to: 22050, filter: .kaiserBest, allowPhaseTable: true)
        var maxDirect: Float = 0, maxTable: Float = 0
        for i in 0..<16 {
            maxDirect = max(maxDirect, abs(direct[i] - expected[i]))
            maxTable = max(maxTable, abs(table[i] - expected[i]))
        }
        print("RESAMPY first 16 samples vs resampy: per-sample loop max |Δ| = \(maxDirect), phase table max |Δ| = \(maxTable)")
        XCTAssertLessThan(maxDirect, 1e-6)
        XCTAssertLessThan(maxTable, 1e-6)
    }

    /// The kaiser_best table: 50 zero crossings × 2^13 + 1 points; at t = 0 it equals the
    /// roll-off (sinc(0) = 1 and the window's centre is 1).
    func testKaiserBestTable() {
        let f = SincFilter.kaiserBest
        XCTAssertEqual(f.halfWindow.count, 50 * 8192 + 1)
        XCTAssertEqual(f.precision, 8192)
        XCTAssertEqual(f.halfWindow[0], 0.9173473712608761, accuracy: 1e-15)
        // I0 against its tabulated values (Abramowitz & Stegun 9.8): I0(1) = 1.2660658777520082.
        XCTAssertEqual(besselI0(1), 1.2660658777520082, accuracy: 1e-15)
        XCTAssertEqual(besselI0(0), 1)
        // Symmetric decay: the table's tail is tiny.
        XCTAssertLessThan(abs(f.halfWindow.last!), 1e-5)
    }

    func testResamplerChoiceAndNativeRate() throws {
        let url = try ramp(24414, rate: 24414, name: "r.wav")
        XCTAssertEqual(try load(url, resampler: .kaiserBest).samples.count, 22050)
        XCTAssertEqual(try load(url, resampler: .soxrHQ).samples.count, 22050)
        XCTAssertEqual(try load(url, sampleRate: nil).samples.count, 24414)
        XCTAssertEqual(try load(url, sampleRate: 24414).samples.count, 24414)
    }
}
