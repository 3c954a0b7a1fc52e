import Base
@testable import Features
import Foundation
import TestSupport
import XCTest

/// eGeMAPS v02 after the LLDs: smoothing, voicing gates, the functionals and the 88 columns.
///
/// - `functionals_synthetic.json` (tools/make_egemaps_functionals_fixture.py): openSMILE's own
///   unsmoothed levels of a generated signal, fed to `EGeMAPSFunctionals`, against openSMILE's 88
///   functionals and its `lld` output.
/// - `../shared/reference/egemaps` (skipped without it): openSMILE's smoothed LLD files of 9 clips,
///   whose F0 and voice-quality columns are what those functionals read, against the same clips'
///   functionals.
/// - Hand calculations for the subtle parts (percentile interpolation, slopes, segments, edges).
final class EGeMAPSFunctionalsTests: XCTestCase {
    // MARK: - openSMILE fixture on a generated signal

    struct Fixture {
        var contours: EGeMAPSContours
        var functionalColumns: [String]
        var functionals: [Double]
        var lldColumns: [String]
        var lld: [[Double]]
    }

    static func loadFixture(_ file: URL? = nil) throws -> Fixture {
        let url = try file ?? XCTUnwrap(Bundle.module.url(forResource: "functionals_synthetic", withExtension: "json",
                                                          subdirectory: "Fixtures/egemaps"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let e = try XCTUnwrap(json["E"] as? [String: [Double]])
        let f = try XCTUnwrap(json["F"] as? [String: [Double]])
        func col(_ d: [String: [Double]], _ name: String) throws -> [Float] {
            try XCTUnwrap(d[name], "column \(name)").map { Float($0) }
        }
        var c = EGeMAPSContours()
        c.loudness = try col(e, "Loudness")
        c.alphaRatio = try col(e, "alphaRatio")
        c.hammarbergIndex = try col(e, "hammarbergIndex")
        c.slope0to500 = try col(e, "slope0-500")
        c.slope500to1500 = try col(e, "slope500-1500")
        c.spectralFlux = try col(e, "spectralFlux")
        c.mfcc1 = try col(e, "mfcc1")
        c.mfcc2 = try col(e, "mfcc2")
        c.mfcc3 = try col(e, "mfcc3")
        c.mfcc4 = try col(e, "mfcc4")
        c.energy = try XCTUnwrap(json["energy"] as? [Double]).map { Float($0) }
        c.f0Semitone = try col(f, "F0semitoneFrom27.5Hz")
        c.jitterLocal = try col(f, "jitterLocal")
        c.shimmerLocaldB = try col(f, "shimmerLocaldB")
        c.hnrDBACF = try col(f, "HNRdBACF")
        c.logRelF0H1H2 = try col(f, "logRelF0-H1-H2")
        c.logRelF0H1A3 = try col(f, "logRelF0-H1-A3")
        c.f1Frequency = try col(f, "F1frequency")
        c.f1Bandwidth = try col(f, "F1bandwidth")
        c.f1AmplitudeLogRelF0 = try col(f, "F1amplitudeLogRelF0")
        c.f2Frequency = try col(f, "F2frequency")
        c.f2Bandwidth = try col(f, "F2bandwidth")
        c.f2AmplitudeLogRelF0 = try col(f, "F2amplitudeLogRelF0")
        c.f3Frequency = try col(f, "F3frequency")
        c.f3Bandwidth = try col(f, "F3bandwidth")
        c.f3AmplitudeLogRelF0 = try col(f, "F3amplitudeLogRelF0")
        c.framesBeforeEOI = try XCTUnwrap(json["framesBeforeEOI"] as? Int)
        return Fixture(contours: c,
                       functionalColumns: try XCTUnwrap(json["functionalColumns"] as? [String]),
                       functionals: try XCTUnwrap(json["functionals"] as? [Double]),
                       lldColumns: try XCTUnwrap(json["lldColumns"] as? [String]),
                       lld: try XCTUnwrap(json["lld"] as? [[Double]]))
    }

    /// Agreement of two values printed with 9 significant digits from float computations.
    static func close(_ a: Double, _ b: Double, rel: Double = 1e-5) -> Bool {
        abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-9
    }

    func testColumnNamesAreOpenSMILEs() throws {
        let fx = try Self.loadFixture()
        XCTAssertEqual(EGeMAPSFunctionals.names, fx.functionalColumns)
        XCTAssertEqual(EGeMAPSFunctionals.names.count, 88)
        XCTAssertEqual(EGeMAPSFunctionals.lldNames, fx.lldColumns)
        XCTAssertEqual(EGeMAPSFunctionals.lldNames.count, 25)
    }

    func testEightyEightFunctionalsFromOpenSMILEsUnsmoothedLevelsAgreeWithOpenSMILE() throws {
        let fx = try Self.loadFixture()
        // The fixture's signal is voiced up to its end, so the end-of-input frame count matters.
        XCTAssertLessThan(try XCTUnwrap(fx.contours.framesBeforeEOI), fx.contours.f0Semitone.count)
        let ours = EGeMAPSFunctionals.compute(fx.contours)
        XCTAssertEqual(ours.count, 88)
        for (i, name) in fx.functionalColumns.enumerated() {
            XCTAssertTrue(Self.close(ours[i], fx.functionals[i]), "\(name): ours \(ours[i]), openSMILE \(fx.functionals[i])")
        }
    }

    func testSmoothedLLDsAgreeWithOpenSMILEsLLDOutputFrameByFrame() throws {
        let fx = try Self.loadFixture()
        let ours = EGeMAPSFunctionals.smoothedLLDs(fx.contours)
        XCTAssertEqual(ours.count, fx.lld.count, "rows: min(N_E, N_F) + 1")
        var bad = 0
        for (i, row) in fx.lld.enumerated() where i < ours.count {
            for (j, v) in row.enumerated() where !Self.close(Double(ours[i][j]), v) {
                bad += 1
                if bad <= 5 { XCTFail("frame \(i) \(fx.lldColumns[j]): ours \(ours[i][j]), openSMILE \(v)") }
            }
        }
        XCTAssertEqual(bad, 0)
    }

    // MARK: - openSMILE's smoothed LLD files of 9 shared clips

    /// How many F0-level frames openSMILE's functionals saw for each LLD clip (its F frames before
    /// the end-of-input flush, read off its intermediate levels once): the functionals summarise
    /// rows `0..<M` of the LLD file, whose F columns hold exactly those values (rows M and after
    /// are the flush's).
    static let framesBeforeEOI: [String: Int] = [
        "emodb__03a02Fc.wav.csv": 193, "emodb__03b10Ec.wav.csv": 192, "emodb__08a02La.wav.csv": 193,
        "ravdess__Actor_02__03-01-05-01-01-01-02.wav.csv": 232, "ravdess__Actor_03__03-01-01-01-02-01-03.wav.csv": 231,
        "ravdess__Actor_03__03-01-06-01-01-01-03.wav.csv": 231, "tess-sample__OAF_angry__OAF_back_angry.wav.csv": 147,
        "tess-sample__OAF_pleasant_surprise__OAF_pad_ps.wav.csv": 176, "tess-sample__YAF_sad__YAF_back_sad.wav.csv": 208,
    ]

    func testFunctionalsOfTheSharedSmoothedLLDsAgreeWithTheSharedFunctionals() throws {
        let csvURL = try SharedData.require("reference/egemaps/egemaps-v02-functionals.csv")
        let lldDir = try SharedData.require("reference/egemaps/egemaps-v02-lld")
        let (header, rows) = try CSV.decode(String(contentsOf: csvURL, encoding: .utf8), source: csvURL.path)
        XCTAssertEqual(Array(header.dropFirst()), EGeMAPSFunctionals.names, "openSMILE's column names and order")
        var reference: [String: [String: Double]] = [:]
        for row in rows {
            reference[row[0]] = Dictionary(uniqueKeysWithValues: zip(header.dropFirst(), row.dropFirst().map { Double($0)! }))
        }
        let t = 0.01
        for (file, m) in Self.framesBeforeEOI.sorted(by: { $0.key < $1.key }) {
            let (h, lines) = try CSV.decode(String(contentsOf: lldDir.appendingPathComponent(file), encoding: .utf8), source: file)
            func column(_ name: String) throws -> [Float] {
                let j = try XCTUnwrap(h.firstIndex(of: name), name)
                return lines.prefix(m).map { Float($0[j])! }
            }
            var rel = String(file.dropLast(4)).replacingOccurrences(of: "__", with: "/")
            if reference[rel] == nil { rel = "corpora-sample/" + rel }
            let ref = try XCTUnwrap(reference[rel], rel)
            var ours: [String: Double] = [:]

            let f0 = try column("F0semitoneFrom27.5Hz_sma3nz")
            let voiced = SmileFunctionals.input(f0, nonZeroFuncts: true)
            let mo = SmileFunctionals.moments(voiced)
            let p = SmileFunctionals.percentiles(voiced)
            let s = SmilePeaks2.slopes(voiced, framePeriod: t)
            let f0Values = [mo.amean, mo.stddevNorm] + p.values + [p.range02, s.meanRising, s.stddevRising, s.meanFalling, s.stddevFalling]
            for (k, v) in zip(EGeMAPSFunctionals.names.prefix(10), f0Values) { ours[k] = Double(v) }
            let vs = SmileSegments.statistics(f0, equalToX: false, framePeriod: t)
            let us = SmileSegments.statistics(f0, equalToX: true, framePeriod: t)
            ours["VoicedSegmentsPerSec"] = Double(vs.segmentsPerSecond)
            ours["MeanVoicedSegmentLengthSec"] = Double(vs.meanLength)
            ours["StddevVoicedSegmentLengthSec"] = Double(vs.lengthStddev)
            ours["MeanUnvoicedSegmentLength"] = Double(us.meanLength)
            ours["StddevUnvoicedSegmentLength"] = Double(us.lengthStddev)
            for name in ["jitterLocal", "shimmerLocaldB", "HNRdBACF", "logRelF0-H1-H2", "logRelF0-H1-A3"] {
                let x = SmileFunctionals.input(try column(name + "_sma3nz"), nonZeroFuncts: true)
                let mo = SmileFunctionals.moments(x)
                ours[name + "_sma3nz_amean"] = Double(mo.amean)
                ours[name + "_sma3nz_stddevNorm"] = Double(mo.stddevNorm)
            }

            // The LLD file's F0 row M-1 is padded by the F-set smoother (its flush), while the F0
            // functionals' own smoother had the next frame: exact only when that frame is unvoiced.
            let lastVoiced = f0.last.map { $0 != 0 } ?? false
            for (k, v) in ours.sorted(by: { $0.key < $1.key }) {
                let r = try XCTUnwrap(ref[k], k)
                if k.hasPrefix("F0semitone") && lastVoiced {
                    if k.hasSuffix("Slope") { continue }  // the end-of-contour slope runs from that frame
                    XCTAssertTrue(Self.close(v, r, rel: 5e-3), "\(rel) \(k): ours \(v), openSMILE \(r)")
                } else {
                    XCTAssertTrue(Self.close(v, r), "\(rel) \(k): ours \(v), openSMILE \(r)")
                }
            }
        }
    }

    // MARK: - Hand calculations

    func testSmootherPadsEdgesByRepeatingTheEdgeFrame() {
        let y = SmileContourSmoother.sma([1, 2, 4, 8], noZeroSma: false)
        XCTAssertEqual(y, [Float(4) / 3, Float(7) / 3, Float(14) / 3, Float(20) / 3])
        // noZeroSma: zeros stay zero and are left out of their neighbours' means.
        XCTAssertEqual(SmileContourSmoother.sma([0, 3, 0, 6, 9, 0], noZeroSma: true), [0, 3, 0, 7.5, 7.5, 0])
        XCTAssertEqual(SmileContourSmoother.sma([5], noZeroSma: false), [5])
        XCTAssertEqual(SmileContourSmoother.sma([], noZeroSma: true), [])
    }

    func testSmoothedLevelHasOneTrailingPaddedFrameAndTheEndOfInputFlush() {
        // Complete input: plain smoothing, then the fully padded window x[N-1].
        XCTAssertEqual(SmileContourSmoother.level([1, 2, 4], noZeroSma: false), [Float(4) / 3, Float(7) / 3, Float(10) / 3, 4])
        // Input that had 3 of its 5 frames when the smoother first ran dry: frame 2 padded, frame 3
        // the padded window of x[2] (x[3]'s smoothing is lost), frame 4 normal again with the real
        // end padded, then x[4].
        let y = SmileContourSmoother.level([1, 2, 4, 8, 16], noZeroSma: false, framesBeforeEOI: 3)
        XCTAssertEqual(y, [Float(4) / 3, Float(7) / 3, Float(10) / 3, 4, Float(40) / 3, 16])
    }

    func testVoicingSelectorKeepsFramesAboveTheThresholdAndZeroesTheOthers() {
        let key: [Float] = [0, 1e-7, 2e-6, 30]
        XCTAssertEqual(SmileValbasedSelector.select([1, 2, 3, 4], by: key), [0, 0, 3, 4])
        XCTAssertEqual(SmileValbasedSelector.select([1, 2, 3, 4], by: key, invert: true), [1, 2, 0, 0])
        XCTAssertEqual(SmileValbasedSelector.select([1, 2, 3], by: [5, 5]), [1, 2], "frames both levels have")
    }

    func testPercentilesInterpolateBetweenSortedNeighbours() {
        // Non-zero frames only: sorted [10, 20, 30]; p20 at 0.4 → 10·0.6 + 20·0.4.
        let nz = SmileFunctionals.percentiles(SmileFunctionals.input([10, 0, 30, 20], nonZeroFuncts: true))
        XCTAssertEqual(nz.values[0], 14, accuracy: 1e-5)
        XCTAssertEqual(nz.values[1], 20, accuracy: 1e-5)
        XCTAssertEqual(nz.values[2], 26, accuracy: 1e-5)
        XCTAssertEqual(nz.range02, 12, accuracy: 1e-5)
        // With the zero: sorted [0, 10, 20, 30]; positions 0.6, 1.5, 2.4.
        let all = SmileFunctionals.percentiles([10, 0, 30, 20])
        XCTAssertEqual(all.values[0], 6, accuracy: 1e-5)
        XCTAssertEqual(all.values[1], 15, accuracy: 1e-5)
        XCTAssertEqual(all.values[2], 24, accuracy: 1e-5)
        XCTAssertEqual(SmileFunctionals.percentiles([7]).values, [7, 7, 7])
        XCTAssertEqual(SmileFunctionals.percentiles([]).values, [0, 0, 0])
    }

    func testStddevNormDividesByTheSignedMean() {
        let neg = SmileFunctionals.moments([-1, -3])
        XCTAssertEqual(neg.amean, -2)
        XCTAssertEqual(neg.stddevNorm, -0.5, accuracy: 1e-7)
        XCTAssertEqual(SmileFunctionals.moments([-1, 1]).stddevNorm, 1, accuracy: 1e-7, "zero mean divides by 1")
        XCTAssertEqual(SmileFunctionals.moments([2, 2]).stddevNorm, 0)
        XCTAssertEqual(SmileFunctionals.moments([]).amean, 0)
    }

    func testSlopesAfterAFinalMinimumAndTheirStddevLeavesTheEndSlopeOut() {
        // One peak (10 at frame 4) and one valley (1 at frame 7); threshold 0.1 · range 10.
        let x: [Float] = [0, 1, 2, 6, 10, 6, 2, 1, 3, 4, 5]
        let ex = SmilePeaks2.extrema(x)
        XCTAssertEqual(ex, [.init(isMax: true, y: 10, x: 4), .init(isMax: false, y: 1, x: 7)])
        let s = SmilePeaks2.slopes(x, framePeriod: 0.01)
        let rising = [10.0 / 0.04, 4.0 / 0.03]  // from frame 0 to the peak; valley to the last frame
        let mean = (rising[0] + rising[1]) / 2
        XCTAssertEqual(Double(s.meanRising), mean, accuracy: 1e-3)
        XCTAssertEqual(Double(s.stddevRising), ((rising[0] - mean) * (rising[0] - mean) / 2).squareRoot(), accuracy: 1e-3)
        XCTAssertEqual(Double(s.meanFalling), 9.0 / 0.03, accuracy: 1e-3)
        XCTAssertEqual(s.stddevFalling, 0)
        XCTAssertEqual(Double(SmilePeaks2.peaksPerSecond(x, framePeriod: 0.01)), 1 / 0.11, accuracy: 1e-4)
    }

    func testSlopeAfterAFinalPeakCountsAsANegativeFallingSlope() {
        // Maxima 5 (frame 3) and 8 (frame 8), no minimum: only the higher maximum survives.
        let x: [Float] = [0, 0, 1, 5, 1, 0, 0, 3, 8, 4, 2, 1]
        XCTAssertEqual(SmilePeaks2.extrema(x), [.init(isMax: true, y: 8, x: 8)])
        let s = SmilePeaks2.slopes(x, framePeriod: 0.01)
        XCTAssertEqual(Double(s.meanRising), 8.0 / 0.08, accuracy: 1e-3)
        XCTAssertEqual(Double(s.meanFalling), -7.0 / 0.03, accuracy: 1e-3)
        XCTAssertEqual(s.stddevFalling, 0)
        // No extremum at all: (last − first) / N, without the frame period.
        XCTAssertEqual(SmilePeaks2.slopes([1, 2, 3, 4], framePeriod: 0.01).meanRising, 0.75)
        XCTAssertEqual(SmilePeaks2.slopes([4, 3, 2, 1], framePeriod: 0.01).meanFalling, -0.75)
    }

    func testSmallPeaksAndValleysBelowTenPercentOfTheRangeAreIgnored() {
        // A 0.5 ripple on a 0…10 contour is below the 1.0 threshold.
        let x: [Float] = [0, 0, 10, 9.5, 10, 5, 0, 0.5, 0, 0, 0]
        let ex = SmilePeaks2.extrema(x)
        XCTAssertEqual(ex.filter(\.isMax).count, 1)
        XCTAssertEqual(ex.first?.isMax, true)
    }

    func testVoicedAndUnvoicedSegments() {
        let f0: [Float] = [0, 0, 5, 5, 5, 5, 0, 0, 0, 6, 6, 0, 6, 6, 6, 0, 0, 5, 5, 5]
        // Voiced runs 2…5, 9…14 (a one-frame gap does not end it), 17…19: lengths last − first.
        XCTAssertEqual(SmileSegments.lengths(f0, equalToX: false), [3, 5, 2])
        let v = SmileSegments.statistics(f0, equalToX: false, framePeriod: 0.01)
        XCTAssertEqual(Double(v.segmentsPerSecond), 3 / 0.2, accuracy: 1e-4)
        XCTAssertEqual(Double(v.meanLength), 0.1 / 3, accuracy: 1e-6)
        XCTAssertEqual(Double(v.lengthStddev), 0.01 * (14.0 / 9.0).squareRoot(), accuracy: 1e-6)
        // Unvoiced runs need 3 frames: only 6…8 qualifies; one segment's deviation is 0.
        XCTAssertEqual(SmileSegments.lengths(f0, equalToX: true), [2])
        let u = SmileSegments.statistics(f0, equalToX: true, framePeriod: 0.01)
        XCTAssertEqual(Double(u.meanLength), 0.02, accuracy: 1e-7)
        XCTAssertEqual(u.lengthStddev, 0)
        // A segment ending on one gap frame at the end of the contour ends at its last member.
        XCTAssertEqual(SmileSegments.lengths([0, 0, 4, 4, 4, 4, 0], equalToX: false), [3])
    }

    func testEquivalentSoundLevelIsTheDecibelOfTheMeanEnergyFlooredAtMinus120() {
        XCTAssertEqual(Double(SmileFunctionals.equivalentSoundLevel(energies: [1e-4, 3e-4])), 10 * log10(2e-4), accuracy: 1e-4)
        XCTAssertEqual(Double(SmileFunctionals.equivalentSoundLevel(energies: [0, 0])), -120, accuracy: 1e-3)
        XCTAssertEqual(Double(SmileFunctionals.equivalentSoundLevel(energies: [])), -120, accuracy: 1e-3)
    }

    func testSilentShortAndEmptyInputsGiveNumbersNotNaN() {
        var c = EGeMAPSContours()
        XCTAssertEqual(EGeMAPSFunctionals.compute(c).count, 88)
        XCTAssertTrue(EGeMAPSFunctionals.compute(c).allSatisfy(\.isFinite))
        XCTAssertEqual(EGeMAPSFunctionals.smoothedLLDs(c).count, 0)
        // One second of silence: constant loudness, no voicing.
        let n = 98
        for kp in [\EGeMAPSContours.loudness, \.alphaRatio, \.hammarbergIndex, \.slope0to500, \.slope500to1500,
                   \.spectralFlux, \.mfcc1, \.mfcc2, \.mfcc3, \.mfcc4, \.energy] {
            c[keyPath: kp] = [Float](repeating: 0, count: n)
        }
        for kp in [\EGeMAPSContours.f0Semitone, \.jitterLocal, \.shimmerLocaldB, \.hnrDBACF, \.logRelF0H1H2, \.logRelF0H1A3,
                   \.f1Frequency, \.f1Bandwidth, \.f2Frequency, \.f2Bandwidth, \.f3Frequency, \.f3Bandwidth] {
            c[keyPath: kp] = [Float](repeating: 0, count: n - 4)
        }
        for kp in [\EGeMAPSContours.f1AmplitudeLogRelF0, \.f2AmplitudeLogRelF0, \.f3AmplitudeLogRelF0] {
            c[keyPath: kp] = [Float](repeating: -201, count: n - 4)
        }
        let out = EGeMAPSFunctionals.compute(c)
        XCTAssertTrue(out.allSatisfy(\.isFinite))
        let named = Dictionary(uniqueKeysWithValues: zip(EGeMAPSFunctionals.names, out))
        XCTAssertEqual(named["F0semitoneFrom27.5Hz_sma3nz_amean"], 0)
        XCTAssertEqual(named["VoicedSegmentsPerSec"], 0)
        XCTAssertEqual(named["MeanUnvoicedSegmentLength"]!, 0.93, accuracy: 1e-6, "one unvoiced run, 94 frames")
        XCTAssertEqual(named["F1amplitudeLogRelF0_sma3nz_amean"]!, -201, accuracy: 1e-4)
        XCTAssertEqual(named["equivalentSoundLevel_dBp"]!, -120, accuracy: 1e-3)
        XCTAssertEqual(EGeMAPSFunctionals.smoothedLLDs(c).count, n - 4 + 1)
    }
}
