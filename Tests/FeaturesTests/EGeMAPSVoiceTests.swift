import Audio
import Base
@testable import Features
import Foundation
import TestSupport
import XCTest

/// eGeMAPS v02's voice-quality components alone: cPitchJitter (`smileJitterShimmer`) and
/// cHarmonics (`smileHarmonics`), fed openSMILE's own F0 and formants so that nothing upstream
/// (our pitch, our formants) is under test here.
///
/// - `voice.json` (tools/make_egemaps_voice_fixture.py): two synthetic vowels (16 kHz and
///   11025 Hz, where 10 ms is not a whole number of samples), their 16-bit samples, openSMILE
///   2.6.0's F0final and formants per frame, and its jitterLocal, shimmerLocalDB, HNR, H1-H2,
///   H1-A3 and F1–F3 amplitudes.
/// - Hand calculations of cHarmonics on a constructed spectrum (its index conventions).
/// - Inputs that must not crash or give NaN.
final class EGeMAPSVoiceTests: XCTestCase {
    struct Signal: Decodable {
        let name: String
        let sampleRate: Int
        let pcm16: String
        let f0: [Float]
        let formants: [[Double]]
        let jitterLocal, shimmerLocalDB: [Float]
        let hnr, h1h2, h1a3, f1amp, f2amp, f3amp: [Float]

        var samples: [Float] {
            let data = Data(base64Encoded: pcm16)!
            return stride(from: 0, to: data.count, by: 2).map {
                Float(Int16(bitPattern: UInt16(data[$0]) | UInt16(data[$0 + 1]) << 8)) / 32768
            }
        }
    }

    struct Fixture: Decodable {
        let signals: [Signal]
    }

    static func fixture() throws -> Fixture {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "voice", withExtension: "json", subdirectory: "Fixtures/egemaps"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// cPitchJitter on openSMILE's F0: every frame equal to openSMILE's to Float rounding (the
    /// correlations are summed in another order; the decisions and the Float accumulations are its).
    func testJitterAndShimmerEqualOpenSMILEOnSyntheticVowels() throws {
        for s in try Self.fixture().signals {
            let framing = SmileFraming(sampleRate: Double(s.sampleRate), frameSeconds: 0.060)
            let out = smileJitterShimmer(signal: s.samples, sampleRate: Double(s.sampleRate), f0: s.f0,
                                         frameStep: framing.frameStep, frameSize: framing.frameSize)
            XCTAssertEqual(out.jitterLocal.count, s.f0.count)
            var voicedJitter = 0
            for i in s.f0.indices {
                XCTAssertEqual(out.jitterLocal[i], s.jitterLocal[i], accuracy: 2e-6, "\(s.name) jitter frame \(i)")
                XCTAssertEqual(out.shimmerLocalDB[i], s.shimmerLocalDB[i], accuracy: 2e-5, "\(s.name) shimmer frame \(i)")
                if s.jitterLocal[i] > 0 { voicedJitter += 1 }
            }
            XCTAssertGreaterThan(voicedJitter, s.f0.count / 2, "\(s.name): the fixture exercises voiced frames")
        }
    }

    /// cHarmonics on openSMILE's F0 and formants and our 60 ms spectra (SmileAnalysis): equal to
    /// openSMILE's within the spectra's rounding (FFTW's vs openSMILE's float FFT), frame by frame.
    func testHarmonicsEqualOpenSMILEOnSyntheticVowels() throws {
        for s in try Self.fixture().signals {
            let analysis = SmileAnalysis(signal: s.samples, sampleRate: Double(s.sampleRate))
            let n = s.f0.count
            XCTAssertGreaterThanOrEqual(analysis.frameCount, n)
            let formants = s.formants.map { SmileFormantFrame(frequencies: $0, bandwidths: $0.map { _ in 0 }, count: $0.count) }
            let out = smileHarmonics(f0: s.f0, formants: formants, magnitudes: Array(analysis.magnitude60.prefix(n)),
                                     binHz: smileSpectrumBinHz(frameSize: analysis.frames60.frameSize,
                                                               fftSize: analysis.fft60.fftSize))
            XCTAssertEqual(out.count, n)
            let columns: [(String, [Float], (SmileHarmonicsFrame) -> Float)] = [
                ("HNR", s.hnr, { $0.hnrACFLogdB }), ("H1-H2", s.h1h2, { $0.logRelH1H2 }),
                ("H1-A3", s.h1a3, { $0.logRelH1A3 }), ("F1amp", s.f1amp, { $0.formantAmplitudesLogRelF0[0] }),
                ("F2amp", s.f2amp, { $0.formantAmplitudesLogRelF0[1] }), ("F3amp", s.f3amp, { $0.formantAmplitudesLogRelF0[2] }),
            ]
            for (name, reference, value) in columns {
                for i in 0..<n {
                    XCTAssertEqual(value(out[i]), reference[i], accuracy: 2e-3, "\(s.name) \(name) frame \(i)")
                }
            }
            // Unvoiced frames: HNR and differences 0, formant amplitudes at the −201 floor.
            for i in 0..<n where s.f0[i] == 0 {
                XCTAssertEqual(out[i], SmileHarmonicsFrame(hnrACFLogdB: 0, logRelH1H2: 0, logRelH1A3: 0,
                                                           formantAmplitudesLogRelF0: [-201, -201, -201]))
            }
        }
    }

    /// A spectrum built by hand: 10 Hz bins, peaks at every multiple of F0 = 100 Hz with value aₖ and
    /// neighbours at aₖ/2 (so each parabola's vertex is exactly the peak). openSMILE's "H1" is the
    /// harmonic at 2·F0 (H0 is F0), its A3 the strongest harmonic within 0.8…1.2 × F3.
    func testHarmonicDifferencesByHand() {
        let bins = 513
        var magnitude = [Float](repeating: 0.001, count: bins)
        let amplitudes: [Float] = [1.0, 0.5, 0.25, 0.8, 0.125, 0.4, 0.1, 0.05, 0.02, 0.01]
        for (k, a) in amplitudes.enumerated() {
            let b = (k + 1) * 10
            magnitude[b] = a
            magnitude[b - 1] = a / 2
            magnitude[b + 1] = a / 2
        }
        // F1 = 300 Hz → 240…360 Hz: the harmonic at 300 Hz (index 2, 0.25). F2 = 560 Hz → 448…672 Hz:
        // 500 Hz (0.125) and 600 Hz (0.4), the stronger wins. F3 = 950 Hz → 760…1140 Hz: 800, 900,
        // 1000 Hz (0.05, 0.02, 0.01), the strongest is at 800 Hz (index 7).
        let frame = smileHarmonics(f0: 100, formantFrequencies: [300, 560, 950, 3000, 4000], magnitude: magnitude, binHz: 10)
        func dB(_ x: Float) -> Float { Float(20 * log10(Double(x))) }
        XCTAssertEqual(frame.logRelH1H2, dB(0.5) - dB(0.25), accuracy: 1e-4)
        XCTAssertEqual(frame.logRelH1A3, dB(0.5) - dB(0.05), accuracy: 1e-4)
        XCTAssertEqual(frame.formantAmplitudesLogRelF0[0], dB(0.25), accuracy: 1e-4)
        XCTAssertEqual(frame.formantAmplitudesLogRelF0[1], dB(0.4), accuracy: 1e-4)
        XCTAssertEqual(frame.formantAmplitudesLogRelF0[2], dB(0.05), accuracy: 1e-4)

        // No harmonic near F3 = 4900 Hz (the flat floor beyond 1000 Hz has no peaks): amplitude 0,
        // and H1-A3 = H1 − 201 dB, clipped to −201.
        let far = smileHarmonics(f0: 100, formantFrequencies: [300, 560, 4900], magnitude: magnitude, binHz: 10)
        XCTAssertEqual(far.formantAmplitudesLogRelF0[2], 0)
        XCTAssertEqual(far.logRelH1A3, -201)

        // Unvoiced: the floor.
        let unvoiced = smileHarmonics(f0: 0, formantFrequencies: [300, 560, 950], magnitude: magnitude, binHz: 10)
        XCTAssertEqual(unvoiced, SmileHarmonicsFrame(hnrACFLogdB: 0, logRelH1H2: 0, logRelH1A3: 0,
                                                     formantAmplitudesLogRelF0: [-201, -201, -201]))
    }

    /// A strictly periodic pulse train: every period has the same length and amplitude, so jitter
    /// and shimmer are 0; a train whose pulses alternate in height by a ratio r has a peak-to-peak
    /// shimmer of 20·log10(1 + |1 − r| / ((1 + r)/2)) between each pair (with the amplitude of a
    /// segment taken as the pulse's peak minus the floor, 0).
    func testJitterAndShimmerOfPulseTrainsByHand() {
        let rate = 16000.0, period = 128 // 125 Hz
        func train(_ heights: (Int) -> Float) -> [Float] {
            var x = [Float](repeating: 0, count: 16000)
            for (k, i) in stride(from: 37, to: x.count - 2, by: period).enumerated() {
                x[i - 1] = 0.3 * heights(k)
                x[i] = heights(k)
                x[i + 1] = 0.3 * heights(k)
            }
            return x
        }
        let framing = SmileFraming(sampleRate: rate, frameSeconds: 0.060)
        let frames = framing.frameCount(samples: 16000) - 6
        let f0 = [Float](repeating: 125, count: frames)
        let even = smileJitterShimmer(signal: train { _ in 0.5 }, sampleRate: rate, f0: f0,
                                      frameStep: framing.frameStep, frameSize: framing.frameSize)
        XCTAssertEqual(even.jitterLocal.max(), 0)
        XCTAssertEqual(even.shimmerLocalDB.max(), 0)

        let r: Float = 0.8
        let alternating = smileJitterShimmer(signal: train { $0 % 2 == 0 ? 0.5 : 0.5 * r }, sampleRate: rate, f0: f0,
                                             frameStep: framing.frameStep, frameSize: framing.frameSize)
        let expected = Float(20 * log10(1 + Double((1 - r) / ((1 + r) / 2))))
        XCTAssertEqual(alternating.jitterLocal.max(), 0)
        for v in alternating.shimmerLocalDB.dropFirst(2) { XCTAssertEqual(v, expected, accuracy: 1e-4) }
    }

    /// Silence, a pure tone, white noise, clipping, a 0.1 s clip, 8 and 96 kHz: finite values, the
    /// documented ranges, one output per F0 frame.
    func testAwkwardInputsGiveFiniteValues() {
        func lcg(_ n: Int, seed: UInt32) -> [Float] {
            var s = seed
            return (0..<n).map { _ in
                s = s &* 1664525 &+ 1013904223
                return Float(s >> 8) / Float(1 << 23) - 1
            }
        }
        for rate in [8000.0, 96000.0] {
            let n = Int(rate * 0.25)
            let tone = (0..<n).map { Float(0.5 * sin(2 * Double.pi * 220 * Double($0) / rate)) }
            let signals: [(String, [Float])] = [
                ("silence", [Float](repeating: 0, count: n)),
                ("dc", [Float](repeating: 0.25, count: n)),
                ("tone", tone),
                ("noise", lcg(n, seed: 7).map { 0.5 * $0 }),
                ("clipped", tone.map { min(max(4 * $0, -1), 32767 / 32768) }),
                ("short", Array(tone.prefix(Int(rate * 0.1)))),
            ]
            for (name, x) in signals {
                let analysis = SmileAnalysis(signal: x, sampleRate: rate)
                for hz: Float in [0, 55, 220, 1000] {
                    let f0 = [Float](repeating: hz, count: analysis.frameCount)
                    let js = smileJitterShimmer(analysis, f0: f0)
                    XCTAssertEqual(js.jitterLocal.count, f0.count)
                    XCTAssert(js.jitterLocal.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "\(name) \(rate) \(hz) jitter")
                    XCTAssert(js.shimmerLocalDB.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= Float(20 * log10(2.0)) + 1e-5 },
                              "\(name) \(rate) \(hz) shimmer")
                    let formants = (0..<analysis.frameCount).map { _ in
                        SmileFormantFrame(frequencies: [500, 1500, 2500, 0, 0], bandwidths: [80, 120, 200, 0, 0], count: 3)
                    }
                    let h = smileHarmonics(analysis, f0: f0, formants: formants)
                    XCTAssertEqual(h.count, f0.count)
                    for frame in h {
                        XCTAssert(frame.hnrACFLogdB.isFinite && frame.hnrACFLogdB >= -90 && frame.hnrACFLogdB <= 110, "\(name) \(rate) \(hz) HNR")
                        for v in [frame.logRelH1H2, frame.logRelH1A3] + frame.formantAmplitudesLogRelF0 {
                            XCTAssert(v.isFinite && v >= -201 && v <= 201, "\(name) \(rate) \(hz) harmonics \(v)")
                        }
                    }
                }
            }
        }
    }
    /// The eight voice-quality LLD columns of 3 of the 9 shared LLD clips (one per corpus:
    /// `../shared/reference/egemaps/egemaps-v02-lld`, skipped without it), from our own chain up to these components (SmileAnalysis,
    /// smileF0, smileFormants) and the 3-frame `noZeroSma` average of cContourSmoother (written out
    /// here; the chain has its own), against openSMILE frame by frame. Pooled over the clips: Pearson
    /// r ≥ 0.99, median relative difference ≤ 2 % (|ours − ref| / max(|ref|, the column's SD)), and
    /// voiced/unvoiced (non-zero) agreement ≥ 97 %. The last 6 frames of each clip are left out: there
    /// openSMILE's LLDs are not the plain average of its levels (cContourSmoother's end-of-input flush
    /// repeats frames), which is the chain's business, not these components'.
    func testVoiceQualityLLDsOfThreeSharedClipsAgreeWithOpenSMILE() throws {
        let dir = try SharedData.require("reference/egemaps/egemaps-v02-lld")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".csv") }.sorted()
        XCTAssertEqual(files.count, 9)
        let clips = stride(from: 0, to: files.count, by: 3).map { files[$0] }
        let columns = ["jitterLocal_sma3nz", "shimmerLocaldB_sma3nz", "HNRdBACF_sma3nz", "logRelF0-H1-H2_sma3nz",
                       "logRelF0-H1-A3_sma3nz", "F1amplitudeLogRelF0_sma3nz", "F2amplitudeLogRelF0_sma3nz",
                       "F3amplitudeLogRelF0_sma3nz"]
        var ours = [[Double]](repeating: [], count: columns.count), theirs = ours
        for file in clips {
            let (header, rows) = try CSV.decode(String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8), source: file)
            let rel = String(file.dropLast(4)).replacingOccurrences(of: "__", with: "/")
            let url = try XCTUnwrap(["", "corpora-sample/"].map { SharedData.root.appendingPathComponent($0 + rel) }
                .first { FileManager.default.fileExists(atPath: $0.path) })
            let signal = try AudioFile.readMono(url)
            let analysis = SmileAnalysis(signal: signal.samples, sampleRate: Double(signal.sampleRate))
            let f0 = smileF0(analysis).f0Hz
            let js = smileJitterShimmer(analysis, f0: f0)
            let h = smileHarmonics(analysis, f0: f0, formants: smileFormants(analysis))
            let levels: [[Float]] = [js.jitterLocal, js.shimmerLocalDB, h.map(\.hnrACFLogdB), h.map(\.logRelH1H2),
                                     h.map(\.logRelH1A3)] + (0..<3).map { k in h.map { $0.formantAmplitudesLogRelF0[k] } }
            XCTAssertEqual(rows.count, f0.count + 1, "\(file): openSMILE's LLDs have one frame more than its F0 level")
            for (c, column) in columns.enumerated() {
                let j = try XCTUnwrap(header.firstIndex(of: column))
                let smooth = Self.sma3nz(levels[c])
                for i in 0..<max(0, f0.count - 6) {
                    ours[c].append(Double(smooth[i]))
                    theirs[c].append(Double(rows[i][j])!)
                }
            }
        }
        for (c, column) in columns.enumerated() {
            let (a, b) = (ours[c], theirs[c])
            let m = Double(a.count)
            let ma = a.reduce(0, +) / m, mb = b.reduce(0, +) / m
            var sab = 0.0, saa = 0.0, sbb = 0.0
            for i in a.indices {
                sab += (a[i] - ma) * (b[i] - mb)
                saa += (a[i] - ma) * (a[i] - ma)
                sbb += (b[i] - mb) * (b[i] - mb)
            }
            let r = sab / (saa * sbb).squareRoot(), sd = (sbb / m).squareRoot()
            let rel = a.indices.map { abs(a[$0] - b[$0]) / max(abs(b[$0]), sd) }.sorted()
            let voicing = Double(a.indices.filter { (a[$0] != 0) == (b[$0] != 0) }.count) / m
            print(String(format: "%@: %d frames, r %.6f, median rel %.2e, p90 rel %.2e, voicing %.4f",
                         column, a.count, r, rel[rel.count / 2], rel[rel.count * 9 / 10], voicing))
            XCTAssertGreaterThanOrEqual(r, 0.99, column)
            XCTAssertLessThanOrEqual(rel[rel.count / 2], 0.02, column)
            XCTAssertGreaterThanOrEqual(voicing, 0.97, column)
        }
    }

    /// cContourSmoother with `smaWin = 3`, `noZeroSma = 1`: zeros stay zero and are left out of
    /// their neighbours' averages (Float, as openSMILE).
    static func sma3nz(_ x: [Float]) -> [Float] {
        x.indices.map { i in
            guard x[i] != 0 else { return 0 }
            var sum = x[i], count: Float = 1
            if i > 0 && x[i - 1] != 0 { sum += x[i - 1]; count += 1 }
            if i + 1 < x.count && x[i + 1] != 0 { sum += x[i + 1]; count += 1 }
            return sum / count
        }
    }
}
