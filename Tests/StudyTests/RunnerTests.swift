import Base
import Foundation
import XCTest
import TestSupport
@testable import Study

/// The runner's integrity: which chapters a run re-runs, and why. Runs in-process on a tiny
/// TESS-named corpus of tones (2 speakers × 7 emotions × 2 words), one or two epochs.
final class RunnerTests: XCTestCase {
    static let labels = ["angry", "disgust", "fear", "happy", "neutral", "ps", "sad"]

    /// `<root>/<SPK>_<label>/<SPK>_<word>_<label>.wav`, a different tone per clip.
    static func toneCorpus(in dir: URL) throws -> URL {
        let root = dir.appendingPathComponent("tones")
        for (s, speaker) in ["OAF", "YAF"].enumerated() {
            for (l, label) in labels.enumerated() {
                let folder = root.appendingPathComponent("\(speaker)_\(label)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for (w, word) in ["back", "bar"].enumerated() {
                    let hz = 150 + 40 * Double(l) + 7 * Double(s) + 3 * Double(w)
                    try EndToEndTests.sineWAV(seconds: 1.6, rate: 24414, frequency: hz)
                        .write(to: folder.appendingPathComponent("\(speaker)_\(word)_\(label).wav"))
                }
            }
        }
        return root
    }

    var dir: URL!
    var options = StudyOptions()

    override func setUpWithError() throws {
        dir = try SharedData.temporaryDirectory("runner")
        options.dataDirectory = try Self.toneCorpus(in: dir)
        options.outputDirectory = dir.appendingPathComponent("output")
        options.epochs = 1
        options.ladder = .off
        options.featureSets = StudyTestFeatures.sets
        options.quiet = true
        options.preset = "librosa"
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// What each chapter did: "up to date", "ran" or "skipped", by chapter id.
    func run(_ o: StudyOptions) throws -> [ChapterID: StudyRunner.Outcome] {
        let runner = StudyRunner(options: o)
        try runner.run()
        return Dictionary(uniqueKeysWithValues: runner.outcomes.map { ($0.id, $0.outcome) })
    }

    func ran(_ outcome: StudyRunner.Outcome?) -> Bool {
        if case .ran = outcome { return true }
        return false
    }

    func reason(_ outcome: StudyRunner.Outcome?) -> String {
        if case .ran(let r) = outcome { return r }
        return "\(String(describing: outcome))"
    }

    func testSecondRunReusesEveryChapterButTheCorpusScan() throws {
        _ = try run(options)
        let again = try run(options)
        XCTAssertTrue(ran(again[.load]), "chapter 1 re-scans the corpus every time")
        for id in [ChapterID.eda, .targets, .features, .training, .evaluation, .beyond] {
            XCTAssertEqual(again[id], .upToDate, "\(id)")
        }
    }

    func testChangedSeedRerunsTrainingAndEvaluationOnly() throws {
        _ = try run(options)
        var o = options
        o.seed = 7
        let outcomes = try run(o)
        XCTAssertEqual(outcomes[.features], .upToDate)
        XCTAssertEqual(outcomes[.eda], .upToDate)
        XCTAssertTrue(ran(outcomes[.training]))
        XCTAssertTrue(ran(outcomes[.evaluation]))
        XCTAssertTrue(ran(outcomes[.beyond]))
        let record = try XCTUnwrap(RecordStore.read(TrainingChapter.self, from: o.chapterFolder(.training)).get().output as? TrainingChapter.Output)
        XCTAssertEqual(record.seed, 7)
        XCTAssertEqual(record.test, Split.shuffled(count: 28, testSize: 0.2, seed: 7).test)
    }

    func testDamagedModelFileIsRemadeBeforeEvaluation() throws {
        _ = try run(options)
        let model = options.chapterFolder(.training).appendingPathComponent(TrainingChapter.modelFile)
        let bytes = try Data(contentsOf: model)
        try bytes.prefix(bytes.count / 2).write(to: model)
        var o = options
        o.only = .evaluation
        let outcomes = try run(o)
        XCTAssertTrue(ran(outcomes[.training]), "a truncated model.safetensors makes chapter 5 stale")
        XCTAssertTrue(reason(outcomes[.training]).contains("model.safetensors"), reason(outcomes[.training]))
        XCTAssertTrue(reason(outcomes[.training]).contains("needs it"), reason(outcomes[.training]))
        XCTAssertTrue(ran(outcomes[.evaluation]))
        XCTAssertEqual(outcomes[.features], .upToDate)
        XCTAssertEqual(outcomes[.eda], .skipped, "--only 06 does not run chapters it does not read")
        XCTAssertEqual(try Data(contentsOf: model).count, bytes.count)
    }

    func testDamagedOrOlderRecordIsStale() throws {
        _ = try run(options)
        // A features.csv changed by hand: chapter 4's record no longer vouches for its files.
        let csv = options.chapterFolder(.features).appendingPathComponent("features.csv")
        try "edited".write(to: csv, atomically: true, encoding: .utf8)
        // Chapter 3's record written by an older version of the code.
        let record = options.chapterFolder(.targets).appendingPathComponent(RecordStore.fileName)
        let text = try String(contentsOf: record, encoding: .utf8)
            .replacingOccurrences(of: "\"codeVersion\":\"\(studyCodeVersion)\"", with: "\"codeVersion\":\"2\"")
        try text.write(to: record, atomically: true, encoding: .utf8)
        let outcomes = try run(options)
        XCTAssertTrue(reason(outcomes[.features]).contains("features.csv"), reason(outcomes[.features]))
        XCTAssertTrue(reason(outcomes[.targets]).contains("another version"), reason(outcomes[.targets]))
        // Chapter 4 re-ran with the same inputs, so the chapters after it keep their records.
        XCTAssertEqual(outcomes[.training], .upToDate)
        XCTAssertEqual(outcomes[.eda], .upToDate)
    }

    func testSecondConcurrentRunIsRefused() throws {
        var held: FileLock? = try FileLock(folder: options.outputDirectory, what: "output folder")
        XCTAssertNotNil(held)
        XCTAssertThrowsError(try StudyRunner(options: options).run()) { error in
            XCTAssertTrue(error is FileLock.Busy, "\(error)")
            XCTAssertTrue("\(error)".contains(self.options.outputDirectory.path), "\(error)")
            XCTAssertTrue("\(error)".contains("pid \(getpid())"), "\(error)")
        }
        held = nil
        XCTAssertNoThrow(try StudyRunner(options: options).run(), "free again once the other run is gone")
    }

    func testOnlyAChapterWhoseUpstreamNeverRanRunsItFirst() throws {
        var o = options
        o.only = .evaluation
        let outcomes = try run(o)
        for id in [ChapterID.load, .features, .training, .evaluation] { XCTAssertTrue(ran(outcomes[id]), "\(id)") }
        XCTAssertEqual(outcomes[.beyond], .skipped)
        let md = try String(contentsOf: o.outputDirectory.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("## 6. Evaluation"))
        XCTAssertTrue(md.contains("Not up to date: `study run --from 07-beyond`"), "the report says what it lacks")
    }
}
