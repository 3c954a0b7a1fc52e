import Base
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

/// The DCT basis transposed, `length × count` (`[i * count + k]` = `dctMatrix[k * length + i]`):
/// the layout `dct` reads, one contiguous row of coefficients per bin.
enum DCTCache {
    private static let matrices = SharedCache<Int, [Double]>()

    static func transposed(count: Int, length: Int) -> [Double] {
        matrices.value(for: count << 32 | length) {
            let m = dctMatrix(count: count, length: length)
            var t = [Double](repeating: 0, count: count * length)
            for k in 0..<count {
                for i in 0..<length { t[i * count + k] = m[k * length + i] }
            }
            return t
        }
    }
}

/// `scipy.fft.dct(S, type=2, norm="ortho", axis=-2)[:count]`: the first `count` coefficients of
/// each frame's orthonormal DCT-II, as a Double matrix product rounded once to Float. Double
/// matters here: log-mel values sit near −100 dB, and a float32 sum over 128 bands drifts by
/// ~1e-3 from the exact −100·√128 of silence, where scipy's float32 FFT-based DCT (and this)
/// are exact to float32 rounding.
///
/// The product is our own loop rather than BLAS's `dgemm`, whose kernel (and so its summation
/// order and its use of FMA) OpenBLAS picks from the CPU. Here every coefficient is the sum over
/// the bins `i = 0..<length` in that order, starting from zero, one rounded multiply and one
/// rounded add per step (Swift never contracts `a * b + c` into an FMA): the same bits on every
/// CPU. The loop runs across the `count` coefficients of a frame side by side (the innermost
/// loop, which the compiler vectorises: lanes are independent sums, so the width changes no
/// bit), four frames at a time so that each basis row is loaded once per four frames.
public func dct(_ s: Spectrogram, count: Int) -> Spectrogram {
    precondition(count >= 1 && count <= s.bins, "count must be in 1...\(s.bins)")
    let length = s.bins, frames = s.frames
    let basis = DCTCache.transposed(count: count, length: length)
    var out = [Float](repeating: 0, count: frames * count)
    guard frames > 0 else { return Spectrogram(bins: count, frames: 0, values: out) }
    // Four accumulator rows (one per frame of a block), Double.
    var acc = [Double](repeating: 0, count: 4 * count)
    s.values.withUnsafeBufferPointer { xb in
        basis.withUnsafeBufferPointer { bb in
            out.withUnsafeMutableBufferPointer { ob in
                acc.withUnsafeMutableBufferPointer { ab in
                    let x = xb.baseAddress!, b = bb.baseAddress!, o = ob.baseAddress!, a = ab.baseAddress!
                    var f = 0
                    while f < frames {
                        let block = min(4, frames - f)
                        for j in 0..<(4 * count) { a[j] = 0 }
                        if block == 4 {
                            let x0 = x + f * length, x1 = x0 + length, x2 = x1 + length, x3 = x2 + length
                            let a0 = a, a1 = a + count, a2 = a1 + count, a3 = a2 + count
                            for i in 0..<length {
                                let row = b + i * count
                                let v0 = Double(x0[i]), v1 = Double(x1[i]), v2 = Double(x2[i]), v3 = Double(x3[i])
                                for k in 0..<count {
                                    let c = row[k]
                                    a0[k] += v0 * c
                                    a1[k] += v1 * c
                                    a2[k] += v2 * c
                                    a3[k] += v3 * c
                                }
                            }
                        } else {
                            for r in 0..<block {
                                let xr = x + (f + r) * length, ar = a + r * count
                                for i in 0..<length {
                                    let row = b + i * count
                                    let v = Double(xr[i])
                                    for k in 0..<count { ar[k] += v * row[k] }
                                }
                            }
                        }
                        for j in 0..<(block * count) { o[f * count + j] = Float(a[j]) }
                        f += block
                    }
                }
            }
        }
    }
    return Spectrogram(bins: count, frames: frames, values: out)
}
