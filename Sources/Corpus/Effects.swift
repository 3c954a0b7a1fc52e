import Base
import Foundation

/// Small signal steps that turn espeak's clean output into something closer to a recording of
/// an actress: trimming, irregular voicing, tremor, tense or lax voice quality, breath, level,
/// silence padding with a noise floor. Each is a pure function of its input and its generator.
enum Effects {
    /// Root mean square of `x` (0 for an empty signal).
    static func rms(_ x: ArraySlice<Float>) -> Double {
        guard !x.isEmpty else { return 0 }
        var sum = 0.0
        for v in x { sum += Double(v) * Double(v) }
        return (sum / Double(x.count)).squareRoot()
    }

    static func rms(_ x: [Float]) -> Double { rms(x[...]) }

    /// Drops leading and trailing frames more than `thresholdDB` below the loudest 10 ms frame,
    /// the way TESS's clips are cut close to the speech.
    static func trimSilence(_ x: [Float], sampleRate: Int, thresholdDB: Double = -40) -> [Float] {
        let frame = max(1, sampleRate / 100)
        let frames = x.count / frame
        guard frames > 0 else { return x }
        let levels = (0..<frames).map { rms(x[($0 * frame)..<(($0 + 1) * frame)]) }
        let threshold = (levels.max() ?? 0) * pow(10, thresholdDB / 20)
        guard let first = levels.firstIndex(where: { $0 > threshold }),
              let last = levels.lastIndex(where: { $0 > threshold }) else { return x }
        return Array(x[(first * frame)..<min(x.count, (last + 1) * frame)])
    }

    /// Plays `x` back at a speed that wanders randomly by up to ±`depth` around 1, changing
    /// every `knotSeconds`: pitch and timing become irregular, as in fearful voicing.
    static func wobble(_ x: [Float], depth: Double, sampleRate: Int, knotSeconds: Double = 0.05,
                       rng: inout SplitMix64) -> [Float] {
        guard depth > 0, x.count > 1 else { return x }
        let knotLength = max(1.0, knotSeconds * Double(sampleRate))
        let knots = Int(Double(x.count) / knotLength) + 3
        let offsets = (0..<knots).map { _ in rng.uniform(-1, 1) * depth }
        var y: [Float] = []
        y.reserveCapacity(x.count + x.count / 10)
        var position = 0.0
        var k = 0.0
        let last = Double(x.count - 1)
        while position < last {
            let i = Int(position)
            let frac = Float(position - Double(i))
            y.append(x[i] + (x[i + 1] - x[i]) * frac)
            let knot = k / knotLength
            let j = min(Int(knot), knots - 2)
            let t = knot - Double(j)
            position += 1 + offsets[j] + (offsets[j + 1] - offsets[j]) * t
            k += 1
        }
        return y
    }

    /// Amplitude modulation by `1 + depth·sin(2π·rate·t + phase)`.
    static func tremolo(_ x: [Float], depth: Double, rateHz: Double, phase: Double, sampleRate: Int) -> [Float] {
        guard depth > 0 else { return x }
        let w = Float(2 * Double.pi * rateHz / Double(sampleRate))
        let d = Float(depth)
        let p = Float(phase)
        return x.enumerated().map { i, v in v * (1 + d * sin(w * Float(i) + p)) }
    }

    /// Soft clipping `tanh(drive·x)/tanh(drive)` on the peak-normalised signal: adds the
    /// upper harmonics of a tense, pressed voice. The level is set again later.
    static func saturate(_ x: [Float], drive: Double) -> [Float] {
        guard drive > 0, let peak = x.map({ abs($0) }).max(), peak > 0 else { return x }
        let d = Float(drive)
        let norm = 1 / tanh(d)
        return x.map { tanh(d * $0 / peak) * norm }
    }

    /// Two cascaded one-pole low-pass filters (12 dB/octave above `cutoffHz`).
    static func lowPass(_ x: [Float], cutoffHz: Double, sampleRate: Int) -> [Float] {
        guard cutoffHz > 0, cutoffHz < Double(sampleRate) / 2 else { return x }
        let a = Float(1 - exp(-2 * Double.pi * cutoffHz / Double(sampleRate)))
        var y = x
        for _ in 0..<2 {
            var state: Float = 0
            for i in y.indices {
                state += a * (y[i] - state)
                y[i] = state
            }
        }
        return y
    }

    /// Adds high-passed noise that follows the speech envelope, at `level` times the speech RMS:
    /// breath escaping through a lax glottis.
    static func breath(_ x: [Float], level: Double, sampleRate: Int, rng: inout SplitMix64) -> [Float] {
        guard level > 0, !x.isEmpty else { return x }
        let window = max(1, sampleRate / 50)
        var envelope = [Float](repeating: 0, count: x.count)
        var acc: Float = 0
        for i in x.indices {
            acc += abs(x[i])
            if i >= window { acc -= abs(x[i - window]) }
            envelope[i] = acc / Float(window)
        }
        var previous: Float = 0
        var noise = [Float](repeating: 0, count: x.count)
        for i in x.indices {
            let white = rng.noise()
            noise[i] = (white - previous) * envelope[i]
            previous = white
        }
        let noiseRMS = rms(noise)
        guard noiseRMS > 0 else { return x }
        let scale = Float(level * rms(x) / noiseRMS)
        return zip(x, noise).map { $0 + scale * $1 }
    }

    /// Scales `x` so that its RMS is `targetDB` dBFS, then lowers it if a peak would pass
    /// `peakLimit` (so loud clips stay unclipped, as a careful recording engineer would).
    static func setLevel(_ x: [Float], targetDB: Double, peakLimit: Float = 0.97) -> [Float] {
        let current = rms(x)
        guard current > 0 else { return x }
        var gain = Float(pow(10, targetDB / 20) / current)
        if let peak = x.map({ abs($0) }).max(), peak * gain > peakLimit { gain = peakLimit / peak }
        return x.map { $0 * gain }
    }

    /// Surrounds `x` with `lead` and `tail` samples of silence and adds Gaussian noise at
    /// `noiseDB` dBFS RMS everywhere: a real room is never digitally silent.
    static func pad(_ x: [Float], lead: Int, tail: Int, noiseDB: Double, rng: inout SplitMix64) -> [Float] {
        var y = [Float](repeating: 0, count: lead) + x + [Float](repeating: 0, count: tail)
        let sigma = Float(pow(10, noiseDB / 20))
        for i in y.indices { y[i] += sigma * rng.noise() }
        return y
    }

    /// Shortens `x` to `frames` samples with a 30 ms fade-out (only for the rare clip whose
    /// speech alone exceeds TESS's longest duration).
    static func truncate(_ x: [Float], to frames: Int, sampleRate: Int) -> [Float] {
        guard x.count > frames else { return x }
        var y = Array(x[..<frames])
        let fade = min(frames, sampleRate * 3 / 100)
        for i in 0..<fade { y[frames - 1 - i] *= Float(i) / Float(fade) }
        return y
    }
}
