import Audio
import Base
@testable import Features
import Foundation
import TestSupport
import XCTest

/// eGeMAPS' F0 (cSpecScale → cPitchShs → cPitchSmootherViterbi → energy gate) against openSMILE
/// 2.6.0: the LLD `F0semitoneFrom27.5Hz_sma3nz` of the nine shared reference clips (skipped
/// without ../shared) and of the generated voices of the committed fixture, after the 3-frame
/// moving average openSMILE applies (cContourSmoother, `noZeroSma = 1`: zeros are unvoiced and
/// left out; at the end of input it repeats the last frame), written out here independently.
final class EGeMAPSPitchTests: XCTestCase {
    /// `smaWin = 3`, `noZeroSma = 1` (the centre 0 gives 0, other zeros are left out), with the
    /// end-of-input behaviour measured on openSMILE (see `SmileF0.decidedBeforeEnd`): the input
    /// ends early at frame `p` (the edge frame is repeated and output once more), then the rest
    /// follows and ends the same way (`SmileEndOfInput` in the chain).
    static func sma3nz(_ x: [Float], endsFirstAt p: Int) -> [Double] {
        let n = x.count
        guard n > 0 else { return [] }
        let p = p <= 0 ? n : min(p, n)   // nothing decided before the end: one plain ending
        func mean(_ a: Float, _ b: Float, _ c: Float) -> Double {
            guard b != 0 else { return 0 }
            let voiced = [a, b, c].filter { $0 != 0 }
            return Double(voiced.reduce(0, +) / Float(voiced.count))
        }
        func segment(_ range: Range<Int>) -> [Double] {
            range.map { i in
                mean(i > 0 ? x[i - 1] : 0, x[i], i + 1 < range.upperBound ? x[i + 1] : x[i])
            } + [mean(x[range.upperBound - 1], x[range.upperBound - 1], 0)]
        }
        var y = segment(0..<p)
        if p < n {
            // Frame p's own average is never output: the early edge frame took its place.
            y += segment(p..<n).dropFirst()
        }
        return y
    }

    struct Agreement {
        var frames = 0, agree = 0
        var ours: [Double] = [], theirs: [Double] = []
        mutating func add(_ a: [Double], _ b: [Double]) {
            for (x, y) in zip(a, b) {
                frames += 1
                if (x != 0) == (y != 0) { agree += 1 }
                if x != 0 && y != 0 { ours.append(x); theirs.append(y) }
            }
        }
        var voicing: Double { Double(agree) / Double(max(frames, 1)) }
        var r: Double { EGeMAPSParity.pearson(ours, theirs) ?? 0 }
        /// |ours − ref| / max(|ref|, sd of ref) at quantile q over frames both call voiced.
        func relative(_ q: Double) -> Double {
            let mean = theirs.reduce(0, +) / Double(max(theirs.count, 1))
            let sd = (theirs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(theirs.count, 1))).squareRoot()
            return EGeMAPSParity.quantile(zip(ours, theirs).map { abs($0 - $1) / max(abs($1), sd, 1e-12) }, q)
        }
        var summary: String {
            String(format: "%d frames, voicing %.4f, r %.6f, median rel %.2e, p90 rel %.2e, max rel %.2e",
                   frames, voicing, r, relative(0.5), relative(0.9), relative(1))
        }
    }

    func testF0OfTheNineSharedClipsAgreesWithOpenSMILEFrameByFrame() throws {
        let dir = try SharedData.require("reference/egemaps/egemaps-v02-lld")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".csv") }.sorted()
        XCTAssertEqual(files.count, 9)
        var all = Agreement()
        for file in files {
            let (header, rows) = try CSV.decode(String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8), source: file)
            let column = try XCTUnwrap(header.firstIndex(of: "F0semitoneFrom27.5Hz_sma3nz"))
            let rel = String(file.dropLast(4)).replacingOccurrences(of: "__", with: "/")
            let url = try XCTUnwrap(["", "corpora-sample/"].map { SharedData.root.appendingPathComponent($0 + rel) }
                .first { FileManager.default.fileExists(atPath: $0.path) })
            let signal = try load(url, sampleRate: nil)
            let f0 = smileF0(SmileAnalysis(signal: SmileAnalysis.openSMILEInput(signal.samples), sampleRate: Double(signal.sampleRate)))
            let ours = Self.sma3nz(f0.semitone, endsFirstAt: f0.decidedBeforeEnd)
            XCTAssertEqual(ours.count, rows.count, "\(file): frames")
            var clip = Agreement()
            clip.add(ours, rows.map { Double($0[column])! })
            print("F0 \(file): \(clip.summary)")
            all.add(ours, rows.map { Double($0[column])! })
        }
        print("F0 all nine: \(all.summary)")
        // The same algorithm in the same precision: equal up to single-precision rounding.
        XCTAssertEqual(all.voicing, 1)
        XCTAssertGreaterThanOrEqual(all.r, 0.99999)
        XCTAssertLessThanOrEqual(all.relative(1), 1e-5)
    }

    func testF0OfTheGeneratedVoicesAgreesWithTheFixture() throws {
        let fixture = EGeMAPSSignals.fixture
        let column = try XCTUnwrap(fixture.lld_names.firstIndex(of: "F0semitoneFrom27.5Hz_sma3nz"))
        var checked = 0
        for name in fixture.signals.keys.sorted() {
            guard let lld = fixture.signals[name]!.lld else { continue }
            let (rate, samples) = try EGeMAPSSignals.samples(name)
            let f0 = smileF0(SmileAnalysis(signal: SmileAnalysis.openSMILEInput(samples), sampleRate: Double(rate)))
            let ours = Self.sma3nz(f0.semitone, endsFirstAt: f0.decidedBeforeEnd)
            XCTAssertEqual(ours.count, lld.count, "\(name): frames")
            var a = Agreement()
            a.add(ours, lld.map { $0[column] })
            print("F0 \(name): \(a.summary)")
            XCTAssertEqual(a.voicing, 1, name)
            XCTAssertLessThanOrEqual(a.relative(1), 1e-5, name)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 2)
    }

    /// Semitones from 27.5 Hz by hand: 55 Hz is one octave (12), 27.5 · 2^(7/12) is 7; at or below
    /// 29.136 Hz openSMILE clips to 1, and 0 (unvoiced) stays 0.
    func testSemitoneScale() {
        XCTAssertEqual(SmilePitchViterbi.semitone(55), 12, accuracy: 1e-5)
        XCTAssertEqual(SmilePitchViterbi.semitone(440), 48, accuracy: 1e-5)
        XCTAssertEqual(SmilePitchViterbi.semitone(Float(27.5 * pow(2, 7.0 / 12))), 7, accuracy: 1e-5)
        XCTAssertEqual(SmilePitchViterbi.semitone(29), 1)
        XCTAssertEqual(SmilePitchViterbi.semitone(0), 0)
    }

    /// A 200 Hz harmonic tone: the detector's best candidate is 200 Hz within a fraction of a
    /// percent, it is voiced, and the smoother keeps it on every frame.
    func testHarmonicToneGivesItsFundamental() {
        let rate = 16000.0
        let x = (0..<16000).map { i -> Float in
            let t = Double(i) / rate
            return Float((1...8).reduce(0.0) { $0 + 0.3 / Double($1) * sin(2 * Double.pi * 200 * Double($1) * t) })
        }
        let f0 = smileF0(SmileAnalysis(signal: x, sampleRate: rate))
        XCTAssertEqual(f0.count, (16000 - 960) / 160 + 1)
        for i in 0..<f0.count {
            XCTAssertEqual(f0.f0Hz[i], 200, accuracy: 1.5, "frame \(i)")
            XCTAssertGreaterThan(f0.voicing[i], 0.7, "frame \(i)")
        }
    }

    /// Clips of two and five pitch frames (the Viterbi smoother's start and end-of-input flush
    /// only): 0.3 sin(2π·200t) + 0.1 sin(2π·400t) at 16 kHz for 0.07 s and 0.1 s. openSMILE 2.6.0
    /// (`opensmile.Smile(feature_set=<eGeMAPSv02 with the level exposed>, feature_level=
    /// "gemapsv01b_logPitch").process_signal(x, 16000)`) gives F0final 66.99599 Hz (a third of
    /// 200 Hz: the third candidate wins on two frames), F0finalLog 15.415717, voicing 0.7458630
    /// on both frames of the first, and 200.77010 Hz, 34.416492, 0.8248177 on all five of the second.
    func testTwoAndFiveFrameClipsAgreeWithOpenSMILE() {
        let cases: [(Double, Int, Float, Float, Float)] = [(0.07, 2, 66.99599, 15.415717, 0.7458630),
                                                            (0.1, 5, 200.77010, 34.416492, 0.8248177)]
        for (seconds, frames, hz, semitone, voicing) in cases {
            let x = (0..<Int(seconds * 16000)).map { i -> Float in
                let t = Double(i) / 16000
                return Float(0.3 * sin(2 * Double.pi * 200 * t) + 0.1 * sin(2 * Double.pi * 400 * t))
            }
            let f0 = smileF0(SmileAnalysis(signal: SmileAnalysis.openSMILEInput(x), sampleRate: 16000))
            XCTAssertEqual(f0.count, frames)
            for i in 0..<f0.count {
                XCTAssertEqual(f0.f0Hz[i], hz, accuracy: hz * 1e-5)
                XCTAssertEqual(f0.semitone[i], semitone, accuracy: 1e-4)
                XCTAssertEqual(f0.voicing[i], voicing, accuracy: 1e-5)
            }
        }
    }

    /// Silence, white noise, a clipped square wave, a 50 ms clip and 8 and 96 kHz audio: no NaN,
    /// silence is unvoiced throughout, a clip shorter than one 60 ms frame has no frames.
    func testOddInputsGiveFiniteValues() {
        var lcg: UInt32 = 7
        let noise = (0..<16000).map { _ -> Float in
            lcg = lcg &* 1_664_525 &+ 1_013_904_223
            return Float(Double(lcg >> 8) / Double(1 << 24) - 0.5)
        }
        let square = (0..<22050).map { Float(sin(2 * Double.pi * 150 * Double($0) / 22050) >= 0 ? 1 : -1) }
        let cases: [(String, [Float], Double)] = [
            ("silence", [Float](repeating: 0, count: 16000), 16000),
            ("noise", noise, 16000),
            ("square", square, 22050),
            ("short", Array(noise.prefix(800)), 16000),
            ("8k", (0..<8000).map { Float(0.3 * sin(2 * Double.pi * 120 * Double($0) / 8000)) }, 8000),
            ("96k", (0..<48000).map { Float(0.3 * sin(2 * Double.pi * 300 * Double($0) / 96000)) }, 96000),
        ]
        for (name, x, rate) in cases {
            let f0 = smileF0(SmileAnalysis(signal: x, sampleRate: rate))
            for a in [f0.f0Hz, f0.semitone, f0.voicing, f0.rms] {
                XCTAssertEqual(a.count, f0.count, name)
                XCTAssertTrue(a.allSatisfy(\.isFinite), name)
            }
            if name == "silence" { XCTAssertTrue(f0.f0Hz.allSatisfy { $0 == 0 }, name) }
            if name == "short" { XCTAssertEqual(f0.count, 0, name) }
        }
    }
}
