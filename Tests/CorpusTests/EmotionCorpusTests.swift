import Audio
import Foundation
import TestSupport
import XCTest
@testable import Corpus

/// Which convention a folder follows (majority, tie, none), on small folders of generated
/// tones; and the real RAVDESS and EmoDB samples in ../shared/corpora-sample.
final class EmotionCorpusTests: XCTestCase {
    var dir: URL!
    var hz = 200.0

    override func setUpWithError() throws { dir = try SharedData.temporaryDirectory("corpus-detect") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// A distinct tone per call, so that no two clips are byte-identical by accident.
    func tone(_ relative: String) throws {
        hz += 7
        try Tones.write(dir, relative, hz: hz)
    }

    func testTheMajorityConventionWinsAndOtherNamesAreSkippedWithTheReason() throws {
        try tone("Actor_01/03-01-05-01-02-01-01.wav")
        try tone("Actor_01/03-01-04-01-02-01-01.wav")
        try tone("Actor_02/03-01-01-01-01-01-02.wav")
        try tone("Actor_02/03-02-03-01-01-01-02.wav")  // song
        try tone("stray/03a01Fa.wav")  // EmoDB
        try Tones.text(dir, "Actor_02/03-01-06-01-01-01-02.wav", "not audio")
        try Tones.text(dir, "README.md", "notes")

        XCTAssertEqual(EmotionCorpus.votes(["a/03-01-05-01-02-01-01.wav", "03a01Fa.wav", "x.txt"]), [.ravdess: 1, .emoDB: 1])
        XCTAssertEqual(try EmotionCorpus.detect(root: dir), .convention(.ravdess))
        let scan = try EmotionCorpus.scan(root: dir)
        XCTAssertEqual(scan.name, "RAVDESS")
        XCTAssertEqual(scan.clips.map(\.path), ["Actor_01/03-01-04-01-02-01-01.wav", "Actor_01/03-01-05-01-02-01-01.wav",
                                                "Actor_02/03-01-01-01-01-01-02.wav"])
        XCTAssertEqual(scan.clips.map(\.label), ["04", "05", "01"])
        XCTAssertEqual(scan.speakers, ["01", "02"])
        XCTAssertEqual(scan.labelCodes, CorpusConvention.ravdess.labels.map(\.code))
        let reasons = Dictionary(uniqueKeysWithValues: scan.skipped.map { ($0.path, $0.reason) })
        XCTAssertEqual(reasons.count, 4, "\(reasons)")
        XCTAssertTrue(reasons["Actor_02/03-02-03-01-01-01-02.wav"]?.contains("song") == true, "\(reasons)")
        XCTAssertTrue(reasons["Actor_02/03-01-06-01-01-01-02.wav"]?.hasPrefix("RAVDESS-named but not a readable clip") == true, "\(reasons)")
        let stray = try XCTUnwrap(reasons["stray/03a01Fa.wav"])
        XCTAssertTrue(stray.contains("does not follow the RAVDESS naming") && stray.contains("EmoDB"), stray)
        XCTAssertTrue(reasons["README.md"]?.contains("does not follow the RAVDESS naming") == true, "\(reasons)")
    }

    func testATieIsAnErrorNamingBothConventions() throws {
        try tone("1001_DFA_ANG_XX.wav")
        try tone("1002_IEO_SAD_LO.wav")
        try tone("DC_a01.wav")
        try tone("KL/sa02.wav")
        try tone("03a01Fa.wav")
        XCTAssertThrowsError(try EmotionCorpus.scan(root: dir)) { error in
            XCTAssertEqual(error as? CorpusError, .ambiguousConvention(path: self.dir.standardizedFileURL.path,
                                                                       first: "CREMA-D", second: "SAVEE", count: 2))
            let message = "\(error)"
            XCTAssertTrue(message.contains("CREMA-D") && message.contains("SAVEE") && message.contains("manifest.csv"), message)
        }
    }

    func testAFolderFollowingNoConventionIsAClearError() throws {
        try tone("recording one.wav")
        try tone("take2.wav")
        XCTAssertThrowsError(try EmotionCorpus.scan(root: dir)) { error in
            guard case CorpusError.noConvention(_, let seen, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(seen, 2)
            let message = "\(error)"
            for name in ["RAVDESS", "CREMA-D", "SAVEE", "EmoDB", "TESS", "manifest.csv", "path,label,speaker", "03-01-05-01-02-01-12.wav"] {
                XCTAssertTrue(message.contains(name), "\(name) missing from: \(message)")
            }
        }
        let empty = try SharedData.temporaryDirectory("corpus-empty")
        defer { try? FileManager.default.removeItem(at: empty) }
        XCTAssertThrowsError(try EmotionCorpus.scan(root: empty)) { error in
            guard case CorpusError.noConvention(_, 0, _) = error else { return XCTFail("\(error)") }
        }
    }

    func testNamesOfAConventionButNoReadableClipIsAClearError() throws {
        try Tones.text(dir, "03a01Fa.wav", "not audio")
        XCTAssertThrowsError(try EmotionCorpus.scan(root: dir)) { error in
            guard case CorpusError.noCorpusClips(let corpus, _, 1, let examples) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(corpus, "EmoDB")
            XCTAssertEqual(examples.map(\.path), ["03a01Fa.wav"])
        }
    }

    /// The same walk: symlinks, duplicates of nested Kaggle-style copies, one clip per content.
    func testCREMADWithANestedDuplicateCopyCountsDuplicates() throws {
        try tone("AudioWAV/1001_DFA_ANG_XX.wav")
        try tone("AudioWAV/1001_DFA_HAP_XX.wav")
        try tone("AudioWAV/1002_TIE_NEU_XX.wav")
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("AudioWAV/AudioWAV"), withIntermediateDirectories: true)
        for name in ["1001_DFA_ANG_XX.wav", "1002_TIE_NEU_XX.wav"] {
            try fm.copyItem(at: dir.appendingPathComponent("AudioWAV/\(name)"), to: dir.appendingPathComponent("AudioWAV/AudioWAV/\(name)"))
        }
        let scan = try EmotionCorpus.scan(root: dir)
        XCTAssertEqual(scan.name, "CREMA-D")
        XCTAssertEqual(scan.clips.count, 3)
        XCTAssertEqual(scan.duplicates.map(\.dropped).sorted(), ["AudioWAV/AudioWAV/1001_DFA_ANG_XX.wav", "AudioWAV/AudioWAV/1002_TIE_NEU_XX.wav"])
        XCTAssertEqual(scan.speakers, ["1001", "1002"])
        XCTAssertEqual(scan.words, ["DFA", "TIE"])
        XCTAssertEqual(scan.countsByLabel.map(\.count), [1, 0, 0, 1, 1, 0])
    }

    func testSAVEESpeakerFoldersAndPrefixedNamesMix() throws {
        try tone("AudioData/DC/a01.wav")
        try tone("AudioData/JE/sa03.wav")
        try tone("ALL/KL_su15.wav")
        try tone("AudioData/XX/n01.wav")
        let scan = try EmotionCorpus.scan(root: dir)
        XCTAssertEqual(scan.name, "SAVEE")
        XCTAssertEqual(scan.clips.map(\.speaker), ["KL", "DC", "JE"])
        XCTAssertEqual(scan.clips.map(\.label), ["su", "a", "sa"])
        XCTAssertEqual(scan.skipped.map(\.path), ["AudioData/XX/n01.wav"])
    }

    /// A TESS folder read through `EmotionCorpus` is exactly `TESSCorpus.scan`.
    func testTESSFolderGivesExactlyTESSCorpusScan() throws {
        try tone("OAF_angry/OAF_back_angry.wav")
        try tone("YAF_pleasant_surprised/YAF_chain_ps.wav")
        try tone("OAF_angry/03a01Fa.wav")
        try FileManager.default.copyItem(at: dir.appendingPathComponent("OAF_angry"), to: dir.appendingPathComponent("copy"))
        let tess = try TESSCorpus.scan(root: dir)
        let detected = try EmotionCorpus.scan(root: dir)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        XCTAssertEqual(try encoder.encode(detected), try encoder.encode(tess))
        XCTAssertEqual(detected.name, "TESS")
        XCTAssertEqual(detected.labels, TESSCorpus.corpusLabels)
        XCTAssertEqual(detected.duplicates.map(\.dropped), ["copy/OAF_back_angry.wav"])
        XCTAssertTrue(detected.skipped.contains { $0.path == "copy/03a01Fa.wav" }, "EmoDB names in a TESS folder are skipped")
        XCTAssertEqual(detected.commonLabel("ps"), .surprise)
        var synthetic = detected
        synthetic.name = "synthetic TESS-shaped corpus"
        XCTAssertEqual(synthetic.labelMapping, CorpusConvention.tess.mapping, "a renamed TESS scan still maps its labels")
    }

    // MARK: the real samples (never copied into the repository)

    func testRAVDESSSample() throws {
        let root = try SharedData.require("corpora-sample/ravdess")
        let scan = try EmotionCorpus.scan(root: root)
        XCTAssertEqual(scan.name, "RAVDESS")
        XCTAssertEqual(scan.clips.count, 32)
        XCTAssertEqual(scan.speakers, ["02", "03"])
        XCTAssertEqual(Set(scan.clips.map(\.label)).count, 8)
        XCTAssertEqual(scan.labels.count, 8)
        XCTAssertEqual(scan.words, ["01", "02"])
        XCTAssertEqual(scan.duplicates.count, 0)
        XCTAssertEqual(scan.countsByLabel.map(\.count), Array(repeating: 4, count: 8))
        XCTAssertEqual(scan.labelMapping.map(\.common), [.neutral, .calm, .happy, .sad, .angry, .fear, .disgust, .surprise])
        for clip in scan.clips {
            XCTAssertEqual(clip.sampleRate, 48000, clip.path)
            XCTAssertEqual(clip.duration, 2.389, accuracy: 0.01, clip.path)
        }
    }

    func testEmoDBSample() throws {
        let root = try SharedData.require("corpora-sample/emodb")
        let scan = try EmotionCorpus.scan(root: root)
        XCTAssertEqual(scan.name, "EmoDB")
        XCTAssertEqual(scan.clips.count, 25)
        XCTAssertEqual(scan.speakers, ["03", "08"])
        XCTAssertEqual(Set(scan.clips.map(\.label)).count, 7)
        XCTAssertEqual(scan.labelCodes, ["A", "E", "F", "L", "N", "T", "W"])
        XCTAssertEqual(scan.labelMapping.map(\.common), [.fear, .disgust, .happy, .boredom, .neutral, .sad, .angry])
        XCTAssertFalse(scan.clips.contains { $0.speaker == "08" && $0.label == "E" }, "speaker 08 has no disgust clip")
        XCTAssertEqual(scan.skipped.count, 0)
        for clip in scan.clips {
            XCTAssertEqual(clip.sampleRate, 22050, clip.path)
            XCTAssertEqual(clip.duration, 2.0, accuracy: 0.01, clip.path)
        }
    }
}
