import XCTest
@testable import Study

final class StudyUnitTests: XCTestCase {
    /// numpy: np.random.RandomState(42).permutation(10) and (0).permutation(7).
    func testPermutationMatchesNumpyRandomState() {
        var a = MersenneTwister(seed: 42)
        XCTAssertEqual(a.permutation(10), [8, 1, 5, 0, 7, 2, 9, 4, 3, 6])
        var b = MersenneTwister(seed: 0)
        XCTAssertEqual(b.permutation(7), [6, 2, 1, 3, 0, 5, 4])
        var c = MersenneTwister(seed: 42)
        XCTAssertEqual(Array(c.permutation(2800).prefix(12)), [1088, 772, 2161, 1192, 1916, 1614, 1399, 1461, 2222, 1114, 2406, 2599])
    }

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

    func testCSVRoundTripWithCommasAndQuotes() throws {
        let rows = [["a,b", "say \"hi\"", "plain"], ["", "x\ny", "3"]]
        let text = CSV.encode(header: ["p", "q", "r"], rows: rows)
        let back = try CSV.decode(text, source: "t.csv")
        XCTAssertEqual(back.header, ["p", "q", "r"])
        XCTAssertEqual(back.rows, rows)
        XCTAssertThrowsError(try CSV.decode("a,b\n1,2,3\n", source: "bad.csv")) { e in
            XCTAssertTrue("\(e)".contains("bad.csv"))
        }
    }

    func testChapterArguments() {
        XCTAssertEqual(ChapterID(argument: "5"), .training)
        XCTAssertEqual(ChapterID(argument: "05"), .training)
        XCTAssertEqual(ChapterID(argument: "training"), .training)
        XCTAssertEqual(ChapterID(argument: "03-target-distribution"), .targets)
        XCTAssertNil(ChapterID(argument: "8"))
    }
}
