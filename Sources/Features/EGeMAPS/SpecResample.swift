import Base
import Foundation

/// openSMILE's cSpecResample as eGeMAPS uses it (`gemapsv01b_resampLpc`, `targetFs = 11000`): the
/// complex FFT of a 20 ms Hamming-windowed frame turned back into time-domain samples at about
/// 11 kHz by evaluating the inverse real DFT on a coarser time grid. cLpc reads these samples.
///
/// What it computes, per frame (openSMILE's `smileDsp_irdft`):
///
///     out[i] = ( X₀ + Σ_{k=1}^{kMax/2−1} ( Re X_k · cos(2πki/nd) − Im X_k · sin(2πki/nd) ) ) / (K/2)
///
/// for `i = 0 ..< outputCount`, where `K` is the FFT length, `X` the spectrum in the usual sign
/// convention (openSMILE's Ooura layout stores `−Im X_k`, which is why its code adds the sine term),
/// and `nd = K · outputCount / frameSize`, so that output sample `i` sits at input sample
/// `i · frameSize / outputCount` of the zero-padded FFT block. Consequences worth knowing:
/// - `outputCount = round(frameSize · targetFs / sampleRate)` (220 for 20 ms at any rate), and the
///   true output rate is `sampleRate · outputCount / frameSize` (11006 Hz at 24414 Hz), while the
///   next levels' period stays `1 / targetFs` — cFormantLpc converts angles with 1/11000 s;
/// - the "anti-aliasing" keeps `kMax = min(K, outputCount)` (rounded down to even) packed values,
///   i.e. bins `0 ..< kMax/2` (110 of them when K ≥ 256): at 16 kHz those end near 3.4 kHz, at 22050 Hz
///   near 4.7 kHz, at 48 kHz near 5.1 kHz;
/// - DC enters with weight 1 against 1 for every other bin (a true inverse would halve it), and the
///   Nyquist bin only when `outputCount ≥ K` (K ≤ 128: sample rates up to 6.4 kHz);
/// - since the FFT block holds the frame centred with zeros either side (`zeroPadSymmetric`), the
///   grid covers the block's first `frameSize` samples: leading zeros and most of the frame.
///
/// Sums run in Float in openSMILE's order (DC, Nyquist, then bin by bin, cosine before sine), as
/// FLOAT_DMEM does; the tables are `Float(cos(…))` of a Double argument.
public struct SmileSpecResample: Sendable {
    /// FFT length `K` (the packed complex spectrum has `K` values).
    public let fftSize: Int
    /// Samples per output frame (`_Nout`).
    public let outputCount: Int
    /// The denominator `nd` of the cos/sin arguments.
    public let denominator: Double
    /// The configured target rate (`targetFs`); the period the following levels carry.
    public let targetRate: Double
    /// The rate the output samples really have: `sampleRate · outputCount / frameSize`.
    public let actualRate: Double
    /// Complex bins used: `0 ..< usedBins` (bin 0 is DC).
    public let usedBins: Int
    /// `cos`/`sin` tables, bin-major with rows padded to `stride` (a multiple of 32): `table[(k − 1) · stride + i]` for
    /// k = 1 ..< usedBins, i < outputCount (the padding is 0).
    private let cosTable: [Float]
    private let sinTable: [Float]
    private let stride: Int
    /// `cos(2π (K/2) i / nd)`, only when `outputCount ≥ fftSize`.
    private let nyquistTable: [Float]?

    /// - Parameters:
    ///   - frameSize: samples in the frame before zero-padding (20 ms: `SmileFraming.frameSize`).
    ///   - fftSize: the FFT length (`SmileFFT.fftSize`).
    ///   - sampleRate: the input rate in Hz.
    ///   - targetRate: `targetFs` (default 11000 Hz, eGeMAPS' value).
    public init(frameSize: Int, fftSize: Int, sampleRate: Double, targetRate: Double = 11000) {
        let k = max(fftSize, 2)
        let n = max(1, min(frameSize, k))
        self.fftSize = k
        self.targetRate = targetRate
        // cSpecResample::setupNewNames: the ratio is rounded to a whole number of output samples
        // for the frame's real length (lastFrameSizeSec / frameSizeSec = frameSize / fftSize).
        let ratio = targetRate / sampleRate
        let count = max(1, Int((Double(k) * ratio * Double(n) / Double(k)).rounded()))
        let newRatio = Double(count) / Double(n)
        outputCount = count
        denominator = Double(k) * newRatio
        actualRate = sampleRate * newRatio
        var kMax = min(k, count)
        if kMax & 1 == 1 { kMax -= 1 }
        usedBins = kMax / 2
        let twoPi = 2.0 * Double.pi
        let rowStride = (count + 31) / 32 * 32
        stride = rowStride
        var c = [Float](repeating: 0, count: max(0, usedBins - 1) * rowStride)
        var s = c
        if usedBins > 1 {
            for bin in 1..<usedBins {
                for i in 0..<count {
                    let arg = twoPi * Double(bin * i) / denominator
                    c[(bin - 1) * rowStride + i] = Float(cos(arg))
                    s[(bin - 1) * rowStride + i] = Float(sin(arg))
                }
            }
        }
        cosTable = c
        sinTable = s
        if count >= k {
            let nd = denominator
            nyquistTable = (0..<count).map { Float(cos(twoPi * Double((k / 2) * $0) / nd)) }
        } else {
            nyquistTable = nil
        }
    }

    struct Key: Hashable, Sendable {
        let frameSize: Int
        let fftSize: Int
        let sampleRate: UInt64
        let targetRate: UInt64
    }

    private static let cache = SharedCache<Key, SmileSpecResample>()

    /// The resampler for these sizes, its tables made once per process and shared.
    public static func shared(frameSize: Int, fftSize: Int, sampleRate: Double, targetRate: Double = 11000) -> SmileSpecResample {
        let key = Key(frameSize: frameSize, fftSize: fftSize, sampleRate: sampleRate.bitPattern, targetRate: targetRate.bitPattern)
        return cache.value(for: key) {
            SmileSpecResample(frameSize: frameSize, fftSize: fftSize, sampleRate: sampleRate, targetRate: targetRate)
        }
    }

    /// The resampled frame from a spectrum in the usual sign convention (`real`, `imag`: bins
    /// `0 ... fftSize/2`, as `SmileFFT.transform` returns them).
    public func resample(real: [Float], imag: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: outputCount)
        resample(real: real, imag: imag, into: &out)
        return out
    }

    /// As `resample(real:imag:)`, writing `outputCount` samples into `out`.
    public func resample(real: [Float], imag: [Float], into out: inout [Float]) {
        let count = outputCount
        if out.count != count { out = [Float](repeating: 0, count: count) }
        let dc = real.isEmpty ? 0 : real[0]
        let nyquist: Float = nyquistTable != nil && fftSize / 2 < real.count ? real[fftSize / 2] : 0
        let bins = min(usedBins, real.count, imag.count)
        let scale = Float(fftSize / 2)
        let rowStride = stride
        // Each output sample is its own sequential Float sum (DC, Nyquist, then bin by bin, cosine
        // term before sine term), so blocks of 16 outputs run side by side in SIMD lanes.
        real.withUnsafeBufferPointer { re in
            imag.withUnsafeBufferPointer { im in
                cosTable.withUnsafeBufferPointer { ct in
                    sinTable.withUnsafeBufferPointer { st in
                        out.withUnsafeMutableBufferPointer { o in
                            var i0 = 0
                            // Two blocks of 16 at once: twice the independent add chains.
                            while i0 < count {
                                var acc = SIMD16<Float>(repeating: dc)
                                var acc2 = SIMD16<Float>(repeating: dc)
                                if let nyq = nyquistTable {
                                    var v = SIMD16<Float>(repeating: 0), v2 = v
                                    for l in 0..<16 where i0 + l < count { v[l] = nyq[i0 + l] }
                                    for l in 0..<16 where i0 + 16 + l < count { v2[l] = nyq[i0 + 16 + l] }
                                    acc += nyquist * v
                                    acc2 += nyquist * v2
                                }
                                if bins > 1 {
                                    var cp = UnsafeRawPointer(ct.baseAddress! + i0)
                                    var sp = UnsafeRawPointer(st.baseAddress! + i0)
                                    let rowBytes = rowStride * MemoryLayout<Float>.stride
                                    for bin in 1..<bins {
                                        let c = cp.loadUnaligned(as: SIMD16<Float>.self)
                                        let c2 = cp.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                                        let s = sp.loadUnaligned(as: SIMD16<Float>.self)
                                        let s2 = sp.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                                        let rb = re[bin], ib = -im[bin]   // Ooura's stored imaginary part
                                        acc += rb * c
                                        acc2 += rb * c2
                                        acc += ib * s
                                        acc2 += ib * s2
                                        cp += rowBytes
                                        sp += rowBytes
                                    }
                                }
                                acc /= SIMD16<Float>(repeating: scale)
                                acc2 /= SIMD16<Float>(repeating: scale)
                                for l in 0..<16 where i0 + l < count { o[i0 + l] = acc[l] }
                                for l in 0..<16 where i0 + 16 + l < count { o[i0 + 16 + l] = acc2[l] }
                                i0 += 32
                            }
                        }
                    }
                }
            }
        }
    }
}
