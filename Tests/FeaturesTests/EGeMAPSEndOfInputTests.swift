import Audio
import Features
import Foundation
import TestSupport
import XCTest

/// openSMILE's end-of-input frame count M (`SmileEndOfInput.framesBeforeEOI`) against values
/// measured on openSMILE 2.6.0's own intermediate levels: the 9 shared LLD clips and the
/// generated signals of tools/make_egemaps_eoi_fixture.py.
final class EGeMAPSEndOfInputTests: XCTestCase {
    /// Measured by reading openSMILE's smoothed F level against its unsmoothed one (see
    /// EGeMAPSFunctionalsTests.framesBeforeEOI).
    static let shared: [String: Int] = [
        "emodb/03a02Fc.wav": 193, "emodb/03b10Ec.wav": 192, "emodb/08a02La.wav": 193,
        "ravdess/Actor_02/03-01-05-01-01-01-02.wav": 232, "ravdess/Actor_03/03-01-01-01-02-01-03.wav": 231,
        "ravdess/Actor_03/03-01-06-01-01-01-03.wav": 231, "tess-sample/OAF_angry/OAF_back_angry.wav": 147,
        "tess-sample/OAF_pleasant_surprise/OAF_pad_ps.wav": 176, "tess-sample/YAF_sad/YAF_back_sad.wav": 208,
    ]

    private func m(_ samples: [Float], rate: Int) -> (m: Int, n: Int) {
        let f0 = smileF0(SmileAnalysis(signal: SmileAnalysis.openSMILEInput(samples), sampleRate: Double(rate)))
        return (SmileEndOfInput.framesBeforeEOI(f0), f0.count)
    }

    func testFramesBeforeEOIOfTheNineSharedClips() throws {
        _ = try SharedData.require("reference/egemaps/egemaps-v02-lld")
        for (rel, expected) in Self.shared.sorted(by: { $0.key < $1.key }) {
            let url = try XCTUnwrap(["", "corpora-sample/"].map { SharedData.root.appendingPathComponent($0 + rel) }
                .first { FileManager.default.fileExists(atPath: $0.path) }, rel)
            let audio = try AudioFile.readMono(url)
            let (got, n) = m(audio.samples, rate: audio.sampleRate)
            XCTAssertEqual(got, expected, "\(rel) (N = \(n))")
        }
    }

    func testFramesBeforeEOIOfTheGeneratedSignals() throws {
        struct Entry: Decodable { let rate: Int; let frames: Int; let framesBeforeEOI: Int? }
        struct Fixture: Decodable { let signals: [String: Entry] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/egemaps/end_of_input.json")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        var checked = 0
        for (name, entry) in fixture.signals.sorted(by: { $0.key < $1.key }) {
            let (rate, samples) = try EGeMAPSSignals.samples(name)
            XCTAssertEqual(rate, entry.rate, name)
            let (got, n) = m(samples, rate: rate)
            XCTAssertEqual(n, entry.frames, "\(name): F0 frames")
            guard let expected = entry.framesBeforeEOI else { continue }  // constant level: any M fits
            XCTAssertEqual(got, expected, name)
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 6)
    }

    func testRuleClampsAndFallsBackToAllFramesWhenNothingWasDecided() {
        XCTAssertEqual(SmileEndOfInput.framesBeforeEOI(decidedFrames: 191, frameCount: 194), 191)
        XCTAssertEqual(SmileEndOfInput.framesBeforeEOI(decidedFrames: 0, frameCount: 3), 3)
        XCTAssertEqual(SmileEndOfInput.framesBeforeEOI(decidedFrames: 9, frameCount: 5), 5)
        XCTAssertEqual(SmileEndOfInput.framesBeforeEOI(decidedFrames: 0, frameCount: 0), 0)
    }
}
