import Base
import CFFTW
import Foundation

// Harmonic features from F0, the formants and the 60 ms Gaussian magnitude spectrum: openSMILE's
// cHarmonics as eGeMAPS v02 configures it (`gemapsv01b_harmonics` in
// config/gemaps/v01b/GeMAPSv01b_core.lld.conf.inc):
//
//     f0ElementName = F0final, magSpecFieldName = pcm_fftMag (gemapsv01b_fftmagG60),
//     formantFrequencyFieldName = formantFreqLpc, formantBandwidthFieldName = formantBandwidthLpc,
//     nHarmonics = 100, harmonicDifferences = H1-H2;H1-A3, harmonicDifferencesLog = 1,
//     nHarmonicMagnitudes = 0, formantAmplitudes = 1, formantAmplitudesLogRel = 1,
//     formantAmplitudesStart = 1, formantAmplitudesEnd = 3, computeAcfHnrLogdB = 1
//
// The spectrum's frequency axis is cTransformFFT's: bin k at k / (0.06 s · fftSize / frameSize),
// i.e. from the configured 60 ms frame length, not from the sample rate (the two differ slightly
// when 0.06 · rate is not a whole number of samples, e.g. at 24414 Hz).
//
// Harmonics: harmonic i (i = 0 is F0) is the spectral peak (a bin above both neighbours) nearest
// the bin of (i+1)·F0, searched right then left within (i+½)…(i+1½)·F0, kept if it is above the bin
// of F0/2 and below the last bin; its frequency and magnitude are the vertex of the parabola through
// the peak and its neighbours. Each harmonic's level is 20·log10 of that interpolated magnitude
// relative to the (not interpolated) F0 peak, floored at −200 dB; a harmonic that landed on the
// same bin as the previous one is dropped (−201 dB). Note openSMILE's indices: "H1-H2" is the
// difference of harmonics 1 and 2, i.e. of the 2nd and 3rd multiples of F0 (H0 is F0), and A3 is
// the strongest harmonic (by its bin magnitude) whose interpolated frequency lies within
// 0.8…1.2 × F3 (likewise A1, A2 for the formant amplitudes).
//
// HNR: the autocorrelation of the frame is the inverse FFT of the squared magnitudes; at the ACF
// peak nearest lag ⌊rate / F0⌋, HNR = 10·log10(acf(T0) / (acf(0) − acf(T0))), limited to −90…110 dB.
//
// Unvoiced frames (F0 = 0): HNR 0, H1-H2 and H1-A3 0, formant amplitudes −201 (the
// `logRelValueFloorUnvoiced` floor; these −201 values pass into the LLDs, which average them
// with neighbours as non-zero values). Voiced frames without a harmonic near a formant give an
// amplitude of 0 and an H1-A3 of H1 − 201 dB (clipped to −201).

/// cHarmonics' eGeMAPS outputs for one frame.
public struct SmileHarmonicsFrame: Sendable, Equatable {
    /// `HarmonicsToNoiseRatioACFLogdB` (dB; 0 when unvoiced).
    public var hnrACFLogdB: Float
    /// `HarmonicDifferenceLogRelH1-H2` (dB; 0 when unvoiced).
    public var logRelH1H2: Float
    /// `HarmonicDifferenceLogRelH1-A3` (dB; 0 when unvoiced).
    public var logRelH1A3: Float
    /// `FormantAmplitudeByMaxHarmonicLogRelF0[1…3]` (dB relative to F0's peak; −201 when unvoiced).
    public var formantAmplitudesLogRelF0: [Float]

    public init(hnrACFLogdB: Float, logRelH1H2: Float, logRelH1A3: Float, formantAmplitudesLogRelF0: [Float]) {
        self.hnrACFLogdB = hnrACFLogdB
        self.logRelH1H2 = logRelH1H2
        self.logRelH1A3 = logRelH1A3
        self.formantAmplitudesLogRelF0 = formantAmplitudesLogRelF0
    }
}

/// The bin spacing (Hz) of openSMILE's spectrum of `frameSize`-sample frames of `frameSeconds`
/// (the configured length) zero-padded to `fftSize`: `1 / (frameSeconds · fftSize / frameSize)`
/// (cTransformFFT's frequency axis, which cHarmonics reads).
public func smileSpectrumBinHz(frameSeconds: Double = 0.060, frameSize: Int, fftSize: Int) -> Double {
    let seconds = frameSeconds * (Double(fftSize) / Double(frameSize))
    return 1.0 / seconds
}

/// openSMILE's cHarmonics (eGeMAPS v02's options) of one frame.
///
/// - Parameters:
///   - f0: F0final in Hz (0 = unvoiced).
///   - formantFrequencies: formantFreqLpc[1…] in Hz (at least 3 used; missing or 0 = no formant).
///   - magnitude: the 60 ms Gaussian-windowed magnitude spectrum, `fftSize/2 + 1` bins, not normalised.
///   - binHz: its bin spacing (`smileSpectrumBinHz`).
///   - nHarmonics: harmonics searched, F0 included (`nHarmonics`, 100).
///   - formantAmplitudes: how many formant amplitudes to output (`formantAmplitudesEnd`, 3).
public func smileHarmonics(f0: Float, formantFrequencies: [Double], magnitude: [Float], binHz: Double,
                           nHarmonics: Int = 100, formantAmplitudes: Int = 3) -> SmileHarmonicsFrame {
    let work = HarmonicsWork(bins: magnitude.count, nHarmonics: nHarmonics)
    return work.frame(f0: f0, formants: formantFrequencies, magnitude: magnitude, binHz: binHz,
                      formantAmplitudes: formantAmplitudes)
}

/// cHarmonics of a whole clip: frame `i` from `f0[i]`, `formants[i]` and `magnitudes[i]` (the
/// shortest of the three sets the count).
public func smileHarmonics(f0: [Float], formants: [SmileFormantFrame], magnitudes: [[Float]], binHz: Double,
                           nHarmonics: Int = 100, formantAmplitudes: Int = 3) -> [SmileHarmonicsFrame] {
    let count = min(f0.count, formants.count, magnitudes.count)
    guard count > 0 else { return [] }
    let work = HarmonicsWork(bins: magnitudes[0].count, nHarmonics: nHarmonics)
    return (0..<count).map {
        work.frame(f0: f0[$0], formants: formants[$0].frequencies, magnitude: magnitudes[$0], binHz: binHz,
                   formantAmplitudes: formantAmplitudes)
    }
}

/// cHarmonics on an analysis' 60 ms magnitude spectra.
public func smileHarmonics(_ analysis: SmileAnalysis, f0: [Float], formants: [SmileFormantFrame]) -> [SmileHarmonicsFrame] {
    smileHarmonics(f0: f0, formants: formants, magnitudes: analysis.magnitude60,
                   binHz: smileSpectrumBinHz(frameSize: analysis.frames60.frameSize, fftSize: analysis.fft60.fftSize))
}

/// An inverse real FFT plan (c2r) shared between threads, like `FFTPlans`' r2c plans.
private struct InverseRealPlan: @unchecked Sendable {
    let plan: fftwf_plan
}

private let inverseRealPlans = SharedCache<FFTPlans.Key, InverseRealPlan>()

private func inverseRealPlan(size n: Int) -> fftwf_plan {
    let arithmetic = Arithmetic.current
    return inverseRealPlans.value(for: FFTPlans.Key(size: n, arithmetic: arithmetic)) {
        let input = fftwf_alloc_complex(n / 2 + 1)!
        let output = fftwf_alloc_real(n)!
        let plan = fftwf_plan_dft_c2r_1d(Int32(n), input, output, FFTPlans.flags(for: arithmetic))!
        fftwf_free(input)
        fftwf_free(output)
        return InverseRealPlan(plan: plan)
    }.plan
}

/// `cos(2πi/N)`, i = 0..<N, for the direct ACF lags.
private struct CosineTable: Sendable {
    let values: [Double]
}

private let cosineTables = SharedCache<Int, CosineTable>()

private func cosineTable(size n: Int) -> CosineTable {
    cosineTables.value(for: n) {
        CosineTable(values: (0..<n).map { cos(2 * Double.pi * Double($0) / Double(n)) })
    }
}

/// One harmonic as cHarmonics keeps it (`sF0Harmonic`).
private struct Harmonic {
    var bin = 0
    var frequency: Float = 0    // interpolated
    var magnitude: Float = 0    // at the peak bin
    var interpolated: Float = 0 // interpolated magnitude
    var duplicate = false       // removed as a duplicate of the harmonic before it
}

/// Per-clip scratch: the harmonics, the ACF and the inverse FFT's buffers (FFTW-aligned).
private final class HarmonicsWork {
    let bins: Int
    var harmonics: [Harmonic]
    var acf: [Float]
    var power: [Double]
    var stamp: [Int]
    var frameID = 0
    var evaluated = 0
    let spectrum: UnsafeMutablePointer<fftwf_complex>
    let lags: UnsafeMutablePointer<Float>

    init(bins: Int, nHarmonics: Int) {
        self.bins = bins
        harmonics = [Harmonic](repeating: Harmonic(), count: max(nHarmonics, 3))
        acf = [Float](repeating: 0, count: bins)
        power = [Double](repeating: 0, count: bins)
        stamp = [Int](repeating: 0, count: bins)
        spectrum = fftwf_alloc_complex(max(bins, 1))!
        lags = fftwf_alloc_real(max((bins - 1) * 2, 1))!
    }

    deinit {
        fftwf_free(spectrum)
        fftwf_free(lags)
    }

    // MARK: helpers on a spectrum-like array

    /// cHarmonics' `isPeak`: above both neighbours (the ends need one).
    @inline(__always)
    static func isPeak(_ x: UnsafeBufferPointer<Float>, _ n: Int) -> Bool {
        let count = x.count
        if n >= count || n < 0 { return false }
        if n + 1 < count {
            if n > 0 { return x[n] > x[n - 1] && x[n] > x[n + 1] }
            return count > 1 && x[0] > x[1]
        }
        return n > 0 && x[n] > x[n - 1]
    }

    /// cHarmonics' `freqToBin`: from `start` on, the first bin above `freq`, or the one before it
    /// when that is nearer; 0 when `freq` is above the last bin. (openSMILE scans bin by bin; this
    /// jumps to the bin and checks it with the same comparisons.)
    @inline(__always)
    static func bin(of freq: Float, from start: Int, binHz: Double, bins: Int) -> Int {
        let f = Double(freq)
        var b = max(start, 0)
        guard b < bins, binHz * Double(bins - 1) > f else { return 0 }
        if !(binHz * Double(b) > f) {
            var g = max(b, Int((f / binHz).rounded(.down)))
            while g > b && binHz * Double(g) > f { g -= 1 }
            while !(binHz * Double(g) > f) { g += 1 }
            b = g
        }
        if b == 0 { return 0 }
        let fb = binHz * Double(b)
        return fb - f > f - binHz * Double(b - 1) ? b - 1 : b
    }

    /// cHarmonics' `getClosestPeak` on `count` values read through `x`: the peak nearest `idx0`
    /// (left first at equal distance), else an end or `idx0` as openSMILE decides.
    @inline(__always)
    static func closestPeak(_ idx0: Int, count n: Int, _ x: (Int) -> Float) -> Int {
        func peak(_ k: Int) -> Bool {
            if k >= n || k < 0 { return false }
            if k + 1 < n { return k > 0 ? x(k) > x(k - 1) && x(k) > x(k + 1) : n > 1 && x(0) > x(1) }
            return k > 0 && x(k) > x(k - 1)
        }
        if peak(idx0) { return idx0 }
        var o = 1
        while idx0 - o > 0 || idx0 + o < n - 1 {
            if idx0 - o > 0 && peak(idx0 - o) { return idx0 - o }
            if idx0 + o < n - 1 && peak(idx0 + o) { return idx0 + o }
            o += 1
        }
        let idx = min(max(idx0, 0), n - 1)
        let first = x(0), last = x(n - 1), here = x(idx)
        if first > here && last <= here { return 0 }
        if first <= here && last > here { return n - 1 }
        if first > here && last > here { return idx < n / 2 ? 0 : n - 1 }
        return idx
    }

    // MARK: HNR

    /// cHarmonics' `computeAcf` (|inverse FFT of |X|²| / bins) into `acf`, all lags at once.
    func computeACF(_ magnitude: UnsafeBufferPointer<Float>) {
        let plan = inverseRealPlan(size: (bins - 1) * 2)
        let input = spectrum, output = lags
        for k in 0..<bins {
            input[k].0 = magnitude[k] * magnitude[k]
            input[k].1 = 0
        }
        fftwf_execute_dft_c2r(plan, input, output)
        // FFTW's c2r is twice Ooura's inverse rdft (which halves the DC and Nyquist terms).
        let scale = Float(bins)
        for k in 0..<bins { acf[k] = abs(output[k] * 0.5) / scale }
    }

    /// One lag of the same ACF, summed directly (Double) from the squared magnitudes in `power`:
    /// `|(P₀ + (−1)ᵏ P_N/2) / 2 + Σ Pⱼ cos(2πjk/N)| / bins`. Memoised per frame in `acf`.
    func lagValue(_ k: Int, cosines: UnsafeBufferPointer<Double>) -> Float {
        if stamp[k] == frameID { return acf[k] }
        evaluated += 1
        let n = (bins - 1) * 2, mask = n - 1
        var s0 = 0.0, s1 = 0.0
        var j = 1, idx = k & mask
        power.withUnsafeBufferPointer { p in
            while j + 1 < bins - 1 {
                s0 += p[j] * cosines[idx]
                idx = (idx + k) & mask
                s1 += p[j + 1] * cosines[idx]
                idx = (idx + k) & mask
                j += 2
            }
            if j < bins - 1 { s0 += p[j] * cosines[idx] }
        }
        let nyquist = k & 1 == 0 ? power[bins - 1] : -power[bins - 1]
        let a = 0.5 * (power[0] + nyquist) + (s0 + s1)
        let v = Float(abs(a)) / Float(bins)
        acf[k] = v
        stamp[k] = frameID
        return v
    }

    /// `HarmonicsToNoiseRatioACFLogdB` (cHarmonics' `computeAcfHnr_dB` at the ACF peak nearest
    /// lag ⌊rate / F0⌋). The few lags the peak search visits are summed directly; a search that
    /// wanders far (a flat ACF) takes the whole ACF from one inverse FFT instead.
    func hnr(f0: Float, magnitude: UnsafeBufferPointer<Float>, binHz: Double) -> Float {
        guard f0 > 0, bins >= 4 else { return 0 }
        let rate = binHz * Double(bins - 1) * 2
        let lag = Int((rate / Double(f0)).rounded(.down))
        guard lag > 0 else { return 0 }
        frameID += 1
        evaluated = 0
        for k in 0..<bins { power[k] = Double(magnitude[k] * magnitude[k]) }
        let table = cosineTable(size: (bins - 1) * 2)
        let budget = 48
        var t0 = table.values.withUnsafeBufferPointer { c in
            Self.closestPeak(lag, count: bins) { k in evaluated > budget ? 0 : lagValue(k, cosines: c) }
        }
        var a0: Float, at0: Float
        if evaluated > budget {
            computeACF(magnitude)
            t0 = acf.withUnsafeBufferPointer { a in Self.closestPeak(lag, count: bins) { a[$0] } }
            a0 = acf[0]
            at0 = acf[t0]
        } else {
            (a0, at0) = table.values.withUnsafeBufferPointer { c in (lagValue(0, cosines: c), lagValue(t0, cosines: c)) }
        }
        guard t0 > 0 else { return 0 }
        var ratio = Double(a0 - at0)
        ratio = ratio == 0 ? 1e11 : Double(at0) / ratio
        if ratio > 1e11 { return Float(10 * log10(1e11)) }
        if ratio < 1e-9 { return Float(10 * log10(1e-9)) }
        return Float(10 * log10(ratio))
    }

    // MARK: harmonics

    /// cHarmonics' `findHarmonicPeaks` (non-linear axis branch, the one a spectrum with a frequency
    /// axis takes) and the duplicate removal of `postProcessHarmonics` (a harmonic on the same bin
    /// as the one before it is zeroed). The levels relative to F0 come from `level(_:)`.
    func findHarmonics(f0: Float, magnitude m: UnsafeBufferPointer<Float>, binHz: Double) {
        let nb = bins
        harmonics.withUnsafeMutableBufferPointer { h in
            var lastBin = Self.bin(of: 0.5 * f0, from: 1, binHz: binHz, bins: nb)
            let firstBin = max(Self.bin(of: 0.5 * f0, from: lastBin, binHz: binHz, bins: nb), 1)
            for i in 0..<h.count {
                let cand = Self.bin(of: Float(i + 1) * f0, from: lastBin, binHz: binHz, bins: nb)
                var peak = -1
                if Self.isPeak(m, cand) {
                    peak = cand
                } else {
                    var left = cand - 1, right = cand + 1
                    let lower = Self.bin(of: (Float(i) + 0.5) * f0, from: lastBin, binHz: binHz, bins: nb)
                    let upper = Self.bin(of: (Float(i) + 1.5) * f0, from: cand, binHz: binHz, bins: nb)
                    search: while left >= lower || right <= upper {
                        if right <= upper {
                            if Self.isPeak(m, right) { peak = right; break search }
                            right += 1
                        }
                        if left >= lower {
                            if Self.isPeak(m, left) { peak = left; break search }
                            left -= 1
                        }
                    }
                }
                if peak >= firstBin && peak < nb - 1 {
                    let v = smileParabolaVertex(binHz * Double(peak - 1), Double(m[peak - 1]),
                                                binHz * Double(peak), Double(m[peak]),
                                                binHz * Double(peak + 1), Double(m[peak + 1]))
                    h[i] = Harmonic(bin: peak, frequency: Float(v.x), magnitude: m[peak], interpolated: Float(v.y))
                } else {
                    h[i] = Harmonic(bin: cand)
                }
                lastBin = cand
            }
            for i in 1..<h.count where h[i].bin == h[i - 1].bin {
                h[i] = Harmonic(bin: 0, duplicate: true)
            }
        }
    }

    /// `postProcessHarmonics`' level of harmonic `i` (dB relative to the magnitude at F0's peak
    /// bin, from the harmonic's interpolated magnitude): 0 for F0 itself, −200 at the least or
    /// when the harmonic was not found, −201 for a duplicate or when F0's peak was not found.
    func level(_ i: Int) -> Float {
        if i == 0 { return 0 }
        let f0Magnitude = harmonics[0].magnitude
        let harmonic = harmonics[i]
        if f0Magnitude == 0 || harmonic.duplicate { return -201 }
        guard harmonic.interpolated > 0 else { return -200 }
        let f0Level = Double(Float(log10(Double(f0Magnitude))))
        return max(Float(20 * (log10(Double(harmonic.interpolated)) - f0Level)), -200)
    }

    /// cHarmonics' `getFormantAmplitudeIndices`: the strongest harmonic (by bin magnitude) with its
    /// interpolated frequency within 0.8…1.2 × the formant frequency, or −1.
    func formantHarmonic(_ frequency: Double) -> Int {
        let left = 0.8 * Float(frequency), right = 1.2 * Float(frequency)
        var best = -1
        var bestMagnitude: Float = 0
        for (h, harmonic) in harmonics.enumerated()
        where harmonic.frequency >= left && harmonic.frequency <= right && harmonic.magnitude > bestMagnitude {
            best = h
            bestMagnitude = harmonic.magnitude
        }
        return best
    }

    func frame(f0: Float, formants: [Double], magnitude: [Float], binHz: Double,
                        formantAmplitudes: Int) -> SmileHarmonicsFrame {
        precondition(magnitude.count == bins, "smileHarmonics: every spectrum needs the same number of bins")
        return magnitude.withUnsafeBufferPointer { m in
            let hnr = hnr(f0: f0, magnitude: m, binHz: binHz)
            guard f0 > 0, bins >= 3 else {
                return SmileHarmonicsFrame(hnrACFLogdB: hnr, logRelH1H2: 0, logRelH1A3: 0,
                                           formantAmplitudesLogRelF0: [Float](repeating: -201, count: formantAmplitudes))
            }
            findHarmonics(f0: f0, magnitude: m, binHz: binHz)
            let indices = (0..<max(formantAmplitudes, 3)).map { $0 < formants.count ? formantHarmonic(formants[$0]) : -1 }
            func clip(_ v: Float) -> Float { min(max(v, -201), 201) }
            let h1 = level(1)
            let h1h2 = clip(h1 - level(2))
            let a3 = indices[2]
            let h1a3 = a3 >= 0 ? clip(h1 - level(a3)) : clip(h1 - 201)
            let amplitudes = (0..<formantAmplitudes).map { k -> Float in
                k < formants.count && indices[k] >= 0 ? level(indices[k]) : (k < formants.count ? 0 : -201)
            }
            return SmileHarmonicsFrame(hnrACFLogdB: hnr, logRelH1H2: h1h2, logRelH1A3: h1a3,
                                       formantAmplitudesLogRelF0: amplitudes)
        }
    }
}
