import Foundation

/// openSMILE's cFunctionalSegments (src/functionals/functionalSegments.cpp), the `nonX` and `eqX`
/// algorithms (not the old `useOldBuggyChX` ones) as GeMAPS' temporal set uses them on the
/// smoothed F0 contour: `X = 0`, `maxNumSeg = 1000`, `segMinLng = 3`, `pauseMinLng = 2`,
/// `norm = second`, `nonZeroFuncts = 0` (the zeros are the point).
///
/// - `nonX` segments are runs of frames `!= X` (voiced), `eqX` runs of frames `== X` (unvoiced).
/// - A run becomes a segment once it has 3 frames; a gap of 1 frame inside a run does not end it
///   (it takes 2 consecutive other frames), and such a gap frame of a candidate still counts
///   towards its 3 frames.
/// - A segment's length is `last in-run frame − first frame`, one less than its frame count
///   (openSMILE's `addNewSegment(end, start)` takes `end − start`); a segment still open at the
///   end of the contour ends at its last frame (trailing gap frames excluded) or, if it ends on a
///   single gap frame, at the frame before.
/// - Outputs: segments per second `count / (N·T)`, mean length · T and (population) standard
///   deviation of the lengths · T, in float; mean of one segment is its length, deviation of fewer
///   than two segments 0. `T` is the input frame period.
public enum SmileSegments {
    public struct Result: Sendable, Equatable {
        public var segmentsPerSecond: Float
        public var meanLength: Float
        public var lengthStddev: Float
    }

    /// The segment lengths, in frames as openSMILE counts them (see above): runs of frames
    /// `== x0` (`equalToX`, eqX) or `!= x0` (nonX).
    public static func lengths(_ x: [Float], equalToX: Bool, x0: Float = 0, segMinLng: Int = 3,
                               pauseMinLng: Int = 2, maxNumSeg: Int = 1000) -> [Int] {
        var segs = [Int]()
        var state = 0  // 0 pause, 1 candidate, 2 segment
        var segStart = 0, segEnd = 0, startIndex = 0
        let n = x.count
        for i in 0..<n {
            let member = equalToX ? (x[i] == x0) : (x[i] != x0)
            if member {
                switch state {
                case 1:
                    segEnd = 0
                    segStart += 1
                    if segStart >= segMinLng { segStart = 0; state = 2 }
                case 0:
                    segStart += 1
                    startIndex = i
                    state = 1
                default:
                    segEnd = 0
                }
            } else {
                switch state {
                case 2:
                    segStart = 0
                    segEnd += 1
                    if segEnd >= pauseMinLng {
                        state = 0
                        if segs.count < maxNumSeg { segs.append(i - segEnd - startIndex) }
                        segEnd = 0
                    }
                case 1:
                    segEnd += 1
                    if segEnd >= pauseMinLng { state = 0; segEnd = 0; segStart = 0 }
                default:
                    break
                }
            }
        }
        if state == 2 {
            segEnd += 1
            if segs.count < maxNumSeg { segs.append(n - segEnd - startIndex) }
        }
        return segs
    }

    /// `numSegments`, `meanSegLen`, `segLenStddev` with `norm = second`. Zeros for no frames.
    public static func statistics(_ x: [Float], equalToX: Bool, framePeriod: Double) -> Result {
        guard !x.isEmpty else { return Result(segmentsPerSecond: 0, meanLength: 0, lengthStddev: 0) }
        let segs = lengths(x, equalToX: equalToX)
        let count = segs.count
        let total = segs.reduce(0, +)
        let mean: Float = count > 1 ? Float(total) / Float(count) : Float(total)
        var dev: Float = 0
        for s in segs { dev += (Float(s) - mean) * (Float(s) - mean) }
        if count > 1 {
            dev /= Float(count)
            dev = dev.squareRoot()
        } else {
            dev = 0
        }
        let t = Float(framePeriod)
        let norm = (t != 0 ? t : 1) * Float(x.count)
        let tt: Float = t != 0 ? t : 1
        return Result(segmentsPerSecond: Float(count) / norm, meanLength: mean * tt, lengthStddev: dev * tt)
    }
}
