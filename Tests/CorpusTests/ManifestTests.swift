import Audio
import Foundation
import TestSupport
import XCTest
@testable import Corpus

/// `manifest.csv`: its format (errors name the file and the line) and a scan through it.
final class ManifestTests: XCTestCase {
    func manifestError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> (line: Int, reason: String, message: String)? {
        do {
            _ = try CorpusManifest.parse(text, source: "/data/manifest.csv")
            XCTFail("no error for \(text)", file: file, line: line)
        } catch CorpusError.invalidManifest(let path, let number, let reason) {
            XCTAssertEqual(path, "/data/manifest.csv", file: file, line: line)
            return (number, reason, "\(CorpusError.invalidManifest(path: path, line: number, reason: reason))")
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return nil
    }

    func testParsesWithAndWithoutTheTextColumn() throws {
        let three = try CorpusManifest.parse("path,label,speaker\r\n./a/one.wav,angry,s1\n\"b,c/two.wav\",Fearful,s2\n\n", source: "m")
        XCTAssertEqual(three, [ManifestEntry(path: "a/one.wav", label: "angry", speaker: "s1", text: "", line: 2),
                               ManifestEntry(path: "b,c/two.wav", label: "Fearful", speaker: "s2", text: "", line: 3)])
        let four = try CorpusManifest.parse("\u{FEFF}Path, Label, Speaker, Text\none.wav,calm,s1,hello there\n", source: "m")
        XCTAssertEqual(four, [ManifestEntry(path: "one.wav", label: "calm", speaker: "s1", text: "hello there", line: 2)])
    }

    func testBadHeaderIsAnErrorNamingTheFileAndLine() throws {
        let e = try XCTUnwrap(manifestError("file,emotion,actor\none.wav,angry,s1\n"))
        XCTAssertEqual(e.line, 1)
        XCTAssertTrue(e.message.contains("/data/manifest.csv, line 1"), e.message)
        XCTAssertTrue(e.message.contains("path,label,speaker"), e.message)
        XCTAssertEqual(try XCTUnwrap(manifestError("")).line, 1)
        XCTAssertEqual(try XCTUnwrap(manifestError("path,label\none.wav,angry\n")).line, 1, "speaker is required")
    }

    func testMissingColumnsAndEmptyFieldsNameTheLine() throws {
        let missing = try XCTUnwrap(manifestError("path,label,speaker\none.wav,angry,s1\ntwo.wav,sad\n"))
        XCTAssertEqual(missing.line, 3)
        XCTAssertTrue(missing.reason.contains("2 fields"), missing.reason)
        let extra = try XCTUnwrap(manifestError("path,label,speaker\none.wav,angry,s1,more\n"))
        XCTAssertEqual(extra.line, 2)
        let empty = try XCTUnwrap(manifestError("path,label,speaker,text\none.wav,angry,,\n"))
        XCTAssertEqual(empty.line, 2)
        XCTAssertTrue(empty.reason.contains("speaker column is empty"), empty.reason)
        XCTAssertEqual(try XCTUnwrap(manifestError("path,label,speaker\n")).reason, "the manifest lists no clip")
    }

    func testUnknownLabelDuplicatePathAndPathsOutsideTheFolder() throws {
        let label = try XCTUnwrap(manifestError("path,label,speaker\none.wav,angry,s1\ntwo.wav,frustrated,s1\n"))
        XCTAssertEqual(label.line, 3)
        XCTAssertTrue(label.reason.contains("'frustrated'"), label.reason)
        let twice = try XCTUnwrap(manifestError("path,label,speaker\none.wav,angry,s1\n./one.wav,sad,s1\n"))
        XCTAssertEqual(twice.line, 3)
        XCTAssertTrue(twice.reason.contains("first on line 2"), twice.reason)
        XCTAssertEqual(try XCTUnwrap(manifestError("path,label,speaker\n/etc/one.wav,angry,s1\n")).line, 2)
        XCTAssertEqual(try XCTUnwrap(manifestError("path,label,speaker\n../one.wav,angry,s1\n")).line, 2)
    }

    func testScanThroughAManifest() throws {
        let root = try SharedData.temporaryDirectory("corpus-manifest")
        defer { try? FileManager.default.removeItem(at: root) }
        try Tones.write(root, "clips/a.wav", hz: 200)
        try Tones.write(root, "clips/b.wav", hz: 250)
        try Tones.write(root, "clips/copy-of-a.wav", hz: 200)
        try Tones.write(root, "clips/unlisted.wav", hz: 300)
        try Tones.text(root, "clips/broken.wav", "not audio")
        // Names that follow RAVDESS: the manifest, not the names, decides.
        try Tones.write(root, "03-01-05-01-02-01-12.wav", hz: 350)
        try Tones.text(root, "manifest.csv", """
            path,label,speaker,text
            clips/b.wav,Fearful,spk2,dogs
            clips/a.wav,anger,spk1,kids
            clips/copy-of-a.wav,anger,spk1,kids
            clips/broken.wav,sad,spk1,kids

            """)
        XCTAssertEqual(try EmotionCorpus.detect(root: root), .manifest)
        let scan = try EmotionCorpus.scan(root: root)
        XCTAssertEqual(scan.name, "manifest")
        XCTAssertEqual(scan.clips.map(\.path), ["clips/a.wav", "clips/b.wav"])
        XCTAssertEqual(scan.clips.map(\.label), ["anger", "Fearful"])
        XCTAssertEqual(scan.clips.map(\.speaker), ["spk1", "spk2"])
        XCTAssertEqual(scan.clips.map(\.word), ["kids", "dogs"])
        XCTAssertEqual(scan.labelCodes, ["Fearful", "anger"], "sorted by code")
        XCTAssertEqual(scan.labelMapping.map(\.common), [.fear, .angry])
        XCTAssertEqual(scan.duplicates, [DuplicateClip(kept: "clips/a.wav", dropped: "clips/copy-of-a.wav")])
        let reasons = Dictionary(uniqueKeysWithValues: scan.skipped.map { ($0.path, $0.reason) })
        XCTAssertEqual(Set(reasons.keys), ["03-01-05-01-02-01-12.wav", "clips/broken.wav", "clips/unlisted.wav"])
        XCTAssertEqual(reasons["clips/unlisted.wav"], "not listed in manifest.csv")
        XCTAssertTrue(reasons["clips/broken.wav"]?.hasPrefix("listed in manifest.csv but not a readable clip") == true, "\(reasons)")

        // Relabelling changes the fingerprint, though no byte of audio changed.
        let before = scan.fingerprint
        try Tones.text(root, "manifest.csv", "path,label,speaker,text\nclips/b.wav,sad,spk2,dogs\nclips/a.wav,anger,spk1,kids\n")
        XCTAssertNotEqual(try EmotionCorpus.scan(root: root).fingerprint, before)
    }

    /// A listed file that is missing is skipped and listed with the manifest's line, like any
    /// other unreadable clip (issue 22, item 9: it used to abort the run).
    func testAPathWithNoFileIsSkippedNamingTheManifestLine() throws {
        let root = try SharedData.temporaryDirectory("corpus-manifest")
        defer { try? FileManager.default.removeItem(at: root) }
        try Tones.write(root, "a.wav", hz: 200)
        try Tones.text(root, "manifest.csv", "path,label,speaker\na.wav,happy,s1\nmissing.wav,sad,s1\n")
        let scan = try EmotionCorpus.scan(root: root)
        XCTAssertEqual(scan.clips.map(\.path), ["a.wav"])
        let reason = try XCTUnwrap(scan.skipped.first { $0.path == "missing.wav" }?.reason)
        XCTAssertTrue(reason.contains("manifest.csv (line 3)") && reason.contains("no such file"), reason)
    }
}

/// Short tones (0.2 s at 16 kHz) and text files, for folders made in tests.
enum Tones {
    static func write(_ root: URL, _ relative: String, hz: Double) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let rate = 16000
        let samples = (0..<(rate / 5)).map { Float(0.3 * sin(2 * Double.pi * hz * Double($0) / Double(rate))) }
        try AudioFile.writeWAV16(samples, sampleRate: rate, to: url)
    }

    static func text(_ root: URL, _ relative: String, _ text: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
}
