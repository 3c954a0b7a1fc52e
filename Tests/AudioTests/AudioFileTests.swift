import XCTest
@testable import Audio
import TestSupport

final class AudioFileTests: XCTestCase {
    func testWriteReadRoundTrip16Bit() throws {
        let dir = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tone.wav")
        // 16-bit quantisation: k/32768 round-trips exactly.
        let x: [Float] = (0..<1000).map { Float(Int((sin(Double($0) * 0.05) * 20000).rounded())) / 32768 }
        try AudioFile.writeWAV16(x, sampleRate: 24414, to: url)
        let info = try AudioFile.info(url)
        XCTAssertEqual(info.sampleRate, 24414)
        XCTAssertEqual(info.frames, 1000)
        XCTAssertEqual(info.format, "WAV")
        XCTAssertEqual(info.encoding, "PCM_16")
        let y = try AudioFile.readMono(url)
        XCTAssertEqual(y.samples, x)
        let part = try AudioFile.readMono(url, startFrame: 990, frameCount: 50)
        XCTAssertEqual(part.samples, Array(x[990...]))
    }

    func testMissingAndEmptyAndTextFiles() throws {
        let dir = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try AudioFile.info(dir.appendingPathComponent("nope.wav"))) { e in
            XCTAssertEqual(e as? AudioError, .fileNotFound(path: dir.appendingPathComponent("nope.wav").path))
        }
        let empty = dir.appendingPathComponent("empty.wav")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty.path, contents: Data()))
        XCTAssertThrowsError(try AudioFile.readMono(empty)) { e in
            XCTAssertTrue("\(e)".contains("empty.wav"))
        }
        let text = dir.appendingPathComponent("text.wav")
        try "hello, I am not audio".write(to: text, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try AudioFile.readMono(text)) { e in
            XCTAssertTrue("\(e)".contains("text.wav"), "\(e)")
        }
    }

    func testSoxrLengthIsCeilOfRatio() throws {
        let x = [Float](repeating: 0.25, count: 24414)
        let y = try resampleSoxr(x, from: 24414, to: 22050)
        XCTAssertEqual(y.count, 22050)
        // A constant is preserved away from the edges.
        XCTAssertEqual(y[11000], 0.25, accuracy: 1e-4)
    }
}
