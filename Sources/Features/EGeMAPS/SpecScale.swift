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
        var y = [Double](repeating: 0, count: n), u = y, y2 = y
        var out: [[Float]] = []
        out.reserveCapacity(magnitudes.count)
        for magnitude in magnitudes {
            var result = [Float](repeating: 0, count: n)
            y.withUnsafeMutableBufferPointer { y in
            u.withUnsafeMutableBufferPointer { u in
            y2.withUnsafeMutableBufferPointer { y2 in
            result.withUnsafeMutableBufferPointer { result in
                magnitude.withUnsafeBufferPointer { m in
                    let k = min(n, m.count)
                    for i in 0..<k { y[i] = Double(m[i]) }
                    for i in k..<n { y[i] = 0 }
                }
                transform(y, u, y2, result)
            }}}}
            out.append(result)
        }
        return out
    }

    /// One frame: `y` (the magnitudes, overwritten) → `out`; `u`, `y2` are workspace.
    private func transform(_ y: UnsafeMutableBufferPointer<Double>, _ u: UnsafeMutableBufferPointer<Double>,
                           _ y2: UnsafeMutableBufferPointer<Double>, _ out: UnsafeMutableBufferPointer<Float>) {
        let n = bins
        if specEnhance { Self.enhancePeaks(y) }
        if specSmooth { Self.smooth(y) }
        sigma.withUnsafeBufferPointer { sg in
        diff1.withUnsafeBufferPointer { d1 in
        diff2.withUnsafeBufferPointer { d2 in
        pivot.withUnsafeBufferPointer { pv in
        factor.withUnsafeBufferPointer { fc in
            // Natural cubic spline (smileMath_cspline): forward sweep, then back substitution.
            u[0] = 0
            for i in 1..<(n - 1) {
                let ut = (y[i + 1] - y[i]) / d1[i] - (y[i] - y[i - 1]) / d2[i]
                u[i] = pv[i] * (6.0 * ut - sg[i] * u[i - 1])
            }
            y2[n - 1] = 0
            var j = n - 2
            while j >= 0 { y2[j] = fc[j] * y2[j + 1] + u[j]; j -= 1 }
        }}}}}
        lower.withUnsafeBufferPointer { k in
        coefA.withUnsafeBufferPointer { a in
        coefC.withUnsafeBufferPointer { c in
        coefD.withUnsafeBufferPointer { d in
        weight.withUnsafeBufferPointer { w in
            // smileMath_csplint at the target points, then the auditory weighting.
            for i in 0..<n {
                let lo = k[i]
                let ai = a[i]
                let v = Float(ai * y[lo] + (1.0 - ai) * y[lo + 1] + c[i] * y2[lo] + d[i] * y2[lo + 1])
                if auditoryWeighting {
                    out[i] = v > 0 ? Float(Double(v) * w[i]) : 0
                } else {
                    out[i] = v
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
        // One pass: zeroing between two maxima only touches bins before the later one, which
        // no later comparison reads.
        var count = 0, previous = 0
        func maximum(_ p: Int) {
            if count > 0 {
                var j = previous + 3
                while j <= p - 3 { a[j] = 0; j += 1 }
            }
            previous = p
            count += 1
        }
        if a[0] > a[1] { maximum(0) }
        if n > 2 {
            for i in 1..<(n - 1) where a[i] > a[i - 1] && a[i] >= a[i + 1] { maximum(i) }
        }
        if a[n - 1] > a[n - 2] { maximum(n - 1) }
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
