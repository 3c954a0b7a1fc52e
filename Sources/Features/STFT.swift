import CFFTW
import Foundation

/// How `stft(center: true)` extends the signal by `nFFT / 2` samples on each side.
public enum PadMode: String, Sendable, CaseIterable {
    /// Zeros: `np.pad(mode="constant")`, librosa ≥ 0.10's default.
    case constant
    /// Mirror without repeating the edge sample: `np.pad(mode="reflect")`, librosa ≤ 0.9's default.
    case reflect
}

/// A real time–frequency matrix (power, magnitude, mel, dB or MFCC), stored frame by frame:
/// `values[frame * bins + bin]`. librosa's arrays are `[bin, frame]`; use `self[bin, frame]`.
public struct Spectrogram: Sendable, Equatable {
    /// Rows in librosa's orientation: frequency bins, mel bands or MFCC coefficients.
    public var bins: Int
    public var frames: Int
    public var values: [Float]

    public init(bins: Int, frames: Int, values: [Float]) {
        precondition(values.count == bins * frames, "values must hold bins × frames numbers")
        self.bins = bins
        self.frames = frames
        self.values = values
    }

    public subscript(bin: Int, frame: Int) -> Float {
        get { values[frame * bins + bin] }
        set { values[frame * bins + bin] = newValue }
    }

    /// The values of one bin (row) across frames, as librosa's `S[bin, :]`.
    public func row(_ bin: Int) -> [Float] {
        (0..<frames).map { values[$0 * bins + bin] }
    }
}

/// A complex STFT, frame by frame like `Spectrogram` (`real[frame * bins + bin]`).
public struct ComplexSpectrogram: Sendable {
    public var bins: Int
    public var frames: Int
    public var real: [Float]
    public var imag: [Float]
}

/// scipy's `get_window("hann", n, fftbins=True)`: the periodic Hann window,
/// `0.5 + 0.5 cos(fac)` with `fac = linspace(-π, π, n + 1)[:-1]`, in Double.
public func hannWindow(_ n: Int) -> [Double] {
    guard n > 1 else { return [Double](repeating: 1, count: max(n, 0)) }
    let step = 2 * Double.pi / Double(n)
    return (0..<n).map { 0.5 + 0.5 * cos(Double($0) * step - Double.pi) }
}

/// Number of frames `stft` returns: `1 + (count + 2 (nFFT/2) − nFFT) / hop` when centred.
public func frameCount(samples count: Int, nFFT: Int = 2048, hop: Int = 512, center: Bool = true) -> Int {
    let padded = center ? count + 2 * (nFFT / 2) : count
    return padded < nFFT ? 0 : 1 + (padded - nFFT) / hop
}

/// Index into `x` for position `i` of its extension (`i` may be negative or ≥ count).
@inline(__always)
func paddedIndex(_ i: Int, count n: Int, mode: PadMode) -> Int? {
    if i >= 0 && i < n { return i }
    switch mode {
    case .constant:
        return nil
    case .reflect:
        // numpy extends a reflection periodically when the pad is longer than the signal.
        if n == 1 { return 0 }
        let period = 2 * (n - 1)
        let j = ((i % period) + period) % period
        return j < n ? j : period - j
    }
}

/// FFTW plans, one per transform size, created once and reused by every thread.
/// FFTW's planner is not thread-safe (hence the lock); executing a plan on new arrays with
/// `fftwf_execute_dft_r2c` is. Plans use `FFTW_ESTIMATE` so that the algorithm, and therefore
/// every rounding, is the same on every run.
enum FFTPlans {
    private static let lock = NSLock()
    private nonisolated(unsafe) static var plans: [Int: fftwf_plan] = [:]

    static func r2c(size n: Int) -> fftwf_plan {
        lock.lock()
        defer { lock.unlock() }
        if let plan = plans[n] { return plan }
        let input = fftwf_alloc_real(n)!
        let output = fftwf_alloc_complex(n / 2 + 1)!
        let plan = fftwf_plan_dft_r2c_1d(Int32(n), input, output, UInt32(FFTW_ESTIMATE))!
        fftwf_free(input)
        fftwf_free(output)
        plans[n] = plan
        return plan
    }
}

/// Short-time Fourier transform, as `librosa.stft(y, n_fft=nFFT, hop_length=hop,
/// window="hann", center=center, pad_mode=padMode)`.
///
/// Each frame is multiplied by the periodic Hann window in Double (as librosa does, with its
/// float64 window) and transformed by FFTW in single precision (librosa transforms in
/// float64 and stores complex64; the difference is ≈1e-7 of the frame's largest bin, far below
/// the 80 dB range that `powerToDB` keeps). Returns `1 + nFFT/2` bins × `frameCount(...)` frames;
/// an empty result when the (padded) signal is shorter than one frame.
public func stft(_ y: [Float], nFFT: Int = 2048, hop: Int = 512, center: Bool = true,
                 padMode: PadMode = .constant) -> ComplexSpectrogram {
    precondition(nFFT >= 2 && hop >= 1, "nFFT must be ≥ 2 and hop ≥ 1")
    let bins = nFFT / 2 + 1
    let frames = frameCount(samples: y.count, nFFT: nFFT, hop: hop, center: center)
    var real = [Float](repeating: 0, count: bins * frames)
    var imag = [Float](repeating: 0, count: bins * frames)
    guard frames > 0 else { return ComplexSpectrogram(bins: bins, frames: 0, real: [], imag: []) }
    let window = hannWindow(nFFT)
    let plan = FFTPlans.r2c(size: nFFT)
    let input = fftwf_alloc_real(nFFT)!
    let output = fftwf_alloc_complex(bins)!
    defer { fftwf_free(input); fftwf_free(output) }
    let shift = center ? nFFT / 2 : 0
    let n = y.count
    y.withUnsafeBufferPointer { x in
        real.withUnsafeMutableBufferPointer { re in
            imag.withUnsafeMutableBufferPointer { im in
                let out = UnsafeMutableRawPointer(output).assumingMemoryBound(to: Float.self)
                for f in 0..<frames {
                    let start = f * hop - shift
                    if start >= 0 && start + nFFT <= n {
                        for j in 0..<nFFT { input[j] = Float(window[j] * Double(x[start + j])) }
                    } else {
                        for j in 0..<nFFT {
                            if let i = paddedIndex(start + j, count: n, mode: padMode) {
                                input[j] = Float(window[j] * Double(x[i]))
                            } else {
                                input[j] = 0
                            }
                        }
                    }
                    fftwf_execute_dft_r2c(plan, input, output)
                    let base = f * bins
                    for k in 0..<bins {
                        re[base + k] = out[2 * k]
                        im[base + k] = out[2 * k + 1]
                    }
                }
            }
        }
    }
    return ComplexSpectrogram(bins: bins, frames: frames, real: real, imag: imag)
}

/// `np.abs(S) ** power`. |z| is computed as glibc's `hypotf` does for complex64 (the square
/// root of the Double sum of squares, rounded to Float); power 2 then squares it in Float, as
/// numpy does.
public func powerSpectrogram(_ s: ComplexSpectrogram, power: Float = 2) -> Spectrogram {
    var values = [Float](repeating: 0, count: s.real.count)
    for i in values.indices {
        let re = Double(s.real[i]), im = Double(s.imag[i])
        let magnitude = Float((re * re + im * im).squareRoot())
        values[i] = power == 2 ? magnitude * magnitude : (power == 1 ? magnitude : powf(magnitude, power))
    }
    return Spectrogram(bins: s.bins, frames: s.frames, values: values)
}
