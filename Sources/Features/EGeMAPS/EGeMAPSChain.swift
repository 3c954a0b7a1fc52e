import Foundation

/// openSMILE's eGeMAPS v02 chain (`config/egemaps/v02/eGeMAPSv02.conf`, which includes the GeMAPS
/// v01b core), declared step by step as the configuration declares its components. Each step is
/// its own file in this folder:
///
/// | openSMILE component (level) | step | file |
/// |---|---|---|
/// | wave input (16-bit via `smile.process_file`) | `SmileAnalysis.openSMILEInput` | Framing |
/// | cFramer + cWindower + cTransformFFT + cFFTmagphase (60 ms Gauss, 20 ms Hamming) | `SmileAnalysis` | Framing |
/// | cSpecScale → cPitchShs → cPitchSmootherViterbi → cValbasedSelector (energy gate) | `smileF0` | SpecScale, PitchSHS, PitchViterbi |
/// | cSpecResample → cLpc → cFormantLpc | `smileFormants` | SpecResample, LPC, Formants |
/// | cPitchJitter | `smileJitterShimmer` | JitterShimmer |
/// | cHarmonics (HNR, H1–H2, H1–A3, formant amplitudes) | `smileHarmonics` | Harmonics |
/// | cMelspec → cPlp (auditory spectrum) → cVectorOperation ll1 | `SmileLoudness` | Loudness |
/// | cSpectral (alpha ratio, Hammarberg, slopes, flux) | `SmileSpectralBalance` | SpectralBalance |
/// | cMelspec (HTK) → cMfcc | `SmileMFCC` | SmileMFCC |
/// | cEnergy (energy2) | `SmileEnergy` | Energy |
/// | selectors, cContourSmoother, cFunctionals | `EGeMAPSFunctionals` | Smoothing, Functionals, Peaks, Segments, EGeMAPSFunctionals |
public enum EGeMAPSChain {
    /// The 88 functionals' names, in openSMILE's order.
    public static var functionalNames: [String] { EGeMAPSFunctionals.names }
    /// The 25 LLDs' names (openSMILE's `lld` level).
    public static var lldNames: [String] { EGeMAPSFunctionals.lldNames }

    /// The unsmoothed contours of `signal` (mono, at `sampleRate`, as read from the file).
    public static func contours(signal: [Float], sampleRate: Double) -> EGeMAPSContours {
        let analysis = SmileAnalysis(signal: SmileAnalysis.openSMILEInput(signal), sampleRate: sampleRate)
        var c = EGeMAPSContours()
        // The E set: every 20 ms frame.
        c.loudness = SmileLoudness.contour(analysis)
        let spectral = SmileSpectralBalance.contour(analysis)
        c.alphaRatio = spectral.map(\.alphaRatio)
        c.hammarbergIndex = spectral.map(\.hammarbergIndex)
        c.slope0to500 = spectral.map(\.slope0to500)
        c.slope500to1500 = spectral.map(\.slope500to1500)
        c.spectralFlux = spectral.map(\.spectralFlux)
        let mfcc = SmileMFCC.contour(analysis)
        c.mfcc1 = mfcc.map { $0[0] }
        c.mfcc2 = mfcc.map { $0[1] }
        c.mfcc3 = mfcc.map { $0[2] }
        c.mfcc4 = mfcc.map { $0[3] }
        c.energy = SmileEnergy.contour(signal: analysis.signal, framing: analysis.frames20)
        // The F set: every complete 60 ms frame.
        let f0 = smileF0(analysis)
        let n = f0.count
        let formants = Array(smileFormants(analysis).prefix(n))
        let voice = smileJitterShimmer(analysis, f0: f0.f0Hz)
        let harmonics = smileHarmonics(analysis, f0: f0.f0Hz, formants: formants)
        c.f0Semitone = f0.semitone
        c.jitterLocal = voice.jitterLocal
        c.shimmerLocaldB = voice.shimmerLocalDB
        c.hnrDBACF = harmonics.map(\.hnrACFLogdB)
        c.logRelF0H1H2 = harmonics.map(\.logRelH1H2)
        c.logRelF0H1A3 = harmonics.map(\.logRelH1A3)
        func formant(_ k: Int, _ value: (SmileFormantFrame) -> [Double]) -> [Float] {
            formants.map { k < value($0).count ? Float(value($0)[k]) : 0 }
        }
        c.f1Frequency = formant(0, \.frequencies)
        c.f1Bandwidth = formant(0, \.bandwidths)
        c.f2Frequency = formant(1, \.frequencies)
        c.f2Bandwidth = formant(1, \.bandwidths)
        c.f3Frequency = formant(2, \.frequencies)
        c.f3Bandwidth = formant(2, \.bandwidths)
        c.f1AmplitudeLogRelF0 = harmonics.map { $0.formantAmplitudesLogRelF0[0] }
        c.f2AmplitudeLogRelF0 = harmonics.map { $0.formantAmplitudesLogRelF0[1] }
        c.f3AmplitudeLogRelF0 = harmonics.map { $0.formantAmplitudesLogRelF0[2] }
        c.framesBeforeEOI = SmileEndOfInput.framesBeforeEOI(f0)
        c.nothingDecidedBeforeEOI = f0.count > 0 && f0.decidedBeforeEnd == 0
        c.framePeriod = 0.010
        return c
    }

    /// The 88 functionals of `signal`, in `functionalNames` order; never NaN (a clip too short
    /// for a level gives 0 for its functionals, and −120 dB for the sound level).
    public static func functionals(signal: [Float], sampleRate: Double) -> [Double] {
        EGeMAPSFunctionals.compute(contours(signal: signal, sampleRate: sampleRate)).map { $0.isFinite ? $0 : 0 }
    }

    /// The 25 smoothed LLDs of every frame (openSMILE's `lld` output), with each frame's start
    /// and end in seconds as openSMILE prints them: start = i · step, end = start + 20 ms, except
    /// the last (end-of-input) frame, which ends at the end of the clip.
    public static func llds(signal: [Float], sampleRate: Double) -> [(start: Double, end: Double, values: [Float])] {
        let rows = EGeMAPSFunctionals.smoothedLLDs(contours(signal: signal, sampleRate: sampleRate))
        let framing = SmileFraming(sampleRate: sampleRate, frameSeconds: 0.020)
        let duration = Double(signal.count) / sampleRate
        return rows.enumerated().map { i, values in
            let start = framing.startTime(i)
            let end = i == rows.count - 1 ? duration : start + Double(framing.frameSize) / sampleRate
            return (start, end, values)
        }
    }
}
