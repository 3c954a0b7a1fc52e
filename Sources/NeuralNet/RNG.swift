// Small deterministic random number generators: SplitMix64 to expand a seed, xoshiro256** for
// streams. Everything random in NeuralNet (initialisation, shuffling, dropout) draws from these,
// so a seed fixes a run bit for bit, on any platform.

/// SplitMix64 (Steele, Lea & Flood 2014): used to seed xoshiro and to derive sub-seeds.
public struct SplitMix64 {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2018), seeded through SplitMix64.
public struct Xoshiro256: RandomNumberGenerator {
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
