import Foundation

// Voice quality from the waveform, guided by F0: openSMILE's cPitchJitter as eGeMAPS v02 configures
// it (`gemapsv01b_pitchJitter` in config/gemaps/v01b/GeMAPSv01b_core.lld.conf.inc):
//
//     F0field = F0final, searchRangeRel = 0.1, jitterLocal = 1, shimmerLocalDB = 1,
//     onlyVoiced = 0, minNumPeriods = 2, minCC = 0.5, useBrokenJitterThresh = 0
//
// The component reads the wave level and the F0 level (F0final after the energy gate,
// `gemapsv01b_logPitch`) and writes one frame per F0 frame, at the F0 level's timing (60 ms frames
// every 10 ms).
//
// How it finds the periods. It keeps a read position in the wave (`lastIdx`) and a number of
// samples left over from the previous frame (`lastMis`). For each F0 frame it reads
// `toRead0 = ppLen + lastMis` samples from `lastIdx`, where `ppLen = ⌈0.01 s / T⌉` (the F0
// level's period in wave samples, rounded up; `T = 1/rate`), or at least `2·T0max + 2` samples when
// voiced (two periods of the search range), at most `lastMis + frameSize`. If the frame's own
// start sample `i·frameStep` minus `lastMis` is not `lastIdx` (as happens every frame when `ppLen`
// ≠ `frameStep`, e.g. 245 vs 244 at 24414 Hz), the read restarts at `i·frameStep` (with
// `lastMis` kept) and reads at most `frameSize` samples.
//
// In a voiced frame (F0 > 0, expected period `Tf = rate / F0` samples) it walks the read block:
// at each position `start` (while `start < n − 2·T0max − 1`) it correlates the `t` samples from
// `start` with the next `t`, for every `t` in `⌊0.9 Tf⌋ … ⌈1.1 Tf⌉` (Pearson correlation), takes
// the highest local maximum of that curve (not at its two ends), and steps `start` by that `t`
// (or by `round(Tf)` when there is none). A period whose correlation peak (parabolic
// interpolation) is above 0.5 counts: its length is the interpolated peak position (in seconds),
// its amplitude the peak-to-peak range of the samples of the two periods compared. Jitter sums
// |period − previous period| (the previous period may come from an earlier frame: the memory is
// reset only by unvoiced frames); shimmer sums |amplitude − next amplitude| and the mean of the
// two amplitudes. Positions reached before `toRead0 − 1` are consumed (`lastIdx` advances to the
// last of them); the rest is read again with the next frame.
//
// Output: jitterLocal = mean |ΔT| / mean T (clipped to 1), shimmerLocalDB = 20·log10(1 + mean
// |ΔA| / mean A) (the ratio clipped to 1). A voiced frame with no accepted period repeats the last
// value; a voiced frame with periods but no period pair gives jitter 0; unvoiced frames give 0
// (and reset the memory). Arithmetic is openSMILE's: FLOAT_DMEM (Float) accumulators, Double
// correlations.

/// cPitchJitter's two eGeMAPS outputs, one value per F0 frame.
public struct SmileJitterShimmer: Sendable, Equatable {
    /// `jitterLocal`: mean absolute difference of consecutive periods / mean period (0…1).
    public var jitterLocal: [Float]
    /// `shimmerLocalDB`: `20·log10(1 + mean |ΔA| / mean A)` of the periods' peak-to-peak amplitudes (dB).
    public var shimmerLocalDB: [Float]
}

/// openSMILE's cPitchJitter (`jitterLocal = 1`, `shimmerLocalDB = 1`, eGeMAPS v02's options) on
/// `signal` guided by `f0` (Hz per F0 frame, 0 = unvoiced: F0final after the energy gate).
///
/// - Parameters:
///   - signal: the whole clip, mono, at its own rate, scaled as libsndfile does ([−1, 1)).
///   - sampleRate: its rate in Hz.
///   - f0: F0 in Hz for each F0 frame (frame `i` starts at `i · frameStep`); one output per value.
///   - frameStep: the F0 level's frame step in samples (`SmileFraming.frameStep`, 10 ms).
///   - frameSize: the F0 level's frame size in samples (`SmileFraming.frameSize`, 60 ms).
///   - stepSeconds: the F0 level's period in seconds (10 ms); openSMILE reads `⌈stepSeconds · rate⌉`
///     samples per frame (`ppLen`), which differs from `frameStep` when `0.01 · rate` is not whole.
///   - searchRangeRel: the period search range, ±10 % of `1/F0` (`searchRangeRel`).
///   - minNumPeriods: periods read at least per voiced frame (`minNumPeriods`, 2).
///   - minCC: the correlation a period needs to count (`minCC`, 0.5; `useBrokenJitterThresh = 0`).
public func smileJitterShimmer(signal: [Float], sampleRate: Double, f0: [Float], frameStep: Int, frameSize: Int,
                               stepSeconds: Double = 0.010, searchRangeRel: Double = 0.1,
                               minNumPeriods: Int = 2, minCC: Double = 0.5) -> SmileJitterShimmer {
    var tracker = PitchJitterTracker(sampleRate: sampleRate, frameStep: frameStep, frameSize: frameSize,
                                     stepSeconds: stepSeconds, searchRangeRel: searchRangeRel,
                                     minNumPeriods: max(2, minNumPeriods),
                                     minCC: min(max(minCC, 0.01), 0.99))
    var jitter = [Float](), shimmer = [Float]()
    jitter.reserveCapacity(f0.count)
    shimmer.reserveCapacity(f0.count)
    signal.withUnsafeBufferPointer { wave in
        for (i, hz) in f0.enumerated() {
            let (j, s) = tracker.next(frame: i, f0: hz, wave: wave)
            jitter.append(j)
            shimmer.append(s)
        }
    }
    return SmileJitterShimmer(jitterLocal: jitter, shimmerLocalDB: shimmer)
}

/// `smileJitterShimmer` on an analysis' signal and 60 ms framing.
public func smileJitterShimmer(_ analysis: SmileAnalysis, f0: [Float]) -> SmileJitterShimmer {
    smileJitterShimmer(signal: analysis.signal, sampleRate: analysis.sampleRate, f0: f0,
                       frameStep: analysis.frames60.frameStep, frameSize: analysis.frames60.frameSize)
}

/// The vertex of the parabola through three points (openSMILE's `smileMath_quadFrom3pts`, Cramer's
/// rule on `y = a x² + b x + c`): `(x, y)` of the peak, or the highest of the three points when the
/// points are collinear (the first on a tie of all three).
@inline(__always)
func smileParabolaVertex(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                         _ x3: Double, _ y3: Double) -> (x: Double, y: Double) {
    let den = x1 * x1 * x2 + x2 * x2 * x3 + x3 * x3 * x1 - x3 * x3 * x2 - x2 * x2 * x1 - x1 * x1 * x3
    if den != 0 {
        let a = (y1 * x2 + y2 * x3 + y3 * x1 - y3 * x2 - y2 * x1 - y1 * x3) / den
        let b = (x1 * x1 * y2 + x2 * x2 * y3 + x3 * x3 * y1 - x3 * x3 * y2 - x2 * x2 * y1 - x1 * x1 * y3) / den
        let c = (x1 * x1 * x2 * y3 + x2 * x2 * x3 * y1 + x3 * x3 * x1 * y2
            - x3 * x3 * x2 * y1 - x2 * x2 * x1 * y3 - x1 * x1 * x3 * y2) / den
        if a != 0 {
            let x = -b / (2 * a)
            return (x, c - a * x * x)
        }
    }
    if y1 > y2 && y1 > y3 { return (x1, y1) }
    if y2 > y1 && y2 > y3 { return (x2, y2) }
    if y3 > y1 && y3 > y2 { return (x3, y3) }
    return (x1, y1)
}

/// cPitchJitter's state between F0 frames and its per-frame step.
private struct PitchJitterTracker {
    let period: Double            // T, the wave's sample period (s)
    let frameStep: Int
    let frameSize: Int
    let ppLen: Int                // ⌈stepSeconds / T⌉
    let searchRangeRel: Double
    let minNumPeriods: Int
    let minCC: Double

    var lastIdx = 0
    var lastMis = 0
    var lastT0: Float = 0
    var lastJitter: Float = 0
    var lastShimmer: Float = 0

    // Scratch: prefix sums of the read block and the correlation curve.
    var sum: [Double] = []
    var sumSq: [Double] = []
    var cc: [Double] = []

    init(sampleRate: Double, frameStep: Int, frameSize: Int, stepSeconds: Double,
         searchRangeRel: Double, minNumPeriods: Int, minCC: Double) {
        period = 1.0 / sampleRate
        self.frameStep = frameStep
        self.frameSize = frameSize
        ppLen = max(1, Int((stepSeconds / period).rounded(.up)))
        self.searchRangeRel = searchRangeRel
        self.minNumPeriods = minNumPeriods
        self.minCC = minCC
    }

    /// The Pearson correlation of `block[s ..< s+t]` and `block[s+t ..< s+2t]` (cPitchJitter's
    /// `crossCorr`): means and energies from prefix sums, the cross term by a dot product, all
    /// Double. NaN for a constant segment, as openSMILE's 0/0.
    @inline(__always)
    func correlation(_ x: UnsafePointer<Float>, _ s: Int, _ t: Int) -> Double {
        let n = Double(t)
        let sx = sum[s + t] - sum[s], sy = sum[s + 2 * t] - sum[s + t]
        let qx = sumSq[s + t] - sumSq[s], qy = sumSq[s + 2 * t] - sumSq[s + t]
        let mx = sx / n, my = sy / n
        var d0 = 0.0, d1 = 0.0, d2 = 0.0, d3 = 0.0
        let a = x + s, b = x + s + t
        var i = 0
        while i + 4 <= t {
            d0 += Double(a[i]) * Double(b[i])
            d1 += Double(a[i + 1]) * Double(b[i + 1])
            d2 += Double(a[i + 2]) * Double(b[i + 2])
            d3 += Double(a[i + 3]) * Double(b[i + 3])
            i += 4
        }
        while i < t {
            d0 += Double(a[i]) * Double(b[i])
            i += 1
        }
        let cross = (d0 + d1) + (d2 + d3) - n * mx * my
        var nx = qx - n * mx * mx, ny = qy - n * my * my
        // A constant segment has zero energy about its mean: openSMILE's two-pass sums give exactly
        // 0 (and 0/0); the one-pass difference leaves rounding noise, which is cut here.
        if nx <= 1e-10 * qx { nx = 0 }
        if ny <= 1e-10 * qy { ny = 0 }
        return cross / (nx.squareRoot() * ny.squareRoot())
    }

    /// The peak-to-peak amplitude of `x[1 ..< n−1]` (cPitchJitter's `amplitudeDiff` skips the ends).
    @inline(__always)
    static func peakToPeak(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        guard n > 2 else { return 0 }
        var hi = x[1], lo = x[1]
        for i in 1..<(n - 1) {
            let v = x[i]
            if v > hi { hi = v }
            if v < lo { lo = v }
        }
        return hi - lo
    }

    mutating func next(frame i: Int, f0 hz: Float, wave: UnsafeBufferPointer<Float>) -> (Float, Float) {
        let voiced = hz > 0
        let toRead0 = ppLen + lastMis
        var toRead = toRead0
        var tf = 0.0, t0f = 0, t0minF = 0, t0maxF = 0
        if voiced {
            tf = (1.0 / Double(hz)) / period
            t0f = Int(tf.rounded(.toNearestOrAwayFromZero))
            t0minF = Int(((1 - searchRangeRel) * tf).rounded(.down))
            t0maxF = Int(((1 + searchRangeRel) * tf).rounded(.up))
            toRead = max(toRead, minNumPeriods * t0maxF + minNumPeriods)
        }
        toRead = min(toRead, lastMis + frameSize)
        let startVidx = i * frameStep
        if startVidx - lastMis != lastIdx {
            lastIdx = startVidx
            toRead = min(toRead, frameSize)
        }
        // The block read from the wave (cut at the end of the signal, as openSMILE at the end of input).
        let begin = min(max(lastIdx, 0), wave.count)
        let n = max(0, min(toRead, wave.count - begin))

        var nPeriods: Float = 0, nPairs: Float = 0, sumPeriod: Float = 0, sumPeriodDiff: Float = 0
        var sumAmp: Float = 0, sumAmpDiff: Float = 0
        var lastPeriod = 0
        if voiced {
            let base = wave.baseAddress! + begin
            prepare(base, n)
            if cc.count < t0maxF - t0minF + 1 { cc = [Double](repeating: 0, count: t0maxF - t0minF + 1) }
            var start = 0
            while start < n - 2 * t0maxF - 1 {
                for t in t0minF...t0maxF { cc[t - t0minF] = correlation(base, start, t) }
                var maxI = -1
                var best = 0.0
                if t0maxF - t0minF - 1 > 1 {
                    for k in 1..<(t0maxF - t0minF - 1) where cc[k - 1] < cc[k] && cc[k] > cc[k + 1] {
                        if maxI == -1 || cc[k] > best { maxI = k; best = cc[k] }
                    }
                }
                let os = start
                if maxI >= 0 {
                    let pp = t0minF + maxI
                    start += pp
                    let a0 = Self.peakToPeak(base + os, pp), a1 = Self.peakToPeak(base + start, pp)
                    let v = smileParabolaVertex(Double(maxI - 1), cc[maxI - 1], Double(maxI), cc[maxI],
                                                Double(maxI + 1), cc[maxI + 1])
                    if v.y > minCC {
                        let length = Float(abs(Double(t0minF) + v.x) * period)
                        sumPeriod += length
                        nPeriods += 1
                        if lastT0 > 0 {
                            sumPeriodDiff += abs(lastT0 - length)
                            nPairs += 1
                        }
                        lastT0 = length
                        sumAmp += (a0 + a1) / 2
                        sumAmpDiff += abs(a0 - a1)
                    }
                } else {
                    start += t0f
                }
                if start < toRead0 - 1 { lastPeriod = start }
            }
            lastMis = toRead0 - lastPeriod
        } else {
            lastPeriod = toRead0
            lastMis = 0
            lastT0 = 0
            lastJitter = 0
            lastShimmer = 0
        }
        lastIdx += lastPeriod

        var jitter: Float = 0
        if nPeriods > 0 && nPairs > 0 && voiced {
            lastJitter = min((sumPeriodDiff / nPairs) / (sumPeriod / nPeriods), 1)
            jitter = lastJitter
        } else if nPeriods == 0 && voiced {
            lastJitter = min(lastJitter, 1)
            jitter = lastJitter
        }
        var shimmer: Float = 0
        if voiced {
            if nPeriods > 0 { lastShimmer = sumAmp > 0 ? sumAmpDiff / sumAmp : 0 }
            lastShimmer = min(lastShimmer, 1)
            shimmer = Float(20 * log10(Double(lastShimmer) + 1))
        }
        return (jitter, shimmer)
    }

    /// Prefix sums (Double) of `x[0 ..< n]` and of its squares.
    mutating func prepare(_ x: UnsafePointer<Float>, _ n: Int) {
        if sum.count < n + 1 {
            sum = [Double](repeating: 0, count: n + 1)
            sumSq = [Double](repeating: 0, count: n + 1)
        }
        var s = 0.0, q = 0.0
        sum[0] = 0
        sumSq[0] = 0
        for k in 0..<n {
            let v = Double(x[k])
            s += v
            q += v * v
            sum[k + 1] = s
            sumSq[k + 1] = q
        }
    }
}
