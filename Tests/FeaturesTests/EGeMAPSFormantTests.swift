import Audio
import Features
import Foundation
import TestSupport
import XCTest

/// The formant chain of eGeMAPS (cSpecResample → cLpc → cFormantLpc): hand calculations for each
/// step, robustness, and parity with openSMILE 2.6.0's LLD files in `../shared`.
final class EGeMAPSFormantTests: XCTestCase {
    // MARK: hand calculations

    /// A spectrum with only bin 3 (real part K/2) and DC (K/4) resamples to
    /// `0.5 + cos(2π·3·i/nd)`: DC is not halved (openSMILE's irdft), and the grid is `nd`.
    func testSpecResampleEvaluatesTheInverseDFTOnTheCoarseGrid() {
        let r = SmileSpecResample(frameSize: 441, fftSize: 512, sampleRate: 22050)
        XCTAssertEqual(r.outputCount, 220)
        XCTAssertEqual(r.denominator, 512.0 * 220 / 441, accuracy: 1e-12)
        XCTAssertEqual(r.usedBins, 110)
        var re = [Float](repeating: 0, count: 257), im = re
        re[0] = 128
        re[3] = 256
        im[5] = -256     // usual convention: X_5 = −256i ↔ a sine at bin 5
        let out = r.resample(real: re, imag: im)
        for i in [0, 1, 17, 100, 219] {
            let arg = 2 * Double.pi * Double(i) / r.denominator
            let expected = 0.5 + cos(3 * arg) + sin(5 * arg)
            XCTAssertEqual(Double(out[i]), expected, accuracy: 1e-5, "sample \(i)")
        }
        // Bins from kMax/2 = 110 on are dropped.
        re = [Float](repeating: 0, count: 257); im = re
        re[110] = 256
        XCTAssertEqual(r.resample(real: re, imag: im).map { abs($0) }.max(), 0)
        // Output length is round(frameSize · 11000 / rate) at every rate.
        XCTAssertEqual(SmileSpecResample(frameSize: 960, fftSize: 1024, sampleRate: 48000).outputCount, 220)
        XCTAssertEqual(SmileSpecResample(frameSize: 488, fftSize: 512, sampleRate: 24414).outputCount, 220)
        XCTAssertEqual(SmileSpecResample(frameSize: 160, fftSize: 256, sampleRate: 8000).outputCount, 220)
    }

    /// Autocorrelation of an AR(1)-like sequence r = [1, ½, ¼, ⅛]: Levinson–Durbin gives
    /// a₁ = −½ (A(z) = 1 − ½z⁻¹), the rest 0, error ¾.
    func testLevinsonDurbinByHand() {
        let (a, e) = SmileLpc.levinsonDurbin([1, 0.5, 0.25, 0.125], order: 3)
        XCTAssertEqual(a[0], -0.5, accuracy: 1e-7)
        XCTAssertEqual(a[1], 0, accuracy: 1e-7)
        XCTAssertEqual(a[2], 0, accuracy: 1e-7)
        XCTAssertEqual(e, 0.75, accuracy: 1e-7)
        // r = [2, 1, 0]: a₁ = −½ then k₂ = −(0 − ½·1)/1.5 = ⅓; a = [−½ + ⅓·(−½)... ] by hand:
        // m=1: k=−½, a=[−½], e=1.5; m=2: sum = 0 + (−½)(1) = −½, k = ⅓, a₁ = −½ + ⅓·(−½) = −⅔, a₂ = ⅓.
        let (b, _) = SmileLpc.levinsonDurbin([2, 1, 0], order: 2)
        XCTAssertEqual(b[0], -2.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(b[1], 1.0 / 3, accuracy: 1e-6)
        // Autocorrelation by hand, and silence gives zeros.
        XCTAssertEqual(SmileLpc.autocorrelation([1, 2, 3], lags: 3), [14, 8, 3])
        XCTAssertEqual(SmileLpc.coefficients([Float](repeating: 0, count: 220)), [Float](repeating: 0, count: 11))
    }

    /// Coefficients whose (openSMILE-sign) polynomial has known roots give back their
    /// frequencies and bandwidths: a pair at radius ρ and angle θ is f = θ/(2πT), B = −ln ρ/(πT).
    func testFormantsFromKnownRoots() {
        let T = 1.0 / 11000
        // Pairs at 500, 1500, 2500 Hz (radii 0.97, 0.95, 0.9), one at 5480 Hz (outside maxF),
        // one at 30 Hz (below minF), and a real root 0.5: degree 11.
        let pairs: [(f: Double, rho: Double)] = [(500, 0.97), (1500, 0.95), (2500, 0.9), (5480, 0.9), (30, 0.99)]
        var poly: [Double] = [1]   // descending coefficients
        func multiply(_ q: [Double]) {
            var out = [Double](repeating: 0, count: poly.count + q.count - 1)
            for (i, a) in poly.enumerated() { for (j, b) in q.enumerated() { out[i + j] += a * b } }
            poly = out
        }
        for pr in pairs {
            let theta = 2 * Double.pi * pr.f * T
            multiply([1, -2 * pr.rho * cos(theta), pr.rho * pr.rho])
        }
        multiply([1, -0.5])
        XCTAssertEqual(poly.count, 12)
        // openSMILE roots zᵖ − Σ a_k z^{p−k}: a_k = −poly[k].
        let lpc = (1...11).map { Float(-poly[$0]) }
        var roots: [(re: Double, im: Double)] = []
        let frame = SmileFormantLpc().formants(lpc: lpc, samplePeriod: T, roots: &roots)
        XCTAssertEqual(frame.count, 3)
        let tolerance = 0.5   // Float coefficients
        XCTAssertEqual(frame.frequencies[0], 500, accuracy: tolerance)
        XCTAssertEqual(frame.frequencies[1], 1500, accuracy: tolerance)
        XCTAssertEqual(frame.frequencies[2], 2500, accuracy: tolerance)
        XCTAssertEqual(frame.frequencies[3], 0)
        XCTAssertEqual(frame.frequencies[4], 0)
        XCTAssertEqual(frame.bandwidths[0], -log(0.97) / (Double.pi * T), accuracy: 1)
        XCTAssertEqual(frame.bandwidths[1], -log(0.95) / (Double.pi * T), accuracy: 1)
        XCTAssertEqual(frame.bandwidths[2], -log(0.9) / (Double.pi * T), accuracy: 1)
        XCTAssertEqual(frame.bandwidths[3], 0)
        // A root outside the unit circle is reflected: radius 1/0.9 gives the bandwidth of 0.9.
        poly = [1]
        multiply([1, -2 / 0.9 * cos(2 * Double.pi * 1000 * T), 1 / 0.81])
        // Nine distinct real roots: 0 Hz or 5500 Hz, both outside 50…5450 Hz.
        for root in [0.5, -0.5, 0.3, -0.3, 0.1, -0.1, 0.7, -0.7, 0.2] { multiply([1, -root]) }
        let lpc2 = (1...11).map { Float(-poly[$0]) }
        let frame2 = SmileFormantLpc().formants(lpc: lpc2, samplePeriod: T, roots: &roots)
        XCTAssertEqual(frame2.count, 1)
        XCTAssertEqual(frame2.frequencies[0], 1000, accuracy: tolerance)
        XCTAssertEqual(frame2.bandwidths[0], -log(0.9) / (Double.pi * T), accuracy: 1)
    }

    // MARK: robustness

    func testNoNaNOnDifficultSignals() {
        var rng = SystemRandomNumberGenerator()
        func noise(_ n: Int) -> [Float] { (0..<n).map { _ in Float.random(in: -1..<1, using: &rng) } }
        let cases: [(String, [Float], Double)] = [
            ("silence", [Float](repeating: 0, count: 8000), 16000),
            ("tone", (0..<8000).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }, 16000),
            ("noise", noise(8000), 16000),
            ("short", noise(1600), 16000),
            ("8k", noise(4000), 8000),
            ("96k", noise(24000), 96000),
            ("clipped", (0..<8000).map { max(-1, min(0.999, Float(3 * sin(2 * Double.pi * 200 * Double($0) / 16000)))) }, 16000),
            ("tiny", [Float](repeating: 0, count: 5) + [1e-30] + [Float](repeating: 0, count: 500), 16000),
        ]
        for (name, signal, rate) in cases {
            let frames = smileFormants(SmileAnalysis(signal: signal, sampleRate: rate))
            if signal.count >= Int(rate / 10) { XCTAssertFalse(frames.isEmpty, name) }
            for f in frames {
                XCTAssertEqual(f.frequencies.count, 5, name)
                for (v, b) in zip(f.frequencies, f.bandwidths) {
                    XCTAssertTrue(v.isFinite && b.isFinite, name)
                    XCTAssertTrue(v == 0 || (50...5450).contains(v), "\(name): \(v)")
                }
                XCTAssertEqual(f.frequencies.filter { $0 != 0 }.count, f.count, name)
            }
            if name == "silence" { XCTAssertTrue(frames.allSatisfy { $0.count == 0 }) }
        }
    }

    // MARK: parity with openSMILE

    /// cContourSmoother with `smaWin = 3, noZeroSma = 1` (what the LLD file shows): zeros stay
    /// zero and are left out of their neighbours' means; the edges repeat the first/last frame.
    static func smooth(_ x: [Float]) -> [Float] {
        guard !x.isEmpty else { return [] }
        return (0..<x.count).map { n in
            let c = x[n]
            guard c != 0 else { return 0 }
            var sum = c, count: Float = 1
            for v in [x[max(n - 1, 0)], x[min(n + 1, x.count - 1)]] where v != 0 {
                sum += v
                count += 1
            }
            return sum / count
        }
    }

    static let columns: [(name: String, formant: Int, bandwidth: Bool)] = [
        ("F1frequency_sma3nz", 0, false), ("F1bandwidth_sma3nz", 0, true),
        ("F2frequency_sma3nz", 1, false), ("F2bandwidth_sma3nz", 1, true),
        ("F3frequency_sma3nz", 2, false), ("F3bandwidth_sma3nz", 2, true),
    ]

    /// Compares our smoothed formant columns with openSMILE's LLD rows `reference` (name → column
    /// values, one per LLD frame) for one signal; returns the per-column statistics.
    func checkColumns(_ frames: [SmileFormantFrame], _ reference: [String: [Double]], label: String,
                      file: StaticString = #filePath, line: UInt = #line) {
        for column in Self.columns {
            guard let ref = reference[column.name] else { return XCTFail("no \(column.name)", file: file, line: line) }
            XCTAssertGreaterThanOrEqual(frames.count, ref.count, label, file: file, line: line)
            let raw = frames.prefix(ref.count).map {
                Float(column.bandwidth ? $0.bandwidths[column.formant] : $0.frequencies[column.formant])
            }
            // The last LLD frames come from the end of openSMILE's stream (the F0-joined level has
            // one frame fewer, the smoother repeats its last input): left out, they are not formants.
            let n = max(ref.count - Self.endFrames, 1)
            let ours = Array(Self.smooth(raw).prefix(n)).map(Double.init)
            let stats = Self.compare(ours, Array(ref.prefix(n)))
            print(String(format: "FORMANTS %@ %@: r %.5f, median rel %.2e, within 1%% %.3f, zero agreement %.3f",
                         label, column.name, stats.r, stats.medianRel, stats.within1, stats.zeroAgreement))
            XCTAssertGreaterThanOrEqual(stats.r, 0.99, "\(label) \(column.name) r", file: file, line: line)
            XCTAssertLessThanOrEqual(stats.medianRel, 0.02, "\(label) \(column.name) median", file: file, line: line)
            XCTAssertGreaterThanOrEqual(stats.within1, 0.9, "\(label) \(column.name) within 1 %", file: file, line: line)
            XCTAssertEqual(stats.zeroAgreement, 1, "\(label) \(column.name) zeros", file: file, line: line)
        }
    }

    static let endFrames = 4

    /// One clip at each sample rate of the reference (22050, 48000, 24414 Hz), against openSMILE's
    /// LLD files. Per column: Pearson r ≥ 0.99, median |ours − ref| / max(|ref|, sd) ≤ 2 %
    /// (measured: ≤ 1e-4), ≥ 90 % of frames within 1 % (measured: ≥ 96 %), zeros where openSMILE
    /// has zeros. What is left is rounding: LPC of order 11 on the 11 kHz band-limited frame is
    /// ill-conditioned (coefficients move ~1e4 × the input's relative error), so the last bits in
    /// which our FFT (FFTW) and window product (Double) differ from openSMILE's (Ooura's fftsg in
    /// Float, Float product) move some formants by 1e-5…1e-2. Fed with openSMILE's own spectra, this
    /// chain reproduces its formant level bit for bit (checked on every frame of the 9 clips).
    func testFormantsMatchOpenSMILELLDs() throws {
        let clips = ["emodb__03a02Fc", "ravdess__Actor_03__03-01-06-01-01-01-03", "tess-sample__OAF_angry__OAF_back_angry"]
        for key in clips {
            let csv = try SharedData.require("reference/egemaps/egemaps-v02-lld/\(key).wav.csv")
            let relative = key.replacingOccurrences(of: "__", with: "/") + ".wav"
            let inCorpora = "corpora-sample/" + relative
            let exists = FileManager.default.fileExists(atPath: SharedData.root.appendingPathComponent(inCorpora).path)
            let wav = try SharedData.require(exists ? inCorpora : relative)
            let signal = try AudioFile.readMono(wav)
            let input = SmileAnalysis.openSMILEInput(signal.samples)   // as smile.process_file scales
            let frames = smileFormants(SmileAnalysis(signal: input, sampleRate: Double(signal.sampleRate)))
            let table = try Self.readCSV(csv)
            var reference: [String: [Double]] = [:]
            for (j, name) in table.header.enumerated() { reference[name] = table.rows.map { $0[j] } }
            checkColumns(frames, reference, label: key)
        }
    }

    /// The generated voices of the committed fixture (openSMILE 2.6.0's LLDs at 16000 and 24414 Hz,
    /// tools/make_egemaps_fixture.py), same statistics.
    func testFormantsMatchOpenSMILEOnGeneratedVoices() throws {
        let fixture = EGeMAPSSignals.fixture
        for name in ["voice-16k", "voice-24414"] {
            let entry = try XCTUnwrap(fixture.signals[name])
            let lld = try XCTUnwrap(entry.lld)
            let (rate, samples) = try EGeMAPSSignals.samples(name)
            XCTAssertEqual(rate, entry.rate)
            let input = SmileAnalysis.openSMILEInput(samples)
            let frames = smileFormants(SmileAnalysis(signal: input, sampleRate: Double(rate)))
            var reference: [String: [Double]] = [:]
            for (j, column) in fixture.lld_names.enumerated() { reference[column] = lld.map { $0[j] } }
            checkColumns(frames, reference, label: name)
        }
    }

    static func compare(_ a: [Double], _ b: [Double])
        -> (r: Double, medianRel: Double, within1: Double, zeroAgreement: Double) {
        let n = Double(a.count)
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (x, y) in zip(a, b) {
            sab += (x - ma) * (y - mb)
            saa += (x - ma) * (x - ma)
            sbb += (y - mb) * (y - mb)
        }
        let sd = (sbb / n).squareRoot()
        let rel = zip(a, b).map { abs($0 - $1) / max(abs($1), sd, 1e-12) }.sorted()
        let within = Double(rel.filter { $0 <= 0.01 }.count) / n
        let zeros = Double(zip(a, b).filter { ($0 == 0) == ($1 == 0) }.count) / n
        return (sab / max((saa * sbb).squareRoot(), .leastNormalMagnitude), rel[rel.count / 2], within, zeros)
    }

    static func readCSV(_ url: URL) throws -> (header: [String], rows: [[Double]]) {
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
        let header = lines[0].split(separator: ",").map(String.init)
        let rows = lines.dropFirst().map { $0.split(separator: ",").map { Double($0) ?? .nan } }
        return (header, rows)
    }
}
