import COpenBLAS
import Foundation

/// The orthonormal DCT-II as a matrix: `count × length`, row `k` =
/// `cos(π k (2n + 1) / (2 length)) · √((k == 0 ? 1 : 2) / length)` (scipy's `dct(type=2,
/// norm="ortho")`), computed in Double and stored as Float.
public func dctMatrix(count: Int, length: Int) -> [Float] {
    var m = [Float](repeating: 0, count: count * length)
    let n = Double(length)
    for k in 0..<count {
        let scale = (k == 0 ? 1.0 / n : 2.0 / n).squareRoot()
        for i in 0..<length {
            m[k * length + i] = Float(cos(Double.pi * Double(k) * (2 * Double(i) + 1) / (2 * n)) * scale)
        }
    }
    return m
}

enum DCTCache {
    private static let lock = NSLock()
    private nonisolated(unsafe) static var matrices: [Int: [Float]] = [:]

    static func matrix(count: Int, length: Int) -> [Float] {
        let key = count << 32 | length
        lock.lock()
        defer { lock.unlock() }
        if let m = matrices[key] { return m }
        let m = dctMatrix(count: count, length: length)
        matrices[key] = m
        return m
    }
}

/// `scipy.fft.dct(S, type=2, norm="ortho", axis=-2)[:count]`: the first `count` coefficients of
/// each frame's orthonormal DCT-II, as one single-precision matrix product.
public func dct(_ s: Spectrogram, count: Int) -> Spectrogram {
    precondition(count >= 1 && count <= s.bins, "count must be in 1...\(s.bins)")
    let basis = DCTCache.matrix(count: count, length: s.bins)
    var out = [Float](repeating: 0, count: s.frames * count)
    if s.frames > 0 {
        s.values.withUnsafeBufferPointer { a in
            basis.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                                Int32(s.frames), Int32(count), Int32(s.bins),
                                1, a.baseAddress, Int32(s.bins), b.baseAddress, Int32(s.bins),
                                0, c.baseAddress, Int32(count))
                }
            }
        }
    }
    return Spectrogram(bins: count, frames: s.frames, values: out)
}
