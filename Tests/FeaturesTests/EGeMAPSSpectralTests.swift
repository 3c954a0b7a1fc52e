import Audio
@testable import Features
import Foundation
import TestSupport
import XCTest

/// eGeMAPS' energy and spectral LLDs (Loudness, alphaRatio, hammarbergIndex, slope0-500,
/// slope500-1500, spectralFlux, mfcc1–4, and equivalentSoundLevel_dBp) component by component,
/// against openSMILE 2.6.0: the 9 reference LLD files of `../shared/reference/egemaps` (skipped
/// without it), the functionals CSV, and the committed fixture of generated signals.
///
/// The reference LLDs are 3-frame moving averages (`_sma3`); the test applies cContourSmoother's
/// average itself (another component owns the real one): `(x[i−1] + x[i] + x[i+1]) / 3`, the
/// first frame repeated before the start (`(2 x[0] + x[1]) / 3`), and the last output frame
/// averaged with the frame after it, which openSMILE's 20 ms level still holds (its LLD files stop
/// a few frames before the last complete 20 ms frame). So the components here run on *every*
/// complete 20 ms frame, cut after smoothing.
///
/// Thresholds: the algorithm is openSMILE's to single precision, so per column Pearson r ≥ 0.9999
/// and median relative difference ≤ 1e-4 (issue 24 asks r ≥ 0.99 and ≤ 2 %); the maximum is
/// printed, not asserted (a value crossing zero, e.g. a slope of 1e-7 dB/Hz, has a large relative
/// error from float rounding alone).
final class EGeMAPSSpectralTests: XCTestCase {
    // MARK: - Helpers

    /// openSMILE's reading of 16-bit PCM: the integer sample / 32767 (cWaveSource and the Python
    /// wrapper's external source), where libsndfile (our `AudioFile`) divides by 32768.
    static func openSmileScale(_ x: [Float]) -> [Float] {
        x.map { Float(($0 * 32768).rounded()) / Float(32767) }
    }

    /// The 20 ms Hamming magnitude spectra of every complete frame (10 ms step), and the framing.
    static func magnitudes20(_ x: [Float], rate: Int) -> (mags: [[Float]], framing: SmileFraming, fft: SmileFFT) {
        let framing = SmileFraming(sampleRate: Double(rate), frameSeconds: 0.020)
        let fft = SmileFFT(frameSize: framing.frameSize)
        let window = SmileWindow.hamming(framing.frameSize)
        let count = max(1, SmileEnergy.completeFrames(samples: x.count, framing: framing))
        let mags = (0..<count).map { i -> [Float] in
            let f = framing.frame(i, of: x)
            return fft.magnitude((0..<f.count).map { Float(Double(f[$0]) * window[$0]) })
        }
        return (mags, framing, fft)
    }

    /// The 10 columns of this component, unsmoothed, `[frame][column]`.
    static func columns(_ x: [Float], rate: Int) -> [[Double]] {
        let (mags, framing, fft) = magnitudes20(x, rate: rate)
        let loud = SmileLoudness(frameSize: framing.frameSize, fftSize: fft.fftSize).contour(mags)
        let spec = SmileSpectralBalance(frameSize: framing.frameSize, fftSize: fft.fftSize).contour(mags)
        let mfcc = SmileMFCC(frameSize: framing.frameSize, fftSize: fft.fftSize).contour(mags)
        return (0..<mags.count).map { (t: Int) -> [Double] in
            let s = spec[t]
            let row: [Float] = [loud[t], s.alphaRatio, s.hammarbergIndex, s.slope0to500, s.slope500to1500, s.spectralFlux]
            return (row + mfcc[t]).map { Double($0) }
        }
    }

    static let names = ["Loudness_sma3", "alphaRatio_sma3", "hammarbergIndex_sma3", "slope0-500_sma3",
                        "slope500-1500_sma3", "spectralFlux_sma3", "mfcc1_sma3", "mfcc2_sma3", "mfcc3_sma3", "mfcc4_sma3"]

    /// cContourSmoother, `smaWin = 3`, `noZeroSma = 0`, first frame repeated before the start.
    static func smooth3(_ x: [Double]) -> [Double] {
        guard x.count > 1 else { return x }
        var y = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let left: Double = x[max(i - 1, 0)]
            let right: Double = x[min(i + 1, x.count - 1)]
            y[i] = (left + x[i] + right) / 3
        }
        return y
    }

    struct Agreement {
        var r: Double
        var median: Double
        var max: Double
    }

    /// Pearson r and the relative difference |a − b| / max(|b|, sd(b)), median and maximum.
    static func agreement(_ a: [Double], _ b: [Double]) -> Agreement {
        let n = Double(a.count)
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for (x, y) in zip(a, b) { sab += (x - ma) * (y - mb); saa += (x - ma) * (x - ma); sbb += (y - mb) * (y - mb) }
        let r = saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : (saa == sbb ? 1 : 0)
        let sd = (sbb / n).squareRoot()
        let rel = zip(a, b).map { abs($0 - $1) / max(abs($1), sd, 1e-30) }.sorted()
        return Agreement(r: r, median: rel[rel.count / 2], max: rel.last ?? 0)
    }

    static func readCSV(_ url: URL) throws -> (header: [String], rows: [[String]]) {
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
        let header = lines[0].split(separator: ",").map(String.init)
        return (header, lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) })
    }

    static func sharedAudio(_ rel: String) -> URL {
        ["", "corpora-sample/"].map { SharedData.root.appendingPathComponent($0 + rel) }
            .first { FileManager.default.fileExists(atPath: $0.path) } ?? SharedData.root.appendingPathComponent(rel)
    }

    /// Compares the smoothed columns of each clip with the reference rows, per column over all
    /// frames; asserts r and the median, prints the table.
    func check(ours: [[[Double]]], theirs: [[[Double]]], label: String, columns: Range<Int>,
               file: StaticString = #filePath, line: UInt = #line) {
        for k in columns {
            var a: [Double] = [], b: [Double] = []
            for (o, t) in zip(ours, theirs) {
                let smoothed = Self.smooth3(o.map { $0[k] })
                XCTAssertGreaterThanOrEqual(smoothed.count, t.count, "\(label): fewer frames than openSMILE", file: file, line: line)
                for i in 0..<min(smoothed.count, t.count) {
                    a.append(smoothed[i])
                    b.append(t[i][k])
                }
            }
            let g = Self.agreement(a, b)
            print(String(format: "EGeMAPS spectral %@ %@: %d frames, r %.7f, median rel %.2e, max rel %.2e",
                         label, Self.names[k], a.count, g.r, g.median, g.max))
            XCTAssertGreaterThanOrEqual(g.r, 0.9999, "\(label) \(Self.names[k]): Pearson r", file: file, line: line)
            XCTAssertLessThanOrEqual(g.median, 1e-4, "\(label) \(Self.names[k]): median relative difference", file: file, line: line)
        }
    }

    struct SharedClips: @unchecked Sendable {
        var files: [String]
        var header: [[String]]
        var ours: [[[Double]]]
        var theirs: [[[Double]]]
    }

    /// The 9 shared clips, computed once for the three tests that read them: our unsmoothed
    /// columns and openSMILE's first 10 LLD columns (or the XCTSkip when ../shared is absent).
    static let sharedClipsResult: Result<SharedClips, Error> = Result {
        let dir = try SharedData.require("reference/egemaps/egemaps-v02-lld")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".csv") }.sorted()
        var out = SharedClips(files: files, header: [], ours: [], theirs: [])
        for file in files {
            let (header, rows) = try readCSV(dir.appendingPathComponent(file))
            out.header.append(Array(header[2..<12]))
            let url = sharedAudio(String(file.dropLast(4)).replacingOccurrences(of: "__", with: "/"))
            let signal = try AudioFile.readMono(url)
            out.ours.append(columns(openSmileScale(signal.samples), rate: signal.sampleRate))
            out.theirs.append(rows.map { $0[2..<12].map { Double($0)! } })
        }
        return out
    }

    func sharedClips() throws -> (ours: [[[Double]]], theirs: [[[Double]]]) {
        let clips = try Self.sharedClipsResult.get()
        XCTAssertEqual(clips.files.count, 9)
        for h in clips.header { XCTAssertEqual(h, Self.names) }
        return (clips.ours, clips.theirs)
    }

    // MARK: - Against the shared reference LLDs

    func testLoudnessOfNineSharedClipsMatchesOpenSMILE() throws {
        let (ours, theirs) = try sharedClips()
        check(ours: ours, theirs: theirs, label: "shared", columns: 0..<1)
    }

    func testSpectralBalanceAndFluxOfNineSharedClipsMatchOpenSMILE() throws {
        let (ours, theirs) = try sharedClips()
        check(ours: ours, theirs: theirs, label: "shared", columns: 1..<6)
    }

    func testMFCCOfNineSharedClipsMatchOpenSMILE() throws {
        let (ours, theirs) = try sharedClips()
        check(ours: ours, theirs: theirs, label: "shared", columns: 6..<10)
    }

    /// equivalentSoundLevel_dBp of the 76 shared clips: within 1e-4 dB of openSMILE's value
    /// (printed with 9 digits; its dBp runs in float).
    func testEquivalentSoundLevelOfSharedClipsMatchesOpenSMILE() throws {
        let url = try SharedData.require("reference/egemaps/egemaps-v02-functionals.csv")
        let (header, rows) = try Self.readCSV(url)
        let column = try XCTUnwrap(header.firstIndex(of: "equivalentSoundLevel_dBp"))
        XCTAssertEqual(rows.count, 76)
        var worst = 0.0
        for row in rows {
            let signal = try AudioFile.readMono(Self.sharedAudio(row[0]))
            let ours = SmileEnergy.equivalentSoundLevel(signal: Self.openSmileScale(signal.samples),
                                                        sampleRate: Double(signal.sampleRate))
            let theirs = Double(row[column])!
            XCTAssertEqual(ours, theirs, accuracy: 1e-4, row[0])
            worst = max(worst, abs(ours - theirs))
        }
        print("EGeMAPS spectral equivalentSoundLevel_dBp: 76 clips, max |Δ| = \(worst) dB")
    }

    // MARK: - Generated signals (committed fixture, no ../shared needed)

    /// The two voices with LLDs in the fixture (16 kHz and 24414 Hz, the rate whose bin spacing
    /// is not `rate / fftSize`), column by column.
    func testGeneratedVoicesMatchTheFixtureLLDs() throws {
        let fixture = EGeMAPSSignals.fixture
        XCTAssertEqual(Array(fixture.lld_names[0..<10]), Self.names)
        for name in ["voice-16k", "voice-24414"] {
            let lld = try XCTUnwrap(fixture.signals[name]?.lld)
            let (rate, x) = try EGeMAPSSignals.samples(name)
            let ours = Self.columns(Self.openSmileScale(x), rate: rate)
            check(ours: [ours], theirs: [lld.map { Array($0[0..<10]) }], label: name, columns: 0..<10)
        }
    }

    /// equivalentSoundLevel_dBp of all generated signals, including silence (−120 dB, the floor),
    /// 8 and 96 kHz, clipping and a 0.1 s clip.
    func testEquivalentSoundLevelOfGeneratedSignalsMatchesTheFixture() throws {
        let fixture = EGeMAPSSignals.fixture
        let column = try XCTUnwrap(fixture.functional_names.firstIndex(of: "equivalentSoundLevel_dBp"))
        for name in fixture.signals.keys.sorted() {
            let (rate, x) = try EGeMAPSSignals.samples(name)
            let ours = SmileEnergy.equivalentSoundLevel(signal: Self.openSmileScale(x), sampleRate: Double(rate))
            XCTAssertEqual(ours, fixture.signals[name]!.functionals[column], accuracy: 1e-4, name)
        }
    }

    /// No NaN or infinity on silence, a pure tone, noise, a 0.1 s clip, 8 and 96 kHz and clipping;
    /// on silence openSMILE's floors give loudness `(9.3e-10 · E(f))^0.33` averaged (its
    /// loudness mean there is 0.0010339657) and exact zeros for the ratios, flux and MFCC.
    func testGeneratedSignalsGiveFiniteValuesAndOpenSMILEsFloorsOnSilence() throws {
        for name in EGeMAPSSignals.fixture.signals.keys.sorted() {
            let (rate, x) = try EGeMAPSSignals.samples(name)
            let cols = Self.columns(Self.openSmileScale(x), rate: rate)
            XCTAssertFalse(cols.isEmpty, name)
            for (t, row) in cols.enumerated() {
                XCTAssertTrue(row.allSatisfy(\.isFinite), "\(name) frame \(t): \(row)")
            }
            if name == "silence-16k" {
                for row in cols {
                    XCTAssertEqual(row[0], 0.0010339657, accuracy: 1e-8, "silence loudness")
                    // The slopes are not 0: openSMILE's edge-weighted regression of a flat −140 dB
                    // spectrum has a non-zero slope (its slopeUV0-500 mean on silence is 0.112).
                    XCTAssertEqual([1, 2, 5, 6, 7, 8, 9].map { row[$0] }, [Double](repeating: 0, count: 7), "silence: other columns")
                }
            }
        }
        // Shorter than one 20 ms frame: no energy frames, NaN like openSMILE's wrapper; empty input too.
        XCTAssertTrue(SmileEnergy.equivalentSoundLevel(signal: [Float](repeating: 0.1, count: 100), sampleRate: 16000).isNaN)
        XCTAssertTrue(SmileEnergy.equivalentSoundLevel(signal: [], sampleRate: 16000).isNaN)
    }

    // MARK: - Hand calculations

    func testHandCalculations() {
        // openSMILE's bin spacing: 1 / (0.020 s · fftSize / frameSize).
        XCTAssertEqual(SmileSpectrumAxis.binHz(frameSize: 488, fftSize: 512), 488.0 / (0.02 * 512), accuracy: 1e-9)
        XCTAssertEqual(SmileSpectrumAxis.binHz(frameSize: 441, fftSize: 512), 22050.0 / 512, accuracy: 1e-9)
        XCTAssertEqual(SmileSpectrumAxis.binHz(frameSize: 256, fftSize: 256), 50, accuracy: 1e-12)
        // dBp: 10 log10, floored at 1e-12.
        XCTAssertEqual(SmileEnergy.dBp(1), 0, accuracy: 1e-12)
        XCTAssertEqual(SmileEnergy.dBp(0.01), -20, accuracy: 1e-5)
        XCTAssertEqual(SmileEnergy.dBp(0), -120, accuracy: 1e-4)
        // Mean square of a frame.
        XCTAssertEqual(SmileEnergy.meanSquare([0.5, -0.5, 0.5, -0.5]), 0.25)
        // Mel scale 1127 ln(1 + f/700), and its inverse.
        XCTAssertEqual(SmileMelspec.mel(700), 1127 * log(2.0), accuracy: 1e-9)
        XCTAssertEqual(SmileMelspec.hz(SmileMelspec.mel(3000)), 3000, accuracy: 1e-9)
        XCTAssertEqual(SmileMelspec.mel(-5), 0)
        // The filterbank splits each used bin's power between two neighbouring bands (the two
        // slopes sum to 1), so a flat spectrum's band powers sum to the number of used bins minus
        // the halves that fall outside the first and last band.
        let bank = SmileMelspec(bins: 257, binHz: 31.25, bands: 26, lowHz: 20, highHz: 8000)
        let bandsFlat = bank.apply(magnitude: [Float](repeating: 1, count: 257))
        XCTAssertTrue(bandsFlat.allSatisfy { $0 > 0 })
        XCTAssertLessThanOrEqual(Double(bandsFlat.reduce(0, +)), Double(256 - 1))
        // Alpha ratio of a spectrum with power 1 below 1 kHz (k·50 Hz, 20 bins) and 2 above (81 bins to 5 kHz).
        let axis = SmileSpectralBalance(bins: 129, binHz: 50)
        var mag = [Float](repeating: 1, count: 129)
        for k in 20...100 { mag[k] = Float(2).squareRoot() }
        let frame = axis(magnitude: mag, previous: mag)
        XCTAssertEqual(Double(frame.alphaRatio), 10 * log10(81.0 * 2 / 20), accuracy: 1e-5)
        XCTAssertEqual(Double(frame.hammarbergIndex), 10 * log10(2.0 / 2), accuracy: 1e-6)
        XCTAssertEqual(frame.spectralFlux, 0)
        // Flux: every magnitude in 0…5 kHz up by 0.5 → √(mean 0.25) = 0.5.
        let shifted = axis(magnitude: mag.map { $0 + 0.5 }, previous: mag)
        XCTAssertEqual(shifted.spectralFlux, 0.5, accuracy: 1e-6)
    }
}
