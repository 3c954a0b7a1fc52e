import Foundation

/// openSMILE's cContourSmoother (src/dspcore/contourSmoother.cpp): a moving average over
/// `smaWin` frames, the `_sma3` / `_sma3nz` step of every eGeMAPS descriptor.
///
/// - `noZeroSma = false` (`_sma3`): `y[n] = (x[n-1] + x[n] + x[n+1]) / 3`.
/// - `noZeroSma = true` (`_sma3nz`): a zero input stays zero; otherwise the mean of the non-zero
///   values in the window (zeros around a non-zero value are left out of sum and count).
/// - Edges: the window reader pads past either end of the available input by repeating the
///   edge frame (`y[0] = (2·x[0] + x[1]) / 3`), as measured on openSMILE's own levels.
///
/// Arithmetic is openSMILE's FLOAT_DMEM (float): sum in window order, then one division.
///
/// The level openSMILE *writes* has one frame more than its input: at the end of input the
/// window processor emits a last, fully padded window (`y[N] = x[N-1]`). When the input level
/// itself was still growing at the end of input (the F0 / voice-quality levels, whose frames the
/// Viterbi pitch smoother hands out late), the smoother pads once at the frames it had when it
/// first caught up (`framesBeforeEOI`), and resumes after. `level(_:noZeroSma:framesBeforeEOI:)`
/// reproduces that; `sma(_:noZeroSma:)` is the plain, complete-input smoothing.
public enum SmileContourSmoother {
    /// The moving average of `x` (`smaWin`, odd, default 3) with openSMILE's edge padding: one
    /// output per input frame.
    public static func sma(_ x: [Float], smaWin: Int = 3, noZeroSma: Bool) -> [Float] {
        let n = x.count
        guard n > 0 else { return [] }
        var win = max(smaWin, 1)
        if win % 2 == 0 { win += 1 }  // openSMILE increases an even window by 1
        let half = win / 2
        var y = [Float](repeating: 0, count: n)
        x.withUnsafeBufferPointer { xp in
            @inline(__always) func at(_ i: Int) -> Float { xp[min(max(i, 0), n - 1)] }
            if noZeroSma {
                for i in 0..<n {
                    let c = xp[i]
                    if c == 0 { continue }
                    var s = c
                    var count: Float = 1
                    if half > 0 {
                        for w in 1...half {
                            let a = at(i - w), b = at(i + w)
                            if a != 0 { s += a; count += 1 }
                            if b != 0 { s += b; count += 1 }
                        }
                    }
                    y[i] = s / count
                }
            } else {
                let denom = Float(win)
                for i in 0..<n {
                    var s = xp[i]
                    if half > 0 {
                        for w in 1...half {
                            s += at(i - w)
                            s += at(i + w)
                        }
                    }
                    y[i] = s / denom
                }
            }
        }
        return y
    }

    /// The smoothed level as openSMILE writes it (what its `lld` output and CSV sinks show):
    /// `x.count + 1` frames (none for an empty input).
    ///
    /// - `framesBeforeEOI` (M, default `x.count`): how many input frames existed when the smoother
    ///   first ran out of input at the end of the stream. Frames `0..<M-1` are plain smoothing;
    ///   frame `M-1` is padded as if the input ended there, frame `M` is the fully padded window
    ///   at `x[M-1]`; the smoothing of input frame `M` is lost. Then frames `M+1..<N` resume the
    ///   plain smoothing (padded at the real end `N-1`), and the last frame is `x[N-1]`.
    ///   With M = N this is plain smoothing plus the one trailing padded frame.
    public static func level(_ x: [Float], smaWin: Int = 3, noZeroSma: Bool, framesBeforeEOI: Int? = nil) -> [Float] {
        let n = x.count
        guard n > 0 else { return [] }
        let m = min(max(framesBeforeEOI ?? n, 1), n)
        var out = sma(Array(x[0..<m]), smaWin: smaWin, noZeroSma: noZeroSma)
        out.append(padded(x[m - 1], smaWin: smaWin, noZeroSma: noZeroSma))
        if m < n {
            if m + 1 < n {
                let full = sma(x, smaWin: smaWin, noZeroSma: noZeroSma)
                out.append(contentsOf: full[(m + 1)..<n])
            }
            out.append(padded(x[n - 1], smaWin: smaWin, noZeroSma: noZeroSma))
        }
        return out
    }

    /// A window made only of padding copies of `v`.
    private static func padded(_ v: Float, smaWin: Int, noZeroSma: Bool) -> Float {
        var win = max(smaWin, 1)
        if win % 2 == 0 { win += 1 }
        if noZeroSma {
            if v == 0 { return 0 }
            var s = v
            for _ in 1..<win { s += v }
            return s / Float(win)
        }
        var s = v
        for _ in 1..<win { s += v }
        return s / Float(win)
    }
}

/// openSMILE's cValbasedSelector (src/other/valbasedSelector.cpp) as eGeMAPS uses it
/// (`idx = 0`, `removeIdx = 1`, `zeroVec = 1`, `outputVal = 0`): a frame passes when its key value
/// is above `threshold` (`invert = 0`) or below it (`invert = 1`); a frame that does not pass is
/// replaced by `outputVal` instead of being dropped. eGeMAPS keys on the (unsmoothed) F0 in
/// semitones with `threshold = 0.000001`: voiced frames pass, `invert` keeps the unvoiced ones.
public enum SmileValbasedSelector {
    /// `values` gated frame by frame by `key` (compared over the frames both have; the output has
    /// `min(values.count, key.count)` frames, as a selector reading both levels does).
    public static func select(_ values: [Float], by key: [Float], threshold: Float = 0.000001,
                              invert: Bool = false, outputVal: Float = 0) -> [Float] {
        let n = min(values.count, key.count)
        var out = [Float](repeating: outputVal, count: n)
        for i in 0..<n {
            let k = key[i]
            let pass = invert ? (k < threshold) : (k > threshold)
            if pass { out[i] = values[i] }
        }
        return out
    }
}
