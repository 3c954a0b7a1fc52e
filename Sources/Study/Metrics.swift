import Base
import Foundation

/// Classification metrics as scikit-learn's `classification_report` and nkululeko report them.
struct Metrics {
    var labels: [String]
    /// confusion[true][predicted]
    var confusion: [[Int]]

    init(labels: [String], confusion: [[Int]]) {
        self.labels = labels
        self.confusion = confusion
    }

    init(labels: [String], truth: [Int], predicted: [Int]) {
        self.labels = labels
        confusion = Array(repeating: Array(repeating: 0, count: labels.count), count: labels.count)
        for (t, p) in zip(truth, predicted) { confusion[t][p] += 1 }
    }

    var total: Int { confusion.joined().reduce(0, +) }
    var correct: Int { labels.indices.map { confusion[$0][$0] }.reduce(0, +) }
    var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    func support(_ k: Int) -> Int { confusion[k].reduce(0, +) }
    func predictedCount(_ k: Int) -> Int { confusion.map { $0[k] }.reduce(0, +) }
    /// 0 when nothing was predicted as k (scikit-learn's zero_division=0).
    func precision(_ k: Int) -> Double { predictedCount(k) == 0 ? 0 : Double(confusion[k][k]) / Double(predictedCount(k)) }
    func recall(_ k: Int) -> Double { support(k) == 0 ? 0 : Double(confusion[k][k]) / Double(support(k)) }
    func f1(_ k: Int) -> Double {
        let p = precision(k), r = recall(k)
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    /// Unweighted average recall over the classes present: the balanced accuracy of
    /// speech-emotion papers.
    var uar: Double {
        let present = labels.indices.filter { support($0) > 0 }
        return present.isEmpty ? 0 : present.map(recall).reduce(0, +) / Double(present.count)
    }
    var macroPrecision: Double { labels.indices.map(precision).reduce(0, +) / Double(labels.count) }
    var macroRecall: Double { labels.indices.map(recall).reduce(0, +) / Double(labels.count) }
    var macroF1: Double { labels.indices.map(f1).reduce(0, +) / Double(labels.count) }
    func weighted(_ f: (Int) -> Double) -> Double {
        total == 0 ? 0 : labels.indices.map { f($0) * Double(support($0)) }.reduce(0, +) / Double(total)
    }
}
