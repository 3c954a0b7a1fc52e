import Foundation

/// One frame of openSMILE's `gemapsv01b_formants` level (cFormantLpc): `nFormants` formant
/// frequencies in ascending order and their bandwidths, in Hz. Slots past `count` are 0 (fewer
/// roots in range, or digital silence). Values are rounded through Float, as the level stores them.
public struct SmileFormantFrame: Sendable, Equatable {
    /// `formantFreqLpc[1 ... nFormants]`.
    public var frequencies: [Double]
    /// `formantBandwidthLpc[1 ... nFormants]`.
    public var bandwidths: [Double]
    /// The number of valid (non-zero) formants.
    public var count: Int

    public init(frequencies: [Double], bandwidths: [Double], count: Int) {
        self.frequencies = frequencies
        self.bandwidths = bandwidths
        self.count = count
    }
}

/// openSMILE's cFormantLpc as eGeMAPS configures it (`gemapsv01b_formantLpc`: `nFormants = 5`,
/// `minF = 50`, `maxF = 5450`, `saveBandwidths = 1`, `useLpSpec = 0`, `medianFilter = 0`,
/// `octaveCorrection = 0`): formants from the roots of the LP polynomial.
///
/// Per frame, with cLpc's coefficients `a₁ … a_p` and `T` the period of the LPC level
/// (`1 / targetFs` of cSpecResample, 1/11000 s):
/// 1. the roots of `zᵖ − a₁ zᵖ⁻¹ − … − a_p` (openSMILE builds the polynomial with the
///    coefficients negated — note: not cLpc's own `A(z)`, whose roots would be `1 + Σ a_k z⁻ᵏ`'s),
///    found as the eigenvalues of the balanced companion matrix by Francis double-shift QR
///    (openSMILE's `zerosolve`, GSL's `gsl_poly_complex_solve` algorithm);
/// 2. roots outside the unit circle are reflected inside (`z → 1/z̄`);
/// 3. every root with imaginary part ≥ 0 (one of each conjugate pair; real roots give 0 Hz or
///    `1/(2T)`, both outside the range) gives `f = |arg z| / (2πT)`, kept if `minF ≤ f ≤ maxF`,
///    with bandwidth `−ln|z| / (πT)`; the first `nFormants` kept, then sorted by frequency.
/// With `p = 11` there are at most 5 complex pairs, so all in-range ones are kept and the QR's
/// root order does not matter. If the QR does not converge (70 iterations for one root) openSMILE
/// keeps the previous frame's roots in the slots not yet found; `SmileFormantLpc.Solver` does too.
public struct SmileFormantLpc: Sendable {
    public var nFormants: Int
    public var minF: Double
    public var maxF: Double

    public init(nFormants: Int = 5, minF: Double = 50, maxF: Double = 5450) {
        self.nFormants = nFormants
        self.minF = minF
        self.maxF = maxF
    }

    /// Formants of one frame from its LP coefficients. `roots` carries the root buffer from
    /// frame to frame (openSMILE's behaviour when the QR fails); pass the same buffer for
    /// consecutive frames, starting empty.
    public func formants(lpc: [Float], samplePeriod: Double, roots: inout [(re: Double, im: Double)]) -> SmileFormantFrame {
        let p = lpc.count
        let nF = max(0, min(nFormants, p - 1))
        var freqs = [Double](repeating: 0, count: max(nFormants, 0))
        var bws = freqs
        guard p >= 1 else { return SmileFormantFrame(frequencies: freqs, bandwidths: bws, count: 0) }
        if roots.count != p { roots = [(re: Double, im: Double)](repeating: (0, 0), count: p) }

        // Ascending coefficients c₀ … c_p of zᵖ − Σ a_k z^{p−k}: c_i = −a_{p−i}, c_p = 1.
        var coeffs = [Double](repeating: 0, count: p + 1)
        for i in 0..<p { coeffs[i] = -Double(lpc[p - 1 - i]) }
        coeffs[p] = 1
        PolynomialRoots.solve(ascending: coeffs, into: &roots)

        var fHigh = maxF
        if fHigh < minF || fHigh > 1 / samplePeriod { fHigh = 0.5 / samplePeriod - minF }
        let piT = samplePeriod * Double.pi
        var n = 0
        for var z in roots {
            // smileMath_complexIntoUnitCircle: |z| > 1 → 1 / conj(z)
            let mag = (z.re * z.re + z.im * z.im).squareRoot()
            if mag > 1 { z = Self.reciprocalConjugate(z) }
            if z.im < 0 { continue }
            let f = abs(atan2(z.im, z.re)) / (2 * piT)
            guard f >= minF, f <= fHigh else { continue }
            guard n < nF else { break }
            freqs[n] = f
            bws[n] = -log((z.re * z.re + z.im * z.im).squareRoot()) / piT
            n += 1
            if n >= nF { break }
        }
        // Ascending by frequency (openSMILE's exchange sort over the leading non-zero entries).
        var order = Array(0..<n)
        order.sort { freqs[$0] < freqs[$1] || (freqs[$0] == freqs[$1] && $0 < $1) }
        let f0 = order.map { freqs[$0] }, b0 = order.map { bws[$0] }
        for i in 0..<n {
            freqs[i] = Double(Float(f0[i]))
            bws[i] = Double(Float(b0[i]))
        }
        return SmileFormantFrame(frequencies: freqs, bandwidths: bws, count: n)
    }

    /// `1 / conj(z)` computed as openSMILE's `smileMath_complexDiv(1, 0, re, −im)` (Smith's method).
    static func reciprocalConjugate(_ z: (re: Double, im: Double)) -> (re: Double, im: Double) {
        let br = z.re, bi = -z.im
        if abs(br) >= abs(bi) {
            guard br != 0 else { return (0, 0) }
            let r = bi / br, den = br + r * bi
            guard den != 0 else { return (0, 0) }
            return (1 / den, -r / den)
        } else {
            guard bi != 0 else { return (0, 0) }
            let r = br / bi, den = bi + r * br
            guard den != 0 else { return (0, 0) }
            return (r / den, -1 / den)
        }
    }
}

/// Roots of a real polynomial as eigenvalues of its companion matrix: balanced, then reduced by
/// Francis double-shift QR on the (already Hessenberg) matrix. The same method as openSMILE's
/// `zerosolve` (GSL's `gsl_poly_complex_solve`), written afresh.
enum PolynomialRoots {
    /// Roots of `Σ c_i zⁱ` (`ascending.count − 1` of them) written to `roots`, each at the index
    /// where the QR deflates it. Returns false (leaving the slots not yet found untouched) when an
    /// eigenvalue needs more than 70 iterations, or when the leading coefficient is 0.
    @discardableResult
    static func solve(ascending c: [Double], into roots: inout [(re: Double, im: Double)]) -> Bool {
        let n = c.count - 1
        guard n >= 1, c[n] != 0 else { return false }
        if roots.count != n { roots = [(re: Double, im: Double)](repeating: (0, 0), count: n) }
        if n == 1 {
            roots[0] = (-c[0] / c[1], 0)
            return true
        }
        // Companion matrix, row-major: ones below the diagonal, −c_i/c_n in the last column.
        var h = [Double](repeating: 0, count: n * n)
        for i in 1..<n { h[i * n + i - 1] = 1 }
        for i in 0..<n { h[i * n + n - 1] = -c[i] / c[n] }
        balanceCompanion(&h, n)
        return hessenbergEigenvalues(&h, n, into: &roots)
    }

    /// Scales rows/columns by powers of two until each off-diagonal row and column norm are within
    /// a factor of two (Parlett–Reinsch), using the companion matrix's sparsity: column `i < n−1`
    /// has only the sub-diagonal 1 off the diagonal; row `i` has the sub-diagonal and last column.
    static func balanceCompanion(_ h: inout [Double], _ n: Int) {
        let radix = 2.0, radix2 = 4.0
        var done = false
        while !done {
            done = true
            for i in 0..<n {
                var col: Double
                if i < n - 1 {
                    col = abs(h[(i + 1) * n + i])
                } else {
                    col = 0
                    for j in 0..<(n - 1) { col += abs(h[j * n + n - 1]) }
                }
                let row: Double
                if i == 0 {
                    row = abs(h[n - 1])
                } else if i == n - 1 {
                    row = abs(h[i * n + i - 1])
                } else {
                    row = abs(h[i * n + i - 1]) + abs(h[i * n + n - 1])
                }
                if col == 0 || row == 0 { continue }
                let total = col + row
                var f = 1.0
                var g = row / radix
                while col < g { f *= radix; col *= radix2 }
                g = row * radix
                while col > g { f /= radix; col /= radix2 }
                if (row + col) / f < 0.95 * total {
                    done = false
                    let inv = 1 / f
                    // row i scaled by 1/f (its non-zero off-diagonal entries) …
                    if i == 0 {
                        h[n - 1] *= inv
                    } else {
                        h[i * n + i - 1] *= inv
                        h[i * n + n - 1] *= inv
                    }
                    // … column i by f.
                    if i == n - 1 {
                        for j in 0..<n { h[j * n + i] *= f }
                    } else {
                        h[(i + 1) * n + i] *= f
                    }
                }
            }
        }
    }

    /// Eigenvalues of an upper-Hessenberg matrix `h` (n×n, row-major; destroyed).
    static func hessenbergEigenvalues(_ h: inout [Double], _ n: Int, into roots: inout [(re: Double, im: Double)]) -> Bool {
        let eps = Double.ulpOfOne
        return h.withUnsafeMutableBufferPointer { a -> Bool in
            @inline(__always) func at(_ i: Int, _ j: Int) -> Double { a[i * n + j] }
            @inline(__always) func set(_ i: Int, _ j: Int, _ v: Double) { a[i * n + j] = v }
            var hi = n - 1          // bottom of the active block
            var shift = 0.0         // accumulated exceptional shifts
            var its = 0
            var x = 0.0, y = 0.0, w = 0.0
            var p = 0.0, q = 0.0, r = 0.0, z = 0.0, s = 0.0
            while hi >= 0 {
                // Look for a negligible sub-diagonal element: the active block is lo…hi.
                var lo = hi
                while lo > 0 {
                    if abs(at(lo, lo - 1)) <= eps * (abs(at(lo - 1, lo - 1)) + abs(at(lo, lo))) { break }
                    lo -= 1
                }
                x = at(hi, hi)
                if lo == hi {           // one real root
                    roots[hi] = (x + shift, 0)
                    hi -= 1
                    its = 0
                    continue
                }
                y = at(hi - 1, hi - 1)
                w = at(hi - 1, hi) * at(hi, hi - 1)
                if lo == hi - 1 {       // a 2×2 block: two real roots or a conjugate pair
                    p = (y - x) / 2
                    q = p * p + w
                    let sq = abs(q).squareRoot()
                    x += shift
                    if q > 0 {
                        let t = p < 0 ? p - sq : p + sq
                        roots[hi] = (x - w / t, 0)
                        roots[hi - 1] = (x + t, 0)
                    } else {
                        roots[hi] = (x + p, -sq)
                        roots[hi - 1] = (x + p, sq)
                    }
                    hi -= 2
                    its = 0
                    continue
                }
                if its == 70 { return false }
                if its > 0 && its % 10 == 0 {   // exceptional shift
                    shift += x
                    for i in 0...hi { set(i, i, at(i, i) - x) }
                    s = abs(at(hi, hi - 1)) + abs(at(hi - 1, hi - 2))
                    x = 0.75 * s
                    y = x
                    w = -0.4375 * s * s
                }
                its += 1
                // Start the double-shift sweep at the lowest m where two consecutive sub-diagonal
                // elements are small enough.
                var m = hi - 2
                while true {
                    z = at(m, m)
                    r = x - z
                    s = y - z
                    p = (r * s - w) / at(m + 1, m) + at(m, m + 1)
                    q = at(m + 1, m + 1) - z - r - s
                    r = at(m + 2, m + 1)
                    s = abs(p) + abs(q) + abs(r)
                    p /= s; q /= s; r /= s
                    if m == lo { break }
                    let left = abs(at(m, m - 1)) * (abs(q) + abs(r))
                    let right = eps * abs(p) * (abs(at(m - 1, m - 1)) + abs(at(m + 1, m + 1)))
                    if left <= right { break }
                    m -= 1
                }
                if m + 2 <= hi { for i in (m + 2)...hi { set(i, i - 2, 0) } }
                if m + 3 <= hi { for i in (m + 3)...hi { set(i, i - 3, 0) } }
                // The double QR step on rows/columns m … hi (Householder reflections of size 3).
                var k = m
                while k <= hi - 1 {
                    let notLast = k != hi - 1
                    if k != m {
                        p = at(k, k - 1)
                        q = at(k + 1, k - 1)
                        r = notLast ? at(k + 2, k - 1) : 0
                        x = abs(p) + abs(q) + abs(r)
                        if x == 0 { k += 1; continue }
                        p /= x; q /= x; r /= x
                    }
                    s = (p * p + q * q + r * r).squareRoot()
                    if p < 0 { s = -s }
                    if k != m {
                        set(k, k - 1, -s * x)
                    } else if lo != m {
                        set(k, k - 1, -at(k, k - 1))
                    }
                    p += s
                    x = p / s
                    y = q / s
                    z = r / s
                    q /= p
                    r /= p
                    // Row update (rows k, k+1, k+2 over columns k…hi): every column is independent,
                    // so two columns run side by side in SIMD lanes with each lane's operations in
                    // the scalar order.
                    let rk = a.baseAddress! + k * n, rk1 = rk + n, rk2 = rk1 + n
                    var j = k
                    if notLast {
                        while j + 1 <= hi {
                            let a0 = UnsafeRawPointer(rk + j).loadUnaligned(as: SIMD2<Double>.self)
                            let a1 = UnsafeRawPointer(rk1 + j).loadUnaligned(as: SIMD2<Double>.self)
                            let a2 = UnsafeRawPointer(rk2 + j).loadUnaligned(as: SIMD2<Double>.self)
                            var t = a0 + q * a1
                            t += r * a2
                            UnsafeMutableRawPointer(rk2 + j).storeBytes(of: a2 - t * z, as: SIMD2<Double>.self)
                            UnsafeMutableRawPointer(rk1 + j).storeBytes(of: a1 - t * y, as: SIMD2<Double>.self)
                            UnsafeMutableRawPointer(rk + j).storeBytes(of: a0 - t * x, as: SIMD2<Double>.self)
                            j += 2
                        }
                        if j <= hi {
                            var t = rk[j] + q * rk1[j]
                            t += r * rk2[j]
                            rk2[j] = rk2[j] - t * z
                            rk1[j] = rk1[j] - t * y
                            rk[j] = rk[j] - t * x
                        }
                    } else {
                        while j + 1 <= hi {
                            let a0 = UnsafeRawPointer(rk + j).loadUnaligned(as: SIMD2<Double>.self)
                            let a1 = UnsafeRawPointer(rk1 + j).loadUnaligned(as: SIMD2<Double>.self)
                            let t = a0 + q * a1
                            UnsafeMutableRawPointer(rk1 + j).storeBytes(of: a1 - t * y, as: SIMD2<Double>.self)
                            UnsafeMutableRawPointer(rk + j).storeBytes(of: a0 - t * x, as: SIMD2<Double>.self)
                            j += 2
                        }
                        if j <= hi {
                            let t = rk[j] + q * rk1[j]
                            rk1[j] = rk1[j] - t * y
                            rk[j] = rk[j] - t * x
                        }
                    }
                    // Column update (columns k, k+1, k+2 over rows lo…min(k+3, hi)).
                    let last = min(k + 3, hi)
                    var ci = a.baseAddress! + lo * n + k
                    if notLast {
                        for _ in lo...last {
                            var t = x * ci[0] + y * ci[1]
                            t += z * ci[2]
                            ci[2] = ci[2] - t * r
                            ci[1] = ci[1] - t * q
                            ci[0] = ci[0] - t
                            ci += n
                        }
                    } else {
                        for _ in lo...last {
                            let t = x * ci[0] + y * ci[1]
                            ci[1] = ci[1] - t * q
                            ci[0] = ci[0] - t
                            ci += n
                        }
                    }
                    k += 1
                }
            }
            return true
        }
    }
}

/// The formant chain of eGeMAPS (cSpecResample → cLpc → cFormantLpc) for every 20 ms frame of a
/// clip: the unsmoothed `gemapsv01b_formants` level, one `SmileFormantFrame` per frame.
///
/// - Parameters:
///   - complexSpectra: the FFT of each Hamming-windowed 20 ms frame (`SmileAnalysis.complex20`).
///   - frameSize: samples per 20 ms frame (`SmileAnalysis.frames20.frameSize`).
///   - fftSize: the FFT length (`SmileAnalysis.fft20.fftSize`).
///   - sampleRate: the clip's rate in Hz.
///   - targetRate: cSpecResample's `targetFs` (11000).
///   - lpcOrder: cLpc's `p` (11).
///   - formantLpc: cFormantLpc's options (5 formants in 50…5450 Hz).
public func smileFormants(
    complexSpectra: [(real: [Float], imag: [Float])],
    frameSize: Int, fftSize: Int, sampleRate: Double,
    targetRate: Double = 11000, lpcOrder: Int = 11,
    formantLpc: SmileFormantLpc = SmileFormantLpc()
) -> [SmileFormantFrame] {
    let resampler = SmileSpecResample.shared(frameSize: frameSize, fftSize: fftSize, sampleRate: sampleRate, targetRate: targetRate)
    let period = 1 / targetRate
    var roots: [(re: Double, im: Double)] = []
    var samples = [Float](repeating: 0, count: resampler.outputCount)
    var out: [SmileFormantFrame] = []
    out.reserveCapacity(complexSpectra.count)
    for spectrum in complexSpectra {
        resampler.resample(real: spectrum.real, imag: spectrum.imag, into: &samples)
        let lpc = SmileLpc.coefficients(samples, order: lpcOrder)
        if lpc.allSatisfy({ $0 == 0 }) {
            // zᵖ: every root is 0 (0 Hz, outside the range) — no formants, as openSMILE outputs.
            let zeros = [Double](repeating: 0, count: max(formantLpc.nFormants, 0))
            out.append(SmileFormantFrame(frequencies: zeros, bandwidths: zeros, count: 0))
            continue
        }
        out.append(formantLpc.formants(lpc: lpc, samplePeriod: period, roots: &roots))
    }
    return out
}

/// `smileFormants` on the shared levels of a clip.
public func smileFormants(_ analysis: SmileAnalysis) -> [SmileFormantFrame] {
    smileFormants(
        complexSpectra: analysis.complex20, frameSize: analysis.frames20.frameSize,
        fftSize: analysis.fft20.fftSize, sampleRate: analysis.sampleRate)
}
