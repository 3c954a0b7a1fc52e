import Base
import Foundation

/// A train/test partition of row indices.
struct Split {
    var train: [Int]
    var test: [Int]

    /// scikit-learn's `train_test_split(X, y, test_size=testSize, random_state=seed)` (no
    /// stratification, as in the notebook): `n_test = ceil(testSize * n)`, test rows first in
    /// the permutation, train rows after them, in permutation order.
    static func shuffled(count n: Int, testSize: Double = 0.2, seed: UInt64) -> Split {
        var rng = MersenneTwister(seed: UInt32(truncatingIfNeeded: seed))
        let p = rng.permutation(n)
        let nTest = Int((testSize * Double(n)).rounded(.up))
        return Split(train: Array(p[nTest...]), test: Array(p[..<nTest]))
    }
}
