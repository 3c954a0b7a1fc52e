import Foundation

/// openSMILE's cLpc with `method = acf` as eGeMAPS uses it (`gemapsv01b_lpc`: `p = 11`,
/// `saveLPCoeff = 1`, `lpGain = 0`, no residual, no LP spectrum): the autocorrelation of the frame
/// (no window of its own: the frame is cSpecResample's output) and the Levinson–Durbin recursion.
///
/// The coefficients are openSMILE's: `a₁ … a_p` of the prediction-error filter
/// `A(z) = 1 + Σ a_k z⁻ᵏ` (so `x[n] ≈ −Σ a_k x[n−k]`). A frame whose energy `r₀` is exactly zero gives
/// all-zero coefficients; if the error reaches exactly zero the remaining ones are zero.
/// All arithmetic is in Float in openSMILE's order (FLOAT_DMEM).
public enum SmileLpc {
    /// `r[lag] = Σ_{i=lag}^{n−1} x[i]·x[i−lag]` for `lag = 0 ..< lags` (openSMILE's
    /// `smileDsp_autoCorr`), summed in Float from `i = lag` upwards.
    public static func autocorrelation(_ x: [Float], lags: Int) -> [Float] {
        var r = [Float](repeating: 0, count: max(lags, 0))
        let n = x.count
        if lags <= 16 && n > 0 {
            // All lags at once, one SIMD lane per lag: lane l adds x[i]·x[i−l] for i = 0, 1, …
            // (x[i−l] = 0 for i < l, which leaves the sum unchanged), the same order per lag.
            // `reversed[m] = x[n−1−m]`, zero-padded, so lanes 0…15 of x[i−0…15] are contiguous.
            var reversed = [Float](repeating: 0, count: n + 16)
            for m in 0..<n { reversed[m] = x[n - 1 - m] }
            var acc = SIMD16<Float>(repeating: 0)
            reversed.withUnsafeBufferPointer { rv in
                let base = UnsafeRawPointer(rv.baseAddress!)
                for i in 0..<n {
                    let lagged = (base + (n - 1 - i) * MemoryLayout<Float>.stride).loadUnaligned(as: SIMD16<Float>.self)
                    acc += SIMD16<Float>(repeating: rv[n - 1 - i]) * lagged
                }
            }
            for l in 0..<r.count { r[l] = l < n ? acc[l] : 0 }
            return r
        }
        x.withUnsafeBufferPointer { xs in
            for lag in 0..<r.count {
                var sum: Float = 0
                if lag < xs.count {
                    for i in lag..<xs.count { sum += xs[i] * xs[i - lag] }
                }
                r[lag] = sum
            }
        }
        return r
    }

    /// The Levinson–Durbin recursion on autocorrelations `r[0 ... order]` (openSMILE's
    /// `smileDsp_calcLpcAcf`): the `order` coefficients and the final prediction error.
    public static func levinsonDurbin(_ r: [Float], order: Int) -> (coefficients: [Float], error: Float) {
        let p = max(order, 0)
        var a = [Float](repeating: 0, count: p)
        guard p > 0, r.count > p, r[0] != 0 else { return (a, 0) }
        var e = r[0]
        for m in 1...p {
            var sum = r[m]
            if m > 1 {
                for i in 1..<m { sum += a[i - 1] * r[m - i] }
            }
            let k = (Float(-1) / e) * sum
            a[m - 1] = k
            // a_i ← a_i + k·a_{m−i}, both halves at once, the middle element once.
            var i = 1
            while i <= m / 2 {
                let lo = a[i - 1]
                a[i - 1] += k * a[m - i - 1]
                if i < m / 2 || m & 1 == 1 { a[m - i - 1] += k * lo }
                i += 1
            }
            e *= (1 - k * k)
            if e == 0 {
                for j in m..<p { a[j] = 0 }
                break
            }
        }
        return (a, e)
    }

    /// The `order` LP coefficients of `frame` (cLpc, `method = acf`; eGeMAPS: `order = 11`).
    public static func coefficients(_ frame: [Float], order: Int = 11) -> [Float] {
        levinsonDurbin(autocorrelation(frame, lags: order + 1), order: order).coefficients
    }
}
