import Base
import Foundation

/// openSMILE's cPitchSmootherViterbi (with its cSmileViterbiPitchSmooth cost model), with the
/// options of eGeMAPS' `gemapsv01b_pitchSmoothViterbi`: a Viterbi search over, per frame, the
/// pitch candidates plus one "unvoiced" state picks the final F0 contour.
///
/// Options mirrored: `bufferLength = 40`, `wTvv = 10`, `wTvvd = 5`, `wTvuv = 10`, `wThr = 4`,
/// `wTuu = 0`, `wLocal = 2`, `wRange = 1`, the voicing threshold passed on by the detector (0.7).
/// openSMILE's own behaviour is kept where it departs from its options, because the reference
/// values come from it:
/// - `setWeights` stores `wTvv` as the delta weight too, so `wTvvd` is in effect `wTvv`;
/// - its unvoiced→unvoiced test `i == j == nStates−1` is never true, so that transition costs 1
///   (its "unknown transition" fallback), not `wTuu`;
/// - the delta term's "last change" is one running value updated by every voiced→voiced cost
///   evaluated (and reset by every voiced↔unvoiced one), in the order states are evaluated;
/// - decoding is incremental over a ring of `bufferLength` frames: a frame is decided as soon as
///   all surviving paths agree on it, or forced (best current path) once it is `bufferLength`
///   frames old; at the end of input the best path decides the rest.
public struct SmilePitchViterbi: Sendable {
    public let bufferLength: Int
    public let voicingThreshold: Float
    public let wLocal: Double
    public let wTvv: Double
    public let wTvvd: Double
    public let wTvuv: Double
    public let wThr: Double
    public let wRange: Double
    public let wTuu: Double

    /// The configured weights; `wTvvd` and `wTuu` are kept for the record but, as in openSMILE,
    /// not used (see the type's notes).
    public init(bufferLength: Int = 40, voicingThreshold: Double = 0.7, wLocal: Double = 2, wTvv: Double = 10,
                wTvvd: Double = 5, wTvuv: Double = 10, wThr: Double = 4, wRange: Double = 1, wTuu: Double = 0) {
        self.bufferLength = max(bufferLength, 1)
        self.voicingThreshold = Float(voicingThreshold)
        self.wLocal = wLocal
        self.wTvv = wTvv
        self.wTvvd = wTvvd
        self.wTvuv = wTvuv
        self.wThr = wThr
        self.wRange = wRange
        self.wTuu = wTuu
    }

    /// The smoothed contour: per frame, F0 in Hz (0 = unvoiced) and the voicing of the chosen
    /// candidate (`voicingFinalUnclipped`; the first candidate's when unvoiced); and how many
    /// frames were decided before the end of input (the rest are decided by the final flush),
    /// which is where openSMILE's downstream smoothers see a first, early end of input (see `SmileF0`).
    public func smooth(_ frames: [SmilePitchCandidates]) -> (f0: [Float], voicing: [Float], decidedBeforeEnd: Int) {
        let count = frames.count
        guard count > 0 else { return ([], [], 0) }
        let nC = frames[0].f0.count
        let nS = nC + 1
        let u = nS - 1
        let L = bufferLength
        // Per frame: candidate f0 and voicing, flattened.
        var fAll = [Float](repeating: 0, count: count * nC), vAll = fAll
        for (t, fr) in frames.enumerated() {
            for i in 0..<min(nC, fr.f0.count) { fAll[t * nC + i] = fr.f0[i]; vAll[t * nC + i] = fr.voicing[i] }
        }
        let f = fAll, v = vAll
        let thr = voicingThreshold
        let thrD = Double(thr)
        let delta = wTvv   // openSMILE's setWeights: wTvvd = tvv

        // Surviving path of each state over the last L frames (column = frame % L), double-buffered.
        var paths = [Int32](repeating: 0, count: nS * L), nextPaths = paths
        var best = [Int32](repeating: 0, count: L)
        var cost = [Double](repeating: 0, count: nS), newCost = cost
        var lastChange = 1.0
        var pathIdx = 0, convIdx = -1
        var states = [Int](repeating: u, count: count)
        var read = 0

        func local(_ i: Int, _ t: Int) -> Double {
            if i < u {
                var pv = Double(v[t * nC + i])
                if pv < 0.01 { pv = 0.01 }
                if pv > 1.0 { pv = 1.0 }
                let penalty = pv < thrD ? wThr : 0
                return (-log(pv) + penalty) * wLocal + Self.rangeWeight(f[t * nC + i]) * wRange
            }
            for j in 0..<nC where v[t * nC + j] >= thr { return wLocal * wThr }
            return 0
        }

        for t in 0..<count {
            if pathIdx == 0 {
                for i in 0..<nS {
                    cost[i] = local(i, 0)
                    paths[i * L] = Int32(i)
                }
            } else {
                let p = (t - 1) * nC, c = t * nC
                let column = pathIdx % L
                for i in 0..<nS {
                    var minState = 0
                    var minCost = 0.0
                    for j in 0..<nS {
                        // Transition from state j (previous frame) to state i (this frame).
                        let tc: Double
                        if i < u && j < u {
                            let f0 = f[p + j], f1 = f[c + i]
                            if f0 == 0 || f1 == 0 {
                                tc = 999
                            } else {
                                let r = log(Double(f1 / f0))
                                tc = wTvv * abs(r) + delta * abs(r - lastChange)
                                lastChange = r
                            }
                        } else if i == u && j == u {
                            tc = 1
                        } else {
                            lastChange = 0
                            tc = wTvuv
                        }
                        let total = tc + cost[j]
                        if j == 0 || total < minCost { minCost = total; minState = j }
                    }
                    newCost[i] = minCost + local(i, t)
                    for k in 0..<L { nextPaths[i * L + k] = paths[minState * L + k] }
                    nextPaths[i * L + column] = Int32(i)
                }
                swap(&cost, &newCost)
                swap(&paths, &nextPaths)
            }
            pathIdx += 1
            if pathIdx - convIdx > L {
                // Forced decision on the oldest frame: the best path so far.
                var minState = 0
                for i in 1..<nS where cost[i] < cost[minState] { minState = i }
                convIdx += 1
                best[convIdx % L] = paths[minState * L + convIdx % L]
            } else {
                // Decide every frame on which all paths agree.
                var n = convIdx + 1
                scan: while n < pathIdx {
                    let x = paths[n % L]
                    for i in 1..<nS where paths[i * L + n % L] != x { break scan }
                    convIdx += 1
                    best[convIdx % L] = x
                    n += 1
                }
            }
            while read <= convIdx { states[read] = Int(best[read % L]); read += 1 }
        }
        let decidedBeforeEnd = read
        // End of input: the best path decides the rest.
        var minState = 0
        for i in 1..<nS where cost[i] < cost[minState] { minState = i }
        while convIdx + 1 < pathIdx {
            convIdx += 1
            best[convIdx % L] = paths[minState * L + convIdx % L]
        }
        while read <= convIdx { states[read] = Int(best[read % L]); read += 1 }

        var f0 = [Float](repeating: 0, count: count), voicing = f0
        for t in 0..<count {
            let s = states[t]
            f0[t] = s < u ? f[t * nC + s] : 0
            voicing[t] = s < nC ? v[t * nC + s] : v[t * nC]
        }
        return (f0, voicing, decidedBeforeEnd)
    }

    /// The built-in frequency-range cost: 1 → 0 over 0…100 Hz, 0 over 100…350 Hz, 0 → 1 over
    /// 350…600 Hz, 1.2 above, 2 for no candidate (0 Hz).
    static func rangeWeight(_ f: Float) -> Double {
        let x = Double(f)
        if f > 0 && f < 100 { return -(1.0 / 100.0) * x + 1.0 }
        if f >= 100 && f < 350 { return 0 }
        if f >= 350 && f < 600 { return (x - 350.0) / 250.0 }
        if f >= 600 { return 1.2 }
        if f <= 0 { return 2.0 }
        return 0
    }

    /// `F0finalLog`: semitones above 27.5 Hz, `12 · ln(f / 27.5) / ln 2` in single precision;
    /// F0 at or below 29.136 Hz (1 semitone) gives 1, unvoiced (0) gives 0.
    public static func semitone(_ f0: Float) -> Float {
        if f0 > 29.136 { return Float(12) * log(f0 / Float(27.5)) / log(Float(2)) }
        return f0 > 0 ? 1 : 0
    }
}

/// eGeMAPS' F0 per 60 ms frame (every 10 ms), as openSMILE's level `gemapsv01b_logPitch`:
/// cSpecScale → cPitchShs → cPitchSmootherViterbi, then the energy gate `gemapsv01b_volmerge`
/// (cValbasedSelector: frames whose RMS (cEnergy `rms = 1`) of the Gaussian-windowed 60 ms frame
/// is not above 0.001 are zeroed).
public struct SmileF0: Sendable {
    /// Frames of the pitch level: every complete 60 ms frame, `(samples − frameSize) / step + 1`
    /// (0 for a clip shorter than one frame). Frame `i` starts at `i · frameStep`, like the 20 ms
    /// frames. openSMILE's LLD output has one frame more: its contour smoother repeats the last
    /// input frame at the end of input.
    public let count: Int
    /// `F0final` in Hz, 0 = unvoiced.
    public let f0Hz: [Float]
    /// `F0finalLog`: semitones from 27.5 Hz (the LLD `F0semitoneFrom27.5Hz` before smoothing), 0 = unvoiced.
    public let semitone: [Float]
    /// `voicingFinalUnclipped`, 0 where the energy gate closed.
    public let voicing: [Float]
    /// RMS of each Gaussian-windowed 60 ms frame (`gemapsv01b_e60`).
    public let rms: [Float]
    /// The detector's candidates per frame (`gemapsv01b_pitchShsG60`).
    public let candidates: [SmilePitchCandidates]
    /// Frames the Viterbi smoother had output before the end of input (≤ `count`); the others
    /// come out of its end-of-input flush. This matters downstream: openSMILE's 3-frame smoothers
    /// (cContourSmoother) of every level fed by this F0 (`egemapsv02_lldsetF`, the nz sets and
    /// the voiced/unvoiced spectral sets) hit a first end of input there. Measured on the shared
    /// clips, for input x[0..<N] and P = `decidedBeforeEnd` the smoothed output y has N + 1 frames:
    /// y[i] = sma3(x[i−1], x[i], x[i+1]) for i < P − 1, y[P−1] = sma3(x[P−2], x[P−1], x[P−1]),
    /// y[P] = x[P−1] (the repeated edge frame), then, if P < N, y[i] = sma3 as usual for
    /// P < i < N − 1, y[N−1] = sma3(x[N−2], x[N−1], x[N−1]) and y[N] = x[N−1]. The true sma3 of
    /// frame P is never output. (With P = N this is the plain "repeat the last frame" ending.)
    /// sma3 here is `noZeroSma`-aware for the nz sets (zeros excluded, 0 stays 0).
    public let decidedBeforeEnd: Int
}

extension SmileF0 {
    /// Complete 60 ms frames of a clip of `samples` samples.
    public static func frameCount(samples: Int, framing: SmileFraming) -> Int {
        samples >= framing.frameSize ? (samples - framing.frameSize) / framing.frameStep + 1 : 0
    }

    /// cEnergy `rms = 1`: `sqrt(Σ x² / N)`, each square in single precision, the sum in double.
    public static func rms(_ frame: [Float]) -> Float {
        guard !frame.isEmpty else { return 0 }
        var d = 0.0
        for x in frame { d += Double(x * x) }
        return Float(sqrt(d / Double(Float(frame.count))))
    }

    /// `rms` of four frames of equal length at once (four independent sums, each in the scalar order).
    static func rms4(_ a: [Float], _ b: [Float], _ c: [Float], _ d: [Float]) -> (Float, Float, Float, Float) {
        let n = a.count
        guard n > 0, b.count == n, c.count == n, d.count == n else { return (rms(a), rms(b), rms(c), rms(d)) }
        var s = SIMD4<Double>(repeating: 0)
        a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
        c.withUnsafeBufferPointer { c in
        d.withUnsafeBufferPointer { d in
            for k in 0..<n {
                let x = SIMD4<Float>(a[k], b[k], c[k], d[k])
                let sq = x * x
                s += SIMD4<Double>(Double(sq[0]), Double(sq[1]), Double(sq[2]), Double(sq[3]))
            }
        }}}}
        let den = Double(Float(n))
        return (Float(sqrt(s[0] / den)), Float(sqrt(s[1] / den)), Float(sqrt(s[2] / den)), Float(sqrt(s[3] / den)))
    }
}

/// The spectral scale and pitch detector of one 60 ms FFT geometry, made once per (bins, spacing).
private struct SmileF0Stages: Sendable {
    let scale: SmileSpecScale
    let shs: SmilePitchSHS
}

private struct SmileF0Key: Hashable, Sendable {
    let bins: Int
    let spacing: UInt64
}

private let smileF0Stages = SharedCache<SmileF0Key, SmileF0Stages>()

/// eGeMAPS' F0 of a clip from its shared analysis levels (`SmileAnalysis.magnitude60`,
/// `windowed60`): see `SmileF0`. Threshold 0.001 on the RMS, as `gemapsv01b_volmerge`.
public func smileF0(_ analysis: SmileAnalysis, energyThreshold: Float = 0.001) -> SmileF0 {
    let count = min(SmileF0.frameCount(samples: analysis.signal.count, framing: analysis.frames60),
                    analysis.magnitude60.count, analysis.windowed60.count)
    let fft = analysis.fft60
    let spacing = SmileSpecScale.binSpacing(frameSeconds: 0.060, frameSize: analysis.frames60.frameSize, fftSize: fft.fftSize)
    let stages = smileF0Stages.value(for: SmileF0Key(bins: fft.bins, spacing: spacing.bitPattern), make: {
        let scale = SmileSpecScale(bins: fft.bins, binSpacing: spacing)
        return SmileF0Stages(scale: scale, shs: SmilePitchSHS(scale: scale))
    })
    let scale = stages.scale, shs = stages.shs
    let n = scale.bins
    var candidates: [SmilePitchCandidates] = []
    candidates.reserveCapacity(count)
    let spectra = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count * n, 1))
    let work = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
    defer { spectra.deallocate(); work.deallocate() }
    scale.apply(analysis.magnitude60, count: count, into: spectra)
    for i in 0..<count {
        candidates.append(shs.detect(UnsafeBufferPointer(start: spectra.baseAddress! + i * n, count: n), workspace: work))
    }
    var rms = [Float](repeating: 0, count: count)
    let windowed = analysis.windowed60
    var i = 0
    while i + 4 <= count {
        (rms[i], rms[i + 1], rms[i + 2], rms[i + 3]) = SmileF0.rms4(windowed[i], windowed[i + 1], windowed[i + 2], windowed[i + 3])
        i += 4
    }
    while i < count { rms[i] = SmileF0.rms(windowed[i]); i += 1 }
    let (f0, voicing, decided) = SmilePitchViterbi().smooth(candidates)
    var hz = [Float](repeating: 0, count: count), st = hz, vp = hz
    for i in 0..<count where rms[i] > energyThreshold {
        hz[i] = f0[i]
        st[i] = SmilePitchViterbi.semitone(f0[i])
        vp[i] = voicing[i]
    }
    return SmileF0(count: count, f0Hz: hz, semitone: st, voicing: vp, rms: rms, candidates: candidates,
                   decidedBeforeEnd: decided)
}
