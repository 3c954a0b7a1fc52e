import Foundation

/// eGeMAPS' `equivalentSoundLevel_dBp` and the frame energy under it
/// (config/egemaps/v02/eGeMAPSv02_core.lld.conf.inc, section egemapsv02_energyRMS, and
/// eGeMAPSv02_core.func.conf.inc, sections egemapsv02_leqLin and egemapsv02_leq).
///
/// - cEnergy with `energy2 = 1`, `rms = 0`, `log = 0` on the raw (un-windowed) 20 ms frames:
///   the mean square `Σ x[n]² / N` of each frame;
/// - cFunctionals `Means.amean` over all those frames;
/// - cVectorOperation `dBp`: `10 log10(x)` with x floored at `logfloor = 1e-12` (so silence gives
///   −120 dB).
///
/// The energy level is *not* cut to the LLD frame count (`SmileAnalysis.frameCount`): the mean
/// runs over every complete 20 ms frame of the clip, `(samples − frameSize) / frameStep + 1` of
/// them (198 for a 2 s clip at 22050 Hz whose LLD files have 195 rows), as measured on the
/// reference functionals.
public enum SmileEnergy {
    /// cEnergy's quadratic energy of one frame: the float squares summed in double, divided by
    /// the frame length, rounded to float. 0 for an empty frame.
    public static func meanSquare(_ frame: [Float]) -> Float {
        guard !frame.isEmpty else { return 0 }
        var d = 0.0
        for x in frame { d += Double(x * x) }
        return Float(d / Double(frame.count))
    }

    /// cVectorOperation's `dBp`: `(10 / ln 10) · ln(x)` (factor as a float), with `x ≤ floor`
    /// replaced by `floor` (`logfloor`, 1e-12 by default, giving −120 dB).
    public static func dBp(_ x: Double, floor: Double = 0.000000000001) -> Double {
        let factor = Double(Float(10.0 / log(10.0)))
        let f = Double(Float(floor))
        return factor * log(x > f ? x : f)
    }

    /// The number of complete frames cFramer emits for a clip of `samples` samples.
    public static func completeFrames(samples: Int, framing: SmileFraming) -> Int {
        samples < framing.frameSize ? 0 : (samples - framing.frameSize) / framing.frameStep + 1
    }

    /// The mean-square energy of every complete frame of `signal` under `framing`.
    public static func contour(signal: [Float], framing: SmileFraming) -> [Float] {
        let count = completeFrames(samples: signal.count, framing: framing)
        var out = [Float]()
        out.reserveCapacity(count)
        for i in 0..<count {
            let start = i * framing.frameStep
            var d = 0.0
            for k in start..<(start + framing.frameSize) {
                let x = signal[k]
                d += Double(x * x)
            }
            out.append(Float(d / Double(framing.frameSize)))
        }
        return out
    }

    /// `equivalentSoundLevel_dBp` of a clip: the dB value of the mean frame energy over the
    /// complete 20 ms frames (10 ms step) of `signal`.
    ///
    /// A clip shorter than one frame has no energy frames; openSMILE then emits no functionals
    /// (the Python wrapper fills NaN), and so does this: it returns `.nan`.
    public static func equivalentSoundLevel(signal: [Float], sampleRate: Double,
                                            frameSeconds: Double = 0.020, stepSeconds: Double = 0.010) -> Double {
        let framing = SmileFraming(sampleRate: sampleRate, frameSeconds: frameSeconds, stepSeconds: stepSeconds)
        return equivalentSoundLevel(energies: contour(signal: signal, framing: framing))
    }

    /// `dBp(mean(energies))`; `.nan` when `energies` is empty.
    public static func equivalentSoundLevel(energies: [Float]) -> Double {
        guard !energies.isEmpty else { return .nan }
        var sum = 0.0
        for e in energies { sum += Double(e) }
        return dBp(Double(Float(sum / Double(energies.count))))
    }
}
