import Base
import COpenBLAS
import Foundation

/// The orthonormal DCT-II as a matrix: `count × length`, row `k` =
/// `cos(π k (2n + 1) / (2 length)) · √((k == 0 ? 1 : 2) / length)` (scipy's `dct(type=2,
/// norm="ortho")`), in Double.
public func dctMatrix(count: Int, length: Int) -> [Double] {
    var m = [Double](repeating: 0, count: count * length)
    let n = Double(length)
    for k in 0..<count {
        let scale = (k == 0 ? 1.0 / n : 2.0 / n).squareRoot()
        for i in 0..<length {
            m[k * length + i] = cos(Double.pi * Double(k) * (2 * Double(i) + 1) / (2 * n)) * scale
        }
    }
    return m
}

enum DCTCache {
    private static let matrices = SharedCache<Int, [Double]>()

    static func matrix(count: Int, length: Int) -> [Double] {
        matrices.value(for: count << 32 | length) { dctMatrix(count: count, length: length) }
    }
}

/// `scipy.fft.dct(S, type=2, norm="ortho", axis=-2)[:count]`: the first `count` coefficients of
/// each frame's orthonormal DCT-II, as one Double matrix product (`dgemm`) rounded once to
/// Float. Double matters here: log-mel values sit near −100 dB, and a float32 sum over 128
/// bands drifts by ~1e-3 from the exact −100·√128 of silence, where scipy's float32 FFT-based
/// DCT (and this) are exact to float32 rounding.
public func dct(_ s: Spectrogram, count: Int) -> Spectrogram {
    precondition(count >= 1 && count <= s.bins, "count must be in 1...\(s.bins)")
    let basis = DCTCache.matrix(count: count, length: s.bins)
    let input = s.values.map { Double($0) }
    var out = [Double](repeating: 0, count: s.frames * count)
    if s.frames > 0 {
        input.withUnsafeBufferPointer { a in
            basis.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                                Int32(s.frames), Int32(count), Int32(s.bins),
                                1, a.baseAddress, Int32(s.bins), b.baseAddress, Int32(s.bins),
                                0, c.baseAddress, Int32(count))
                }
            }
        }
    }
    return Spectrogram(bins: count, frames: s.frames, values: out.map { Float($0) })
}
