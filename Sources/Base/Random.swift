import Foundation

// The package's random generators, one per purpose, all seedable and platform-independent
// (Swift's SystemRandomNumberGenerator cannot be seeded):
//
//   MersenneTwister  numpy's legacy RandomState (MT19937): the notebook's train/test split, so
//                    that scikit-learn's `train_test_split(random_state=seed)` is reproduced
//                    index for index.
//   SplitMix64       expanding one seed into many (sub-seeds, streams) and every random choice
//                    of the synthetic corpus.
//   Xoshiro256       NeuralNet's streams: initialisation, batch shuffling, dropout masks.

/// numpy's legacy `RandomState` (MT19937 seeded with `init_genrand`), enough of it to
/// reproduce `RandomState(seed).permutation(n)` — and so scikit-learn's
/// `train_test_split(..., random_state=seed)` — index for index.
public struct MersenneTwister: Sendable {
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 624

    public init(seed: UInt32) {
        mt[0] = seed
        for i in 1..<624 {
            mt[i] = 1812433253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i)
        }
    }

    public mutating func next() -> UInt32 {
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
    public mutating func interval(_ max: UInt32) -> UInt32 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16
        while true {
            let v = next() & mask
            if v <= max { return v }
        }
    }

    /// `RandomState(seed).permutation(n)`.
    public mutating func permutation(_ n: Int) -> [Int] {
        var a = Array(0..<n)
        if n < 2 { return a }
        for i in stride(from: n - 1, through: 1, by: -1) {
            let j = Int(interval(UInt32(i)))
            a.swapAt(i, j)
        }
        return a
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, seedable generator. Every random choice
/// of the synthetic corpus comes from it, so that the same seed gives byte-identical files on
/// every machine (Swift's SystemRandomNumberGenerator cannot be seeded).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits, independent of the platform's Double generation.
    public mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform in [lower, upper).
    public mutating func uniform(_ lower: Double, _ upper: Double) -> Double { lower + (upper - lower) * unit() }

    /// Standard normal draw (Box–Muller; one of the pair is discarded for simplicity).
    public mutating func gaussian() -> Double {
        let u1 = max(unit(), 1e-300)
        let u2 = unit()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Approximately standard normal noise sample: the sum of four uniforms (Irwin–Hall),
    /// centred and scaled to unit variance. Tails stop at ±3.46σ, which is harmless for noise
    /// and avoids the log/cos of Box–Muller in per-sample loops.
    public mutating func noise() -> Float {
        let a = next()
        let b = next()
        let sum = Float(UInt32(truncatingIfNeeded: a)) + Float(UInt32(truncatingIfNeeded: a >> 32))
            + Float(UInt32(truncatingIfNeeded: b)) + Float(UInt32(truncatingIfNeeded: b >> 32))
        return (sum * (1.0 / 4_294_967_296.0) - 2) * 1.732_050_8
    }

    /// A child generator whose stream depends only on `seed` and `index`, so that work done in
    /// parallel and in any order still draws the same numbers for the same item.
    public static func stream(seed: UInt64, index: UInt64) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (index &* 0xd1b5_4a32_d192_ed03))
        return SplitMix64(seed: mixer.next())
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2018), seeded through SplitMix64.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// A generator for an independent purpose ("stream") derived from one user seed, e.g.
    /// `Xoshiro256(seed: seed, stream: 2)` for dropout layer 2.
    public init(seed: UInt64, stream: UInt64) {
        var sm = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        self.init(seed: sm.next())
    }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform Float32 in [0, 1): the top 24 bits, so every value is an exact multiple of 2^-24.
    @inline(__always)
    public mutating func nextFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform Float32 in [low, high).
    @inline(__always)
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * nextFloat() }

    /// Uniform integer in [0, bound) without modulo bias (Lemire's method with rejection).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Fisher–Yates shuffle, deterministic for a given generator state.
    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { a.swapAt(i, j) }
        }
    }
}
