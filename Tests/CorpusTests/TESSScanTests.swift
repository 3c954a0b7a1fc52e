import Audio
import Foundation
import TestSupport
import XCTest
@testable import Corpus

final class TESSScanTests: XCTestCase {
    /// The 19 real clips in ../shared/tess-sample, with their known oddities.
    func testScansTheRealSample() throws {
        let root = try SharedData.require("tess-sample")
        let scan = try TESSCorpus.scan(root: root)
        XCTAssertEqual(scan.clips.count, 19)
        XCTAssertEqual(scan.duplicates.count, 0)
        XCTAssertEqual(Set(scan.clips.map(\.label)), Set(TESSCorpus.labels))
        XCTAssertEqual(Set(scan.clips.map(\.speaker)), ["OAF", "YAF"])
        XCTAssertEqual(scan.clips.map(\.path), scan.clips.map(\.path).sorted())

        let bite = try XCTUnwrap(scan.clips.first { $0.path == "OAF_neutral/OA_bite_neutral.wav" })
        XCTAssertEqual(bite.speaker, "OAF")
        XCTAssertEqual(bite.word, "bite")
        let germ = try XCTUnwrap(scan.clips.first { $0.path == "YAF_angry/YAF_germ_angry.wav" })
        XCTAssertEqual(germ.format, "AIFF", "an AIFF file named .wav is recognised by its content")
        let food = try XCTUnwrap(scan.clips.first { $0.path == "OAF_fear/OAF_food_fear.wav" })
        XCTAssertEqual(food.sampleRate, 96000)
        let ps = try XCTUnwrap(scan.clips.first { $0.path.hasPrefix("OAF_pleasant_surprise/OAF_back_ps") })
        XCTAssertEqual(ps.label, "ps")
        for clip in scan.clips {
            XCTAssertTrue((1.2...3.0).contains(clip.duration), "\(clip.path): \(clip.duration) s")
        }
        XCTAssertTrue(scan.skipped.contains { $0.path == "LICENSE.md" })
    }

    /// Kaggle's zip: the set twice (nested folder of the same name), mixed-case folder names,
    /// plus junk a user's copy may hold.
    func testKaggleStyleTreeWithDuplicatesAndJunk() throws {
        let root = try SharedData.temporaryDirectory("tess-kaggle")
        defer { try? FileManager.default.removeItem(at: root) }
        let top = "TESS Toronto emotional speech set data"
        try writeTone(root, "\(top)/OAF_Fear/OAF_back_fear.wav", hz: 200)
        try writeTone(root, "\(top)/\(top)/OAF_Fear/OAF_back_fear.wav", hz: 200)
        try writeTone(root, "\(top)/YAF_pleasant_surprised/YAF_chain_ps.wav", hz: 300)
        try writeTone(root, "\(top)/\(top)/YAF_pleasant_surprised/YAF_chain_ps.wav", hz: 300)
        try writeTone(root, "\(top)/OAF_neutral/OA_bite_neutral.wav", hz: 180)
        try writeTone(root, "\(top)/OAF_Sad/OAF_back_sad.wav", hz: 150)
        try write(root, "\(top)/notes.txt", "not audio")
        try write(root, "\(top)/OAF_Sad/OAF_dog_sad.wav", "this is text, not a WAV file")
        try write(root, "\(top)/OAF_Sad/OAF_door_sad.wav", "")
        try write(root, "\(top)/OAF_Sad/.DS_Store", "finder junk")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("empty folder"), withIntermediateDirectories: true)

        let scan = try TESSCorpus.scan(root: root)
        XCTAssertEqual(scan.clips.map(\.path), [
            "\(top)/OAF_Fear/OAF_back_fear.wav",
            "\(top)/OAF_Sad/OAF_back_sad.wav",
            "\(top)/OAF_neutral/OA_bite_neutral.wav",
            "\(top)/\(top)/YAF_pleasant_surprised/YAF_chain_ps.wav",
        ], "the first copy in path order is kept")
        XCTAssertEqual(scan.clips.map(\.label), ["fear", "sad", "neutral", "ps"])
        XCTAssertEqual(scan.clips.map(\.speaker), ["OAF", "OAF", "OAF", "YAF"])
        XCTAssertEqual(scan.duplicates, [
            DuplicateClip(kept: "\(top)/OAF_Fear/OAF_back_fear.wav", dropped: "\(top)/\(top)/OAF_Fear/OAF_back_fear.wav"),
            DuplicateClip(kept: "\(top)/\(top)/YAF_pleasant_surprised/YAF_chain_ps.wav",
                          dropped: "\(top)/YAF_pleasant_surprised/YAF_chain_ps.wav"),
        ])
        XCTAssertEqual(scan.skipped.map(\.path), ["\(top)/OAF_Sad/OAF_dog_sad.wav", "\(top)/OAF_Sad/OAF_door_sad.wav", "\(top)/notes.txt"])
        let first = try XCTUnwrap(scan.clips.first)
        XCTAssertEqual(first.sampleRate, 24414)
        XCTAssertEqual(first.frames, 24414 * 3 / 2)
        XCTAssertEqual(first.format, "WAV")
        XCTAssertEqual(scan.countsByLabel.map(\.count), [0, 0, 1, 0, 1, 1, 1])

        let csv = scan.csv().split(separator: "\n")
        XCTAssertEqual(csv.first, "path,speaker,word,label,format,sample_rate,channels,frames,duration")
        XCTAssertEqual(csv.count, 5)
        XCTAssertEqual(csv[1], "\(top)/OAF_Fear/OAF_back_fear.wav,OAF,back,fear,WAV,24414,1,36621,1.500000")
    }

    /// Byte-identical copies are one clip; a clip that differs by one sample is not a copy.
    func testSameBytesInTwoFoldersIsOneClip() throws {
        let root = try SharedData.temporaryDirectory("tess-dup")
        defer { try? FileManager.default.removeItem(at: root) }
        try writeTone(root, "a/OAF_back_angry.wav", hz: 220)
        try writeTone(root, "b/OAF_back_angry.wav", hz: 220)
        try writeTone(root, "b/OAF_back_sad.wav", hz: 221)
        let scan = try TESSCorpus.scan(root: root)
        XCTAssertEqual(scan.clips.map(\.path), ["a/OAF_back_angry.wav", "b/OAF_back_sad.wav"])
        XCTAssertEqual(scan.duplicates.map(\.dropped), ["b/OAF_back_angry.wav"])
    }

    func testFingerprintTracksContentNotLocation() throws {
        let a = try SharedData.temporaryDirectory("tess-fp")
        let b = try SharedData.temporaryDirectory("tess-fp")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        for root in [a, b] {
            try writeTone(root, "OAF_back_angry.wav", hz: 220)
            try writeTone(root, "YAF_back_sad.wav", hz: 300)
        }
        let fa = try TESSCorpus.scan(root: a).fingerprint
        XCTAssertEqual(fa.count, 16)
        XCTAssertEqual(try TESSCorpus.scan(root: b).fingerprint, fa)
        try writeTone(b, "YAF_back_sad.wav", hz: 301)
        XCTAssertNotEqual(try TESSCorpus.scan(root: b).fingerprint, fa)
    }

    func testEmptyFolderIsAClearError() throws {
        let root = try SharedData.temporaryDirectory("tess-empty")
        defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertThrowsError(try TESSCorpus.scan(root: root)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(root.lastPathComponent), message)
            XCTAssertTrue(message.contains("<speaker>_<word>_<emotion>"), message)
            XCTAssertTrue(message.contains("OAF_back_angry.wav"), message)
        }
    }

    func testFolderOfJunkIsAClearErrorListingWhatWasSkipped() throws {
        let root = try SharedData.temporaryDirectory("tess-junk")
        defer { try? FileManager.default.removeItem(at: root) }
        try write(root, "OAF_back_angry.wav", "text pretending to be audio")
        try writeTone(root, "song.wav", hz: 440)
        XCTAssertThrowsError(try TESSCorpus.scan(root: root)) { error in
            guard case CorpusError.noClips(_, let seen, let examples) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(seen, 2)
            XCTAssertEqual(Set(examples.map(\.path)), ["OAF_back_angry.wav", "song.wav"])
        }
    }

    func testMissingFolderAndFileAreErrors() throws {
        let root = try SharedData.temporaryDirectory("tess-missing")
        defer { try? FileManager.default.removeItem(at: root) }
        XCTAssertThrowsError(try TESSCorpus.scan(root: root.appendingPathComponent("nope"))) { error in
            XCTAssertEqual(error as? CorpusError, .folderNotFound(path: root.appendingPathComponent("nope").path))
        }
        try writeTone(root, "OAF_back_angry.wav", hz: 220)
        XCTAssertThrowsError(try TESSCorpus.scan(root: root.appendingPathComponent("OAF_back_angry.wav"))) { error in
            XCTAssertEqual(error as? CorpusError, .notAFolder(path: root.appendingPathComponent("OAF_back_angry.wav").path))
        }
    }

    // MARK: helpers

    /// A 1.5 s sine at 24414 Hz, written through the Audio module.
    func writeTone(_ root: URL, _ relative: String, hz: Double) throws {
        let rate = 24414
        let samples = (0..<(rate * 3 / 2)).map { Float(0.3 * sin(2 * Double.pi * hz * Double($0) / Double(rate))) }
        try AudioFile.writeWAV16(samples, sampleRate: rate, to: root.appendingPathComponent(relative))
    }

    func write(_ root: URL, _ relative: String, _ text: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
}
