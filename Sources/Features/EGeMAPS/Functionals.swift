import Foundation

/// openSMILE's cFunctionals (src/functionals/functionals.cpp) and the functionals eGeMAPS enables
/// (config/gemaps/v01b/GeMAPSv01b_core.func.conf.inc, config/egemaps/v02/eGeMAPSv02_core.func.conf.inc),
/// over one contour of a whole clip (`frameMode = full`).
///
/// - `nonZeroFuncts = 1` drops every frame equal to 0 before any functional sees the contour
///   (eGeMAPS uses it for the F0, voice-quality, formant and voiced/unvoiced spectral sets);
///   `nonZeroFuncts = 0` keeps them (loudness, spectral flux, MFCC, the temporal set).
/// - cFunctionals computes the contour's min, max (float) and arithmetic mean (summed in double,
///   rounded to float) once and hands them to every functional.
/// - A functional given no frames outputs 0 for each of its values (openSMILE fills what a
///   functional did not write with 0), so an all-unvoiced clip has F0 functionals of 0.
///
/// Arithmetic follows openSMILE's FLOAT_DMEM (float) where it uses it; moments sum in double.
public enum SmileFunctionals {
    /// The frames a functional sees: all of them, or (`nonZeroFuncts = 1`) those `!= 0`.
    public static func input(_ x: [Float], nonZeroFuncts: Bool) -> [Float] {
        nonZeroFuncts ? x.filter { $0 != 0 } : x
    }

    /// cFunctionals' arithmetic mean: float values summed in double, divided in double, rounded
    /// to float. 0 for no frames.
    public static func amean(_ x: [Float]) -> Float {
        guard !x.isEmpty else { return 0 }
        var s = 0.0
        for v in x { s += Double(v) }
        return Float(s / Double(x.count))
    }

    /// cFunctionalMoments with `amean = 1`, `stddevNorm = 2`, `doRatioLimit = 0`.
    ///
    /// `stddevNorm = 2` is the "compatible" coefficient of variation: the population standard
    /// deviation divided by the *signed* mean (`stddevNorm = 1` would divide by |mean|), so a
    /// contour with a negative mean (MFCC 2–4, slopes, formant amplitudes) gets a negative value.
    /// 0 when the variance is 0; a zero mean divides by 1 instead. `(0, 0)` for no frames.
    public static func moments(_ x: [Float]) -> (amean: Float, stddevNorm: Float) {
        guard !x.isEmpty else { return (0, 0) }
        let mean = amean(x)
        let meanD = Double(mean)
        var m2 = 0.0
        for v in x {
            let d = Double(v) - meanD
            m2 += d * d
        }
        m2 /= Double(x.count)
        guard m2 > 0 else { return (mean, 0) }
        let denom = meanD == 0 ? 1.0 : meanD
        return (mean, Float(m2.squareRoot() / denom))
    }

    /// cFunctionalPercentiles' linearly interpolated percentile (`interp = 1`) of an ascending
    /// `sorted` contour: position `p·(N−1)`, `sorted[i]·(i+1−pos) + sorted[i+1]·(pos−i)` in float;
    /// `sorted[pos]` when the position is a whole number. 0 for no frames.
    public static func percentile(_ p: Double, sorted: [Float]) -> Float {
        let n = sorted.count
        guard n > 0 else { return 0 }
        let idx = p * Double(n - 1)
        let i1 = min(max(Int(idx.rounded(.down)), 0), n - 1)
        let i2 = min(max(Int(idx.rounded(.up)), 0), n - 1)
        guard i1 != i2 else { return sorted[i1] }
        let w1 = Float(idx - Double(i1))
        let w2 = Float(Double(i2) - idx)
        return sorted[i1] * w2 + sorted[i2] * w1
    }

    /// cFunctionalPercentiles as eGeMAPS configures it: `percentile[0..2] = 0.20, 0.50, 0.80`,
    /// `pctlrange[0] = 0-2` (|p80 − p20|), `interp = 1`. Zeros for no frames.
    public static func percentiles(_ x: [Float], _ ps: [Double] = [0.2, 0.5, 0.8]) -> (values: [Float], range02: Float) {
        guard !x.isEmpty else { return ([Float](repeating: 0, count: ps.count), 0) }
        let s = x.sorted()
        let v = ps.map { percentile($0, sorted: s) }
        let range = v.count > 2 ? abs(v[2] - v[0]) : 0
        return (v, range)
    }

    /// eGeMAPS' `equivalentSoundLevel_dBp`: cFunctionalMeans `amean` of the frame energies
    /// (egemapsv02_leqLin), then cVectorOperation `dBp`: `(10/ln 10)·ln(x)` in float with x floored
    /// at `logfloor = 1e-12` (−120 dB for silence or no frames).
    public static func equivalentSoundLevel(energies: [Float]) -> Float {
        let m = amean(energies)
        let floor = Float(0.000000000001)
        let factor = Float(10.0 / log(10.0))
        return factor * logf(m > floor ? m : floor)
    }
}
