import XCTest
@testable import Study

/// Hand-computable cases for the statistics of honest evaluation.
final class StatisticsTests: XCTestCase {
    /// 20 words × 3 clips, 2 classes.
    func words(_ n: Int = 20) -> [String] { (0..<n).flatMap { w in Array(repeating: "w\(w)", count: 3) } }

    func testAllClustersCorrectGivesADegenerateIntervalAtOne() {
        let cluster = words()
        let truth = cluster.indices.map { $0 % 2 }
        let ci = Statistics.clusterBootstrap(truth: truth, predicted: truth, cluster: cluster, classes: 2, seed: 1)
        XCTAssertEqual(ci.accuracy, .interval(lo: 1, hi: 1))
        XCTAssertEqual(ci.uar, .interval(lo: 1, hi: 1))
    }

    /// Half the words all right, half all wrong, equal sizes: a resample's accuracy is K/20 with
    /// K ~ Binomial(20, ½), so the 95 % interval is about 0.5 ± 1.96·√(¼/20) = [0.28, 0.72]
    /// (binomial quantiles 6/20 and 14/20, give or take the resampling noise).
    func testHalfRightHalfWrongClustersGiveTheBinomialInterval() throws {
        let cluster = words()
        let truth = [Int](repeating: 0, count: cluster.count)
        let predicted = cluster.indices.map { ($0 / 3) % 2 }
        let ci = Statistics.clusterBootstrap(truth: truth, predicted: predicted, cluster: cluster, classes: 2, resamples: 1000, seed: 7)
        let b = try XCTUnwrap(ci.accuracy.bounds)
        XCTAssertEqual(b.lo, 0.30, accuracy: 0.051)
        XCTAssertEqual(b.hi, 0.70, accuracy: 0.051)
        // A clip-level bootstrap would be narrower (60 "independent" clips): the cluster one is not.
        XCTAssertGreaterThan(b.hi - b.lo, 0.35)
    }

    func testFewerThanTenClustersGiveNoInterval() {
        let cluster = words(9)
        let truth = [Int](repeating: 0, count: cluster.count)
        XCTAssertEqual(Statistics.clusterBootstrap(truth: truth, predicted: truth, cluster: cluster, classes: 1, seed: 1).accuracy,
                       .tooFewClusters(9))
    }

    /// A worked table: n01 = 10, n10 = 2 → p = 2·Σ_{i≤2} C(12, i)/2¹² = 2·79/4096 = 0.03857.
    func testMcNemarExactWorkedTable() {
        XCTAssertEqual(Statistics.mcnemarExact(n01: 10, n10: 2), 2.0 * 79 / 4096, accuracy: 1e-12)
        XCTAssertEqual(Statistics.mcnemarExact(n01: 2, n10: 10), 2.0 * 79 / 4096, accuracy: 1e-12)
        XCTAssertEqual(Statistics.mcnemarExact(n01: 5, n10: 5), 1, "capped at 1")
        XCTAssertEqual(Statistics.mcnemarExact(n01: 0, n10: 0), 1)
        // n01 = 0, n10 = 7: 2 / 2⁷.
        XCTAssertEqual(Statistics.mcnemarExact(n01: 0, n10: 7), 2.0 / 128, accuracy: 1e-12)
    }

    /// Two bins by hand: confidences 0.95 ×4 (3 right) and 0.55 ×4 (2 right), 10 bins.
    /// ECE = ½·|0.75 − 0.95| + ½·|0.5 − 0.55| = 0.125.
    func testExpectedCalibrationErrorByHand() {
        let conf = [0.95, 0.95, 0.95, 0.95, 0.55, 0.55, 0.55, 0.55]
        let ok = [true, true, true, false, true, true, false, false]
        let c = Statistics.calibration(confidence: conf, correct: ok, bins: 10)
        XCTAssertEqual(c.ece, 0.125, accuracy: 1e-12)
        XCTAssertEqual(c.bins.map(\.count), [0, 0, 0, 0, 0, 4, 0, 0, 0, 4])
        XCTAssertEqual(Statistics.calibration(confidence: [1.0], correct: [true], bins: 15).bins.last?.count, 1)
    }

    /// The paired difference of identical classifiers is exactly 0 in every resample.
    func testPairedDifferenceOfIdenticalClassifiersIsZero() {
        let cluster = words()
        let truth = cluster.indices.map { $0 % 2 }
        let p = cluster.indices.map { ($0 / 3) % 2 }
        XCTAssertEqual(Statistics.pairedDifference(truth: truth, a: p, b: p, cluster: cluster, seed: 3), .interval(lo: 0, hi: 0))
    }
}
