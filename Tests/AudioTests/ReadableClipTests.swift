import Foundation
import XCTest
@testable import Audio
import TestSupport

/// The one definition of a readable clip (`AudioFile.withOpenFile`), which `study run`,
/// `study predict` and the demo share. Files are built byte by byte here, so that what is
/// wrong with each is known by construction.
final class ReadableClipTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws { dir = try SharedData.temporaryDirectory("readable") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// An 8-bit mono PCM WAV: 44-byte header, `frames` bytes of data; `declared` overrides the
    /// data chunk's size field.
    func wav(rate: UInt32, frames: Int, declared: UInt32? = nil) -> Data {
        var d = Data("RIFF".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        u32(36 + UInt32(frames)); d.append(contentsOf: Array("WAVEfmt ".utf8))
        u32(16); u16(1); u16(1); u32(rate); u32(rate); u16(1); u16(8)
        d.append(contentsOf: Array("data".utf8)); u32(declared ?? UInt32(frames))
        d.append(contentsOf: (0..<frames).map { (i: Int) -> UInt8 in
            let v: Double = 60 * sin(Double(i) * 0.1)
            return UInt8(128 + Int(v))
        })
        return d
    }

    func write(_ data: Data, _ name: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    func testSampleRatesOutsideTheRangeAreRefusedBeforeDecoding() throws {
        for rate: UInt32 in [1, 999, 384_001] {
            let url = try write(wav(rate: rate, frames: 3200), "r\(rate).wav")
            XCTAssertThrowsError(try Audio.load(url, sampleRate: 22050)) { e in
                XCTAssertEqual(e as? AudioError, .unsupportedSampleRate(path: url.path, rate: Int(rate)))
                XCTAssertTrue("\(e)".contains("1000…384000 Hz"), "\(e)")
            }
        }
        for rate: UInt32 in [1000, 384_000] {
            let url = try write(wav(rate: rate, frames: 3200), "ok\(rate).wav")
            XCTAssertEqual(try AudioFile.checkReadable(url).sampleRate, Int(rate))
        }
    }

    func testATruncatedWAVIsRefusedWithWhatIsMissing() throws {
        let whole = wav(rate: 8000, frames: 4000)
        let url = try write(whole.prefix(44 + 1000), "cut.wav")
        XCTAssertThrowsError(try AudioFile.info(url)) { e in
            XCTAssertEqual(e as? AudioError, .truncated(path: url.path, reason: "its 'data' chunk declares 4000 bytes but only 1000 are there"))
        }
        // Cut inside the fmt chunk, and right after it (no data chunk at all).
        let inFmt = try write(whole.prefix(30), "fmt.wav")
        XCTAssertThrowsError(try AudioFile.info(inFmt)) { e in
            XCTAssertEqual(e as? AudioError, .truncated(path: inFmt.path, reason: "its 'fmt ' chunk declares 16 bytes but only 10 are there"))
        }
        let header = try write(whole.prefix(36), "header.wav")
        XCTAssertThrowsError(try AudioFile.readMono(header)) { e in
            guard case .truncated(_, let reason)? = e as? AudioError else { return XCTFail("\(e)") }
            XCTAssertTrue(reason.contains("before any 'data'"), reason)
        }
        // "Unknown length" (0xFFFFFFFF, streaming writers) is not truncation; the whole file reads.
        let streamed = try write(wav(rate: 8000, frames: 4000, declared: .max), "streamed.wav")
        XCTAssertNoThrow(try AudioFile.info(streamed))
        XCTAssertEqual(try AudioFile.info(try write(whole, "whole.wav")).frames, 4000)
    }

    func testATruncatedAIFFIsRefused() throws {
        // AIFF: big-endian FORM/AIFF with COMM then SSND (8 bytes offset/blockSize + samples).
        var d = Data("FORM".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.bigEndian) { d.append(contentsOf: $0) } }
        let frames = 2000
        u32(4 + 26 + 16 + UInt32(frames * 2)); d.append(contentsOf: Array("AIFFCOMM".utf8))
        u32(18); u16(1); u32(UInt32(frames)); u16(16)
        d.append(contentsOf: [0x40, 0x0B, 0xFA, 0, 0, 0, 0, 0, 0, 0])   // 8000 Hz, 80-bit extended
        d.append(contentsOf: Array("SSND".utf8)); u32(8 + UInt32(frames * 2)); u32(0); u32(0)
        d.append(Data(count: frames * 2))
        XCTAssertEqual(try AudioFile.info(try write(d, "whole.aiff")).sampleRate, 8000)
        let cut = try write(d.prefix(d.count / 2), "cut.aiff")
        XCTAssertThrowsError(try AudioFile.info(cut)) { e in
            guard case .truncated(_, let reason)? = e as? AudioError else { return XCTFail("\(e)") }
            XCTAssertTrue(reason.contains("'SSND' chunk declares 4008 bytes"), reason)
        }
    }

    func testFoldersAndFIFOsAreNamedForWhatTheyAre() throws {
        let folder = dir.appendingPathComponent("x.wav")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        XCTAssertThrowsError(try AudioFile.info(folder)) { e in
            XCTAssertEqual(e as? AudioError, .notAFile(path: folder.path, kind: "a folder"))
        }
        let fifo = dir.appendingPathComponent("f.wav")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        XCTAssertThrowsError(try AudioFile.info(fifo)) { e in   // must not block on the FIFO
            XCTAssertEqual(e as? AudioError, .notAFile(path: fifo.path, kind: "a FIFO (named pipe)"))
        }
        // A symbolic link to a good clip is followed.
        let target = try write(wav(rate: 8000, frames: 800), "target.wav")
        let link = dir.appendingPathComponent("link.wav")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        XCTAssertEqual(try AudioFile.info(link).frames, 800)
    }

    func testReasonLeavesThePathToTheCaller() {
        let e = AudioError.truncated(path: "/a/b.wav", reason: "x")
        XCTAssertEqual(e.path, "/a/b.wav")
        XCTAssertFalse(e.reason.contains("/a/b.wav"))
        XCTAssertEqual(e.description, "/a/b.wav: " + e.reason)
    }
}
