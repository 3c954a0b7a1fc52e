import Foundation

/// The pitch candidates of one frame, as openSMILE's cPitchBase writes them (`nCandidates`,
/// `F0Cand`, `candVoicing`, `candScores`, `F0raw`, `voicingClip`): candidates in Hz (0 = none),
/// the best-scored first, the others in descending score order as the detector found them.
public struct SmilePitchCandidates: Sendable, Equatable {
    /// Valid candidates (the first `count` entries of the arrays).
    public var count: Int
    public var f0: [Float]
    /// Voicing (pseudo) probability of each candidate: `1 − mean(SHS) / score`, or 0.
    public var voicing: [Float]
    public var score: [Float]
    /// The first candidate if its voicing exceeds the cutoff, else 0.
    public var f0Raw: Float
    /// The first candidate's voicing if it exceeds the cutoff, else 0.
    public var voicingClip: Float

    public init(slots: Int) {
        count = 0
        f0 = [Float](repeating: 0, count: slots)
        voicing = f0
        score = f0
        f0Raw = 0
        voicingClip = 0
    }
}

/// openSMILE's cPitchShs (subharmonic summation, Hermes 1988) with cPitchBase's candidate
/// post-processing, with the options of eGeMAPS' `gemapsv01b_shs`: the octave-scale spectrum
/// (`SmileSpecScale`) is summed with itself shifted down by log₂(h) octaves for h = 2…`harmonics`,
/// each shift weighted by `compression^(h−1)`; the strongest peaks of the sum (parabola-interpolated
/// on the octave axis) are the F0 candidates.
///
/// Options mirrored: `maxPitch = 1000`, `minPitch = 55`, `nCandidates = 6`, `nHarmonics = 15`,
/// `compressionFactor = 0.85`, `voicingCutoff = 0.7`, `greedyPeakAlgo = 1`, `octaveCorrection = 0`,
/// `lfCut = 0`. Arithmetic is single precision where openSMILE's is (`FLOAT_DMEM`).
public struct SmilePitchSHS: Sendable {
    public let minPitch: Float
    public let maxPitch: Float
    public let candidates: Int
    public let harmonics: Int
    public let compression: Float
    public let voicingCutoff: Float
    public let greedyPeaks: Bool

    /// The octave axis, as cSpecScale hands it over in single precision.
    public let axisStart: Float
    public let axisStep: Float
    public let pointsPerOctave: Float
    /// Shift in points of harmonic h = 2…harmonics: `floor(pointsPerOctave · log₂ h)`.
    let shifts: [Int]

    public init(scale: SmileSpecScale, minPitch: Double = 55, maxPitch: Double = 1000, candidates: Int = 6,
                harmonics: Int = 15, compression: Double = 0.85, voicingCutoff: Double = 0.7, greedyPeaks: Bool = true) {
        let maxP = max(0, maxPitch)
        self.maxPitch = Float(maxP)
        self.minPitch = Float(min(max(0, minPitch), maxP))
        self.candidates = min(max(candidates, 1), 20)
        self.harmonics = max(harmonics, 1)
        self.compression = Float(compression)
        self.voicingCutoff = Float(voicingCutoff)
        self.greedyPeaks = greedyPeaks
        let start = Float(scale.minOctave), end = Float(scale.maxOctave)
        axisStart = start
        axisStep = (end - start) / Float(scale.bins - 1)
        pointsPerOctave = Float(scale.pointsPerOctave)
        let ppo = Double(pointsPerOctave)
        shifts = self.harmonics < 2 ? [] : (2...self.harmonics).map { Int((ppo * (log(Double($0)) / log(2.0))).rounded(.down)) }
    }

    /// The candidates of one octave-scale spectrum.
    public func detect(_ spectrum: [Float]) -> SmilePitchCandidates {
        let n = spectrum.count
        let work = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(n, 1))
        defer { work.deallocate() }
        return spectrum.withUnsafeBufferPointer { detect($0, workspace: work) }
    }

    /// The candidates of one octave-scale spectrum; `workspace` holds at least `spectrum.count`
    /// values (overwritten).
    public func detect(_ x: UnsafeBufferPointer<Float>, workspace: UnsafeMutableBufferPointer<Float>) -> SmilePitchCandidates {
        let n = x.count
        var out = SmilePitchCandidates(slots: candidates)
        guard n >= 3 else { return out }
        precondition(workspace.count >= n)
        let ss = workspace.baseAddress!
        let xp = x.baseAddress!
        ss.update(from: xp, count: n)
        var w = compression
        shifts.withUnsafeBufferPointer { shifts in
            for shift in shifts {
                if shift >= 0 && shift < n { Self.addScaled(xp + shift, w, into: ss, count: n - shift) }
                w *= compression
            }
        }
        Self.divideAndClamp(ss, by: Float(harmonics), count: n)
        // Peaks of the sum, best first; and the mean of the sum.
        let slots = candidates
        var found = 0
        var mean = 0.0
        withUnsafeTemporaryAllocation(of: Int.self, capacity: slots) { index in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: slots) { peak in
            let index = index.baseAddress!, peak = peak.baseAddress!
            index.initialize(repeating: 0, count: slots)
            peak.initialize(repeating: 0, count: slots)
            // The mean's sum keeps its serial order; the peaks are found branch-free, 64 points
            // per mask word, then taken in ascending order as the scalar scan would.
            var m = Double(ss[0])
            for i in 1..<(n - 1) { m += Double(ss[i]) }
            let greedy = greedyPeaks
            var base = 1
            while base < n - 1 {
                let end = min(base + 64, n - 1)
                var bits: UInt64 = 0
                for i in base..<end {
                    let v = ss[i]
                    let rising: UInt64 = ss[i - 1] < v ? 1 : 0
                    let falling: UInt64 = v > ss[i + 1] ? 1 : 0
                    bits |= (rising & falling) << UInt64(i - base)
                }
                while bits != 0 {
                    let i = base + bits.trailingZeroBitCount
                    bits &= bits - 1
                    let v = ss[i]
                    if greedy {
                        var j = 0
                        while j < slots {
                            if peak[j] == 0 || peak[j] < v {
                                var jj = slots - 1
                                while jj > j { peak[jj] = peak[jj - 1]; index[jj] = index[jj - 1]; jj -= 1 }
                                index[j] = i
                                peak[j] = v
                                if found < slots { found += 1 }
                                break
                            }
                            j += 1
                        }
                    } else if v > peak[0] || peak[0] == 0 {
                        var jj = slots - 1
                        while jj > 0 { peak[jj] = peak[jj - 1]; index[jj] = index[jj - 1]; jj -= 1 }
                        index[0] = i
                        peak[0] = v
                        if found < slots { found += 1 }
                    }
                }
                base = end
            }
            mean = (m + Double(ss[n - 1])) / Double(n)

            // Parabolic interpolation on the octave axis, then Hz and voicing.
            out.score.withUnsafeMutableBufferPointer { score in
            out.f0.withUnsafeMutableBufferPointer { f0 in
            out.voicing.withUnsafeMutableBufferPointer { voicing in
                for c in 0..<slots { score[c] = peak[c] }
                for c in 0..<found {
                    let j = index[c]
                    let fj = Float(j)
                    let x1 = fj * axisStep + axisStart
                    let x2 = (fj + 1) * axisStep + axisStart
                    let x0 = (fj - 1) * axisStep + axisStart
                    let (fx, sc) = Self.parabolaPeak(Double(x0), Double(ss[j - 1]), Double(x1), Double(ss[j]),
                                                      Double(x2), Double(ss[j + 1]))
                    f0[c] = Float(exp(fx * log(2.0)))
                    score[c] = Float(sc)
                    voicing[c] = (sc > 0 && sc > mean) ? Float(1.0 - mean / sc) : 0
                }
            }}}
        }}
        out.count = found
        postProcess(&out)
        return out
    }

    /// `y[j] = max(y[j] / h, 0)` as the scalar `y[j] /= h; if y[j] < 0 { y[j] = 0 }` (NaN and −0 stay).
    static func divideAndClamp(_ y: UnsafeMutablePointer<Float>, by h: Float, count: Int) {
        var j = 0
        let h8 = SIMD8<Float>(repeating: h)
        let zero = SIMD8<Float>(repeating: 0)
        let ry = UnsafeMutableRawPointer(y)
        while j + 8 <= count {
            var b = ry.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) / h8
            b.replace(with: zero, where: b .< zero)
            ry.storeBytes(of: b, toByteOffset: j * 4, as: SIMD8<Float>.self)
            j += 8
        }
        while j < count {
            y[j] /= h
            if y[j] < 0 { y[j] = 0 }
            j += 1
        }
    }

    /// `y[j] += x[j] · w` for j < count, eight at a time (each product and sum rounded to single
    /// precision, as the scalar loop; `x` and `y` must not overlap).
    static func addScaled(_ x: UnsafePointer<Float>, _ w: Float, into y: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        let w8 = SIMD8<Float>(repeating: w)
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        while j + 8 <= count {
            let a = rx.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            let b = ry.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            ry.storeBytes(of: b + a * w8, toByteOffset: j * 4, as: SIMD8<Float>.self)
            j += 8
        }
        while j < count { y[j] += x[j] * w; j += 1 }
    }

    /// cPitchBase: drop candidates outside [minPitch, maxPitch] (closing the gap), move the
    /// best-scored one to the front, and derive F0raw / voicingClip from it.
    func postProcess(_ c: inout SmilePitchCandidates) {
        let slots = candidates
        if c.count > 0 {
            var i = 0
            while i < slots && c.count > 0 {
                if c.f0[i] > maxPitch || c.f0[i] < minPitch {
                    let original = c.f0[i]
                    for j in (i + 1)..<max(i + 1, slots) {
                        c.f0[j - 1] = c.f0[j]; c.voicing[j - 1] = c.voicing[j]; c.score[j - 1] = c.score[j]
                    }
                    c.f0[slots - 1] = 0; c.voicing[slots - 1] = 0; c.score[slots - 1] = 0
                    if original > 0 { c.count -= 1; i -= 1 }
                }
                i += 1
            }
        }
        var best = 0
        var top = c.score[0]
        for i in 1..<slots where c.score[i] > top { top = c.score[i]; best = i }
        if best > 0 {
            c.f0.swapAt(0, best); c.voicing.swapAt(0, best); c.score.swapAt(0, best)
        }
        let voiced = c.voicing[0] > voicingCutoff
        c.f0Raw = voiced ? c.f0[0] : 0
        c.voicingClip = voiced ? c.voicing[0] : 0
    }

    /// smileMath_quadFrom3pts: the vertex (x, y) of the parabola through three points; the
    /// highest point when they are collinear.
    static func parabolaPeak(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ x3: Double, _ y3: Double) -> (Double, Double) {
        let den = x1 * x1 * x2 + x2 * x2 * x3 + x3 * x3 * x1 - x3 * x3 * x2 - x2 * x2 * x1 - x1 * x1 * x3
        if den != 0 {
            let a = (y1 * x2 + y2 * x3 + y3 * x1 - y3 * x2 - y2 * x1 - y1 * x3) / den
            let b = (x1 * x1 * y2 + x2 * x2 * y3 + x3 * x3 * y1 - x3 * x3 * y2 - x2 * x2 * y1 - x1 * x1 * y3) / den
            let c = (x1 * x1 * x2 * y3 + x2 * x2 * x3 * y1 + x3 * x3 * x1 * y2 - x3 * x3 * x2 * y1 - x2 * x2 * x1 * y3 - x1 * x1 * x3 * y2) / den
            if a != 0 {
                let x = -b / (2.0 * a)
                return (x, c - a * x * x)
            }
        }
        if y1 > y2 && y1 > y3 { return (x1, y1) }
        if y2 > y1 && y2 > y3 { return (x2, y2) }
        if y3 > y1 && y3 > y2 { return (x3, y3) }
        return (x1, y1)
    }
}
