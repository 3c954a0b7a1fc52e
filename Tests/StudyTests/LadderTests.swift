import Foundation
import XCTest
@testable import Study

/// The ladder's splits, checked as properties on a TESS-shaped design (2 speakers × 7 emotions ×
/// 50 words) without training anything: what each side may and may not hold.
final class LadderTests: XCTestCase {
    let design: (speakers: [String], words: [String], labels: [Int]) = {
        var s: [String] = [], w: [String] = [], y: [Int] = []
        for speaker in ["OAF", "YAF"] {
            for label in 0..<7 {
                for word in 0..<50 { s.append(speaker); w.append("w\(word)"); y.append(label) }
            }
        }
        return (s, w, y)
    }()

    func plan(_ p: LadderProtocol, _ d: (train: String, test: String)? = nil, seed: UInt64 = 42) throws -> LadderPlan {
        let fold = d.map { SpeakerFold(name: "\($0.train)→\($0.test)", test: [$0.test]) }
        return try LadderPlan.make(p, speakers: design.speakers, words: design.words, labels: design.labels, fold: fold, seed: seed).get()
    }

    func words(_ rows: [Int]) -> Set<String> { Set(rows.map { design.words[$0] }) }
    func speakers(_ rows: [Int]) -> Set<String> { Set(rows.map { design.speakers[$0] }) }

    func testEveryClipIsOnAtMostOneSide() throws {
        for p in LadderProtocol.allCases {
            let d: (String, String)? = [.speakerIndependent, .speakerWordDisjoint].contains(p) ? ("OAF", "YAF") : nil
            let x = try plan(p, d)
            let sides = [Set(x.train), Set(x.validation), Set(x.test)]
            XCTAssertEqual(sides.map(\.count).reduce(0, +), Set(x.train + x.validation + x.test).count, "\(p): overlap")
            XCTAssertFalse(x.validation.isEmpty, "\(p)")
        }
    }

    func testWordDisjointHoldsOutAFifthOfTheWordsAndValidatesOnWholeWords() throws {
        for seed: UInt64 in [42, 43, 7] {
            let x = try plan(.wordDisjoint, seed: seed)
            XCTAssertEqual(words(x.test).count, 10, "⌊20 % of 50⌋ words")
            XCTAssertTrue(words(x.test).isDisjoint(with: words(x.train + x.validation)), "no test word in training or validation")
            XCTAssertEqual(x.test.count, 10 * 14, "every clip of a held-out word is tested (both speakers, 7 emotions)")
            XCTAssertEqual(speakers(x.test), ["OAF", "YAF"])
            XCTAssertEqual(words(x.validation).count, 4, "⌈10 % of 40⌉ training words")
            XCTAssertTrue(words(x.validation).isDisjoint(with: words(x.train)), "validation holds whole words")
        }
        XCTAssertNotEqual(try plan(.wordDisjoint, seed: 42).test, try plan(.wordDisjoint, seed: 43).test, "the seed draws the words")
    }

    func testSpeakerProtocolsNeverTrainOrValidateOnTheTestSpeaker() throws {
        for d in [("OAF", "YAF"), ("YAF", "OAF")] {
            let si = try plan(.speakerIndependent, d)
            XCTAssertEqual(speakers(si.train + si.validation), [d.0])
            XCTAssertEqual(speakers(si.test), [d.1])
            XCTAssertEqual(si.test.count, 350)
            XCTAssertEqual(si.direction, "\(d.0)→\(d.1)")

            let swd = try plan(.speakerWordDisjoint, d)
            XCTAssertEqual(speakers(swd.train + swd.validation), [d.0])
            XCTAssertEqual(speakers(swd.test), [d.1])
            XCTAssertTrue(words(swd.test).isDisjoint(with: words(swd.train + swd.validation)))
            XCTAssertEqual(words(swd.test), words(try plan(.wordDisjoint).test), "the same held-out words as word_disjoint")
            XCTAssertTrue(words(swd.validation).isDisjoint(with: words(swd.train)), "validation holds whole words")
            XCTAssertEqual(swd.test.count, 10 * 7)
        }
    }

    func testRandomIsTheNotebooksSplitAndItsValidationComesFromTraining() throws {
        let x = try plan(.random)
        let notebook = Split.shuffled(count: design.labels.count, testSize: 0.2, seed: 42)
        XCTAssertEqual(x.test, notebook.test)
        XCTAssertEqual(Set(x.train + x.validation), Set(notebook.train))
        XCTAssertEqual(x.validation.count, Int((0.1 * Double(notebook.train.count)).rounded(.up)))
        XCTAssertEqual(x.labels, design.labels)
    }

    func testLabelShufflePermutesOnlyTrainingLabels() throws {
        let x = try plan(.labelShuffle)
        let random = try plan(.random)
        XCTAssertEqual(x.test, random.test)
        XCTAssertEqual(x.train, random.train)
        for i in x.test { XCTAssertEqual(x.labels[i], design.labels[i], "test labels are the true ones") }
        let side = x.train + x.validation
        XCTAssertEqual(side.map { x.labels[$0] }.sorted(), side.map { design.labels[$0] }.sorted(), "a permutation of the side's own labels")
        let changed = side.filter { x.labels[$0] != design.labels[$0] }.count
        XCTAssertGreaterThan(changed, side.count / 2, "most training labels move (6/7 expected)")
    }

    func testTooFewWordsIsAReasonNotACrash() {
        let r = LadderPlan.make(.wordDisjoint, speakers: ["A", "A", "B", "B"], words: ["x", "y", "x", "y"], labels: [0, 1, 0, 1], seed: 1)
        guard case .failure(let why) = r else { return XCTFail("\(r)") }
        XCTAssertTrue(why.reason.contains("at least 5"), why.reason)
    }

    func testLevelsListTheIssuesRuns() {
        XCTAssertEqual(LadderLevel.default.runs.map { "\($0.0.rawValue)/\($0.1.rawValue)" },
                       ["random/standardized", "word_disjoint/standardized", "speaker_independent/standardized",
                        "speaker_word_disjoint/standardized", "label_shuffle/standardized", "speaker_independent/speaker_normalized"])
        XCTAssertEqual(LadderLevel.full.runs.filter { $0.1 == .faithful }.count, 5)
        XCTAssertEqual(LadderLevel.full.runs.filter { $0.1 == .speakerNormalized }.count, 2)
        XCTAssertTrue(LadderLevel.off.runs.isEmpty)
    }

    func testFoldsForTwoFewAndManySpeakers() {
        XCTAssertEqual(SpeakerFold.folds(speakers: ["YAF", "OAF", "OAF"], seed: 1).map(\.name), ["OAF→YAF", "YAF→OAF"])
        XCTAssertTrue(SpeakerFold.folds(speakers: ["A"], seed: 1).isEmpty)
        let four = SpeakerFold.folds(speakers: ["03", "08", "09", "10"], seed: 1)
        XCTAssertEqual(four.map(\.name), ["fold 1/4 (03)", "fold 2/4 (08)", "fold 3/4 (09)", "fold 4/4 (10)"])
        let many = (1001...1091).map(String.init)
        let folds = SpeakerFold.folds(speakers: many, seed: 42)
        XCTAssertEqual(folds.count, 5)
        XCTAssertEqual(folds.map(\.test.count).reduce(0, +), 91, "every speaker in exactly one fold")
        XCTAssertEqual(Set(folds.flatMap(\.test)).count, 91)
        XCTAssertTrue(folds.allSatisfy { (18...19).contains($0.test.count) })
        XCTAssertTrue(folds[2].name.hasPrefix("fold 3/5 ("), folds[2].name)
        XCTAssertNotEqual(SpeakerFold.folds(speakers: many, seed: 43).map(\.test), folds.map(\.test), "drawn with the seed")
    }

    func testALeaveOneSpeakerOutFoldTrainsOnAllTheOthers() throws {
        let speakers = design.speakers.enumerated().map { $0.offset % 3 == 0 ? "S1" : ($0.offset % 3 == 1 ? "S2" : "S3") }
        let fold = SpeakerFold.folds(speakers: speakers, seed: 42)[1]
        let x = try LadderPlan.make(.speakerIndependent, speakers: speakers, words: design.words, labels: design.labels,
                                    fold: fold, seed: 42).get()
        XCTAssertEqual(Set(x.test.map { speakers[$0] }), ["S2"])
        XCTAssertEqual(Set((x.train + x.validation).map { speakers[$0] }), ["S1", "S3"])
        XCTAssertEqual(x.direction, "fold 2/3 (S2)")
    }
}
