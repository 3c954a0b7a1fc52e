import Base
import Foundation

// The one path from a model's answers to what the report says about them: predicted classes,
// metrics, the cluster-bootstrap intervals, the confusion matrix (chapters 6, 7 and 8 all
// call it), and the paired comparison of two models on the same clips.

/// A model's answers on test clips, scored: the arg-max class of each clip, the metrics and
/// confusion matrix, and 95 % cluster-bootstrap intervals of accuracy and UAR.
struct TestResult {
    var truth: [Int]
    var predicted: [Int]
    var metrics: Metrics
    var accuracyCI: Statistics.Interval
    var uarCI: Statistics.Interval

    /// From class probabilities (test clip × class, row-major, `labels.count` per row).
    /// `clusters` names each clip's cluster for the bootstrap (its word, text or speaker):
    /// clips of one cluster are not independent samples.
    init(probabilities: [Float], truth: [Int], labels: [String], clusters: [String], seed: UInt64) {
        let classes = labels.count
        self.init(predicted: truth.indices.map { argmax(probabilities, row: $0, classes: classes) }, truth: truth, labels: labels,
                  clusters: clusters, seed: seed)
    }

    /// From predicted classes.
    init(predicted: [Int], truth: [Int], labels: [String], clusters: [String], seed: UInt64) {
        self.truth = truth
        self.predicted = predicted
        metrics = Metrics(labels: labels, truth: truth, predicted: predicted)
        let ci = Statistics.clusterBootstrap(truth: truth, predicted: predicted, cluster: clusters, classes: labels.count, seed: seed)
        accuracyCI = ci.accuracy
        uarCI = ci.uar
    }
}

/// Two models' predictions on the same clips: McNemar's exact test on the clips only one of
/// them gets right, and the cluster-bootstrap interval of accuracy(a) − accuracy(b).
struct PairedComparison {
    /// Clips only a gets right, only b gets right.
    var n01: Int
    var n10: Int
    var pValue: Double
    var differenceCI: Statistics.Interval

    init(truth: [Int], a: [Int], b: [Int], clusters: [String], seed: UInt64) {
        var n01 = 0, n10 = 0
        for i in truth.indices {
            let okA = a[i] == truth[i], okB = b[i] == truth[i]
            if okA && !okB { n01 += 1 }
            if okB && !okA { n10 += 1 }
        }
        self.n01 = n01
        self.n10 = n10
        pValue = Statistics.mcnemarExact(n01: n01, n10: n10)
        differenceCI = Statistics.pairedDifference(truth: truth, a: a, b: b, cluster: clusters, seed: seed)
    }
}
