import Base
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

    /// Bins of the one-sided spectrum: `fftSize / 2 + 1`. openSMILE's frequency axis is not
    /// `k · rate / fftSize`: bin `k` is at `k / (frameSeconds · fftSize / frameSize)` Hz, from the
    /// nominal frame length in seconds (`SmileSpectrumAxis.binHz`): 47.656 Hz, not 47.684 Hz,
    /// for 20 ms at 24414 Hz.
    public var bins: Int { fftSize / 2 + 1 }

    private static let transforms = SharedCache<Int, OouraRDFT>()

    /// openSMILE's real FFT of this size (Ooura's `rdft` in single precision, `OouraRDFT`),
    /// shared between clips and threads.
    var rdft: OouraRDFT { Self.transforms.value(for: fftSize) { OouraRDFT(n: fftSize) } }

    /// `windowed` (`frameSize` samples) centred in the zero-padded block, transformed in place
    /// by `rdft`: Ooura's packed layout (a[0] = Re 0, a[1] = Re n/2, a[2k] = Re k, a[2k+1] = +Σ x sin).
    func packed(_ windowed: [Float]) -> [Float] {
        var a = [Float](repeating: 0, count: fftSize)
        let pad = (fftSize - windowed.count) / 2
        for (k, v) in windowed.enumerated() where pad + k < fftSize { a[pad + k] = v }
        rdft.forward(&a)
        return a
    }

    /// The spectrum of `windowed` (`frameSize` samples) in the usual sign convention,
    /// `X[k] = Σ x[n] e^{−2πikn/N}` (Ooura's `rdft` stores `+Σ x sin`, the conjugate), with the
    /// frame centred in the zero-padded block. Bit for bit openSMILE's cTransformFFT.
    public func transform(_ windowed: [Float]) -> (real: [Float], imag: [Float]) {
        Self.unpack(packed(windowed))
    }

    static func unpack(_ a: [Float]) -> (real: [Float], imag: [Float]) {
        let half = a.count / 2
        var re = [Float](repeating: 0, count: half + 1), im = re
        re[0] = a[0]
        re[half] = a[1]
        for k in 1..<half {
            re[k] = a[2 * k]
            im[k] = -a[2 * k + 1]
        }
        return (re, im)
    }

    /// cFFTmagphase's magnitudes of Ooura's packed spectrum: |a[0]|, √(re² + im²) in single
    /// precision, and a[1] as it is (openSMILE takes no absolute value of the Nyquist bin).
    static func magnitude(packed a: [Float]) -> [Float] {
        let half = a.count / 2
        var m = [Float](repeating: 0, count: half + 1)
        m[0] = abs(a[0])
        for k in 1..<half { m[k] = (a[2 * k] * a[2 * k] + a[2 * k + 1] * a[2 * k + 1]).squareRoot() }
        m[half] = a[1]
        return m
    }

    /// `|X[k]|`, k = 0…fftSize/2, as cFFTmagphase computes it.
    public func magnitude(_ windowed: [Float]) -> [Float] {
        Self.magnitude(packed: packed(windowed))
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
    /// The frames the chain outputs. The 60 ms levels below have this many frames; the 20 ms
    /// levels have `count20` ≥ `frameCount + 1`, because openSMILE's 20 ms level keeps every
    /// complete 20 ms frame and the 3-frame smoother of the last output frame reads the next one.
    public let frameCount: Int
    /// Frames of the 20 ms levels: every complete 20 ms frame, and at least `frameCount + 1`
    /// (zero-padded past the end of a clip shorter than that).
    public let count20: Int
    /// 60 ms frames × Gaussian window (σ 0.4).
    public let windowed60: [[Float]]
    /// `|FFT|` of `windowed60`, `fft60.bins` per frame (bin spacing: `SmileFFT.bins`).
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

    /// The samples as openSMILE sees a file through `smile.process_file`: the Python wrapper hands
    /// it 16-bit integers (`x · 32768` truncated, clamped to the int16 range) and openSMILE's
    /// external audio source divides them by 32767. For a 16-bit file read as `int / 32768` this is
    /// `int / 32767`.
    public static func openSMILEInput(_ samples: [Float]) -> [Float] {
        samples.map { x in
            let i = min(max((Double(x) * 32768).rounded(.towardZero), -32768), 32767)
            return Float(i / 32767)
        }
    }

    private static let windows = SharedCache<Int, [Float]>()

    /// cWindower's window of `n` points as the windower applies it (single precision), cached:
    /// Gaussian σ 0.4 (`gauss: true`) or Hamming.
    static func window(_ n: Int, gauss: Bool) -> [Float] {
        windows.value(for: gauss ? n : -n) { (gauss ? SmileWindow.gauss(n, sigma: 0.4) : SmileWindow.hamming(n)).map { Float($0) } }
    }

    /// Frame `index` of `signal` under `framing` times `window` (zero past the end), in single
    /// precision as openSMILE's windower computes it (`x · (float)w`).
    private static func windowedFrame(_ index: Int, of signal: UnsafeBufferPointer<Float>, framing: SmileFraming,
                                      window: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: framing.frameSize)
        let start = index * framing.frameStep
        let end = min(signal.count, start + framing.frameSize)
        if start < end {
            for k in start..<end { out[k - start] = signal[k] * window[k - start] }
        }
        return out
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
        let complete20 = signal.count >= frames20.frameSize ? (signal.count - frames20.frameSize) / frames20.frameStep + 1 : 0
        let n20 = count == 0 ? 0 : max(complete20, count + 1)
        count20 = n20
        let gauss = Self.window(frames60.frameSize, gauss: true)
        let hamming = Self.window(frames20.frameSize, gauss: false)
        var w60 = [[Float]](), m60 = [[Float]](), m20 = [[Float]](), c20 = [(real: [Float], imag: [Float])]()
        w60.reserveCapacity(count); m60.reserveCapacity(count); m20.reserveCapacity(n20); c20.reserveCapacity(n20)
        let (f60, f20) = (fft60, fft20)
        let (fr60, fr20) = (frames60, frames20)
        signal.withUnsafeBufferPointer { x in
            // One transform and one work buffer per level: frame i windowed into the centre of
            // the zero-padded block, transformed in place.
            let rdft60 = f60.rdft, rdft20 = f20.rdft
            var a60 = [Float](repeating: 0, count: f60.fftSize), a20 = [Float](repeating: 0, count: f20.fftSize)
            let pad60 = (f60.fftSize - fr60.frameSize) / 2, pad20 = (f20.fftSize - fr20.frameSize) / 2
            for i in 0..<count {
                let w = Self.windowedFrame(i, of: x, framing: fr60, window: gauss)
                w60.append(w)
                a60.withUnsafeMutableBufferPointer { a in
                    for k in 0..<a.count { a[k] = 0 }
                    for k in 0..<w.count { a[pad60 + k] = w[k] }
                }
                rdft60.forward(&a60)
                m60.append(SmileFFT.magnitude(packed: a60))
            }
            for i in 0..<n20 {
                let start = i * fr20.frameStep
                let end = min(x.count, start + fr20.frameSize)
                a20.withUnsafeMutableBufferPointer { a in
                    for k in 0..<a.count { a[k] = 0 }
                    if start < end {
                        for k in start..<end { a[pad20 + k - start] = x[k] * hamming[k - start] }
                    }
                }
                rdft20.forward(&a20)
                c20.append(SmileFFT.unpack(a20))
                m20.append(SmileFFT.magnitude(packed: a20))
            }
        }
        windowed60 = w60
        magnitude60 = m60
        magnitude20 = m20
        complex20 = c20
    }
}
