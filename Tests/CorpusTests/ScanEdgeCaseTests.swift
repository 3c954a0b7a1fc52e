import Audio
import Foundation
import TestSupport
import XCTest
@testable import Corpus

/// What a user's copy of a corpus may hold besides clips: symbolic links, odd file names,
/// special files, damaged headers. Each clip is read or listed as skipped with its reason.
final class ScanEdgeCaseTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try SharedData.temporaryDirectory("tess-edge") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func tone(_ relative: String, hz: Double = 200, rate: Int = 24414) throws {
        let url = dir.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let samples = (0..<(rate * 3 / 2)).map { Float(0.3 * sin(2 * Double.pi * hz * Double($0) / Double(rate))) }
        try AudioFile.writeWAV16(samples, sampleRate: rate, to: url)
    }

    func testSymlinkedRootFolderAndClipsAreFollowedAndLoopsWalkedOnce() throws {
        try tone("real/OAF_angry/OAF_back_angry.wav", hz: 200)
        try tone("elsewhere/target.wav", hz: 300)
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("real/OAF_bar_sad.wav").path,
                                  withDestinationPath: dir.appendingPathComponent("elsewhere/target.wav").path)
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("real/OAF_angry/loop").path,
                                  withDestinationPath: dir.appendingPathComponent("real").path)
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("link").path,
                                  withDestinationPath: dir.appendingPathComponent("real").path)
        let scan = try TESSCorpus.scan(root: dir.appendingPathComponent("link"))
        XCTAssertEqual(scan.clips.map(\.path), ["OAF_angry/OAF_back_angry.wav", "OAF_bar_sad.wav"],
                       "the root link and the clip link are followed; the loop back to the root adds nothing")
        XCTAssertEqual(scan.duplicates.count, 0)
    }

    func testSymlinkedClipWithATESSNameIsAClip() throws {
        try tone("elsewhere/anything.wav")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("corpus"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("corpus/YAF_back_happy.wav").path,
                                                   withDestinationPath: dir.appendingPathComponent("elsewhere/anything.wav").path)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("corpus/YAF_bar_happy.wav").path,
                                                   withDestinationPath: dir.appendingPathComponent("nowhere.wav").path)
        let scan = try TESSCorpus.scan(root: dir.appendingPathComponent("corpus"))
        XCTAssertEqual(scan.clips.map(\.path), ["YAF_back_happy.wav"])
        XCTAssertEqual(scan.skipped.map(\.path), ["YAF_bar_happy.wav"])
        XCTAssertTrue(scan.skipped[0].reason.contains("symbolic link to nothing"), scan.skipped[0].reason)
    }

    func testNonUTF8NameAndFIFOAreListedAsSkipped() throws {
        try tone("OAF_back_angry.wav")
        // OAF_x\xff_angry.wav: a Latin-1 byte that is not UTF-8.
        var name = Array((dir.path + "/OAF_x").utf8)
        name += [0xFF] + Array("_angry.wav".utf8) + [0]
        let fd = name.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_WRONLY | O_CREAT, 0o644) }
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
        XCTAssertEqual(mkfifo(dir.appendingPathComponent("OAF_pipe_angry.wav").path, 0o644), 0)
        let scan = try TESSCorpus.scan(root: dir)
        XCTAssertEqual(scan.clips.map(\.path), ["OAF_back_angry.wav"])
        let reasons = Dictionary(uniqueKeysWithValues: scan.skipped.map { ($0.path, $0.reason) })
        XCTAssertTrue(reasons["OAF_pipe_angry.wav"]?.contains("not a regular file") == true, "\(reasons)")
        XCTAssertTrue(reasons.contains { $0.value.contains("not valid UTF-8") }, "\(reasons)")
    }

    func testImplausibleSampleRateIsSkippedWithTheReason() throws {
        try tone("OAF_back_angry.wav")
        try tone("OAF_bar_angry.wav", rate: 1)
        let scan = try TESSCorpus.scan(root: dir)
        XCTAssertEqual(scan.clips.map(\.path), ["OAF_back_angry.wav"])
        XCTAssertTrue(scan.skipped.first?.reason.contains("sample rate 1 Hz") == true, "\(scan.skipped)")
    }

    /// The same definition of a readable clip as `predict` and the demo: a clip cut short in a
    /// copy goes to skipped.csv with the reason, rather than being trained on in part.
    func testTruncatedClipIsSkippedWithTheReason() throws {
        try tone("OAF_back_angry.wav")
        try tone("OAF_bar_angry.wav")
        let cut = dir.appendingPathComponent("OAF_bar_angry.wav")
        let bytes = try Data(contentsOf: cut)
        try bytes.prefix(bytes.count / 2).write(to: cut)
        let scan = try TESSCorpus.scan(root: dir)
        XCTAssertEqual(scan.clips.map(\.path), ["OAF_back_angry.wav"])
        XCTAssertEqual(scan.skipped.map(\.path), ["OAF_bar_angry.wav"])
        XCTAssertTrue(scan.skipped.first?.reason.contains("truncated") == true, "\(scan.skipped)")
        XCTAssertFalse(scan.skipped.first?.reason.contains(dir.path) == true, "the path is its own column")
    }
}
