import Features
import Foundation
import XCTest

/// Each step against a hand calculation or a mathematical property.
final class StepTests: XCTestCase {
    func testPeriodicHannWindow() {
        let w = hannWindow(4)
        for (a, b) in zip(w, [0, 0.5, 1, 0.5]) { XCTAssertEqual(a, b, accuracy: 1e-15) }
    }

    func testFrameCountIsOnePlusLengthOverHop() {
        XCTAssertEqual(frameCount(samples: 22911), 1 + 22911 / 512)
        XCTAssertEqual(frameCount(samples: 1), 1)
        XCTAssertEqual(frameCount(samples: 100, center: false), 0)
    }

    /// A unit cosine at bin k0 under a periodic Hann window of length N has |X[k0]| = N/4 and
    /// |X[k0 ± 1]| = N/8, nothing elsewhere.
    func testSTFTOfABinCentredCosine() {
        let n = 2048, k0 = 100
        let y: [Float] = (0..<8192).map { Float(cos(2 * Double.pi * Double(k0) * Double($0) / Double(n))) }
        let p = powerSpectrogram(stft(y, padMode: .constant))
        let frame = 5   // fully inside the signal
        XCTAssertEqual(p[k0, frame].squareRoot(), Float(n) / 4, accuracy: 0.05)
        XCTAssertEqual(p[k0 + 1, frame].squareRoot(), Float(n) / 8, accuracy: 0.05)
        XCTAssertLessThan(p[k0 + 5, frame].squareRoot(), 0.01)
    }

    /// numpy: np.pad([0, 1, 2], 5, mode="reflect") = [1 0 1 2 1 0 1 2 1 0 1 2 1].
    func testReflectPaddingRepeatsLikeNumpy() {
        let y: [Float] = [0, 1, 2]
        // With nFFT 10 and hop 1, frame f starts at f − 5 of the padded signal; its first sample
        // times the window's first value (0) is lost, so check via a rectangular-free route:
        // the DC bin of frame 0 sums w[j]·pad[j].
        let padded: [Float] = [1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1]
        let s = stft(y, nFFT: 10, hop: 1, center: true, padMode: .reflect)
        let w = hannWindow(10)
        for f in 0..<s.frames {
            let dc = (0..<10).reduce(0.0) { $0 + w[$1] * Double(padded[f + $1]) }
            XCTAssertEqual(Double(s.real[f * s.bins]), dc, accuracy: 1e-5, "frame \(f)")
        }
    }

    func testMelScale() {
        XCTAssertEqual(hzToMel(1000), 15, accuracy: 1e-12)             // 1000 / (200/3)
        XCTAssertEqual(hzToMel(500), 7.5, accuracy: 1e-12)
        XCTAssertEqual(hzToMel(6400), 15 + 27, accuracy: 1e-9)         // 27 mels per factor 6.4
        for f in [0.0, 300, 999, 1000, 4321, 11025] { XCTAssertEqual(melToHz(hzToMel(f)), f, accuracy: 1e-9) }
        XCTAssertEqual(hzToMel(700, htk: true), 2595 * log10(2), accuracy: 1e-9)
    }

    /// Slaney-normalised triangles have area ≈ 1 in Hz: Σ weights · Δf ≈ 1 for bands wide
    /// enough to be sampled by several bins.
    func testSlaneyFilterArea() {
        let bank = melFilterbank(sampleRate: 22050)
        let df = 22050.0 / 2048
        for band in [90, 110, 127] {   // ≥ 10 bins wide (narrower ones are sampled too coarsely)
            let area = (0..<bank.bins).reduce(0.0) { $0 + Double(bank.weights[band * bank.bins + $1]) } * df
            XCTAssertEqual(area, 1, accuracy: 0.02, "band \(band)")
        }
    }

    func testDCTIsOrthonormal() {
        let n = 128
        let m = dctMatrix(count: n, length: n)
        for i in stride(from: 0, to: n, by: 13) {
            for j in stride(from: 0, to: n, by: 11) {
                let dot = (0..<n).reduce(0.0) { $0 + m[i * n + $1] * m[j * n + $1] }
                XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-12)
            }
        }
    }

    func testPowerToDB() {
        let s = Spectrogram(bins: 2, frames: 2, values: [1, 10, 0, 1e-12])
        XCTAssertEqual(powerToDB(s, topDB: nil).values, [0, 10, -100, -100])
        XCTAssertEqual(powerToDB(s, topDB: 5).values, [5, 10, 5, 5])
        let a = amplitudeToDB(Spectrogram(bins: 1, frames: 3, values: [2, 0.2, 0]), ref: .maximum)
        XCTAssertEqual(a.values[0], 0)
        XCTAssertEqual(a.values[1], -20, accuracy: 1e-5)
        XCTAssertEqual(a.values[2], -80)   // top_db floor below the maximum
    }

    /// Values whose float32 sum depends on the order; expected sums from numpy 2.4's np.sum.
    func testPairwiseSumMatchesNumpy() {
        let a: [Float] = (0..<300).map { (i: Int) -> Float in
            let base: Double = Double(i * 7919 % 1000) / 7.0
            let spike: Double = i % 37 == 0 ? 1e4 : 0
            return Float(base + spike)
        }
        a.withUnsafeBufferPointer { b in
            XCTAssertEqual(numpyPairwiseSum(b), 111450.0)
            XCTAssertEqual(numpyPairwiseSum(UnsafeBufferPointer(rebasing: b[0..<100])), 37007.1484375)
            XCTAssertEqual(numpyPairwiseSum(UnsafeBufferPointer(rebasing: b[0..<5])), 10455.7138671875)
        }
        // A plain sequential float32 sum differs (111449.9765625), so this test can fail.
        XCTAssertNotEqual(a.reduce(0, +), 111450.0)
    }

    func testPresets() {
        XCTAssertEqual(FeaturePreset.named("notebook"), .notebook)
        XCTAssertEqual(FeaturePreset.named("librosa")?.padMode, .constant)
        XCTAssertEqual(FeaturePreset.notebook.resampler, .kaiserBest)
        XCTAssertNil(FeaturePreset.named("nope"))
    }
}
