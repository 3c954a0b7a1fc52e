import Base
import Corpus
import Foundation
import XCTest
import TestSupport
@testable import Study

/// A corpus is input a user may have downloaded: its names never choose where a file goes, its
/// links never lead the walk out of it, its sizes are capped, and what a chapter leaves behind
/// is only what it wrote this run. Runs in-process on tone clips (RunnerTests.toneCorpus).
final class UntrustedCorpusTests: XCTestCase {
    var dir: URL!
    let fm = FileManager.default

    override func setUpWithError() throws { dir = try SharedData.temporaryDirectory("untrusted") }
    override func tearDownWithError() throws { try? fm.removeItem(at: dir) }

    /// Every regular file and link under `root`, relative, sorted.
    func files(under root: URL) -> [String] {
        (fm.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []).filter { rel in
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: root.appendingPathComponent(rel).path, isDirectory: &isDir) && !isDir.boolValue
        }.sorted()
    }

    /// A manifest corpus over the tone clips: `speaker(s, l)` and `label(l)` name each clip's
    /// speaker and label (s: 0 or 1, l: the TESS label index).
    func manifestCorpus(speaker: (Int, Int) -> String, label: (Int) -> String, text: String = "back") throws -> URL {
        let tones = try RunnerTests.toneCorpus(in: dir)
        let root = dir.appendingPathComponent("c")
        try fm.createDirectory(at: root.appendingPathComponent("clips"), withIntermediateDirectories: true)
        var rows = ["path,label,speaker,text"]
        for (s, spk) in ["OAF", "YAF"].enumerated() {
            for (l, lab) in RunnerTests.labels.enumerated() {
                for word in ["back", "bar"] {
                    let name = "clips/\(spk)_\(word)_\(lab).wav"
                    try fm.copyItem(at: tones.appendingPathComponent("\(spk)_\(lab)/\(spk)_\(word)_\(lab).wav"),
                                    to: root.appendingPathComponent(name))
                    rows.append([name, label(l), speaker(s, l), text + word].map(CSV.field).joined(separator: ","))
                }
            }
        }
        try (rows.joined(separator: "\n") + "\n").write(to: root.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)
        return root
    }

    func options(data: URL, output: URL) -> StudyOptions {
        var o = StudyOptions()
        o.dataDirectory = data
        o.outputDirectory = output
        o.epochs = 1
        o.ladder = .off
        o.featureSets = StudyTestFeatures.sets
        o.quiet = true
        o.preset = "librosa"
        o.only = .eda
        return o
    }

    // MARK: item 1: names from data are never paths

    func testHostileSpeakerAndLabelNamesWriteNothingOutsideTheOutputFolder() throws {
        let escape = dir.appendingPathComponent("sec")
        let hostile = [
            String(repeating: "/..", count: 12) + escape.path + "/escaped",   // absolute after ../
            "../../../../sec/owned",
        ]
        let root = try manifestCorpus(speaker: { s, _ in hostile[s] }, label: { RunnerTests.labels[$0] })
        let out = dir.appendingPathComponent("out")
        try StudyRunner(options: options(data: root, output: out)).run()

        XCTAssertFalse(fm.fileExists(atPath: escape.path), "a file was written outside the output folder: \(files(under: escape))")
        // Nothing under the output folder but its chapters, the report and the run's own files.
        let top = try fm.contentsOfDirectory(atPath: out.path).filter { !$0.hasPrefix(".") }.sorted()
        for name in top {
            XCTAssertTrue(name.hasPrefix("0") || ["report.html", "report.md", "study.ipynb", "summary.json", "figures"].contains(name)
                          || name.hasSuffix(".lock"), "unexpected \(name) in the output folder")
        }
        // The example files have safe names (one folder level: figures/ or audio/), and there are
        // 7 labels × 2 speakers of each kind.
        let eda = files(under: out.appendingPathComponent("02-eda"))
        let examples = eda.filter { $0.hasPrefix("figures/") || $0.hasPrefix("audio/") }
        XCTAssertEqual(examples.filter { $0.hasSuffix("_wave.png") }.count, 14, "\(examples)")
        XCTAssertEqual(examples.filter { $0.hasSuffix(".wav") }.count, 14, "\(examples)")
        for e in examples {
            let parts = e.split(separator: "/")
            XCTAssertEqual(parts.count, 2, e)
            XCTAssertTrue(SafeFileName.isSafe(String(parts[1]), maxLength: 255), e)
        }
        // The report still shows the original names (escaped for HTML, as they are, or in part).
        let md = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("escaped"), "the report shows the speaker's own name")
    }

    func testSafeFileNamesAreUniqueWithinAFolder() {
        var names = SafeFileNames()
        let a = names.name(for: ["a_b", "c"]), b = names.name(for: ["a", "b_c"])
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(names.name(for: ["a_b", "c"]), a, "the same parts, the same name")
        let x = names.name(for: ["x/y", "z"]), y = names.name(for: ["x?y", "z"])
        XCTAssertNotEqual(x, y, "two names that map alike still differ (their hash suffixes)")
    }

    func testAChapterCannotWriteOutsideItsFolder() throws {
        var o = options(data: dir, output: dir.appendingPathComponent("out"))
        o.only = nil
        let ctx = ChapterContext(id: .eda, options: o, progress: StudyProgress(quiet: true), outputs: [:])
        for bad in ["../x.png", "/tmp/x.png", "figures/../../x.png", "a//b.png", ".hidden", "figures/<script>.png", ""] {
            XCTAssertThrowsError(try ctx.url(bad), bad) { error in
                XCTAssertTrue("\(error)".contains("refused to write"), "\(error)")
            }
        }
        XCTAssertNoThrow(try ctx.url("figures/angry_OAF_wave.png"))
        // A symbolic link planted in the chapter folder does not lead a write out of it.
        try fm.createDirectory(at: ctx.folder, withIntermediateDirectories: true)
        let outside = dir.appendingPathComponent("outside")
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: ctx.folder.appendingPathComponent("figures"), withDestinationURL: outside)
        XCTAssertThrowsError(try ctx.write("x", to: "figures/a.csv"))
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: outside.path), [])
    }

    // MARK: item 4 and 9: links never lead out of the corpus

    func testFolderLinksAreNotFollowedAndAreListed() throws {
        let tones = try RunnerTests.toneCorpus(in: dir)
        // Outside the corpus: a folder of TESS-named clips the walk must not take in.
        let elsewhere = dir.appendingPathComponent("elsewhere/OAF_angry")
        try fm.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try EndToEndTests.sineWAV(seconds: 1.6, rate: 24414, frequency: 900).write(to: elsewhere.appendingPathComponent("OAF_outside_angry.wav"))
        try fm.createSymbolicLink(at: tones.appendingPathComponent("root"), withDestinationURL: dir.appendingPathComponent("elsewhere"))
        try fm.createSymbolicLink(at: tones.appendingPathComponent("loop"), withDestinationURL: tones)
        // A link to a file is followed (users link clips).
        try fm.createSymbolicLink(at: tones.appendingPathComponent("OAF_angry/OAF_linked_angry.wav"),
                                  withDestinationURL: elsewhere.appendingPathComponent("OAF_outside_angry.wav"))
        let scan = try EmotionCorpus.scan(root: tones)
        XCTAssertEqual(scan.clips.count, 2 * 7 * 2 + 1, "the 28 clips and the linked file")
        XCTAssertFalse(scan.clips.contains { $0.path.hasPrefix("root/") || $0.path.hasPrefix("loop/") }, "\(scan.clips.map(\.path))")
        let reasons = Dictionary(uniqueKeysWithValues: scan.skipped.map { ($0.path, $0.reason) })
        XCTAssertTrue(reasons["root"]?.contains("outside the corpus") == true, "\(reasons)")
        XCTAssertTrue(reasons["loop"]?.contains("inside the corpus") == true, "\(reasons)")
    }

    func testManifestRowsThroughLinksFIFOsAndMissingFilesAreSkippedAndListed() throws {
        let root = try manifestCorpus(speaker: { s, _ in ["OAF", "YAF"][s] }, label: { RunnerTests.labels[$0] })
        let outside = dir.appendingPathComponent("outside")
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        try fm.copyItem(at: root.appendingPathComponent("clips/OAF_back_angry.wav"), to: outside.appendingPathComponent("x.wav"))
        try fm.createSymbolicLink(at: root.appendingPathComponent("linked"), withDestinationURL: outside)
        XCTAssertEqual(mkfifo(root.appendingPathComponent("clips/pipe.wav").path, 0o644), 0)
        var manifest = try String(contentsOf: root.appendingPathComponent("manifest.csv"), encoding: .utf8)
        manifest += "linked/x.wav,angry,OAF,x\nclips/pipe.wav,angry,OAF,pipe\nclips/missing.wav,angry,OAF,gone\n"
        try manifest.write(to: root.appendingPathComponent("manifest.csv"), atomically: true, encoding: .utf8)

        let scan = try EmotionCorpus.scan(root: root)   // returns: the FIFO is never opened
        XCTAssertEqual(scan.clips.count, 28)
        let reasons = Dictionary(uniqueKeysWithValues: scan.skipped.map { ($0.path, $0.reason) })
        XCTAssertTrue(reasons["linked/x.wav"]?.contains("symbolic link") == true, "\(reasons)")
        XCTAssertTrue(reasons["clips/pipe.wav"]?.contains("not a regular file") == true, "\(reasons)")
        XCTAssertTrue(reasons["clips/missing.wav"]?.contains("no such file") == true, "\(reasons)")
    }

    func testManifestPathsWithNULOrControlCharactersAreRefused() {
        // Found by `make fuzz`: a NUL ends the path for every system call, so the file checked
        // was not the file named.
        for bad in ["clips/a\u{0}.wav", "clips/a\tb.wav", "clips/\u{1B}[31m.wav"] {
            XCTAssertThrowsError(try CorpusManifest.parse("path,label,speaker\n\(CSV.field(bad)),angry,OAF\n", source: "m.csv")) { error in
                XCTAssertTrue("\(error)".contains("m.csv, line 2") && "\(error)".contains("control character"), "\(error)")
            }
        }
    }

    // MARK: item 10: caps on size and duration

    func testClipsAboveTheCapsAreSkippedAndListed() throws {
        let tones = try RunnerTests.toneCorpus(in: dir)
        // The tone clips are 1.6 s of 16-bit mono at 24414 Hz (78 KB); one is 5 s (244 KB).
        try EndToEndTests.sineWAV(seconds: 5, rate: 24414).write(to: tones.appendingPathComponent("OAF_sad/OAF_long_sad.wav"))
        let bySize = try EmotionCorpus.scan(root: tones, limits: ClipLimits(maxBytes: 100_000, maxSeconds: 600))
        XCTAssertEqual(bySize.clips.count, 28)
        let sizeReason = try XCTUnwrap(bySize.skipped.first { $0.path == "OAF_sad/OAF_long_sad.wav" }?.reason)
        XCTAssertTrue(sizeReason.contains("--max-clip-mb"), sizeReason)
        let byDuration = try EmotionCorpus.scan(root: tones, limits: ClipLimits(maxBytes: 64 << 20, maxSeconds: 4))
        XCTAssertEqual(byDuration.clips.count, 28)
        let durationReason = try XCTUnwrap(byDuration.skipped.first { $0.path == "OAF_sad/OAF_long_sad.wav" }?.reason)
        XCTAssertTrue(durationReason.contains("5 s long") && durationReason.contains("--max-clip-seconds"), durationReason)
        XCTAssertEqual(try EmotionCorpus.scan(root: tones).clips.count, 29, "the defaults take it in")
    }

    // MARK: item 8: a corpus must have two labels with two clips each

    func testACorpusOfOneLabelIsRefusedAtLoad() throws {
        let root = try manifestCorpus(speaker: { s, _ in ["OAF", "YAF"][s] }, label: { _ in "angry" })
        var o = options(data: root, output: dir.appendingPathComponent("out"))
        o.only = .load
        XCTAssertThrowsError(try StudyRunner(options: o).run()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("at least two labels") && text.contains("angry: 28"), text)
        }
        // A second label with a single clip: still one label to learn from.
        let fm = FileManager.default
        try fm.removeItem(at: root)
        try fm.removeItem(at: dir.appendingPathComponent("tones"))
        var row = 0
        _ = try manifestCorpus(speaker: { s, _ in ["OAF", "YAF"][s] }, label: { _ in
            row += 1
            return row == 3 ? "sad" : "angry"
        })
        XCTAssertThrowsError(try StudyRunner(options: o).run()) { error in
            XCTAssertTrue("\(error)".contains("angry: 27, sad: 1"), "\(error)")
        }
    }

    // MARK: item 11: a chapter folder holds only what the chapter wrote this run

    func testAChapterRunLeavesNoFileOfAnEarlierCorpus() throws {
        let first = try manifestCorpus(speaker: { s, _ in ["ann", "bea"][s] }, label: { RunnerTests.labels[$0] })
        let out = dir.appendingPathComponent("out")
        try StudyRunner(options: options(data: first, output: out)).run()
        let before = files(under: out.appendingPathComponent("02-eda"))
        XCTAssertTrue(before.contains { $0.contains("_ann_") }, "\(before)")
        // The same folder, other speakers: the first corpus's examples must go.
        try fm.removeItem(at: first)
        try fm.removeItem(at: dir.appendingPathComponent("tones"))
        let second = try manifestCorpus(speaker: { s, _ in ["cat", "dee"][s] }, label: { RunnerTests.labels[$0] })
        try StudyRunner(options: options(data: second, output: out)).run()
        let after = files(under: out.appendingPathComponent("02-eda"))
        XCTAssertFalse(after.contains { $0.contains("ann") || $0.contains("bea") }, "\(after)")
        XCTAssertTrue(after.contains { $0.contains("_cat_") }, "\(after)")
    }

    // MARK: item 6: study synthesize never writes over a folder of the user's

    func testSynthesizeRefusesAFolderThatIsNotASyntheticCorpus() throws {
        let mine = dir.appendingPathComponent("mine")
        try fm.createDirectory(at: mine, withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: mine.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try SyntheticCorpus.checkTarget(mine, force: false)) { error in
            XCTAssertTrue("\(error)".contains(mine.path) && "\(error)".contains("--force"), "\(error)")
        }
        XCTAssertNoThrow(try SyntheticCorpus.checkTarget(mine, force: true))
        XCTAssertNoThrow(try SyntheticCorpus.checkTarget(dir.appendingPathComponent("new"), force: false))
        let empty = dir.appendingPathComponent("empty")
        try fm.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertNoThrow(try SyntheticCorpus.checkTarget(empty, force: false))
    }
}

/// Items 12 and 14: options and system errors say what was wrong, with the path, in the
/// system's words, never Foundation's codes.
extension EndToEndTests {
    func testOutputPathErrorsSayWhatIsWrong() throws {
        let dir = try SharedData.temporaryDirectory("study-output-errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, empty) = try study(["run", "--output", ""], expectStatus: 64)
        XCTAssertTrue(empty.contains("--output: an empty path"), empty)

        let long = dir.appendingPathComponent(String(repeating: "a", count: 300)).path
        let (_, tooLong) = try study(["run", "--output", long, "-q"], expectStatus: 1)
        XCTAssertTrue(tooLong.contains("File name too long"), tooLong)

        let file = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        let (_, underFile) = try study(["run", "--output", file.appendingPathComponent("sub").path, "-q"], expectStatus: 1)
        XCTAssertTrue(underFile.contains("\(file.path) is a file, not a folder"), underFile)

        let (_, synth) = try study(["synthesize", "--output", "", "-q"], expectStatus: 64)
        XCTAssertTrue(synth.contains("--output: an empty path"), synth)
        for text in [tooLong, underFile] {
            XCTAssertFalse(text.contains("NSCocoaErrorDomain") || text.contains("file error") || text.contains("could not be completed"), text)
        }
    }
}
