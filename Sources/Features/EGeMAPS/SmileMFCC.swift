import Foundation

/// eGeMAPS' MFCC 1–4 before smoothing (config/egemaps/v02/eGeMAPSv02_core.lld.conf.inc, sections
/// egemapsv02_melspecMfcc and egemapsv02_mfcc): cMelspec (`htkcompatible = 1`, 26 bands, power,
/// 20–8000 Hz) on the 20 ms Hamming magnitude spectrum, then cMfcc (`firstMfcc = 1`,
/// `lastMfcc = 4`, `cepLifter = 22`, `htkcompatible = 1`).
///
/// The steps, each as openSMILE does them in single precision:
/// - band powers `P_m` scaled by 32767² (HTK's sample range; see `SmileMelspec`);
/// - `log(max(P_m, 1))` (`melfloor` is forced to 1 by `htkcompatible`);
/// - DCT-II `c_i = √(2/26) · Σ_m log P_m · cos(π i (m + ½) / 26)`;
/// - liftering `c_i · (1 + 11 sin(π i / 22))`.
///
/// This is neither librosa's MFCC (no dB, orthonormal DCT, different filterbank) nor the project's
/// `mfcc(...)`: it is openSMILE's HTK-style variant.
public struct SmileMFCC: Sendable {
    public let melspec: SmileMelspec
    public let firstCoefficient: Int
    public let lastCoefficient: Int
    /// cMfcc's `cepLifter`.
    public let lifter: Float
    /// `cos(π i (m + ½) / bands)` as floats, one row per coefficient.
    let cosTable: [[Float]]
    /// `(1 + L/2 sin(π i / L)) · √(2 / bands)` per coefficient, the two float factors openSMILE
    /// multiplies by (in that order).
    let lifterTable: [Float]
    let dctScale: Float

    /// - Parameters:
    ///   - bins: spectrum bins (`fftSize / 2 + 1`).
    ///   - binHz: openSMILE's bin spacing (`SmileSpectrumAxis.binHz`).
    ///   - bands, lowHz, highHz: cMelspec's `nBands`, `lofreq`, `hifreq`.
    ///   - first, last: `firstMfcc`, `lastMfcc` (1…4 for eGeMAPS).
    ///   - lifter: `cepLifter` (22; 0 disables liftering).
    public init(bins: Int, binHz: Double, bands: Int = 26, lowHz: Double = 20, highHz: Double = 8000,
                first: Int = 1, last: Int = 4, lifter: Double = 22) {
        precondition(last >= first && first >= 0)
        melspec = SmileMelspec(bins: bins, binHz: binHz, bands: bands, lowHz: lowHz, highHz: highHz,
                               htkCompatible: true)
        firstCoefficient = first
        lastCoefficient = last
        self.lifter = Float(lifter)
        let nb = Double(bands)
        cosTable = (first...last).map { i in
            (0..<bands).map { m in Float(cos(Double.pi * (Double(i) / nb) * (Double(m) + 0.5))) }
        }
        let l = Float(lifter)
        lifterTable = (first...last).map { i in
            l > 0 ? 1 + l / 2 * Float(sin(Double(Float.pi * Float(i) / l))) : 1
        }
        dctScale = Float(sqrt(2.0 / nb))
    }

    /// The MFCC of eGeMAPS' 20 ms level at a sample rate.
    public init(frameSize: Int, fftSize: Int, frameSeconds: Double = 0.020) {
        self.init(bins: fftSize / 2 + 1,
                  binHz: SmileSpectrumAxis.binHz(frameSize: frameSize, fftSize: fftSize, frameSeconds: frameSeconds))
    }

    /// Coefficients `firstCoefficient…lastCoefficient` of one magnitude spectrum.
    public func callAsFunction(magnitude: [Float]) -> [Float] {
        var buffer = [Float](repeating: 0, count: melspec.bands)
        return coefficients(magnitude: magnitude, buffer: &buffer)
    }

    func coefficients(magnitude: [Float], buffer: inout [Float]) -> [Float] {
        melspec.apply(magnitude: magnitude, into: &buffer)
        for m in 0..<buffer.count {
            buffer[m] = buffer[m] < 1 ? 0 : Float(log(Double(buffer[m])))
        }
        return (0..<cosTable.count).map { k in
            let row = cosTable[k]
            var s: Float = 0
            for m in 0..<buffer.count { s += buffer[m] * row[m] }
            return s * (lifterTable[k] * dctScale)
        }
    }

    /// Coefficients per frame of `magnitudes` (`[frame][coefficient]`, unsmoothed).
    public func contour(_ magnitudes: [[Float]]) -> [[Float]] {
        var buffer = [Float](repeating: 0, count: melspec.bands)
        return magnitudes.map { coefficients(magnitude: $0, buffer: &buffer) }
    }

    /// eGeMAPS' unsmoothed `mfcc1…mfcc4` of a clip: `[frame][coefficient]` for each frame of
    /// `analysis.magnitude20`.
    public static func contour(_ analysis: SmileAnalysis) -> [[Float]] {
        SmileMFCC(frameSize: analysis.frames20.frameSize, fftSize: analysis.fft20.fftSize)
            .contour(analysis.magnitude20)
    }
}
