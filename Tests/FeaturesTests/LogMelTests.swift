import Features
import Foundation
import TestSupport
import XCTest

/// `LogMelSet` (`Sources/Features/LogMel.swift`) against `Fixtures/logmel.json`, written by
/// librosa 0.11 (`power_to_db(melspectrogram(y, sr=22050, n_fft=1024, win_length=551,
/// hop_length=220, n_mels=64, pad_mode=…))`, reflect and constant) in
/// `tools/make_logmel_fixture.py`, not by our code; then the set's own rules (padding with the
/// clip's minimum, cropping, shape, columns, parameters, silence).
final class LogMelTests: XCTestCase {
    // A `let` never mutated after its thread-safe lazy initialisation; `Any` just isn't Sendable.
    nonisolated(unsafe) static let fixture: [String: Any] = {
        let url = Bundle.module.url(forResource: "logmel", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    /// librosa's unpadded log-mel matrix of one case for one preset: all 64 bands of the frames
    /// `frameIndex`, and over all frames each band's mean and the matrix's minimum and maximum.
    struct Reference {
        let padMode: String
        let values: [[Float]]
        let bandMean: [Double]
        let min: Float
        let max: Float
    }

    struct Case {
        let name: String
        let samples: Int
        let intSum: Int
        let intWeightedSum: Int
        let frames: Int
        let frameIndex: [Int]
        let presets: [String: Reference]
    }

    static let cases: [Case] = {
        func floats(_ any: Any?) -> [Float] { (any as! [NSNumber]).map(\.floatValue) }
        return (fixture["cases"] as! [[String: Any]]).map { c in
            var presets: [String: Reference] = [:]
            for name in ["notebook", "librosa"] {
                let p = c[name] as! [String: Any]
                presets[name] = Reference(padMode: p["pad_mode"] as! String,
                                          values: (p["values"] as! [Any]).map(floats),
                                          bandMean: (p["band_mean"] as! [NSNumber]).map(\.doubleValue),
                                          min: (p["min"] as! NSNumber).floatValue, max: (p["max"] as! NSNumber).floatValue)
            }
            return Case(name: c["name"] as! String, samples: c["n_samples"] as! Int, intSum: c["int_sum"] as! Int,
                        intWeightedSum: (c["int_weighted_sum"] as! NSNumber).intValue, frames: c["frames"] as! Int,
                        frameIndex: (c["frame_index"] as! [NSNumber]).map(\.intValue), presets: presets)
        }
    }()

    // MARK: The fixture's signals, rebuilt (keep in step with tools/make_logmel_fixture.py)

    static func tone(_ amplitude: Double, _ f0: Double, _ sweep: Double, _ n: Int) -> Int {
        SyntheticSignals.tone(amplitude, f0, sweep, n, 22050)
    }

    /// The integer samples (16-bit scale) of the fixture's case `name`.
    static func integers(_ name: String) -> [Int] {
        switch name {
        case "chirp":
            var g = SyntheticSignals.LCG(state: 11)
            return (0..<66150).map { tone(12000, 150, 600, $0) + (g.next() >> 4) }
        case "tone_noise":
            var g = SyntheticSignals.LCG(state: 5)
            return (0..<77175).map { tone(8000, 440, 0, $0) + tone(3000, 1250, 0, $0) + (g.next() >> 2) }
        case "short":
            var g = SyntheticSignals.LCG(state: 3)
            return (0..<17640).map { tone(10000, 300, 900, $0) + (g.next() >> 3) }
        case "bursts":
            return (0..<44100).map { ($0 / 4410) % 2 == 0 ? tone(15000, 880, 0, $0) : 0 }
        case "silence":
            return [Int](repeating: 0, count: 22050)
        default:
            fatalError("no signal \(name)")
        }
    }

    /// v / 32768 in Float: exact, as numpy's float32 division of the same integers.
    static func signal(_ name: String) -> [Float] { integers(name).map { Float($0) / 32768 } }

    static let presets: [(String, FeaturePreset)] = [("notebook", .notebook), ("librosa", .librosa)]

    // MARK: Against librosa

    /// How close we must be, in dB. librosa's chain is float32 with a float64 FFT and a float32
    /// mel product (einsum); ours is a float32 FFT (FFTW) and a Double mel sum, so the two differ
    /// by float32 roundings: ~1e-7 relative in power, i.e. ~1e-6 dB on strong bands, more in bands
    /// far below their frame's strongest bins, where the FFT's rounding is a larger share of their
    /// power. Measured over every stored value of the fixture (both presets): max |Δ| =
    /// 3.6e-4 dB (bursts, reflect, frame 2, band 6; `testMatchesLibrosa` prints it); librosa's own
    /// float32 vs float64 pipeline differs by 8.3e-6 dB on these signals (the fixture's
    /// environment records it). 0.01 dB is ~28× the worst case yet far below what a wrong
    /// parameter gives on these signals (librosa against itself, max over the matrix: win_length
    /// 550 or 552 instead of 551 ≥ 0.17 dB, 1024 ≥ 15 dB, zero instead of reflect padding ≥ 6 dB,
    /// htk ≥ 40 dB, no Slaney norm 27 dB).
    static let toleranceDB: Float = 0.01

    func testFixtureCoversTheCases() {
        XCTAssertEqual(Self.cases.map(\.name), ["chirp", "tone_noise", "short", "bursts", "silence"])
        XCTAssertEqual(Self.cases.map(\.frames), [301, 351, 81, 201, 101])
        for c in Self.cases {
            XCTAssertEqual(c.frames, 1 + c.samples / 220, c.name)
            for (name, _) in Self.presets {
                let r = c.presets[name]!
                XCTAssertEqual(r.values.count, c.frameIndex.count, c.name)
                XCTAssertTrue(r.values.allSatisfy { $0.count == 64 }, c.name)
                XCTAssertEqual(r.bandMean.count, 64, c.name)
            }
            XCTAssertEqual(c.presets["notebook"]!.padMode, "reflect")
            XCTAssertEqual(c.presets["librosa"]!.padMode, "constant")
            XCTAssertEqual(c.frameIndex.first, 0, c.name)
            XCTAssertEqual(c.frameIndex.last, c.frames - 1, c.name)
        }
        // The edge frames (where reflect and zero padding differ) are stored, and they do differ.
        let chirp = Self.cases[0]
        XCTAssertNotEqual(chirp.presets["notebook"]!.values[0], chirp.presets["librosa"]!.values[0])
    }

    func testSignalsAreTheFixturesSignals() {
        for c in Self.cases {
            let ints = Self.integers(c.name)
            XCTAssertEqual(ints.count, c.samples, c.name)
            XCTAssertEqual(ints.reduce(0, +), c.intSum, c.name)
            XCTAssertEqual(ints.enumerated().reduce(0) { $0 + $1.offset * $1.element }, c.intWeightedSum, c.name)
        }
    }

    func testMatchesLibrosa() {
        var worst: Float = 0, worstAt = ""
        var bad = FeatureSetTests.Mismatches()
        for c in Self.cases {
            let y = Self.signal(c.name)
            for (name, preset) in Self.presets {
                let ref = c.presets[name]!
                let m = LogMelSet(preset: preset).logMel(samples: y, sampleRate: 22050)
                XCTAssertEqual(m.bins, 64, c.name)
                XCTAssertEqual(m.frames, c.frames, c.name)
                guard m.frames == c.frames else { continue }
                for (i, t) in c.frameIndex.enumerated() {
                    for b in 0..<64 {
                        let d = abs(m[b, t] - ref.values[i][b])
                        if d > worst { worst = d; worstAt = "\(c.name)/\(name) frame \(t) band \(b)" }
                        if !(d <= Self.toleranceDB) {
                            bad.note("\(c.name) [\(name)] frame \(t) band \(b): \(m[b, t]) vs librosa \(ref.values[i][b])")
                        }
                    }
                }
                // Every frame, through the summaries: band means, minimum, maximum.
                for b in 0..<64 {
                    let mean = m.row(b).reduce(0.0) { $0 + Double($1) } / Double(m.frames)
                    if !(abs(mean - ref.bandMean[b]) <= Double(Self.toleranceDB)) {
                        bad.note("\(c.name) [\(name)] band \(b) mean: \(mean) vs librosa \(ref.bandMean[b])")
                    }
                }
                XCTAssertEqual(m.values.min()!, ref.min, accuracy: Self.toleranceDB, "\(c.name) [\(name)] minimum")
                XCTAssertEqual(m.values.max()!, ref.max, accuracy: Self.toleranceDB, "\(c.name) [\(name)] maximum")
            }
        }
        bad.finish("log-mel against librosa")
        print("LogMelTests: max |ours - librosa| = \(worst) dB at \(worstAt)")
    }

    // MARK: The fixed frame count

    func testShortClipIsPaddedWithItsMinimum() throws {
        for (name, preset) in Self.presets {
            let set = LogMelSet(preset: preset)
            let y = Self.signal("short")
            let unpadded = set.logMel(samples: y, sampleRate: 22050)
            XCTAssertEqual(unpadded.frames, 81)
            let x = try set.features(samples: y, sampleRate: 22050, path: "short.wav")
            XCTAssertEqual(x.count, 301 * 64)
            // The computed frames are the unpadded computation, bit for bit.
            XCTAssertEqual(Array(x[0..<(81 * 64)]), unpadded.values)
            // Every band of the 220 padded frames holds the clip's minimum: librosa's, within the tolerance.
            let floor = unpadded.values.min()!
            XCTAssertTrue(x[(81 * 64)...].allSatisfy { $0 == floor }, name)
            let ref = Self.cases.first { $0.name == "short" }!.presets[name]!
            XCTAssertEqual(floor, ref.min, accuracy: Self.toleranceDB, name)
            // The padding is below or at every computed value, and not the silence floor (−100 dB).
            XCTAssertTrue(unpadded.values.allSatisfy { $0 >= floor })
            XCTAssertGreaterThan(floor, -90)
        }
    }

    func testLongSignalIsCroppedToItsFirstFrames() throws {
        let c = Self.cases.first { $0.name == "tone_noise" }!
        var bad = FeatureSetTests.Mismatches()
        for (name, preset) in Self.presets {
            let set = LogMelSet(preset: preset)
            let y = Self.signal(c.name)
            let x = try set.features(samples: y, sampleRate: 22050, path: "long.wav")
            XCTAssertEqual(x.count, 301 * 64)
            XCTAssertEqual(x, Array(set.logMel(samples: y, sampleRate: 22050).values[0..<(301 * 64)]))
            // Frame t of the output is librosa's frame t (the first frames, not the last ones).
            let ref = c.presets[name]!
            for (i, t) in c.frameIndex.enumerated() where t < 301 {
                for b in 0..<64 where !(abs(x[t * 64 + b] - ref.values[i][b]) <= Self.toleranceDB) {
                    bad.note("\(name) frame \(t) band \(b): \(x[t * 64 + b]) vs librosa \(ref.values[i][b])")
                }
            }
        }
        bad.finish("cropped log-mel against librosa")
    }

    func testExactWindowNeedsNoPadding() throws {
        // 3 s at 22050 Hz = 66150 samples: 1 + 66150 / 220 = 301 frames, the set's count.
        let y = Self.signal("chirp")
        let set = LogMelSet()
        XCTAssertEqual(try set.features(samples: y, sampleRate: 22050, path: "chirp.wav"),
                       set.logMel(samples: y, sampleRate: 22050).values)
        // One sample fewer still gives 301 frames (66149 / 220 = 300); 220 fewer, 300: one padded frame.
        XCTAssertEqual(set.logMel(samples: Array(y.dropLast()), sampleRate: 22050).frames, 301)
        let shorter = set.logMel(samples: Array(y.dropLast(220)), sampleRate: 22050)
        XCTAssertEqual(shorter.frames, 300)
        let x = try set.features(samples: Array(y.dropLast(220)), sampleRate: 22050, path: "chirp.wav")
        XCTAssertEqual(Array(x[(300 * 64)...]), [Float](repeating: shorter.values.min()!, count: 64))
    }

    // MARK: Shape, columns, parameters, registry

    func testShapeColumnsAndParameters() {
        let set = LogMelSet()
        XCTAssertEqual(set.name, "logmel")
        XCTAssertEqual(set.version, 1)
        XCTAssertEqual(set.frames, 301)
        XCTAssertEqual(set.shape, .sequence(frames: 301, bands: 64))
        XCTAssertFalse(set.shape.isVector)
        XCTAssertEqual(set.valuesPerClip, 301 * 64)
        XCTAssertEqual(set.columns.count, 64)
        XCTAssertEqual(set.columns.first, "mel0")
        XCTAssertEqual(set.columns.last, "mel63")
        let p = Dictionary(uniqueKeysWithValues: set.parameters)
        XCTAssertEqual(p.count, set.parameters.count, "parameter keys are unique")
        XCTAssertEqual(p["sr"], "22050")
        XCTAssertEqual(p["n_fft"], "1024")
        XCTAssertEqual(p["win_length"], "551")
        XCTAssertEqual(p["hop_length"], "220")
        XCTAssertEqual(p["n_mels"], "64")
        XCTAssertEqual(p["top_db"], "80")
        XCTAssertEqual(p["pad_mode"], "reflect")
        XCTAssertEqual(p["window_seconds"], "3")
        XCTAssertEqual(p["frames"], "301")
        XCTAssertEqual(p["pad"], "clip-minimum")

        // The frame count follows the window duration.
        let two = LogMelSet(duration: 2)
        XCTAssertEqual(two.shape, .sequence(frames: 201, bands: 64))
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: LogMelSet(duration: 2.5).parameters)["window_seconds"], "2.5")
        XCTAssertEqual(LogMelSet(duration: 2.5).frames, 1 + 55125 / 220)

        // configured(preset:) switches the pad mode and keeps the window.
        let librosa = two.configured(preset: .librosa)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: librosa.parameters)["pad_mode"], "constant")
        XCTAssertEqual(librosa.shape, .sequence(frames: 201, bands: 64))

        // Registered, after the MFCC sets; not a vector set.
        XCTAssertEqual(FeatureSets.named("logmel")?.shape, .sequence(frames: 301, bands: 64))
        XCTAssertEqual(FeatureSets.all.last?.name, "logmel")
        XCTAssertFalse(FeatureSets.vectors.contains { $0.name == "logmel" })
    }

    // MARK: Silence, empty input

    func testSilenceIsFinite() throws {
        for (_, preset) in Self.presets {
            let set = LogMelSet(preset: preset)
            for n in [1, 100, 22050, 80000] {
                let x = try set.features(samples: [Float](repeating: 0, count: n), sampleRate: 22050, path: "zeros.wav")
                XCTAssertEqual(x.count, 301 * 64)
                XCTAssertTrue(x.allSatisfy(\.isFinite), "\(n) zeros")
                // 10 log10(amin) = −100 dB (in float32: librosa's −100.00001), padding included.
                XCTAssertTrue(x.allSatisfy { abs($0 + 100) < 1e-4 }, "\(n) zeros: \(x.min()!)…\(x.max()!)")
            }
        }
        let ref = Self.cases.first { $0.name == "silence" }!.presets["librosa"]!
        let x = try LogMelSet().features(samples: [Float](repeating: 0, count: 22050), sampleRate: 22050, path: "zeros.wav")
        XCTAssertEqual(x[0], ref.min, accuracy: 1e-5)
    }

    func testEmptySignalIsAnError() {
        XCTAssertThrowsError(try LogMelSet().features(samples: [], sampleRate: 22050, path: "empty.wav")) { error in
            XCTAssertEqual(error as? FeatureError, .emptySignal(path: "empty.wav"))
        }
    }

    // MARK: The STFT's win_length

    func testShortWindowIsZeroPaddedAndCentred() {
        let w = hannWindow(551, paddedTo: 1024)
        XCTAssertEqual(w.count, 1024)
        // librosa.util.pad_center: (1024 − 551) // 2 = 236 zeros before, 237 after.
        XCTAssertTrue(w[0..<236].allSatisfy { $0 == 0 })
        XCTAssertTrue(w[(236 + 551)...].allSatisfy { $0 == 0 })
        XCTAssertEqual(w.count - 236 - 551, 237)
        XCTAssertEqual(Array(w[236..<(236 + 551)]), hannWindow(551))
        XCTAssertEqual(hannWindow(1024, paddedTo: 1024), hannWindow(1024))
    }

    func testFullWindowKeepsTheDefaultBits() {
        // winLength == nFFT (or nil) is the STFT that the MFCC chain always used.
        let y = Self.signal("short")
        let a = powerSpectrogram(y, nFFT: 2048, hop: 512, padMode: .reflect)
        let b = powerSpectrogram(y, nFFT: 2048, hop: 512, winLength: 2048, padMode: .reflect)
        XCTAssertEqual(a.values, b.values)
        let s = stft(y, nFFT: 1024, hop: 220, winLength: 551)
        XCTAssertEqual(powerSpectrogram(s).values, powerSpectrogram(y, nFFT: 1024, hop: 220, winLength: 551).values)
        XCTAssertNotEqual(powerSpectrogram(y, nFFT: 1024, hop: 220).values,
                          powerSpectrogram(y, nFFT: 1024, hop: 220, winLength: 551).values)
    }
}
