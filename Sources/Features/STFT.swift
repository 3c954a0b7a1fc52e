import Base
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

/// librosa's STFT window for `win_length` < `n_fft`: `util.pad_center(get_window("hann",
/// winLength, fftbins=True), size=nFFT)`, i.e. the periodic Hann window of `winLength` points
/// with `(nFFT − winLength) / 2` zeros before it (rounded down) and the rest after it.
/// `winLength == nFFT` gives `hannWindow(nFFT)` itself.
public func hannWindow(_ winLength: Int, paddedTo nFFT: Int) -> [Double] {
    precondition(winLength >= 1 && winLength <= nFFT, "winLength must be in 1...nFFT")
    guard winLength < nFFT else { return hannWindow(nFFT) }
    let left = (nFFT - winLength) / 2
    var w = [Double](repeating: 0, count: nFFT)
    w.replaceSubrange(left..<(left + winLength), with: hannWindow(winLength))
    return w
}

/// Hann windows shared between clips and threads, keyed by (n_fft, win_length).
enum WindowCache {
    struct Key: Hashable, Sendable {
        let nFFT: Int
        let winLength: Int
    }

    private static let windows = SharedCache<Key, [Double]>()

    static func hann(_ n: Int) -> [Double] {
        hann(n, winLength: n)
    }

    static func hann(_ nFFT: Int, winLength: Int) -> [Double] {
        windows.value(for: Key(nFFT: nFFT, winLength: winLength)) { hannWindow(winLength, paddedTo: nFFT) }
    }
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

/// FFTW plans, one per (transform size, arithmetic), created once and reused by every thread.
/// FFTW's planner is not thread-safe (hence the lock); executing a plan on new arrays with
/// `fftwf_execute_dft_r2c` is. Plans use `FFTW_ESTIMATE` so that the algorithm, and therefore
/// every rounding, is the same on every run (no timing-based measurement).
///
/// Which codelets a plan runs is the other half of its bits. With `FFTW_ESTIMATE` alone FFTW
/// picks SIMD codelets from what the CPU offers at run time (Debian's build has SSE2, AVX,
/// AVX2, AVX-512 variants: `fftwf_version` says "fftw-3.3.10-sse2-avx"…), so the same plan gives
/// other bits on another CPU. `Arithmetic.deterministic` therefore adds `FFTW_NO_SIMD`: scalar
/// codelets only, the same code on every x86-64 CPU. `.native` keeps FFTW's own (faster) choice.
enum FFTPlans {
    /// A plan shared between threads. Safe because a plan is never changed or destroyed after
    /// it is made (the cache keeps it for the process's lifetime), it is made under the cache's
    /// lock (FFTW's planner is the non-thread-safe part), and FFTW documents the new-array
    /// execute functions (`fftwf_execute_dft_r2c`) as safe to call concurrently on one plan.
    struct Plan: @unchecked Sendable {
        let plan: fftwf_plan
    }

    struct Key: Hashable, Sendable {
        let size: Int
        let arithmetic: Arithmetic
    }

    private static let plans = SharedCache<Key, Plan>()

    /// FFTW's planner flags for `arithmetic` (`FFTW_NO_SIMD` is defined by Debian 12's fftw3.h,
    /// FFTW ≥ 3.3).
    static func flags(for arithmetic: Arithmetic) -> UInt32 {
        switch arithmetic {
        case .deterministic: UInt32(FFTW_ESTIMATE) | UInt32(FFTW_NO_SIMD)
        case .native: UInt32(FFTW_ESTIMATE)
        }
    }

    /// The r2c plan of size `n` for `arithmetic` (default: the process's `Arithmetic.current`).
    static func r2c(size n: Int, arithmetic: Arithmetic = .current) -> fftwf_plan {
        plans.value(for: Key(size: n, arithmetic: arithmetic)) {
            let input = fftwf_alloc_real(n)!
            let output = fftwf_alloc_complex(n / 2 + 1)!
            let plan = fftwf_plan_dft_r2c_1d(Int32(n), input, output, flags(for: arithmetic))!
            fftwf_free(input)
            fftwf_free(output)
            return Plan(plan: plan)
        }.plan
    }
}

/// Short-time Fourier transform, as `librosa.stft(y, n_fft=nFFT, hop_length=hop,
/// win_length=winLength, window="hann", center=center, pad_mode=padMode)`. `winLength` nil
/// (the default) means `nFFT`; a shorter window is zero-padded to `nFFT`, centred, as librosa
/// does (`hannWindow(_:paddedTo:)`).
///
/// Each frame is multiplied by the periodic Hann window in Double (as librosa does, with its
/// float64 window) and transformed by FFTW in single precision (librosa transforms in
/// float64 and stores complex64; the difference is ≈1e-7 of the frame's largest bin, far below
/// the 80 dB range that `powerToDB` keeps). Returns `1 + nFFT/2` bins × `frameCount(...)` frames;
/// an empty result when the (padded) signal is shorter than one frame.
public func stft(_ y: [Float], nFFT: Int = 2048, hop: Int = 512, winLength: Int? = nil, center: Bool = true,
                 padMode: PadMode = .constant) -> ComplexSpectrogram {
    let bins = nFFT / 2 + 1
    let frames = frameCount(samples: y.count, nFFT: nFFT, hop: hop, center: center)
    var real = [Float](repeating: 0, count: bins * frames)
    var imag = [Float](repeating: 0, count: bins * frames)
    real.withUnsafeMutableBufferPointer { re in
        imag.withUnsafeMutableBufferPointer { im in
            forEachFrameSpectrum(y, nFFT: nFFT, hop: hop, winLength: winLength, center: center, padMode: padMode) { f, out in
                let r = re.baseAddress! + f * bins, i = im.baseAddress! + f * bins
                for k in 0..<bins {
                    r[k] = out[2 * k]
                    i[k] = out[2 * k + 1]
                }
            }
        }
    }
    return ComplexSpectrogram(bins: bins, frames: frames, real: real, imag: imag)
}

/// `powerSpectrogram(stft(y, …))` without keeping the complex STFT: the same numbers, one pass
/// less over memory (the feature pipeline's path).
public func powerSpectrogram(_ y: [Float], nFFT: Int = 2048, hop: Int = 512, winLength: Int? = nil,
                             center: Bool = true, padMode: PadMode = .constant) -> Spectrogram {
    let bins = nFFT / 2 + 1
    let frames = frameCount(samples: y.count, nFFT: nFFT, hop: hop, center: center)
    var values = [Float](repeating: 0, count: bins * frames)
    values.withUnsafeMutableBufferPointer { vb in
        forEachFrameSpectrum(y, nFFT: nFFT, hop: hop, winLength: winLength, center: center, padMode: padMode) { f, out in
            let v = vb.baseAddress! + f * bins
            for k in 0..<bins {
                let re = Double(out[2 * k]), im = Double(out[2 * k + 1])
                let m = Float((re * re + im * im).squareRoot())
                v[k] = m * m
            }
        }
    }
    return Spectrogram(bins: bins, frames: frames, values: values)
}

/// Windows and transforms each frame of `y` (see `stft`), handing `body` the frame index and
/// FFTW's interleaved (re, im) output of `nFFT / 2 + 1` bins, valid during the call.
func forEachFrameSpectrum(_ y: [Float], nFFT: Int, hop: Int, winLength: Int? = nil, center: Bool, padMode: PadMode,
                          _ body: (Int, UnsafePointer<Float>) -> Void) {
    precondition(nFFT >= 2 && hop >= 1, "nFFT must be ≥ 2 and hop ≥ 1")
    let winLength = winLength ?? nFFT
    precondition(winLength >= 1 && winLength <= nFFT, "winLength must be in 1...nFFT")
    let bins = nFFT / 2 + 1
    let frames = frameCount(samples: y.count, nFFT: nFFT, hop: hop, center: center)
    guard frames > 0 else { return }
    let window = WindowCache.hann(nFFT, winLength: winLength)
    let plan = FFTPlans.r2c(size: nFFT)
    let input = fftwf_alloc_real(nFFT)!
    let output = fftwf_alloc_complex(bins)!
    defer { fftwf_free(input); fftwf_free(output) }
    let shift = center ? nFFT / 2 : 0
    let n = y.count
    let out = UnsafeRawPointer(output).assumingMemoryBound(to: Float.self)
    y.withUnsafeBufferPointer { xb in
        window.withUnsafeBufferPointer { wb in
            let x = xb.baseAddress!, w = wb.baseAddress!
            for f in 0..<frames {
                let start = f * hop - shift
                if start >= 0 && start + nFFT <= n {
                    let xs = x + start
                    for j in 0..<nFFT { input[j] = Float(w[j] * Double(xs[j])) }
                } else {
                    for j in 0..<nFFT {
                        if let i = paddedIndex(start + j, count: n, mode: padMode) {
                            input[j] = Float(w[j] * Double(x[i]))
                        } else {
                            input[j] = 0
                        }
                    }
                }
                fftwf_execute_dft_r2c(plan, input, output)
                body(f, out)
            }
        }
    }
}

/// `np.abs(S) ** power`. |z| is computed as glibc's `hypotf` does for complex64 (the square
/// root of the Double sum of squares, rounded to Float); power 2 then squares it in Float, as
/// numpy does.
public func powerSpectrogram(_ s: ComplexSpectrogram, power: Float = 2) -> Spectrogram {
    var values = [Float](repeating: 0, count: s.real.count)
    s.real.withUnsafeBufferPointer { rb in
        s.imag.withUnsafeBufferPointer { ib in
            values.withUnsafeMutableBufferPointer { vb in
                let r = rb.baseAddress!, i = ib.baseAddress!, v = vb.baseAddress!
                // Eight at a time (the same operations per element, vectorised).
                var k = 0
                while k + 8 <= vb.count {
                    let re = SIMD8<Double>(UnsafeRawPointer(r + k).loadUnaligned(as: SIMD8<Float>.self))
                    let im = SIMD8<Double>(UnsafeRawPointer(i + k).loadUnaligned(as: SIMD8<Float>.self))
                    let m = SIMD8<Float>((re * re + im * im).squareRoot())
                    UnsafeMutableRawPointer(v + k).storeBytes(of: m, as: SIMD8<Float>.self)
                    k += 8
                }
                while k < vb.count {
                    let re = Double(r[k]), im = Double(i[k])
                    v[k] = Float((re * re + im * im).squareRoot())
                    k += 1
                }
                if power == 2 {
                    for k in 0..<vb.count { v[k] = v[k] * v[k] }
                } else if power != 1 {
                    for k in 0..<vb.count { v[k] = powf(v[k], power) }
                }
            }
        }
    }
    return Spectrogram(bins: s.bins, frames: s.frames, values: values)
}
