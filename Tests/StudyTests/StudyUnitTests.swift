import XCTest
@testable import Study

final class StudyUnitTests: XCTestCase {
    /// scikit-learn: train_test_split(range(2800), test_size=0.2, random_state=42) puts 560 rows
    /// in the test split, the first of them 1088, 772, 2161.
    func testSplitSizesAndOrderFollowScikitLearn() {
        let s = Split.shuffled(count: 2800, testSize: 0.2, seed: 42)
        XCTAssertEqual(s.test.count, 560)
        XCTAssertEqual(s.train.count, 2240)
        XCTAssertEqual(Array(s.test.prefix(3)), [1088, 772, 2161])
        XCTAssertEqual(Set(s.train).union(s.test).count, 2800)
        XCTAssertEqual(Split.shuffled(count: 2799, testSize: 0.2, seed: 1).test.count, 560, "ceil(0.2 * 2799)")
    }

    /// `--conv` changes a training's bits, so it is part of every training chapter's key.
    func testConvAlgorithmIsInTheTrainingKeys() {
        var a = StudyOptions(), b = StudyOptions()
        XCTAssertEqual(a.conv, .winograd)
        b.conv = .im2col
        XCTAssertNotEqual(TrainingChapter.keyComponents(a), TrainingChapter.keyComponents(b))
        XCTAssertNotEqual(EvaluationChapter.keyComponents(a), EvaluationChapter.keyComponents(b))
        XCTAssertNotEqual(BeyondChapter.keyComponents(a), BeyondChapter.keyComponents(b))
        a.conv = .im2col
        XCTAssertEqual(TrainingChapter.keyComponents(a), TrainingChapter.keyComponents(b))
    }

    /// A hand-made confusion matrix: precision, recall, F1 and UAR by hand.
    func testMetricsByHand() {
        // truth:     a a a b b c
        // predicted: a a b b c c
        let m = Metrics(labels: ["a", "b", "c"], truth: [0, 0, 0, 1, 1, 2], predicted: [0, 0, 1, 1, 2, 2])
        XCTAssertEqual(m.confusion, [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
        XCTAssertEqual(m.accuracy, 4.0 / 6.0, accuracy: 1e-12)
        XCTAssertEqual(m.precision(1), 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.recall(0), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(m.f1(2), 2 * 0.5 * 1 / 1.5, accuracy: 1e-12)
        XCTAssertEqual(m.uar, (2.0 / 3.0 + 0.5 + 1) / 3, accuracy: 1e-12)
    }

    func testChapterArguments() {
        XCTAssertEqual(ChapterID(argument: "5"), .training)
        XCTAssertEqual(ChapterID(argument: "05"), .training)
        XCTAssertEqual(ChapterID(argument: "training"), .training)
        XCTAssertEqual(ChapterID(argument: "03-target-distribution"), .targets)
        XCTAssertEqual(ChapterID(argument: "8"), .crossCorpus)
        XCTAssertNil(ChapterID(argument: "9"))
    }
}
