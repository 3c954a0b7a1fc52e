import Base
import Foundation

/// The statistics of honest evaluation: cluster-bootstrap intervals (clips of one word are not
/// independent samples), McNemar's exact test for two classifiers on the same clips, and the
/// expected calibration error (Guo et al. 2017).
public enum Statistics {
    /// A 95 % percentile interval, or why there is none.
    public enum Interval: Codable, Sendable, Equatable {
        case interval(lo: Double, hi: Double)
        case tooFewClusters(Int)

        public var bounds: (lo: Double, hi: Double)? {
            if case .interval(let lo, let hi) = self { return (lo, hi) }
            return nil
        }

        /// For the report: "[0.913, 0.956]", flagged when it misses its estimate `point` (a
        /// percentile interval may), or why there is none, counting the clusters as `cluster`s
        /// ("word", "text", "speaker").
        public func text(point: Double, cluster: String = "word") -> String {
            switch self {
            case .interval(let lo, let hi):
                let text = "[\(String(format: "%.3f", lo)), \(String(format: "%.3f", hi))]"
                return lo <= point && point <= hi ? text : text + " (does not contain the estimate)"
            case .tooFewClusters(let n):
                return "too few clusters for an interval (\(n) \(cluster)\(n == 1 ? "" : "s"))"
            }
        }
    }

    /// The fewest clusters on the test side for which an interval is reported.
    static let minimumClusters = 10

    /// The `q`-quantile of sorted values by linear interpolation (numpy's default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }

    /// Clips grouped by cluster (e.g. the word), in first-seen order.
    static func clusters(_ ids: [String]) -> [[Int]] {
        var order: [String] = []
        var members: [String: [Int]] = [:]
        for (i, id) in ids.enumerated() {
            if members[id] == nil { order.append(id) }
            members[id, default: []].append(i)
        }
        return order.map { members[$0]! }
    }

    /// Accuracy and UAR of clips `rows` (with repetition).
    static func accuracyAndUAR(truth: [Int], predicted: [Int], rows: [Int], classes: Int) -> (accuracy: Double, uar: Double) {
        var support = [Int](repeating: 0, count: classes), hits = support
        for i in rows {
            support[truth[i]] += 1
            if truth[i] == predicted[i] { hits[truth[i]] += 1 }
        }
        let n = support.reduce(0, +)
        let present = (0..<classes).filter { support[$0] > 0 }
        let uar = present.isEmpty ? 0 : present.map { Double(hits[$0]) / Double(support[$0]) }.reduce(0, +) / Double(present.count)
        return (n == 0 ? 0 : Double(hits.reduce(0, +)) / Double(n), uar)
    }

    /// 95 % percentile intervals of accuracy and UAR from a cluster bootstrap: each resample draws
    /// as many clusters as there are, with replacement, and pools their clips (accuracy =
    /// Σcorrect / Σn over the drawn clusters; UAR over the classes present in the resample).
    static func clusterBootstrap(truth: [Int], predicted: [Int], cluster: [String], classes: Int,
                                 resamples: Int = 1000, seed: UInt64) -> (accuracy: Interval, uar: Interval) {
        let groups = clusters(cluster)
        guard groups.count >= minimumClusters else { return (.tooFewClusters(groups.count), .tooFewClusters(groups.count)) }
        var rng = Xoshiro256(seed: seed, stream: 0xB007)
        var accuracies: [Double] = [], uars: [Double] = []
        accuracies.reserveCapacity(resamples); uars.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var rows: [Int] = []
            for _ in 0..<groups.count { rows += groups[rng.nextInt(below: groups.count)] }
            let m = accuracyAndUAR(truth: truth, predicted: predicted, rows: rows, classes: classes)
            accuracies.append(m.accuracy); uars.append(m.uar)
        }
        accuracies.sort(); uars.sort()
        return (.interval(lo: quantile(accuracies, 0.025), hi: quantile(accuracies, 0.975)),
                .interval(lo: quantile(uars, 0.025), hi: quantile(uars, 0.975)))
    }

    /// 95 % interval of accuracy(a) − accuracy(b) on the same clips, resampling clusters.
    static func pairedDifference(truth: [Int], a: [Int], b: [Int], cluster: [String], resamples: Int = 1000,
                                 seed: UInt64) -> Interval {
        let groups = clusters(cluster)
        guard groups.count >= minimumClusters else { return .tooFewClusters(groups.count) }
        // Per cluster: clips, a's hits, b's hits.
        let stats = groups.map { g in (g.count, g.filter { a[$0] == truth[$0] }.count, g.filter { b[$0] == truth[$0] }.count) }
        var rng = Xoshiro256(seed: seed, stream: 0xD1FF)
        var diffs: [Double] = []
        for _ in 0..<resamples {
            var n = 0, ha = 0, hb = 0
            for _ in 0..<groups.count {
                let s = stats[rng.nextInt(below: groups.count)]
                n += s.0; ha += s.1; hb += s.2
            }
            diffs.append(Double(ha - hb) / Double(n))
        }
        diffs.sort()
        return .interval(lo: quantile(diffs, 0.025), hi: quantile(diffs, 0.975))
    }

    /// McNemar's exact test: `n01` clips only a gets right, `n10` only b. Two-sided p =
    /// min(1, 2·P(X ≤ min(n01, n10))) for X ~ Binomial(n01 + n10, ½).
    static func mcnemarExact(n01: Int, n10: Int) -> Double {
        let n = n01 + n10
        guard n > 0 else { return 1 }
        let k = min(n01, n10)
        // Σ_{i≤k} C(n, i) / 2ⁿ in logs, so that large n does not overflow.
        var logTerms: [Double] = []
        for i in 0...k { logTerms.append(logChoose(n, i) - Double(n) * log(2)) }
        let m = logTerms.max()!
        let cdf = exp(m) * logTerms.map { exp($0 - m) }.reduce(0, +)
        return min(1, 2 * cdf)
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    /// One bin of a reliability diagram.
    public struct Bin: Codable, Sendable, Equatable {
        public var lo: Double
        public var hi: Double
        public var count: Int
        /// Fraction of the bin's clips predicted right (0 when empty).
        public var accuracy: Double
        /// Mean top-label confidence in the bin (0 when empty).
        public var confidence: Double
    }

    /// Expected calibration error over `bins` equal-width bins of top-label confidence (Guo et al.
    /// 2017): Σ_b (n_b / n) · |accuracy_b − confidence_b|. A confidence of exactly 1 falls in the
    /// last bin; bins are (lo, hi], the first [0, hi].
    static func calibration(confidence: [Double], correct: [Bool], bins: Int = 15) -> (ece: Double, bins: [Bin]) {
        var count = [Int](repeating: 0, count: bins)
        var hits = [Int](repeating: 0, count: bins)
        var sum = [Double](repeating: 0, count: bins)
        for (c, ok) in zip(confidence, correct) {
            let b = min(bins - 1, max(0, Int((c * Double(bins)).rounded(.up)) - 1))
            count[b] += 1
            sum[b] += c
            if ok { hits[b] += 1 }
        }
        let n = Double(max(confidence.count, 1))
        var ece = 0.0
        var out: [Bin] = []
        for b in 0..<bins {
            let acc = count[b] == 0 ? 0 : Double(hits[b]) / Double(count[b])
            let conf = count[b] == 0 ? 0 : sum[b] / Double(count[b])
            ece += Double(count[b]) / n * abs(acc - conf)
            out.append(Bin(lo: Double(b) / Double(bins), hi: Double(b + 1) / Double(bins), count: count[b], accuracy: acc, confidence: conf))
        }
        return (ece, out)
    }
}
