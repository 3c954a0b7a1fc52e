import Base
import Foundation

/// resampy's windowed-sinc interpolation filter: the right half of a Kaiser-windowed sinc,
/// tabulated at `precision` points per zero crossing (`resampy.filters.sinc_window`).
public struct SincFilter: Sendable {
    /// `interp_win`: `numZeros * precision + 1` coefficients, from t = 0 to t = numZeros.
    public let halfWindow: [Double]
    /// Table points per zero crossing (`num_table`, 2^bits).
    public let precision: Int
    public let rolloff: Double

    /// `sinc_window(num_zeros, precision: bits, window: kaiser(beta), rolloff)`, computed in
    /// Double exactly as resampy's `create_filters.py` builds its tables: `x = k / 2^bits`
    /// (numpy's linspace, exact here), `rolloff * sinc(rolloff * x)` times the right half of
    /// scipy's symmetric Kaiser window of length `2n + 1`, `I0(beta √(1 − (k/n)²)) / I0(beta)`.
    public init(numZeros: Int, precisionBits: Int, beta: Double, rolloff: Double) {
        let numTable = 1 << precisionBits
        let n = numTable * numZeros
        let i0Beta = besselI0(beta)
        var table = [Double](repeating: 0, count: n + 1)
        let step = Double(numZeros) / Double(n)
        for k in 0...n {
            let x = k == n ? Double(numZeros) : Double(k) * step
            let arg = Double.pi * (x == 0 ? 1e-20 : rolloff * x)
            let sinc = rolloff * (sin(arg) / arg)
            let r = Double(k) / Double(n)
            let taper = besselI0(beta * (1 - r * r).squareRoot()) / i0Beta
            table[k] = taper * sinc
        }
        halfWindow = table
        precision = numTable
        self.rolloff = rolloff
    }

    /// resampy's `kaiser_best`, the default filter of librosa ≤ 0.9 (`res_type="kaiser_best"`).
    /// The parameters are those of resampy 0.4's shipped `data/kaiser_best.npz` (50 zero
    /// crossings, 2^13 points each, roll-off 0.9173473712608761, Kaiser β 12.984585247040012);
    /// recomputing it this way matches the shipped table to 0.0 with scipy's Kaiser window.
    /// Built once, on first use (409,601 coefficients, about 20 ms).
    public static let kaiserBest = SincFilter(numZeros: 50, precisionBits: 13,
                                              beta: 12.984585247040012, rolloff: 0.9173473712608761)

}

/// The modified Bessel function of the first kind, order 0, by its power series
/// Σ ((x/2)²)^k / (k!)², summed until the terms no longer change the sum (x ≤ 30 here).
func besselI0(_ x: Double) -> Double {
    let q = x * x / 4
    var term = 1.0, sum = 1.0, k = 1.0
    while term > sum * 1e-18 {
        term *= q / (k * k)
        sum += term
        k += 1
    }
    return sum
}

/// Band-limited sinc interpolation as `resampy.resample(x, inRate, outRate, filter=…)`, followed
/// by librosa's `fix_length(ceil(n * outRate / inRate))` (resampy itself returns
/// `Int(n * outRate / inRate)` samples; librosa pads the missing last one with a zero).
///
/// Arithmetic: resampy evaluates, for each output sample, the filter at the exact fractional
/// position (`interp_win[o] + eta * interp_delta[o]`, in Double) and accumulates into a float32
/// output. Output positions are `t * inRate / outRate`, so the fractional positions repeat with
/// a period of `outRate / gcd` outputs; we evaluate each distinct phase's weights once (in
/// Double, with resampy's formulas and its tap limits), store them as Float, and compute every
/// output as one contiguous SIMD dot product with the zero-extended input (resampy's edge rule —
/// taps beyond either end are skipped — is the same as zeros there). The sums differ from
/// resampy's by float32 rounding only (≈1e-7 relative). When the phase table would be too large
/// (a rate pair with a tiny gcd), the plain per-sample loop is used instead.
public func resampleResampy(_ x: [Float], from inRate: Int, to outRate: Int,
                            filter: SincFilter = .kaiserBest) throws -> [Float] {
    try resampleResampy(x, from: inRate, to: outRate, filter: filter, allowPhaseTable: true)
}

/// `allowPhaseTable: false` forces resampy's per-sample loop (for tests).
func resampleResampy(_ x: [Float], from inRate: Int, to outRate: Int, filter: SincFilter,
                     allowPhaseTable: Bool) throws -> [Float] {
    if inRate == outRate { return x }
    guard inRate > 0, outRate > 0 else {
        throw AudioError.resampleFailed(reason: "sample rates must be positive (got \(inRate) → \(outRate) Hz)")
    }
    let ratio = Double(outRate) / Double(inRate)
    let resampyCount = Int(Double(x.count) * Double(outRate) / Double(inRate))
    guard resampyCount >= 1 else {
        throw AudioError.resampleFailed(reason: "\(x.count) samples are too few to resample from \(inRate) to \(outRate) Hz")
    }
    let table = allowPhaseTable ? ResampyPhaseTable.shared(inRate: inRate, outRate: outRate, filter: filter) : nil
    var y: [Float]
    if let table {
        y = table.apply(x, count: resampyCount)
    } else {
        y = resampyDirect(x, count: resampyCount, ratio: ratio, filter: filter)
    }
    return fixLength(y, to: Int((Double(x.count) * ratio).rounded(.up)))
}

/// The filter, scaled for downsampling, and its first differences (`interp_delta`).
private func scaledFilter(_ filter: SincFilter, ratio: Double) -> (win: [Double], delta: [Double]) {
    var win = filter.halfWindow
    if ratio < 1 { for i in win.indices { win[i] = ratio * win[i] } }
    var delta = [Double](repeating: 0, count: win.count)
    for i in 0..<(win.count - 1) { delta[i] = win[i + 1] - win[i] }
    return (win, delta)
}

/// resampy's `_resample_loop`, one output sample at a time (Double weights, float32 output).
private func resampyDirect(_ x: [Float], count: Int, ratio: Double, filter: SincFilter) -> [Float] {
    let (win, delta) = scaledFilter(filter, ratio: ratio)
    let scale = min(1.0, ratio)
    let timeIncrement = 1.0 / ratio
    let numTable = Double(filter.precision)
    let indexStep = Int(scale * numTable)
    let nwin = win.count
    var y = [Float](repeating: 0, count: count)
    for t in 0..<count {
        let time = Double(t) * timeIncrement
        let n = Int(time)
        var frac = scale * (time - Double(n))
        var indexFrac = frac * numTable
        var offset = Int(indexFrac)
        var eta = indexFrac - Double(offset)
        var acc: Float = 0
        for i in 0..<min(n + 1, (nwin - offset) / indexStep) {
            let j = offset + i * indexStep
            acc = Float(Double(acc) + (win[j] + eta * delta[j]) * Double(x[n - i]))
        }
        frac = scale - frac
        indexFrac = frac * numTable
        offset = Int(indexFrac)
        eta = indexFrac - Double(offset)
        for k in 0..<max(0, min(x.count - n - 1, (nwin - offset) / indexStep)) {
            let j = offset + k * indexStep
            acc = Float(Double(acc) + (win[j] + eta * delta[j]) * Double(x[n + k + 1]))
        }
        y[t] = acc
    }
    return y
}

/// The interpolation weights of every distinct output phase for one rate pair, each row a
/// contiguous run over input samples `n - left + 1 ... n - left + width`.
final class ResampyPhaseTable: Sendable {
    let phases: Int          // outRate / gcd
    let inStep: Int          // inRate / gcd: input advance per period of `phases` outputs
    let left: Int            // taps at or before n (the largest over phases)
    let width: Int           // row length, a multiple of 8
    let baseIndex: [Int]     // n for output t = phase (t < phases)
    let weights: [Float]     // phases × width

    private static let cache = SharedCache<String, ResampyPhaseTable>()
    /// Tables larger than this (in Float weights) are not built; the direct loop is used.
    static let maximumWeights = 8_000_000

    static func shared(inRate: Int, outRate: Int, filter: SincFilter) -> ResampyPhaseTable? {
        let key = "\(inRate)→\(outRate)/\(filter.precision)/\(filter.halfWindow.count)/\(filter.rolloff)"
        // A table too large to build (nil) is not cached; its size check is cheap.
        return try? cache.value(for: key, tryMake: { ResampyPhaseTable(inRate: inRate, outRate: outRate, filter: filter) })
    }

    private init?(inRate: Int, outRate: Int, filter: SincFilter) {
        let g = gcd(inRate, outRate)
        phases = outRate / g
        inStep = inRate / g
        let ratio = Double(outRate) / Double(inRate)
        let scale = min(1.0, ratio)
        let numTable = Double(filter.precision)
        let indexStep = Int(scale * numTable)
        let nwin = filter.halfWindow.count
        let maxTaps = (nwin + indexStep - 1) / indexStep + 1
        left = maxTaps
        width = (2 * maxTaps + 7) / 8 * 8
        guard phases * width <= Self.maximumWeights else { return nil }
        let (win, delta) = scaledFilter(filter, ratio: ratio)
        var base = [Int](repeating: 0, count: phases)
        var w = [Float](repeating: 0, count: phases * width)
        for p in 0..<phases {
            // The exact position p * inRate / outRate = n + r / phases.
            let n = (p * inStep) / phases
            let r = (p * inStep) % phases
            base[p] = n
            var frac = scale * (Double(r) / Double(phases))
            var indexFrac = frac * numTable
            var offset = Int(indexFrac)
            var eta = indexFrac - Double(offset)
            let row = p * width
            for i in 0..<((nwin - offset) / indexStep) {
                let j = offset + i * indexStep
                w[row + left - 1 - i] = Float(win[j] + eta * delta[j])
            }
            frac = scale - frac
            indexFrac = frac * numTable
            offset = Int(indexFrac)
            eta = indexFrac - Double(offset)
            for k in 0..<((nwin - offset) / indexStep) {
                let j = offset + k * indexStep
                w[row + left + k] = Float(win[j] + eta * delta[j])
            }
        }
        baseIndex = base
        weights = w
    }

    /// `count` output samples of `x`: each one dot product of a weight row with the
    /// zero-extended input.
    func apply(_ x: [Float], count: Int) -> [Float] {
        let pad = width
        var padded = [Float](repeating: 0, count: x.count + 2 * pad)
        padded.withUnsafeMutableBufferPointer { dst in
            x.withUnsafeBufferPointer { src in
                if !src.isEmpty { (dst.baseAddress! + pad).update(from: src.baseAddress!, count: src.count) }
            }
        }
        var y = [Float](repeating: 0, count: count)
        let chunks = width / 8
        padded.withUnsafeBufferPointer { xp in
            weights.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    let xRaw = UnsafeRawPointer(xp.baseAddress!)
                    let wRaw = UnsafeRawPointer(wp.baseAddress!)
                    var phase = 0
                    var period = 0
                    for t in 0..<count {
                        let start = pad + baseIndex[phase] + period * inStep - left + 1
                        let xOff = start * 4
                        let wOff = phase * width * 4
                        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
                        var c = 0
                        while c + 1 < chunks {
                            acc0 += xRaw.loadUnaligned(fromByteOffset: xOff + c * 32, as: SIMD8<Float>.self)
                                * wRaw.loadUnaligned(fromByteOffset: wOff + c * 32, as: SIMD8<Float>.self)
                            acc1 += xRaw.loadUnaligned(fromByteOffset: xOff + c * 32 + 32, as: SIMD8<Float>.self)
                                * wRaw.loadUnaligned(fromByteOffset: wOff + c * 32 + 32, as: SIMD8<Float>.self)
                            c += 2
                        }
                        if c < chunks {
                            acc0 += xRaw.loadUnaligned(fromByteOffset: xOff + c * 32, as: SIMD8<Float>.self)
                                * wRaw.loadUnaligned(fromByteOffset: wOff + c * 32, as: SIMD8<Float>.self)
                        }
                        yp[t] = (acc0 + acc1).sum()
                        phase += 1
                        if phase == phases { phase = 0; period += 1 }
                    }
                }
            }
        }
        return y
    }
}

private func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
