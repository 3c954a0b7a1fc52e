import Foundation

// eGeMAPS' loudness (config/gemaps/v01b/GeMAPSv01b_core.lld.conf.inc, sections
// gemapsv01b_melspec1, gemapsv01b_audspec, gemapsv01b_audspecSum): the 20 ms Hamming magnitude
// spectrum → a 26-band mel power spectrum (cMelspec) → an auditory spectrum (cPlp with only
// `doAud`: equal-loudness weighting and cube-root-like compression) → the mean over the bands
// (cVectorOperation `ll1`). The 3-frame smoothing that makes `Loudness_sma3` is not done here.
//
// Everything runs in single precision where openSMILE does (its FLOAT_DMEM is `float`), with
// the same accumulation order, so that values agree to ~1e-7 relative.

/// The frequency axis openSMILE attaches to an FFT level (cTransformFFT's `frameSizeSec`).
///
/// openSMILE does not use `sampleRate / fftSize` for the bin spacing: the framer stores the
/// *configured* frame length in seconds (0.020, not `frameSize / sampleRate`), and cTransformFFT
/// scales it by `fftSize / frameSize` when it zero-pads to a power of two. Bin `k` is then at
/// `k / frameSizeSec` Hz. At 22050, 48000 or 16000 Hz this is exactly `sampleRate / fftSize`; at
/// 24414 Hz (488-sample frames padded to 512) it is 47.656 Hz instead of 47.684 Hz, which moves
/// every filter and band edge slightly, and openSMILE's values follow the former.
public enum SmileSpectrumAxis {
    /// `1 / (frameSeconds · fftSize / frameSize)` in Hz, in double precision (cSpectral's
    /// frequency axis, the field metadata written by cTransformFFT).
    ///
    /// - Parameters:
    ///   - frameSize: samples in a frame (openSMILE's rounding, `SmileFraming.frameSize`).
    ///   - fftSize: the power-of-two transform length (`SmileFFT.fftSize`).
    ///   - frameSeconds: the framer's configured `frameSize` in seconds (0.020 for eGeMAPS' 20 ms
    ///     level, 0.060 for the pitch level).
    public static func binHz(frameSize: Int, fftSize: Int, frameSeconds: Double = 0.020) -> Double {
        var seconds = frameSeconds
        if fftSize != frameSize {
            seconds *= Double(fftSize) / Double(frameSize)
        }
        return 1.0 / seconds
    }
}

/// openSMILE's cMelspec with the standard (`bwMethod = lr`) triangular filterbank on a power
/// spectrum (`usePower = 1`): `bands` triangles equally spaced on the mel scale
/// `1127 ln(1 + f/700)` between `lowHz` and `highHz`, each running from its left to its right
/// neighbour's centre.
///
/// It is not librosa's mel filterbank: openSMILE maps every FFT bin to the mel scale and splits
/// its power between the two triangles whose centres enclose it (the rising slope of one and the
/// falling slope of the next sum to 1), without area normalisation. Bins at or below
/// `round(lowHz / binHz)` and at or above `round(highHz / binHz)` are ignored.
public struct SmileMelspec: Sendable {
    /// Number of spectrum bins the filterbank takes (`fftSize / 2 + 1`).
    public let bins: Int
    public let bands: Int
    /// cMelspec's `htkcompatible`: output scaled by 32767² (HTK's 16-bit sample range).
    public let htkCompatible: Bool
    /// Centre frequencies of the `bands` filters in Hz (the level's frequency metadata, which
    /// cPlp's equal-loudness curve reads).
    public let centerHz: [Double]
    /// The first and one-past-last bins that take part (`nLoF`, `nHiF`).
    let firstBin: Int
    let endBin: Int
    /// Per bin: the band `m` whose falling slope holds it (−1 when none), or < −1 when unused.
    let channel: [Int]
    /// Per bin: the weight on band `channel`; band `channel + 1` gets `1 − weight` (rising slope).
    let weight: [Float]

    /// - Parameters:
    ///   - bins: spectrum bins (`fftSize / 2 + 1`).
    ///   - binHz: bin spacing in Hz, openSMILE's (see `SmileSpectrumAxis.binHz`).
    ///   - bands: `nBands` (26).
    ///   - lowHz: `lofreq` (20 Hz); reset to 0 when outside 0…Nyquist or above `highHz`.
    ///   - highHz: `hifreq` (8000 Hz); reset to Nyquist when above it (8 kHz audio, say).
    ///   - htkCompatible: `htkcompatible` (0 for loudness, 1 for the MFCC level).
    public init(bins: Int, binHz: Double, bands: Int = 26, lowHz: Double = 20, highHz: Double = 8000,
                htkCompatible: Bool = false) {
        precondition(bins >= 2 && bands >= 1 && binHz > 0)
        self.bins = bins
        self.bands = bands
        self.htkCompatible = htkCompatible
        let f0 = Float(binHz)
        let fs = Float(Double((bins - 1) * 2) * binHz)
        var lo = Float(lowHz), hi = Float(highHz)
        if lo < 0 || lo > fs / 2 || lo > hi { lo = 0 }
        if hi < lo || hi > fs / 2 || hi <= 0 { hi = fs / 2 }
        let loMel = Float(Self.mel(Double(lo))), hiMel = Float(Self.mel(Double(hi)))
        // Band edges/centres on the mel scale: bands + 2 points, `bands + 1` half-bandwidths.
        let step = (hiMel - loMel) / Float(bands + 1)
        let centres = (0...(bands + 1)).map { loMel + Float($0) * step }
        centerHz = (1...bands).map { Self.hz(Double(centres[$0])) }
        let nLo = min(max(Int((Double(lo / f0)).rounded()), 0), bins)
        let nHi = min(max(Int((Double(hi / f0)).rounded()), 0), bins)
        firstBin = nLo
        endBin = nHi
        let binMel: (Int) -> Float = { Float(Self.mel(Double(Float($0) * f0))) }
        // Channel map: the index (− 2) of the first centre at or above the bin's mel value.
        var channel = [Int](repeating: -3, count: bins)
        var m = 0
        for n in 0..<bins where n > nLo && n < nHi {
            let v = binMel(n)
            while centres[m] < v {
                if m > bands { break }
                m += 1
            }
            channel[n] = m - 2
        }
        // Weights of the falling slope of the band left of each bin.
        var weight = [Float](repeating: 0, count: bins)
        m = 0
        for n in nLo..<max(nLo, nHi) {
            let v = binMel(n)
            while m + 2 < centres.count && v > centres[m + 1] && m <= bands { m += 1 }
            weight[n] = (centres[m + 1] - v) / (centres[m + 1] - centres[m])
        }
        self.channel = channel
        self.weight = weight
    }

    /// Hz → mel, `1127 ln(1 + f/700)` (0 for f ≤ 0), openSMILE's `smileDsp_specScaleTransfFwd`.
    public static func mel(_ hz: Double) -> Double { hz > 0 ? 1127.0 * log(1.0 + hz / 700.0) : 0 }
    /// Mel → Hz, `700 (e^{m/1127} − 1)`.
    public static func hz(_ mel: Double) -> Double { 700.0 * (exp(mel / 1127.0) - 1.0) }

    /// The band powers of one magnitude spectrum (`bins` values): squares it (`usePower = 1`)
    /// and sums the weighted bin powers into the bands, in single precision as openSMILE does.
    public func apply(magnitude: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: bands)
        apply(magnitude: magnitude, into: &out)
        return out
    }

    /// `apply(magnitude:)` into a caller-provided buffer of `bands` values.
    public func apply(magnitude: [Float], into out: inout [Float]) {
        precondition(magnitude.count >= min(bins, endBin) && out.count == bands)
        for m in 0..<bands { out[m] = 0 }
        let end = min(endBin, magnitude.count)
        if firstBin < end {
            for n in firstBin..<end {
                let m = channel[n]
                guard m > -2 else { continue }
                let p = magnitude[n] * magnitude[n]
                let a = Float(Double(p) * Double(weight[n]))
                if m > -1 { out[m] += a }
                if m < bands - 1 { out[m + 1] += p - a }
            }
        }
        if htkCompatible {
            let scale = Float(32767.0 * 32767.0)
            for m in 0..<bands { out[m] *= scale }
        }
    }
}

/// openSMILE's loudness LLD before smoothing: cMelspec (htkcompatible 0, 26 bands, power,
/// 20–8000 Hz) → cPlp (`doAud = 1`, `doLog = 0`, `compression = 0.33`, htkcompatible 0; no LP)
/// → cVectorOperation `ll1` (the mean of the 26 auditory band values).
///
/// The auditory spectrum of band `m` is `(max(P_m, melfloor) · E(f_m))^0.33` with
/// `melfloor = 9.3e-10` and Hermansky's (1990) equal-loudness curve
/// `E(f) = 1e32 (ω² + 56.8e6) ω⁴ / ((ω² + 6.3e6)² (ω² + 0.38e9) (ω⁷ + 1.7e31))`, ω = 2πf, at the
/// band's centre frequency `f_m` (openSMILE's `smileDsp_equalLoudnessWeight`, scaled so its
/// maximum is about 1).
public struct SmileLoudness: Sendable {
    public let melspec: SmileMelspec
    /// cPlp's `compression` (stored as a float: 0.33f).
    public let compression: Float
    /// cPlp's `melfloor` default (9.3e-10).
    public let melFloor: Float
    /// `E(f_m)` per band, as floats.
    public let equalLoudness: [Float]

    /// - Parameters:
    ///   - bins: spectrum bins (`fftSize / 2 + 1`).
    ///   - binHz: openSMILE's bin spacing (`SmileSpectrumAxis.binHz`).
    ///   - bands, lowHz, highHz: cMelspec's `nBands`, `lofreq`, `hifreq`.
    ///   - compression: cPlp's `compression` (0.33).
    public init(bins: Int, binHz: Double, bands: Int = 26, lowHz: Double = 20, highHz: Double = 8000,
                compression: Double = 0.33) {
        melspec = SmileMelspec(bins: bins, binHz: binHz, bands: bands, lowHz: lowHz, highHz: highHz)
        self.compression = Float(compression)
        melFloor = 0.00000000093
        equalLoudness = melspec.centerHz.map { Float(Self.equalLoudnessWeight($0)) }
    }

    /// The loudness of eGeMAPS' 20 ms level at a sample rate (`frameSize` and `fftSize` as
    /// `SmileFraming`/`SmileFFT` give them).
    public init(frameSize: Int, fftSize: Int, frameSeconds: Double = 0.020) {
        self.init(bins: fftSize / 2 + 1,
                  binHz: SmileSpectrumAxis.binHz(frameSize: frameSize, fftSize: fftSize, frameSeconds: frameSeconds))
    }

    /// Hermansky's equal-loudness weight at `hz` (openSMILE's `smileDsp_equalLoudnessWeight`).
    public static func equalLoudnessWeight(_ hz: Double) -> Double {
        let w = 2.0 * Double.pi * hz
        let w2 = w * w
        let c = w2 + 6300000.0
        guard c > 0 else { return 0 }
        return 1e32 * ((w2 + 56.8e6) * w2 * w2) / (c * c * (w2 + 0.38e9) * (w2 * w2 * w2 * w + 1.7e31))
    }

    /// The auditory spectrum (cPlp output, `bands` values) of one magnitude spectrum.
    public func auditorySpectrum(magnitude: [Float]) -> [Float] {
        var bandsOut = melspec.apply(magnitude: magnitude)
        compress(&bandsOut)
        return bandsOut
    }

    func compress(_ b: inout [Float]) {
        let e = Double(compression)
        for i in 0..<b.count {
            var v = b[i]
            if v < melFloor { v = melFloor }
            v *= equalLoudness[i]
            b[i] = Float(pow(Double(v), e))
        }
    }

    /// Loudness of one frame: the mean of its auditory spectrum (float sum, then ÷ bands).
    public func callAsFunction(magnitude: [Float]) -> Float {
        var b = melspec.apply(magnitude: magnitude)
        compress(&b)
        var sum: Float = 0
        for v in b { sum += v }
        return sum / Float(b.count)
    }

    /// Loudness of each magnitude spectrum in `magnitudes` (one value per frame, unsmoothed).
    public func contour(_ magnitudes: [[Float]]) -> [Float] {
        var buffer = [Float](repeating: 0, count: melspec.bands)
        return magnitudes.map { mag in
            melspec.apply(magnitude: mag, into: &buffer)
            compress(&buffer)
            var sum: Float = 0
            for v in buffer { sum += v }
            return sum / Float(buffer.count)
        }
    }

    /// eGeMAPS' unsmoothed loudness contour of a clip: one value per frame of
    /// `analysis.magnitude20`.
    public static func contour(_ analysis: SmileAnalysis) -> [Float] {
        SmileLoudness(frameSize: analysis.frames20.frameSize, fftSize: analysis.fft20.fftSize)
            .contour(analysis.magnitude20)
    }
}
