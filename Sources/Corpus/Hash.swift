import Foundation

/// 64-bit FNV-1a: a fast, dependency-free content hash (CryptoKit is not on Linux). It is used
/// to find duplicate copies of a clip and to key caches; it is not meant to resist an attacker,
/// which is why duplicates found by it are confirmed byte by byte before one is dropped.
public struct FNV1a64: Sendable, Equatable {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    public private(set) var value: UInt64 = FNV1a64.offsetBasis

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for byte in bytes {
            h ^= UInt64(byte)
            h &*= FNV1a64.prime
        }
        value = h
    }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ string: String) {
        var s = string
        s.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The hash as 16 lowercase hex digits.
    public var hex: String { FNV1a64.hex(value) }

    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Hash of a whole file's bytes, and its size. Reads in 1 MiB chunks so that memory stays
    /// flat whatever the file size.
    public static func hash(fileAt url: URL) throws -> (hash: UInt64, size: Int) {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw CorpusError.unreadableFile(path: url.path, reason: "cannot open it for reading; check its permissions")
        }
        defer { try? handle.close() }
        var hasher = FNV1a64()
        var size = 0
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw CorpusError.unreadableFile(path: url.path, reason: "read error: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            size += chunk.count
            hasher.update(chunk)
        }
        return (hasher.value, size)
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
