import CFFTW
import Foundation

// The front of openSMILE's eGeMAPS v02 chain (config/gemaps/v01b/GeMAPSv01b_core.lld.conf.inc):
// the wave is cut into 60 ms frames (Gaussian window, for pitch and harmonics) and 20 ms frames
// (Hamming window, for loudness, spectra, MFCCs and LPC), both every 10 ms, both starting at
// sample 0 (`frameCenterSpecial = left`), and each windowed frame goes through a real FFT zero-
// padded to the next power of two (cTransformFFT) and its magnitude (cFFTmagphase).

/// cFramer's framing at one sample rate: frame `i` holds samples `i·frameStep ..< i·frameStep +
/// frameSize`, zero-padded past the end of the signal.
///
/// Sizes in samples are openSMILE's: `round(seconds / T)` where the level's period `T = 1/rate`
/// is stored in single precision (so 10 ms at 22050 Hz is 221 samples, not 220).
public struct SmileFraming: Sendable, Equatable {
    public let sampleRate: Double
    public let frameSize: Int
    public let frameStep: Int

    public init(sampleRate: Double, frameSeconds: Double, stepSeconds: Double = 0.010) {
        self.sampleRate = sampleRate
        let period = Double(Float(1.0 / sampleRate))
        frameSize = max(1, Int((frameSeconds / period).rounded()))
        frameStep = max(1, Int((stepSeconds / period).rounded()))
    }

    /// The step in seconds (the time between LLD frames): `frameStep / sampleRate`.
    public var stepSeconds: Double { Double(frameStep) / sampleRate }

    /// The frames a whole file of `samples` gives: every frame that starts inside the signal.
    /// (The chain outputs fewer: `SmileAnalysis.frameCount`.)
    public func frameCount(samples: Int) -> Int {
        samples <= 0 ? 0 : (samples - 1) / frameStep + 1
    }

    /// Frame `index` of `signal`, zero-padded past its end.
    public func frame(_ index: Int, of signal: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: frameSize)
        let start = index * frameStep
        let end = min(signal.count, start + frameSize)
        if start < end {
            for k in start..<end { out[k - start] = signal[k] }
        }
        return out
    }

    /// The start of frame `index` in seconds (openSMILE's `frameTime`).
    public func startTime(_ index: Int) -> Double { Double(index * frameStep) / sampleRate }
}

/// cWindower's window functions (openSMILE's `smileDsp_win*`), symmetric, in Double.
public enum SmileWindow {
    /// `exp(−½ ((i − (N−1)/2) / (σ (N−1)/2))²)`, σ clamped to 0.01…0.5 (`winFunc = gauss`).
    public static func gauss(_ n: Int, sigma: Double = 0.4) -> [Double] {
        guard n > 1 else { return [Double](repeating: 1, count: max(n, 0)) }
        let s = min(max(sigma, 0.01), 0.5)
        let half = Double(n - 1) / 2
        return (0..<n).map { i in
            let t = (Double(i) - half) / (s * half)
            return exp(-0.5 * t * t)
        }
    }

    /// `0.54 − 0.46 cos(2πi / (N−1))` (`winFunc = hamming`).
    public static func hamming(_ n: Int) -> [Double] {
        guard n > 1 else { return [Double](repeating: 1, count: max(n, 0)) }
        return (0..<n).map { 0.54 - 0.46 * cos(2 * Double.pi * Double($0) / Double(n - 1)) }
    }
}

/// cTransformFFT + cFFTmagphase: a real FFT of a windowed frame zero-padded to the next power
/// of two (at least 4), the frame centred in the padded block (`zeroPadSymmetric = 1`, which
/// changes phases only), and its magnitudes, not normalised.
public struct SmileFFT: Sendable {
    /// The frame length the transform takes.
    public let frameSize: Int
    /// The transform length: the next power of two ≥ `frameSize` (at least 4).
    public let fftSize: Int

    public init(frameSize: Int) {
        self.frameSize = frameSize
        var n = 4
        while n < frameSize { n *= 2 }
        fftSize = n
    }

    /// Bins of the one-sided spectrum: `fftSize / 2 + 1`, bin `k` at `k · rate / fftSize` Hz.
    public var bins: Int { fftSize / 2 + 1 }

    /// The spectrum of `windowed` (`frameSize` samples) in the usual sign convention,
    /// `X[k] = Σ x[n] e^{−2πikn/N}` (openSMILE's Ooura `rdft` stores `+Σ x sin` as the imaginary
    /// part, i.e. the conjugate), with the frame centred in the zero-padded block.
    public func transform(_ windowed: [Float]) -> (real: [Float], imag: [Float]) {
        let n = fftSize
        let plan = FFTPlans.r2c(size: n)
        let input = fftwf_alloc_real(n)!
        let output = fftwf_alloc_complex(n / 2 + 1)!
        defer { fftwf_free(input); fftwf_free(output) }
        for k in 0..<n { input[k] = 0 }
        let pad = (n - windowed.count) / 2
        for (k, v) in windowed.enumerated() where pad + k < n { input[pad + k] = v }
        fftwf_execute_dft_r2c(plan, input, output)
        var re = [Float](repeating: 0, count: n / 2 + 1), im = re
        for k in 0...(n / 2) {
            re[k] = output[k].0
            im[k] = output[k].1
        }
        return (re, im)
    }

    /// `|X[k]|`, k = 0…fftSize/2.
    public func magnitude(_ windowed: [Float]) -> [Float] {
        let (re, im) = transform(windowed)
        return zip(re, im).map { ($0 * $0 + $1 * $1).squareRoot() }
    }
}

/// The levels of one clip that eGeMAPS' components share: both framings, the windowed frames and
/// their spectra. Frame `i` of every level starts at `i · frameStep`.
public struct SmileAnalysis: Sendable {
    public let signal: [Float]
    public let sampleRate: Double
    /// 60 ms every 10 ms (pitch, harmonics, the voicing energy gate).
    public let frames60: SmileFraming
    /// 20 ms every 10 ms (loudness, spectral balance, MFCC, LPC, energy).
    public let frames20: SmileFraming
    public let fft60: SmileFFT
    public let fft20: SmileFFT
    /// The frames the chain outputs: `frameCount` of each level below.
    public let frameCount: Int
    /// 60 ms frames × Gaussian window (σ 0.4).
    public let windowed60: [[Float]]
    /// 20 ms frames, raw (cEnergy of `egemapsv02_energyRMS` reads them unwindowed).
    public let raw20: [[Float]]
    /// 20 ms frames × Hamming window.
    public let windowed20: [[Float]]
    /// `|FFT|` of `windowed60`, `fft60.bins` per frame; bin spacing `sampleRate / fft60.fftSize`.
    public let magnitude60: [[Float]]
    /// `|FFT|` of `windowed20`, `fft20.bins` per frame.
    public let magnitude20: [[Float]]
    /// The complex FFT of `windowed20` (usual sign convention; see `SmileFFT.transform`).
    public let complex20: [(real: [Float], imag: [Float])]

    /// openSMILE's frame count for a whole file of `samples` at `sampleRate`: every complete 60 ms
    /// frame and one more (the last, zero-padded one it emits at the end of input); measured on the
    /// reference LLD files at 22050, 24414 and 48000 Hz. A clip shorter than 60 ms gives one frame.
    public static func frameCount(samples: Int, frames60: SmileFraming) -> Int {
        guard samples > 0 else { return 0 }
        guard samples >= frames60.frameSize else { return 1 }
        return (samples - frames60.frameSize) / frames60.frameStep + 2
    }

    public init(signal: [Float], sampleRate: Double) {
        self.signal = signal
        self.sampleRate = sampleRate
        frames60 = SmileFraming(sampleRate: sampleRate, frameSeconds: 0.060)
        frames20 = SmileFraming(sampleRate: sampleRate, frameSeconds: 0.020)
        fft60 = SmileFFT(frameSize: frames60.frameSize)
        fft20 = SmileFFT(frameSize: frames20.frameSize)
        let count = Self.frameCount(samples: signal.count, frames60: frames60)
        frameCount = count
        let gauss = SmileWindow.gauss(frames60.frameSize, sigma: 0.4)
        let hamming = SmileWindow.hamming(frames20.frameSize)
        var w60 = [[Float]](), r20 = [[Float]](), w20 = [[Float]]()
        var m60 = [[Float]](), m20 = [[Float]](), c20 = [(real: [Float], imag: [Float])]()
        w60.reserveCapacity(count); r20.reserveCapacity(count); w20.reserveCapacity(count)
        m60.reserveCapacity(count); m20.reserveCapacity(count); c20.reserveCapacity(count)
        for i in 0..<count {
            let f60 = frames60.frame(i, of: signal)
            let g = (0..<f60.count).map { Float(Double(f60[$0]) * gauss[$0]) }
            w60.append(g)
            m60.append(fft60.magnitude(g))
            let f20 = frames20.frame(i, of: signal)
            r20.append(f20)
            let h = (0..<f20.count).map { Float(Double(f20[$0]) * hamming[$0]) }
            w20.append(h)
            let c = fft20.transform(h)
            c20.append(c)
            m20.append(zip(c.real, c.imag).map { ($0 * $0 + $1 * $1).squareRoot() })
        }
        windowed60 = w60
        raw20 = r20
        windowed20 = w20
        magnitude60 = m60
        magnitude20 = m20
        complex20 = c20
    }
}
