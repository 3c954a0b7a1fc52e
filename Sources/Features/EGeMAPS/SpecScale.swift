import Foundation

/// openSMILE's cSpecScale with the options of eGeMAPS' `gemapsv01b_scale`: a linear magnitude
/// spectrum is peak-enhanced, smoothed, resampled by a natural cubic spline onto an octave (log₂)
/// frequency axis of as many points as it has bins, from `minF` to the top bin, and weighted by
/// the auditory (frequency-selectivity) curve. It is the input of the subharmonic summation pitch
/// detector (`SmilePitchSHS`).
///
/// Options mirrored: `scale = octave`, `sourceScale = lin`, `interpMethod = spline`, `minF = 25`,
/// `maxF = -1` (the top bin), `nPointsTarget = 0` (as many as the source), `specSmooth = 1`,
/// `specEnhance = 1`, `auditoryWeighting = 1`. Other target scales are not implemented.
///
/// Frequencies are openSMILE's: bin `k` is at `k · binSpacing`, and the bin spacing openSMILE
/// uses is `1 / frameSizeSec` of the FFT level (see `SmileSpecScale.binSpacing(frameSeconds:frameSize:fftSize:)`),
/// not `sampleRate / fftSize`.
public struct SmileSpecScale: Sendable {
    /// Source bins (`nMag`), also the number of target points.
    public let bins: Int
    /// Hz between source bins.
    public let binSpacing: Double
    /// Lowest and highest source frequency of the target axis, Hz.
    public let minF: Double
    public let maxF: Double
    /// The target axis in octaves (log₂ Hz): point `i` is at `minOctave + i · octaveStep`.
    public let minOctave: Double
    public let maxOctave: Double
    public let octaveStep: Double
    /// `log₂(maxF / minF)` and `bins / octaves` (openSMILE passes both on to the pitch detector).
    public let octaves: Double
    public let pointsPerOctave: Double
    public let specEnhance: Bool
    public let specSmooth: Bool
    public let auditoryWeighting: Bool

    // Spline tables (source axis in octaves, then per target point: lower source index and weights).
    private let sigma: [Double]
    private let diff1: [Double]
    private let diff2: [Double]
    // The tridiagonal sweep's pivots `1 / (σ f[i−1] + 2)` and factors `f[i] = (σ − 1) · pivot`
    // depend on the axis only; openSMILE recomputes them per frame, with the same values.
    private let pivot: [Double]
    private let factor: [Double]
    private let lower: [Int]
    private let coefA: [Double]
    private let coefC: [Double]
    private let coefD: [Double]
    private let weight: [Double]

    /// The bin spacing openSMILE's spectral components use: `1 / frameSizeSec` of the FFT level,
    /// where cFramer keeps the configured `frameSeconds` (not `frameSize / sampleRate`), cTransformFFT
    /// scales it by `fftSize / frameSize`, and cSpecScale stores it in single precision.
    public static func binSpacing(frameSeconds: Double = 0.060, frameSize: Int, fftSize: Int) -> Double {
        let fsSec = Float(frameSeconds * (Double(fftSize) / Double(frameSize)))
        return 1.0 / Double(fsSec)
    }

    /// - Parameters:
    ///   - bins: magnitude bins per frame (`fftSize / 2 + 1`), at least 3.
    ///   - binSpacing: Hz between bins (`binSpacing(frameSeconds:frameSize:fftSize:)`).
    ///   - minF: lowest frequency of the octave axis (default 25 Hz; openSMILE floors it at 1).
    ///   - maxF: highest frequency; ≤ `minF` or above the top bin means the top bin (default −1).
    public init(bins: Int, binSpacing: Double, minF: Double = 25, maxF: Double = -1,
                specEnhance: Bool = true, specSmooth: Bool = true, auditoryWeighting: Bool = true) {
        let n = max(bins, 3)
        self.bins = n
        self.binSpacing = binSpacing
        self.specEnhance = specEnhance
        self.specSmooth = specSmooth
        self.auditoryWeighting = auditoryWeighting
        let lo = max(minF, 1.0)
        let top = binSpacing * Double(n - 1)
        let hi = (maxF <= lo || maxF > top) ? top : maxF
        self.minF = lo
        self.maxF = hi
        let ln2 = log(2.0)
        minOctave = log(lo) / ln2
        maxOctave = log(hi) / ln2
        octaveStep = (maxOctave - minOctave) / Double(n - 1)

        // Source bins on the octave axis; bin 0 (0 Hz) is extrapolated linearly from bins 1 and 2.
        var ft = [Double](repeating: 0, count: n)
        for i in 1..<n { ft[i] = log(Double(i) * binSpacing) / ln2 }
        ft[0] = 2 * ft[1] - ft[2]

        var s = [Double](repeating: 0, count: n), d1 = s, d2 = s
        for i in 1..<(n - 1) {
            s[i] = (ft[i] - ft[i - 1]) / (ft[i + 1] - ft[i - 1])
            d1[i] = (ft[i + 1] - ft[i]) * (ft[i + 1] - ft[i - 1])
            d2[i] = (ft[i] - ft[i - 1]) * (ft[i + 1] - ft[i - 1])
        }
        sigma = s; diff1 = d1; diff2 = d2
        var pv = [Double](repeating: 0, count: n), fc = pv
        for i in 1..<(n - 1) {
            pv[i] = 1.0 / (s[i] * fc[i - 1] + 2.0)
            fc[i] = (s[i] - 1.0) * pv[i]
        }
        pivot = pv; factor = fc

        var k = [Int](repeating: 0, count: n)
        var a = [Double](repeating: 0, count: n), c = a, d = a
        var upper = 1
        for i in 0..<n {
            let x = minOctave + Double(i) * octaveStep
            while upper < n - 1 && ft[upper] < x { upper += 1 }
            let low = upper - 1
            k[i] = low
            let range = ft[upper] - ft[low]
            let ai = (ft[upper] - x) / range
            let bi = 1.0 - ai
            let r2 = range * range / 6.0
            a[i] = ai
            c[i] = (ai * ai * ai - ai) * r2
            d[i] = (bi * bi * bi - bi) * r2
        }
        lower = k; coefA = a; coefC = c; coefD = d

        let nOct = log(hi / lo) / ln2
        let ppo = Double(n) / nOct
        octaves = nOct
        pointsPerOctave = ppo
        // Frequency selectivity of hearing (octave scale only): 0.5 + atan(3 (i + 1 − s) / ppo) / π.
        let atanS = ppo * (log(65.0 / 50.0) / ln2) - 1.0
        weight = (0..<n).map { 0.5 + atan(3.0 * (Double($0 + 1) - atanS) / ppo) / Double.pi }
    }

    /// The octave-scale spectrum of one magnitude frame (`bins` values; missing bins count as 0).
    public func apply(_ magnitude: [Float]) -> [Float] {
        apply([magnitude])[0]
    }

    /// The octave-scale spectra of many frames (one workspace for all).
    public func apply(_ magnitudes: [[Float]]) -> [[Float]] {
        let n = bins
        var flat = [Float](repeating: 0, count: magnitudes.count * n)
        flat.withUnsafeMutableBufferPointer { apply(magnitudes, count: magnitudes.count, into: $0) }
        return (0..<magnitudes.count).map { Array(flat[($0 * n)..<($0 * n + n)]) }
    }

    /// The octave-scale spectra of the first `count` frames of `magnitudes`, frame `t` into
    /// `out[t · bins ..< (t + 1) · bins]`. Frames go through the spline four at a time, one per
    /// SIMD lane: each lane performs exactly the scalar operations, in the same order, so the
    /// result does not depend on the grouping.
    public func apply(_ magnitudes: [[Float]], count: Int, into out: UnsafeMutableBufferPointer<Float>) {
        let n = bins
        precondition(count <= magnitudes.count && out.count >= count * n)
        guard count > 0 else { return }
        let y = UnsafeMutableBufferPointer<SIMD4<Double>>.allocate(capacity: 3 * n)
        let u = UnsafeMutableBufferPointer(rebasing: y[n..<(2 * n)])
        let y2 = UnsafeMutableBufferPointer(rebasing: y[(2 * n)..<(3 * n)])
        let one = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        defer { y.deallocate(); one.deallocate() }
        var t0 = 0
        while t0 < count {
            let lanes = min(4, count - t0)
            for lane in 0..<4 {
                if lane < lanes {
                    magnitudes[t0 + lane].withUnsafeBufferPointer { m in
                        let k = min(n, m.count)
                        for i in 0..<k { one[i] = Double(m[i]) }
                        for i in k..<n { one[i] = 0 }
                    }
                    if specEnhance { Self.enhancePeaks(one) }
                    if specSmooth { Self.smooth(one) }
                    for i in 0..<n { y[i][lane] = one[i] }
                } else {
                    for i in 0..<n { y[i][lane] = 0 }
                }
            }
            spline(y, u, y2)
            interpolate(y, y2, out.baseAddress! + t0 * n, lanes: lanes)
            t0 += lanes
        }
    }

    /// Natural cubic spline (smileMath_cspline) of four frames at once: forward sweep, then back
    /// substitution; `y2` receives the second derivatives.
    private func spline(_ y: UnsafeMutableBufferPointer<SIMD4<Double>>, _ u: UnsafeMutableBufferPointer<SIMD4<Double>>,
                        _ y2: UnsafeMutableBufferPointer<SIMD4<Double>>) {
        let n = bins
        let six = SIMD4<Double>(repeating: 6.0)
        sigma.withUnsafeBufferPointer { sg in
        diff1.withUnsafeBufferPointer { d1 in
        diff2.withUnsafeBufferPointer { d2 in
        pivot.withUnsafeBufferPointer { pv in
        factor.withUnsafeBufferPointer { fc in
            let y = y.baseAddress!, u = u.baseAddress!, y2 = y2.baseAddress!
            let sg = sg.baseAddress!, d1 = d1.baseAddress!, d2 = d2.baseAddress!
            let pv = pv.baseAddress!, fc = fc.baseAddress!
            // The divided differences first (no recurrence), then the sweep.
            for i in 1..<(n - 1) {
                u[i] = (y[i + 1] - y[i]) / SIMD4(repeating: d1[i]) - (y[i] - y[i - 1]) / SIMD4(repeating: d2[i])
            }
            var previous = SIMD4<Double>(repeating: 0)
            u[0] = previous
            for i in 1..<(n - 1) {
                previous = SIMD4(repeating: pv[i]) * (six * u[i] - SIMD4(repeating: sg[i]) * previous)
                u[i] = previous
            }
            var next = SIMD4<Double>(repeating: 0)
            y2[n - 1] = next
            var j = n - 2
            while j >= 0 {
                next = SIMD4(repeating: fc[j]) * next + u[j]
                y2[j] = next
                j -= 1
            }
        }}}}}
    }

    /// smileMath_csplint at the target points, then the auditory weighting, for the first
    /// `lanes` frames of a group; frame `lane` goes to `out[lane · bins ..< (lane + 1) · bins]`.
    private func interpolate(_ y: UnsafeMutableBufferPointer<SIMD4<Double>>, _ y2: UnsafeMutableBufferPointer<SIMD4<Double>>,
                             _ out: UnsafeMutablePointer<Float>, lanes: Int) {
        let n = bins
        let weighting = auditoryWeighting
        lower.withUnsafeBufferPointer { k in
        coefA.withUnsafeBufferPointer { a in
        coefC.withUnsafeBufferPointer { c in
        coefD.withUnsafeBufferPointer { d in
        weight.withUnsafeBufferPointer { w in
            let y = y.baseAddress!, y2 = y2.baseAddress!
            for i in 0..<n {
                let lo = k[i]
                let ai = a[i]
                let s = SIMD4(repeating: ai) * y[lo] + SIMD4(repeating: 1.0 - ai) * y[lo + 1]
                    + SIMD4(repeating: c[i]) * y2[lo] + SIMD4(repeating: d[i]) * y2[lo + 1]
                let wi = w[i]
                for lane in 0..<lanes {
                    let v = Float(s[lane])
                    if weighting {
                        out[lane * n + i] = v > 0 ? Float(Double(v) * wi) : 0
                    } else {
                        out[lane * n + i] = v
                    }
                }
            }
        }}}}}
    }

    /// smileDsp_specEnhanceSHS: zero everything between local maxima except 2 bins on either side
    /// of each (bins before the first and after the last maximum stay). With a single maximum
    /// openSMILE reads an unset entry (0) as its position, so bins from 3 on are zeroed.
    static func enhancePeaks(_ a: UnsafeMutableBufferPointer<Double>) {
        let n = a.count
        guard n >= 2 else { return }
        // Zeroing between two maxima only touches bins at least 3 before the later one, which no
        // later comparison reads: the maxima can all be found on the input first (branch-free,
        // 64 bins per mask word), then the gaps zeroed.
        var count = 0, previous = 0
        var i = 0
        while i < n {
            let end = min(i + 64, n)
            var bits: UInt64 = 0
            for k in max(i, 1)..<min(end, n - 1) {
                let rising: UInt64 = a[k] > a[k - 1] ? 1 : 0
                let notBelow: UInt64 = a[k] >= a[k + 1] ? 1 : 0
                bits |= (rising & notBelow) << UInt64(k - i)
            }
            if i == 0 && a[0] > a[1] { bits |= 1 }
            if end == n && a[n - 1] > a[n - 2] { bits |= 1 << UInt64(n - 1 - i) }
            while bits != 0 {
                let p = i + bits.trailingZeroBitCount
                bits &= bits - 1
                if count > 0 && p - 3 >= previous + 3 {
                    (a.baseAddress! + previous + 3).update(repeating: 0, count: p - previous - 5)
                }
                previous = p
                count += 1
            }
            i = end
        }
        if count == 1 {
            var j = 3
            while j < n { a[j] = 0; j += 1 }
        }
    }

    /// smileDsp_specSmoothSHS: `(a[i−1] + 2 a[i] + a[i+1]) / 4` with the unsmoothed neighbours,
    /// `a[−1] = 0`; the last bin is left as it is.
    static func smooth(_ a: UnsafeMutableBufferPointer<Double>) {
        var previous = 0.0
        for i in 0..<(a.count - 1) {
            let ai = a[i]
            a[i] = (previous + 2.0 * ai + a[i + 1]) / 4.0
            previous = ai
        }
    }
}
