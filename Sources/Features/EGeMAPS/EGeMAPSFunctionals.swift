import Foundation

/// The unsmoothed low-level contours of one clip that eGeMAPS v02 summarises, as openSMILE's
/// levels hold them (FLOAT_DMEM = float).
///
/// Two frame sets (both 10 ms apart, starting at 0):
/// - the `E` set, one value per frame of the 20 ms framer (egemapsv02_lldsetE, egemapsv02_energyRMS):
///   loudness, the spectral-balance descriptors, spectral flux, MFCC 1–4 and the frame energy;
/// - the `F` set (egemapsv02_lldsetF), one value per frame of the F0 level, which ends a few frames
///   earlier (openSMILE: 4 frames fewer): F0 in semitones from 27.5 Hz with 0 for unvoiced frames,
///   jitter, shimmer, HNR, H1–H2, H1–A3 (0 when unvoiced), F1–F3 frequency and bandwidth (for
///   every frame, voiced or not) and F1–F3 amplitude relative to F0 (−201 when unvoiced).
///
/// `framesBeforeEOI` is how many `F` frames existed before openSMILE's end-of-input flush (the
/// Viterbi pitch smoother hands its last, undecided frames out only then): the F0, voice-quality,
/// formant and voiced/unvoiced spectral functionals see only those frames. `nil` means all of them.
/// `framePeriod` is the period functionals use to turn frames into seconds: openSMILE takes the
/// configured `frameStep = 0.010` s, not the sample-rounded step (e.g. 221/22050 s), so keep 0.01.
public struct EGeMAPSContours: Sendable, Equatable {
    // E set
    public var loudness: [Float] = []
    public var alphaRatio: [Float] = []
    public var hammarbergIndex: [Float] = []
    public var slope0to500: [Float] = []
    public var slope500to1500: [Float] = []
    public var spectralFlux: [Float] = []
    public var mfcc1: [Float] = []
    public var mfcc2: [Float] = []
    public var mfcc3: [Float] = []
    public var mfcc4: [Float] = []
    /// cEnergy `energy2` (mean square) of every complete 20 ms frame, for `equivalentSoundLevel_dBp`.
    public var energy: [Float] = []
    // F set
    public var f0Semitone: [Float] = []
    public var jitterLocal: [Float] = []
    public var shimmerLocaldB: [Float] = []
    public var hnrDBACF: [Float] = []
    public var logRelF0H1H2: [Float] = []
    public var logRelF0H1A3: [Float] = []
    public var f1Frequency: [Float] = []
    public var f1Bandwidth: [Float] = []
    public var f1AmplitudeLogRelF0: [Float] = []
    public var f2Frequency: [Float] = []
    public var f2Bandwidth: [Float] = []
    public var f2AmplitudeLogRelF0: [Float] = []
    public var f3Frequency: [Float] = []
    public var f3Bandwidth: [Float] = []
    public var f3AmplitudeLogRelF0: [Float] = []

    public var framesBeforeEOI: Int? = nil
    /// True when the Viterbi had decided no frame before the end-of-input flush (clips of a few
    /// frames, ≲ 0.1 s): openSMILE's F0 functionals then see only the first F0 frame, unsmoothed
    /// (`SmileEndOfInput`).
    public var nothingDecidedBeforeEOI = false
    public var framePeriod: Double = 0.01

    public init() {}

    /// The E-set LLD contours in openSMILE's `lldsetE` order.
    public var eSet: [[Float]] {
        [loudness, alphaRatio, hammarbergIndex, slope0to500, slope500to1500, spectralFlux, mfcc1, mfcc2, mfcc3, mfcc4]
    }

    /// The F-set LLD contours in openSMILE's `lldsetF` order.
    public var fSet: [[Float]] {
        [f0Semitone, jitterLocal, shimmerLocaldB, hnrDBACF, logRelF0H1H2, logRelF0H1A3,
         f1Frequency, f1Bandwidth, f1AmplitudeLogRelF0, f2Frequency, f2Bandwidth, f2AmplitudeLogRelF0,
         f3Frequency, f3Bandwidth, f3AmplitudeLogRelF0]
    }
}

/// eGeMAPS v02's 88 functionals and its 25 smoothed LLDs from a clip's unsmoothed contours, doing
/// what config/egemaps/v02/eGeMAPSv02.conf (with gemaps/v01b/GeMAPSv01b_core.*.conf.inc and
/// egemaps/v02/eGeMAPSv02_core.*.conf.inc) does after the LLDs:
///
/// | columns | input (selector → smoother) | functionals |
/// |---|---|---|
/// | F0 (10) | F0, `_sma3nz` | nonZeroFuncts=1: amean, stddevNorm, pctl 20/50/80, range 0–2, slopes |
/// | loudness (10) | loudness, `_sma3` | nonZeroFuncts=0: same |
/// | spectralFlux, mfcc1–4 (10) | `_sma3` | nonZeroFuncts=0: amean, stddevNorm |
/// | jitter … F3 amplitude (28) | formant frequency/bandwidth zeroed where F0 = 0 (formantsNz), `_sma3nz` | nonZeroFuncts=1: amean, stddevNorm |
/// | …V (18) | alphaRatio … mfcc4 zeroed where F0 = 0 (logSpectralVoiced), `_sma3nz` | nonZeroFuncts=1: amean, stddevNorm |
/// | …UV (5) | alphaRatio … spectralFlux zeroed where F0 > 0 (logSpectralUnvoiced), `_sma3nz` | nonZeroFuncts=1: amean |
/// | loudnessPeaksPerSec | loudness `_sma3` | Peaks2 numPeaks, norm=seconds |
/// | voiced/unvoiced segments (5) | F0 `_sma3nz` | Segments nonX / eqX, X=0, norm=second |
/// | equivalentSoundLevel_dBp | frame energy | Means amean → dBp |
///
/// Voicing gates (cValbasedSelector, threshold 1e-6) use the *unsmoothed* F0, frame by frame.
/// The E-set functionals see every E frame (smoothed with edge padding); the F0, voice-quality,
/// formant and voiced/unvoiced spectral ones see the first `framesBeforeEOI` F frames, smoothed
/// as openSMILE had them then: the F0 and the spectral sets with their next frame as right
/// neighbour, the voice-quality/formant set padded at its last frame.
public enum EGeMAPSFunctionals {
    /// The 88 column names, in openSMILE's order.
    public static let names: [String] = {
        let f0 = "F0semitoneFrom27.5Hz_sma3nz"
        let ten = ["amean", "stddevNorm", "percentile20.0", "percentile50.0", "percentile80.0", "pctlrange0-2",
                       "meanRisingSlope", "stddevRisingSlope", "meanFallingSlope", "stddevFallingSlope"]
        var n = ten.map { "\(f0)_\($0)" } + ten.map { "loudness_sma3_\($0)" }
        for c in ["spectralFlux", "mfcc1", "mfcc2", "mfcc3", "mfcc4"] {
            n += ["\(c)_sma3_amean", "\(c)_sma3_stddevNorm"]
        }
        for c in voiceQualityNames {
            n += ["\(c)_sma3nz_amean", "\(c)_sma3nz_stddevNorm"]
        }
        for c in ["alphaRatioV", "hammarbergIndexV", "slopeV0-500", "slopeV500-1500", "spectralFluxV",
                  "mfcc1V", "mfcc2V", "mfcc3V", "mfcc4V"] {
            n += ["\(c)_sma3nz_amean", "\(c)_sma3nz_stddevNorm"]
        }
        for c in ["alphaRatioUV", "hammarbergIndexUV", "slopeUV0-500", "slopeUV500-1500", "spectralFluxUV"] {
            n.append("\(c)_sma3nz_amean")
        }
        n += ["loudnessPeaksPerSec", "VoicedSegmentsPerSec", "MeanVoicedSegmentLengthSec", "StddevVoicedSegmentLengthSec",
              "MeanUnvoicedSegmentLength", "StddevUnvoicedSegmentLength", "equivalentSoundLevel_dBp"]
        return n
    }()

    /// The 25 LLD column names of openSMILE's `lld` level (lldsetE_smo then lldsetF_smo).
    public static let lldNames: [String] =
        ["Loudness", "alphaRatio", "hammarbergIndex", "slope0-500", "slope500-1500", "spectralFlux",
         "mfcc1", "mfcc2", "mfcc3", "mfcc4"].map { "\($0)_sma3" }
        + (["F0semitoneFrom27.5Hz", "jitterLocal", "shimmerLocaldB", "HNRdBACF", "logRelF0-H1-H2", "logRelF0-H1-A3"]
           + formantNames).map { "\($0)_sma3nz" }

    static let formantNames = ["F1frequency", "F1bandwidth", "F1amplitudeLogRelF0", "F2frequency", "F2bandwidth",
                               "F2amplitudeLogRelF0", "F3frequency", "F3bandwidth", "F3amplitudeLogRelF0"]
    static let voiceQualityNames = ["jitterLocal", "shimmerLocaldB", "HNRdBACF", "logRelF0-H1-H2", "logRelF0-H1-A3"]
        + formantNames

    /// The 88 functionals of a clip, in `names` order. Contours without frames give 0 for their
    /// functionals (openSMILE writes no row at all for a clip shorter than a frame), and no
    /// energy frames give the −120 dB floor: never NaN.
    public static func compute(_ c: EGeMAPSContours) -> [Double] {
        let t = c.framePeriod
        let nF = c.f0Semitone.count
        let m = min(max(c.framesBeforeEOI ?? nF, 0), nF)
        let f0Raw = c.f0Semitone

        var out = [Float]()
        out.reserveCapacity(88)

        // F0 and loudness: moments, percentiles, slopes.
        let f0Smo = c.nothingDecidedBeforeEOI ? Array(f0Raw.prefix(1))
            : Array(SmileContourSmoother.sma(f0Raw, noZeroSma: true).prefix(m))
        let loudSmo = SmileContourSmoother.sma(c.loudness, noZeroSma: false)
        for (contour, nonZero) in [(f0Smo, true), (loudSmo, false)] {
            let x = SmileFunctionals.input(contour, nonZeroFuncts: nonZero)
            let mo = SmileFunctionals.moments(x)
            let p = SmileFunctionals.percentiles(x)
            let s = SmilePeaks2.slopes(x, framePeriod: t)
            out += [mo.amean, mo.stddevNorm] + p.values + [p.range02,
                    s.meanRising, s.stddevRising, s.meanFalling, s.stddevFalling]
        }

        // Spectral flux, MFCC 1–4 over all E frames.
        for contour in [c.spectralFlux, c.mfcc1, c.mfcc2, c.mfcc3, c.mfcc4] {
            let mo = SmileFunctionals.moments(SmileContourSmoother.sma(contour, noZeroSma: false))
            out += [mo.amean, mo.stddevNorm]
        }

        // Voice quality and formants: formant frequency/bandwidth gated by voicing; the set as it
        // stood at the end of input (first m frames, padded at the last).
        let gatedFormant: ([Float]) -> [Float] = { SmileValbasedSelector.select($0, by: f0Raw) }
        let voiceQuality: [[Float]] = [
            c.jitterLocal, c.shimmerLocaldB, c.hnrDBACF, c.logRelF0H1H2, c.logRelF0H1A3,
            gatedFormant(c.f1Frequency), gatedFormant(c.f1Bandwidth), c.f1AmplitudeLogRelF0,
            gatedFormant(c.f2Frequency), gatedFormant(c.f2Bandwidth), c.f2AmplitudeLogRelF0,
            gatedFormant(c.f3Frequency), gatedFormant(c.f3Bandwidth), c.f3AmplitudeLogRelF0,
        ]
        for contour in voiceQuality {
            let smo = SmileContourSmoother.sma(Array(contour.prefix(m)), noZeroSma: true)
            let mo = SmileFunctionals.moments(SmileFunctionals.input(smo, nonZeroFuncts: true))
            out += [mo.amean, mo.stddevNorm]
        }

        // Spectral descriptors of voiced frames, then of unvoiced frames (amean only).
        let voicedSet = [c.alphaRatio, c.hammarbergIndex, c.slope0to500, c.slope500to1500, c.spectralFlux,
                         c.mfcc1, c.mfcc2, c.mfcc3, c.mfcc4]
        for contour in voicedSet {
            let gated = SmileValbasedSelector.select(contour, by: f0Raw)
            let smo = SmileContourSmoother.sma(gated, noZeroSma: true).prefix(m)
            let mo = SmileFunctionals.moments(SmileFunctionals.input(Array(smo), nonZeroFuncts: true))
            out += [mo.amean, mo.stddevNorm]
        }
        for contour in voicedSet.prefix(5) {
            let gated = SmileValbasedSelector.select(contour, by: f0Raw, invert: true)
            let smo = SmileContourSmoother.sma(gated, noZeroSma: true).prefix(m)
            out.append(SmileFunctionals.amean(SmileFunctionals.input(Array(smo), nonZeroFuncts: true)))
        }

        // Temporal set.
        out.append(SmilePeaks2.peaksPerSecond(loudSmo, framePeriod: t))
        let voiced = SmileSegments.statistics(f0Smo, equalToX: false, framePeriod: t)
        let unvoiced = SmileSegments.statistics(f0Smo, equalToX: true, framePeriod: t)
        out += [voiced.segmentsPerSecond, voiced.meanLength, voiced.lengthStddev, unvoiced.meanLength, unvoiced.lengthStddev]

        out.append(SmileFunctionals.equivalentSoundLevel(energies: c.energy))
        return out.map { $0.isFinite ? Double($0) : 0 }
    }

    /// openSMILE's `lld` output: the E set smoothed (`_sma3`) and the F set smoothed (`_sma3nz`,
    /// formants ungated) as the smoothers write their levels, concatenated frame by frame:
    /// `min(N_E, N_F) + 1` rows of 25 values in `lldNames` order (row i starts at i · step).
    /// The F set carries openSMILE's end-of-input flush at `framesBeforeEOI` (see
    /// `SmileContourSmoother.level`).
    public static func smoothedLLDs(_ c: EGeMAPSContours) -> [[Float]] {
        let e = c.eSet.map { SmileContourSmoother.level($0, noZeroSma: false) }
        let f = c.fSet.map { SmileContourSmoother.level($0, noZeroSma: true, framesBeforeEOI: c.framesBeforeEOI) }
        let columns = e + f
        let rows = columns.map(\.count).min() ?? 0
        var out = [[Float]]()
        out.reserveCapacity(rows)
        for i in 0..<rows { out.append(columns.map { $0[i] }) }
        return out
    }
}
