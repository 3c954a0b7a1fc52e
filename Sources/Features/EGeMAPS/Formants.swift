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
        guard p >= 1 else { return formants(roots: [], samplePeriod: samplePeriod) }
        if roots.count != p { roots = [(re: Double, im: Double)](repeating: (0, 0), count: p) }
        PolynomialRoots.solve(ascending: Self.polynomial(lpc), into: &roots)
        return formants(roots: roots, samplePeriod: samplePeriod)
    }

    /// Two consecutive frames' formants (as `formants(lpc:samplePeriod:roots:)` twice in a row, the
    /// same `roots` buffer passed on), their root finders run interleaved. Both LPC orders ≥ 2 and equal.
    func formantPair(lpc first: [Float], _ second: [Float], samplePeriod: Double,
                     roots: inout [(re: Double, im: Double)]) -> (SmileFormantFrame, SmileFormantFrame) {
        let p = first.count
        if roots.count != p { roots = [(re: Double, im: Double)](repeating: (0, 0), count: p) }
        var roots2 = roots
        PolynomialRoots.solvePair(ascending: Self.polynomial(first), Self.polynomial(second), into: &roots, &roots2)
        let a = formants(roots: roots, samplePeriod: samplePeriod)
        roots = roots2
        return (a, formants(roots: roots2, samplePeriod: samplePeriod))
    }

    /// Ascending coefficients c₀ … c_p of zᵖ − Σ a_k z^{p−k}: c_i = −a_{p−i}, c_p = 1.
    static func polynomial(_ lpc: [Float]) -> [Double] {
        let p = lpc.count
        var coeffs = [Double](repeating: 0, count: p + 1)
        for i in 0..<p { coeffs[i] = -Double(lpc[p - 1 - i]) }
        coeffs[p] = 1
        return coeffs
    }

    /// Steps 2 and 3 above on the `p` roots of a frame's LP polynomial.
    func formants(roots: [(re: Double, im: Double)], samplePeriod: Double) -> SmileFormantFrame {
        let p = roots.count
        let nF = max(0, min(nFormants, p - 1))
        var freqs = [Double](repeating: 0, count: max(nFormants, 0))
        var bws = freqs
        guard p >= 1 else { return SmileFormantFrame(frequencies: freqs, bandwidths: bws, count: 0) }

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
        h.withUnsafeMutableBufferPointer { a in
            roots.withUnsafeMutableBufferPointer { out in
                var lane = HessenbergQR(a.baseAddress!, n, out.baseAddress!)
                while true {
                    if !lane.sweeping {
                        lane.startSweep()
                        if lane.done { break }
                    }
                    if lane.reflect() { lane.apply() }
                }
                return !lane.failed
            }
        }
    }

    /// The roots of two polynomials of the same degree `n ≥ 2` (two consecutive frames), each
    /// exactly as `solve` finds it, with the two QR iterations interleaved step by step: one
    /// iteration is a chain of dependent divisions and square roots, so two independent ones
    /// overlap in the CPU. `first` and `second` are the two frames' root buffers, each as `solve`
    /// would receive it — `second` is seeded from `first`'s result where its own QR failed.
    /// Returns whether each QR converged.
    @discardableResult
    static func solvePair(ascending c1: [Double], _ c2: [Double],
                          into first: inout [(re: Double, im: Double)],
                          _ second: inout [(re: Double, im: Double)]) -> (Bool, Bool) {
        let n = c1.count - 1
        precondition(n >= 2 && c2.count == n + 1 && c1[n] != 0 && c2[n] != 0)
        if first.count != n { first = [(re: Double, im: Double)](repeating: (0, 0), count: n) }
        if second.count != n { second = [(re: Double, im: Double)](repeating: (0, 0), count: n) }
        func companion(_ c: [Double]) -> [Double] {
            var h = [Double](repeating: 0, count: n * n)
            for i in 1..<n { h[i * n + i - 1] = 1 }
            for i in 0..<n { h[i * n + n - 1] = -c[i] / c[n] }
            balanceCompanion(&h, n)
            return h
        }
        var h1 = companion(c1), h2 = companion(c2)
        let (ok1, ok2, unsolved2) = h1.withUnsafeMutableBufferPointer { a1 in
            h2.withUnsafeMutableBufferPointer { a2 in
                first.withUnsafeMutableBufferPointer { r1 in
                    second.withUnsafeMutableBufferPointer { r2 -> (Bool, Bool, Int) in
                        var one = HessenbergQR(a1.baseAddress!, n, r1.baseAddress!)
                        var two = HessenbergQR(a2.baseAddress!, n, r2.baseAddress!)
                        while true {
                            if !one.sweeping && !one.done { one.startSweep() }
                            if !two.sweeping && !two.done { two.startSweep() }
                            if one.done && two.done { break }
                            let go1 = one.sweeping && one.reflect()
                            let go2 = two.sweeping && two.reflect()
                            if go1 { one.apply() }
                            if go2 { two.apply() }
                        }
                        return (!one.failed, !two.failed, two.failed ? two.hi : -1)
                    }
                }
            }
        }
        // A failed QR leaves the slots not yet found (0 … hi) as they were: for the second frame,
        // the first frame's roots.
        if unsolved2 >= 0 { for i in 0...unsolved2 { second[i] = first[i] } }
        return (ok1, ok2)
    }
}

/// Francis double-shift QR on an upper-Hessenberg matrix as a resumable state machine, so that
/// two can run interleaved: `startSweep` deflates the converged roots and prepares the next
/// double-shift sweep (or finishes), `reflect` computes the sweep's next Householder reflector,
/// `apply` applies it to the rows and columns. The arithmetic, in order, is the classic
/// EISPACK `hqr` / GSL `gsl_poly_complex_solve` iteration.
struct HessenbergQR {
    let a: UnsafeMutablePointer<Double>
    let n: Int
    let roots: UnsafeMutablePointer<(re: Double, im: Double)>
    var hi: Int             // bottom of the active block
    var lo = 0              // top of the active block
    var m = 0               // first row of the current sweep
    var k = 0               // the sweep's next step
    var its = 0
    var shift = 0.0         // accumulated exceptional shifts
    var p = 0.0, q = 0.0, r = 0.0
    var x = 0.0, y = 0.0, z = 0.0   // the current reflector (with q, r)
    var sweeping = false
    var done = false
    var failed = false

    @inline(__always)
    init(_ a: UnsafeMutablePointer<Double>, _ n: Int, _ roots: UnsafeMutablePointer<(re: Double, im: Double)>) {
        self.a = a
        self.n = n
        self.roots = roots
        hi = n - 1
    }

    @inline(__always) func at(_ i: Int, _ j: Int) -> Double { a[i &* n &+ j] }
    @inline(__always) func set(_ i: Int, _ j: Int, _ v: Double) { a[i &* n &+ j] = v }

    /// Deflates the roots that have converged; then either starts the next sweep (`sweeping`), or
    /// ends (`done`; `failed` when one eigenvalue took 70 iterations).
    @inline(__always)
    mutating func startSweep() {
        let eps = Double.ulpOfOne
        while hi >= 0 {
            // Look for a negligible sub-diagonal element: the active block is lo…hi.
            var lo = hi
            while lo > 0 {
                if abs(at(lo, lo - 1)) <= eps * (abs(at(lo - 1, lo - 1)) + abs(at(lo, lo))) { break }
                lo -= 1
            }
            var x = at(hi, hi)
            if lo == hi {           // one real root
                roots[hi] = (x + shift, 0)
                hi -= 1
                its = 0
                continue
            }
            var y = at(hi - 1, hi - 1)
            var w = at(hi - 1, hi) * at(hi, hi - 1)
            if lo == hi - 1 {       // a 2×2 block: two real roots or a conjugate pair
                let p = (y - x) / 2
                let q = p * p + w
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
            if its == 70 {
                failed = true
                done = true
                return
            }
            if its > 0 && its % 10 == 0 {   // exceptional shift
                shift += x
                for i in 0...hi { set(i, i, at(i, i) - x) }
                let s = abs(at(hi, hi - 1)) + abs(at(hi - 1, hi - 2))
                x = 0.75 * s
                y = x
                w = -0.4375 * s * s
            }
            its += 1
            // Start the double-shift sweep at the lowest m where two consecutive sub-diagonal
            // elements are small enough.
            var m = hi - 2
            var p = 0.0, q = 0.0, r = 0.0
            while true {
                let z = at(m, m)
                let rr = x - z
                var s = y - z
                p = (rr * s - w) / at(m + 1, m) + at(m, m + 1)
                q = at(m + 1, m + 1) - z - rr - s
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
            self.lo = lo
            self.m = m
            self.k = m
            self.p = p
            self.q = q
            self.r = r
            sweeping = true
            return
        }
        done = true
    }

    /// The Householder reflector (size 3, or 2 at the sweep's last step) of step `k`; false when
    /// the step is skipped (a zero column), which moves on to the next step.
    @inline(__always)
    mutating func reflect() -> Bool {
        let notLast = k != hi - 1
        var scale = 0.0
        if k != m {
            p = at(k, k - 1)
            q = at(k + 1, k - 1)
            r = notLast ? at(k + 2, k - 1) : 0
            scale = abs(p) + abs(q) + abs(r)
            if scale == 0 {
                next()
                return false
            }
            p /= scale; q /= scale; r /= scale
        }
        var s = (p * p + q * q + r * r).squareRoot()
        if p < 0 { s = -s }
        if k != m {
            set(k, k - 1, -s * scale)
        } else if lo != m {
            set(k, k - 1, -at(k, k - 1))
        }
        p += s
        x = p / s
        y = q / s
        z = r / s
        q /= p
        r /= p
        return true
    }

    @inline(__always)
    mutating func next() {
        k += 1
        if k > hi - 1 { sweeping = false }
    }

    /// Applies step `k`'s reflector to rows k…k+2 (columns k…hi) and columns k…k+2 (rows
    /// lo…min(k+3, hi)), then moves on.
    @inline(__always)
    mutating func apply() {
        let notLast = k != hi - 1
        let x = x, y = y, z = z, q = q, r = r
        // Row update: every column is independent, so two columns run side by side in SIMD
        // lanes with each lane's operations in the scalar order.
        let rk = a + k &* n, rk1 = rk + n, rk2 = rk1 + n
        var j = k
        if notLast {
            while j &+ 1 <= hi {
                let a0 = UnsafeRawPointer(rk + j).loadUnaligned(as: SIMD2<Double>.self)
                let a1 = UnsafeRawPointer(rk1 + j).loadUnaligned(as: SIMD2<Double>.self)
                let a2 = UnsafeRawPointer(rk2 + j).loadUnaligned(as: SIMD2<Double>.self)
                var t = a0 + q * a1
                t += r * a2
                UnsafeMutableRawPointer(rk2 + j).storeBytes(of: a2 - t * z, as: SIMD2<Double>.self)
                UnsafeMutableRawPointer(rk1 + j).storeBytes(of: a1 - t * y, as: SIMD2<Double>.self)
                UnsafeMutableRawPointer(rk + j).storeBytes(of: a0 - t * x, as: SIMD2<Double>.self)
                j &+= 2
            }
            if j <= hi {
                var t = rk[j] + q * rk1[j]
                t += r * rk2[j]
                rk2[j] = rk2[j] - t * z
                rk1[j] = rk1[j] - t * y
                rk[j] = rk[j] - t * x
            }
        } else {
            while j &+ 1 <= hi {
                let a0 = UnsafeRawPointer(rk + j).loadUnaligned(as: SIMD2<Double>.self)
                let a1 = UnsafeRawPointer(rk1 + j).loadUnaligned(as: SIMD2<Double>.self)
                let t = a0 + q * a1
                UnsafeMutableRawPointer(rk1 + j).storeBytes(of: a1 - t * y, as: SIMD2<Double>.self)
                UnsafeMutableRawPointer(rk + j).storeBytes(of: a0 - t * x, as: SIMD2<Double>.self)
                j &+= 2
            }
            if j <= hi {
                let t = rk[j] + q * rk1[j]
                rk1[j] = rk1[j] - t * y
                rk[j] = rk[j] - t * x
            }
        }
        // Column update (columns k, k+1, k+2 over rows lo…min(k+3, hi)).
        let last = min(k + 3, hi)
        var ci = a + (lo &* n &+ k)
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
        next()
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
    // zᵖ: every root is 0 (0 Hz, outside the range) — no formants, as openSMILE outputs.
    let zeros = [Double](repeating: 0, count: max(formantLpc.nFormants, 0))
    let empty = SmileFormantFrame(frequencies: zeros, bandwidths: zeros, count: 0)
    var out = [SmileFormantFrame](repeating: empty, count: complexSpectra.count)
    // Frames with a non-zero LPC are solved two at a time (in order, the root buffer passed on).
    var pending: (index: Int, lpc: [Float])?
    for (index, spectrum) in complexSpectra.enumerated() {
        resampler.resample(real: spectrum.real, imag: spectrum.imag, into: &samples)
        let lpc = SmileLpc.coefficients(samples, order: lpcOrder)
        if lpc.allSatisfy({ $0 == 0 }) { continue }
        guard lpc.count >= 2 else {
            out[index] = formantLpc.formants(lpc: lpc, samplePeriod: period, roots: &roots)
            continue
        }
        if let first = pending {
            (out[first.index], out[index]) = formantLpc.formantPair(lpc: first.lpc, lpc, samplePeriod: period, roots: &roots)
            pending = nil
        } else {
            pending = (index, lpc)
        }
    }
    if let first = pending {
        out[first.index] = formantLpc.formants(lpc: first.lpc, samplePeriod: period, roots: &roots)
    }
    return out
}

/// `smileFormants` on the shared levels of a clip.
public func smileFormants(_ analysis: SmileAnalysis) -> [SmileFormantFrame] {
    smileFormants(
        complexSpectra: analysis.complex20, frameSize: analysis.frames20.frameSize,
        fftSize: analysis.fft20.fftSize, sampleRate: analysis.sampleRate)
}
