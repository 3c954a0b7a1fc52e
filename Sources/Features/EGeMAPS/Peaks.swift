import Foundation

/// openSMILE's cFunctionalPeaks2 (src/functionals/functionalPeaks2.cpp) as eGeMAPS configures it
/// (`relThresh = 0.1`, `dynRelThresh = 0`, `norm = seconds`, `doRatioLimit = 0`): the
/// rising/falling slopes of the F0 and loudness contours and `loudnessPeaksPerSec`.
///
/// Peak picking, on the contour the functional sees (after `nonZeroFuncts`):
/// 1. every strict local maximum / minimum at positions `2 ..< N−2` (the first and last two
///    frames are never extrema);
/// 2. with the threshold `0.1·(max − min)` of the contour: (a) a maximum rising less than the
///    threshold above the previous extremum and above the last kept minimum is dropped, one that
///    is less than the threshold above the previous extremum but more than 5 % above the last
///    maximum replaces that maximum, otherwise it is kept only right after a kept minimum; a
///    minimum is remembered only when it differs from the previous extremum by at least the
///    threshold; (b) a minimum less than the threshold below the last maximum (the contour's first
///    value before any) is dropped;
/// 3. of consecutive maxima (minima) only the highest (lowest) is kept, the first on ties.
///
/// Slopes, in contour units per second (`T` = the input frame period, 0.01 s for eGeMAPS):
/// rising = (max − preceding min) / (distance·T), falling = (max − following min) / (distance·T),
/// starting from the first frame (position 0) as both a pseudo minimum and maximum. After the
/// last extremum one more slope runs to the last frame: after a maximum it counts as *falling*
/// but with openSMILE's sign, `(last − max)/(distance·T)` (negative for a real fall); after a
/// minimum as rising. Without any extremum: `(last − first)/N` (no `T`) is the one rising
/// (> 0) or falling (< 0) slope. Means divide by the count; the standard deviations are
/// population ones around that mean *but leave the end-of-contour slope out of the sum* (still
/// dividing by the count with it), as openSMILE does. Slope statistics of no slopes are 0.
public enum SmilePeaks2 {
    public struct Slopes: Sendable, Equatable {
        public var meanRising: Float = 0
        public var stddevRising: Float = 0
        public var meanFalling: Float = 0
        public var stddevFalling: Float = 0
        public init(meanRising: Float = 0, stddevRising: Float = 0, meanFalling: Float = 0, stddevFalling: Float = 0) {
            self.meanRising = meanRising
            self.stddevRising = stddevRising
            self.meanFalling = meanFalling
            self.stddevFalling = stddevFalling
        }
    }

    /// One kept extremum: `isMax`, its value and its frame index in the contour.
    public struct Extremum: Sendable, Equatable {
        public var isMax: Bool
        public var y: Float
        public var x: Int
        public init(isMax: Bool, y: Float, x: Int) {
            self.isMax = isMax
            self.y = y
            self.x = x
        }
    }

    /// The peaks and valleys cFunctionalPeaks2 keeps (steps 1–3 above), in order.
    public static func extrema(_ x: [Float], relThresh: Float = 0.1) -> [Extremum] {
        let n = x.count
        guard n > 4 else { return [] }
        var lo = x[0], hi = x[0]
        for v in x {
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        let thresh = relThresh * (hi - lo)
        @inline(__always) func below(_ diff: Float) -> Bool { diff < thresh }

        // step 1: all strict local extrema
        var list = [Extremum]()
        for i in 2..<(n - 2) {
            let v = x[i]
            if v > x[i - 1] && v > x[i + 1] {
                list.append(Extremum(isMax: true, y: v, x: i))
            } else if v < x[i - 1] && v < x[i + 1] {
                list.append(Extremum(isMax: false, y: v, x: i))
            }
        }

        // step 2a: minimum rise / fall between extrema
        var keep = [Bool](repeating: true, count: list.count)
        var lastVal = x[0], lastMin = x[0], lastMax = x[0]
        var minFlag = false
        var lastMaxIndex: Int? = nil
        for k in 0..<list.count {
            let e = list[k]
            if e.isMax {
                if below(abs(e.y - lastVal)) {
                    if below(e.y - lastMin) {
                        keep[k] = false
                    } else {
                        if Double(e.y) > Double(lastMax) * 1.05 {
                            if let j = lastMaxIndex { keep[j] = false }
                            lastMax = e.y
                            lastMaxIndex = k
                        } else if minFlag {
                            lastMax = e.y
                            lastMaxIndex = k
                        } else {
                            keep[k] = false
                        }
                        minFlag = false
                    }
                } else {
                    minFlag = false
                    lastMax = e.y
                    lastMaxIndex = k
                }
            } else if !below(abs(e.y - lastVal)) {
                minFlag = true
                lastMin = e.y
            }
            lastVal = e.y
        }
        var kept = [Extremum]()
        kept.reserveCapacity(list.count)
        for k in 0..<list.count where keep[k] { kept.append(list[k]) }

        // step 2b: small minima
        var after2b = [Extremum]()
        after2b.reserveCapacity(kept.count)
        lastMax = x[0]
        for e in kept {
            if !e.isMax {
                if below(lastMax - e.y) { continue }
            } else {
                lastMax = e.y
            }
            after2b.append(e)
        }

        // step 3: alternate maxima and minima
        var out = [Extremum]()
        out.reserveCapacity(after2b.count)
        var lastWasMin = false
        for e in after2b {
            guard let last = out.last else {
                out.append(e)
                lastWasMin = !e.isMax
                continue
            }
            if e.isMax {
                if lastWasMin {
                    out.append(e)
                    lastWasMin = false
                } else if e.y > last.y {
                    out[out.count - 1] = e
                }
            } else {
                if !lastWasMin {
                    out.append(e)
                    lastWasMin = true
                } else if e.y < last.y {
                    out[out.count - 1] = e
                }
            }
        }
        return out
    }

    /// `numPeaks` with `norm = seconds`: kept maxima per second, `count / (N·T)`. 0 for no frames.
    public static func peaksPerSecond(_ x: [Float], framePeriod: Double, relThresh: Float = 0.1) -> Float {
        guard !x.isEmpty else { return 0 }
        let peaks = extrema(x, relThresh: relThresh).reduce(0) { $0 + ($1.isMax ? 1 : 0) }
        return Float(peaks) / (Float(x.count) * Float(framePeriod))
    }

    /// `meanRisingSlope`, `stddevRisingSlope`, `meanFallingSlope`, `stddevFallingSlope`.
    public static func slopes(_ x: [Float], framePeriod: Double, relThresh: Float = 0.1) -> Slopes {
        let n = x.count
        guard n > 0 else { return Slopes() }
        let list = extrema(x, relThresh: relThresh)
        let t = Float(framePeriod)
        var rising = [Float](), falling = [Float]()
        var lastMax = x[0], lastMin = x[0]
        var lastMaxPos = 0, lastMinPos = 0
        var lastIsMax: Bool? = nil
        for e in list {
            if e.isMax {
                lastMax = e.y
                lastMaxPos = e.x
                if lastMaxPos - lastMinPos > 0 {
                    rising.append((lastMax - lastMin) / (Float(lastMaxPos - lastMinPos) * t))
                    lastIsMax = true
                }
            } else {
                lastMin = e.y
                lastMinPos = e.x
                if lastMinPos - lastMaxPos > 0 {
                    falling.append((lastMax - lastMin) / (Float(lastMinPos - lastMaxPos) * t))
                    lastIsMax = false
                }
            }
        }
        // The slopes of the list enter the standard deviations; the end slope only the counts.
        var risingAll = rising, fallingAll = falling
        switch lastIsMax {
        case true?:
            if n - 1 - lastMaxPos > 0 {
                fallingAll.append((x[n - 1] - lastMax) / (Float(n - 1 - lastMaxPos) * t))
            }
        case false?:
            if n - 1 - lastMinPos > 0 {
                risingAll.append((x[n - 1] - lastMin) / (Float(n - 1 - lastMinPos) * t))
            }
        case nil:
            let s = (x[n - 1] - x[0]) / Float(n)
            if s > 0 { risingAll = [s] } else if s < 0 { fallingAll = [s] }
        }
        let r = meanAndDeviation(listed: rising, all: risingAll)
        let f = meanAndDeviation(listed: falling, all: fallingAll)
        return Slopes(meanRising: r.mean, stddevRising: r.deviation, meanFalling: f.mean, stddevFalling: f.deviation)
    }

    private static func meanAndDeviation(listed: [Float], all: [Float]) -> (mean: Float, deviation: Float) {
        guard !all.isEmpty else { return (0, 0) }
        var mean: Float = 0
        for s in all { mean += s }
        if all.count > 1 { mean /= Float(all.count) }
        var dev: Float = 0
        for s in listed { dev += (s - mean) * (s - mean) }
        if all.count > 1 { dev /= Float(all.count) }
        return (mean, dev > 0 ? dev.squareRoot() : 0)
    }
}
