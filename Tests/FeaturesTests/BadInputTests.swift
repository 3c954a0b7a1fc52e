import Audio
import Features
import Foundation
import TestSupport
import XCTest

/// Bad input never crashes and never yields NaN: each case is a typed error naming the file,
/// or a documented finite result.
final class BadInputTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try SharedData.temporaryDirectory("bad-input") }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func pcm16(_ samples: [Int], rate: Int = 24414, name: String) throws -> URL {
        let clip = SyntheticSignals.Clip(name: name, sampleRate: rate, encoding: .pcm16, frames: samples.map { [$0] })
        let url = dir.appendingPathComponent(name)
        try SyntheticSignals.wavData(clip).write(to: url)
        return url
    }

    func floatWAV(_ samples: [Float], name: String) throws -> URL {
        var body = Data()
        for v in samples { SyntheticSignals.appendLE(&body, v.bitPattern) }
        let url = dir.appendingPathComponent(name)
        try SyntheticSignals.wavData(body: body, sampleRate: 22050, channels: 1, bitsPerSample: 32, formatTag: 3).write(to: url)
        return url
    }

    func assertError(_ url: URL, contains text: String, preset: FeaturePreset = .librosa,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try extractMFCCMeans(url: url, preset: preset), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(url.lastPathComponent), "message does not name the file: \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(text), "expected “\(text)” in: \(message)", file: file, line: line)
        }
    }

    func testMissingEmptyTextAndTruncatedFiles() throws {
        assertError(dir.appendingPathComponent("missing.wav"), contains: "no such file")
        let empty = dir.appendingPathComponent("empty.wav")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty.path, contents: Data()))
        assertError(empty, contains: "empty")
        let text = dir.appendingPathComponent("text.wav")
        try "This is not a WAV file, only text.\n".write(to: text, atomically: true, encoding: .utf8)
        assertError(text, contains: "not a readable audio file")
        let good = try pcm16((0..<24414).map { ($0 % 100) * 50 }, name: "good.wav")
        let truncated = dir.appendingPathComponent("truncated.wav")
        try Data(try Data(contentsOf: good).prefix(30)).write(to: truncated)
        // Audio's definition of a readable clip names the cause (it used to say only "not a
        // readable audio file").
        assertError(truncated, contains: "the file is truncated")
    }

    func testClipShorterThanTheOffset() throws {
        let short = try pcm16((0..<7000).map { ($0 % 50) * 100 }, name: "short.wav")   // 0.287 s
        assertError(short, contains: "shorter than the 0.5 s offset")
        assertError(short, contains: "shorter than the 0.5 s offset", preset: .notebook)
        // A clip ending just after the offset still gives finite features (fewer frames).
        let barely = try pcm16((0..<12300).map { ($0 % 50) * 100 }, name: "barely.wav")
        for preset in FeaturePreset.all {
            let means = try extractMFCCMeans(url: barely, preset: preset)
            XCTAssertEqual(means.count, 40)
            XCTAssertTrue(means.allSatisfy(\.isFinite), preset.name)
        }
    }

    /// librosa gives power_to_db(0) = 10·log10(amin) = −100 dB in every band and frame; the
    /// orthonormal DCT of a constant c over 128 bands is c·√128 in coefficient 0 and 0 elsewhere.
    func testSilenceGivesFiniteFeatures() throws {
        let silence = try pcm16([Int](repeating: 0, count: 24414 * 2), name: "silence.wav")
        for preset in FeaturePreset.all {
            let means = try extractMFCCMeans(url: silence, preset: preset)
            XCTAssertEqual(means[0], -100 * Float(128).squareRoot(), accuracy: 1e-3)
            for m in means.dropFirst() { XCTAssertEqual(m, 0, accuracy: 1e-3) }
        }
    }

    func testNaNAndInfiniteSamplesAreRejected() throws {
        var x = [Float](repeating: 0.1, count: 22050)
        x[15000] = .nan
        assertError(try floatWAV(x, name: "nan.wav"), contains: "NaN or infinite")
        x[15000] = .infinity
        assertError(try floatWAV(x, name: "inf.wav"), contains: "NaN or infinite")
    }

    /// Issue 22, item 5: finite samples so large that the spectrum's power overflows (1e30) give
    /// an error naming the clip, not NaN features; in a batch (a corpus run) the clip is one
    /// failure and the others go on.
    func testHugeFiniteSamplesAreAnErrorNamingTheClip() throws {
        let x = (0..<44100).map { i in Float(sin(Double(i) * 0.05)) * 1e30 }
        let url = try floatWAV(x, name: "huge.wav")
        assertError(url, contains: "NaN or infinite")
        let good = try pcm16((0..<24414).map { ($0 % 100) * 50 }, name: "good.wav")
        let results = extractFeatures(urls: [good, url], preset: .librosa, threads: 2)
        XCTAssertNoThrow(try results[0].get())
        XCTAssertThrowsError(try results[1].get()) { error in
            guard case .nonFinite(let path, let count)? = error as? FeatureError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertGreaterThan(count, 0)
        }
    }

    func testBatchKeepsGoingPastBadFiles() throws {
        let good = try pcm16((0..<24414).map { ($0 % 100) * 50 }, name: "good.wav")
        let urls = [good, dir.appendingPathComponent("missing.wav"), good]
        var calls = 0
        let results = extractFeatures(urls: urls, preset: .librosa, threads: 2) { done, total in
            calls += 1
            XCTAssertEqual(total, 3)
            XCTAssertLessThanOrEqual(done, 3)
        }
        XCTAssertEqual(calls, 3)
        XCTAssertEqual(results.count, 3)
        let first = try results[0].get(), third = try results[2].get()
        XCTAssertEqual(first, third)
        XCTAssertThrowsError(try results[1].get())
    }

    func testNegativeArgumentsAreTypedErrors() throws {
        let good = try pcm16((0..<24414).map { ($0 % 100) * 50 }, name: "good.wav")
        XCTAssertThrowsError(try load(good, offset: -1)) { XCTAssertTrue("\($0)".contains("offset")) }
        XCTAssertThrowsError(try load(good, duration: -.infinity)) { XCTAssertTrue("\($0)".contains("duration")) }
    }
}
