import Foundation

/// eGeMAPS' spectral-balance LLDs before smoothing: openSMILE's cSpectral on the 20 ms Hamming
/// magnitude spectrum with `squareInput = 1`, `useLogSpectrum = 1`, `normBandEnergies = 1`,
/// `freqRange = 0-5000`, `oldSlopeScale = 0` (sections gemapsv01b_logSpectral of
/// config/gemaps/v01b/GeMAPSv01b_core.lld.conf.inc and egemapsv02_logSpectral_flux of
/// config/egemaps/v02/eGeMAPSv02_core.lld.conf.inc).
///
/// With `P_k = |X_k|²` and bin frequencies `f_k = k · binHz` (openSMILE's axis,
/// `SmileSpectrumAxis.binHz`):
/// - **alphaRatio** (dB): `10 log10(Σ_{1000 ≤ f_k ≤ 5000} P_k / Σ_{f_k < 1000} P_k)`; the DC bin
///   counts in the low band; 0 when the low band is empty; numerator floored at 1e-14.
/// - **hammarbergIndex** (dB): `10 log10(max_{f_k < 2000} P_k / max_{2000 ≤ f_k ≤ 5000} P_k)`;
///   0 when the high band is silent; numerator floored at 1e-14.
/// - **slope a–b**: least-squares slope (dB/Hz) of the log power spectrum `10 log10 P_k` (floored
///   at −140 dB, i.e. `P ≤ 1e-14`) against `f_k` over the bins spanning a…b Hz, with the edge bins
///   weighted by how far the band edge reaches into them — openSMILE's particular formula,
///   `(N Σ f L − Σ f Σ L) / (N Σ f² − (Σ f)²)`, where N is the band width in bins (not the count)
///   and the weights multiply the frequencies themselves.
/// - **spectralFlux**: `√(Σ_k (|X_k| − |X'_k|)² / K)` over the K bins 0…5000 Hz (`freqRange`),
///   `X'` the previous frame's spectrum; 0 on the first frame. Magnitudes, not normalised.
///
/// Sums and maxima of powers run in single precision, as openSMILE's do.
public struct SmileSpectralBalance: Sendable {
    /// One frame's values, in eGeMAPS' names.
    public struct Frame: Sendable, Equatable {
        public var alphaRatio: Float
        public var hammarbergIndex: Float
        /// `logSpectralSlopeOfBand0-500` (dB/Hz).
        public var slope0to500: Float
        /// `logSpectralSlopeOfBand500-1500` (dB/Hz).
        public var slope500to1500: Float
        public var spectralFlux: Float
    }

    struct SlopeBand: Sendable {
        var lowBin: Int
        var lowWeight: Double
        var highBin: Int
        var highWeight: Double
        var width: Double
    }

    public let bins: Int
    public let binHz: Double
    /// `f_k` in Hz, double precision (the FFT level's frequency metadata).
    public let frequencies: [Double]
    /// Bins with `f_k ≤ 5000` (alpha ratio and Hammarberg index stop at the first bin above it).
    let balanceEnd: Int
    /// First bin at or above 1000 Hz / 2000 Hz.
    let alphaSplit: Int
    let hammarbergSplit: Int
    /// `freqRange` as bins (inclusive), for the flux.
    let rangeLow: Int
    let rangeHigh: Int
    let slopeBands: [SlopeBand]
    /// One past the last bin whose power / log power is read.
    let powerEnd: Int
    let logEnd: Int
    /// cSpectral's `specFloor` squared (1e-14, as a float) and its dB value.
    let powerFloor: Float
    let logFloor: Float

    /// - Parameters:
    ///   - bins: spectrum bins (`fftSize / 2 + 1`).
    ///   - binHz: openSMILE's bin spacing (`SmileSpectrumAxis.binHz`).
    ///   - rangeHz: `freqRange` (0–5000), the bins the flux uses.
    ///   - slopes: `slopes[]` bands in Hz (eGeMAPS: 0–500 and 500–1500; exactly two are reported
    ///     in `Frame`, any further are ignored).
    public init(bins: Int, binHz: Double, rangeHz: (low: Int, high: Int) = (0, 5000),
                slopes: [(low: Int, high: Int)] = [(0, 500), (500, 1500)]) {
        precondition(bins >= 2 && binHz > 0)
        self.bins = bins
        self.binHz = binHz
        let frq = (0..<bins).map { binHz * Double($0) }
        frequencies = frq
        balanceEnd = frq.firstIndex { $0 > 5000 } ?? bins
        alphaSplit = frq.firstIndex { $0 >= 1000 } ?? bins
        hammarbergSplit = frq.firstIndex { $0 >= 2000 } ?? bins
        // freqRange: the last bin at or below the lower edge, the last bin below the upper edge.
        var lowBin = -1, highBin = -1
        for i in 0..<bins {
            if Double(rangeHz.low) >= frq[i] { lowBin = i }
            if Double(rangeHz.high) > frq[i] { highBin = i }
        }
        if highBin == -1 || highBin >= bins { highBin = bins - 1 }
        rangeLow = max(lowBin, 0)
        rangeHigh = highBin
        let bands = slopes.map { Self.slopeBand(low: $0.low, high: $0.high, frequencies: frq) }
        slopeBands = bands
        logEnd = min(bins, (bands.prefix(2).map(\.highBin).max() ?? 0) + 1)
        powerEnd = min(bins, max(balanceEnd, logEnd))
        let floor = Float(0.0000001) * Float(0.0000001)
        powerFloor = floor
        logFloor = Float(10.0 * log(Double(floor)) / log(10.0))
    }

    /// cSpectral for eGeMAPS' 20 ms level at a sample rate.
    public init(frameSize: Int, fftSize: Int, frameSeconds: Double = 0.020) {
        self.init(bins: fftSize / 2 + 1,
                  binHz: SmileSpectrumAxis.binHz(frameSize: frameSize, fftSize: fftSize, frameSeconds: frameSeconds))
    }

    /// openSMILE's mapping of a slope band's edges to bins and edge weights.
    static func slopeBand(low: Int, high: Int, frequencies frq: [Double]) -> SlopeBand {
        let n = frq.count
        // Lower edge: the bin below the first bin above `low`, weighted by the part above `low`.
        var ii = frq.firstIndex { $0 > Double(low) } ?? n
        var lowWeight = (ii < n && ii > 0) ? (frq[ii] - Double(low)) / (frq[ii] - frq[ii - 1]) : 1.0
        var lowBin = max(ii - 1, 0)
        if lowBin >= n { lowBin = n }
        // Upper edge: the bin below the first bin at or above `high` (that bin if exactly on it).
        let h = Double(Float(high))
        ii = frq.firstIndex { $0 >= h } ?? n
        var highWeight = (ii < n && ii > 0) ? (Double(high) - frq[ii - 1]) / (frq[ii] - frq[ii - 1]) : 1.0
        var highBin = (ii < n && frq[ii] == h) ? ii : ii - 1
        if highBin >= n { highBin = n - 1 }
        if lowWeight == 0 { lowWeight = 1 }
        if highWeight == 0 { highWeight = 1 }
        let width = Double(highBin) - Double(lowBin)
        var iL = lowBin, iR = highBin
        if iL >= n { iL = n - 1; iR = n - 1; highWeight = 0; lowWeight = 0 }
        if iR >= n { iR = n - 1; highWeight = 1 }
        iL = max(iL, 0); iR = max(iR, 0)
        return SlopeBand(lowBin: iL, lowWeight: lowWeight, highBin: iR, highWeight: highWeight, width: width)
    }

    /// The values of one frame; `previous` is the previous frame's magnitude spectrum (nil on the
    /// first frame, whose flux is 0).
    public func callAsFunction(magnitude: [Float], previous: [Float]?) -> Frame {
        precondition(magnitude.count == bins)
        var power = [Float](repeating: 0, count: bins)
        var logPower = [Float](repeating: 0, count: bins)
        return frame(magnitude: magnitude, previous: previous, power: &power, logPower: &logPower)
    }

    func frame(magnitude: [Float], previous: [Float]?, power: inout [Float], logPower: inout [Float]) -> Frame {
        // Only the bins the outputs read: powers up to 5 kHz, the log spectrum over the slope bands.
        let factor = Float(10.0 / log(10.0))
        for k in 0..<powerEnd {
            power[k] = magnitude[k] * magnitude[k]
        }
        for k in 0..<logEnd {
            let p = power[k]
            logPower[k] = p <= powerFloor ? logFloor : factor * log(p)
        }
        let floor = Double(powerFloor)
        // Alpha ratio: float sums below 1 kHz and 1–5 kHz.
        var sumLow: Float = 0, sumHigh: Float = 0
        for k in 0..<min(alphaSplit, balanceEnd) { sumLow += power[k] }
        if alphaSplit < balanceEnd { for k in alphaSplit..<balanceEnd { sumHigh += power[k] } }
        var alpha: Float = 0
        if sumLow > 0 {
            alpha = sumHigh > powerFloor
                ? Float(10.0 * log(Double(sumHigh / sumLow)) / log(10.0))
                : Float(10.0 * (log(floor) - log(Double(sumLow))) / log(10.0))
        }
        // Hammarberg index: peaks below 2 kHz and 2–5 kHz.
        var maxLow: Float = 0, maxHigh: Float = 0
        for k in 0..<min(hammarbergSplit, balanceEnd) where power[k] > maxLow { maxLow = power[k] }
        if hammarbergSplit < balanceEnd {
            for k in hammarbergSplit..<balanceEnd where power[k] > maxHigh { maxHigh = power[k] }
        }
        var hammarberg: Float = 0
        if maxHigh > 0 {
            hammarberg = maxLow > powerFloor
                ? Float(10.0 * log(Double(maxLow / maxHigh)) / log(10.0))
                : Float(10.0 * (log(floor) - log(Double(maxHigh))) / log(10.0))
        }
        // Slopes of the log spectrum.
        var slopes = [Float](repeating: 0, count: 2)
        for (b, band) in slopeBands.prefix(2).enumerated() {
            slopes[b] = slope(band, logPower)
        }
        // Flux over the freqRange bins.
        var flux: Float = 0
        if let previous {
            var acc = 0.0
            for k in rangeLow...rangeHigh {
                let d = Double(magnitude[k]) - Double(previous[k])
                acc += d * d
            }
            let count = rangeHigh - rangeLow + 1
            let mean = count > 0 ? acc / Double(count) : 0
            flux = mean > 0 ? Float(mean.squareRoot()) : 0
        }
        return Frame(alphaRatio: alpha, hammarbergIndex: hammarberg,
                     slope0to500: slopes[0], slope500to1500: slopes[1], spectralFlux: flux)
    }

    func slope(_ band: SlopeBand, _ l: [Float]) -> Float {
        let frq = frequencies
        let iL = band.lowBin, iR = band.highBin
        let wL = band.lowWeight, wR = band.highWeight
        var sf = frq[iL] * wL
        var s2f = sf * sf
        var sumA = frq[iL] * wL * Double(l[iL])
        var sumB = wL * Double(l[iL])
        if iL + 1 < iR {
            for k in (iL + 1)..<iR {
                s2f += frq[k] * frq[k]
                sf += frq[k]
                sumA += frq[k] * Double(l[k])
                sumB += Double(l[k])
            }
        }
        s2f += frq[iR] * wR * frq[iR] * wR
        sf += frq[iR] * wR
        sumA += frq[iR] * wR * Double(l[iR])
        sumB += wR * Double(l[iR])
        let n = band.width
        let den = n * s2f - sf * sf
        return den != 0 ? Float((n * sumA - sf * sumB) / den) : 0
    }

    /// The values for each frame of `magnitudes`, in order (the flux of frame 0 is 0).
    public func contour(_ magnitudes: [[Float]]) -> [Frame] {
        var power = [Float](repeating: 0, count: bins)
        var logPower = [Float](repeating: 0, count: bins)
        var out = [Frame]()
        out.reserveCapacity(magnitudes.count)
        for (t, mag) in magnitudes.enumerated() {
            out.append(frame(magnitude: mag, previous: t > 0 ? magnitudes[t - 1] : nil,
                             power: &power, logPower: &logPower))
        }
        return out
    }

    /// eGeMAPS' unsmoothed spectral-balance values of a clip, one per frame of
    /// `analysis.magnitude20`.
    public static func contour(_ analysis: SmileAnalysis) -> [Frame] {
        SmileSpectralBalance(frameSize: analysis.frames20.frameSize, fftSize: analysis.fft20.fftSize)
            .contour(analysis.magnitude20)
    }
}
