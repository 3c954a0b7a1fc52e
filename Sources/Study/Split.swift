import Foundation

/// numpy's legacy `RandomState` (MT19937 seeded with `init_genrand`), enough of it to
/// reproduce `RandomState(seed).permutation(n)` — and so scikit-learn's
/// `train_test_split(..., random_state=seed)` — index for index.
struct MersenneTwister {
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 624

    init(seed: UInt32) {
        mt[0] = seed
        for i in 1..<624 {
            mt[i] = 1812433253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i)
        }
    }

    mutating func next() -> UInt32 {
        if index >= 624 { twist() }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c5680
        y ^= (y << 15) & 0xefc60000
        y ^= y >> 18
        return y
    }

    private mutating func twist() {
        for i in 0..<624 {
            let y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff)
            mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0)
        }
        index = 0
    }

    /// numpy's `random_interval(max)`: uniform in 0...max by masked rejection.
    mutating func interval(_ max: UInt32) -> UInt32 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16
        while true {
            let v = next() & mask
            if v <= max { return v }
        }
    }

    /// `RandomState(seed).permutation(n)`.
    mutating func permutation(_ n: Int) -> [Int] {
        var a = Array(0..<n)
        if n < 2 { return a }
        for i in stride(from: n - 1, through: 1, by: -1) {
            let j = Int(interval(UInt32(i)))
            a.swapAt(i, j)
        }
        return a
    }
}

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
