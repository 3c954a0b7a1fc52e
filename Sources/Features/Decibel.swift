#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The reference level of a dB conversion.
public enum DecibelReference: Sendable {
    /// A fixed value (librosa's `ref=1.0`).
    case value(Float)
    /// The largest value of the input (librosa's `ref=np.max`).
    case maximum
}

/// `librosa.power_to_db(S, ref=ref, amin=amin, top_db=topDB)` in float32:
/// `10 log10(max(amin, S)) − 10 log10(max(amin, ref))`, then floored at `max − topDB` (the
/// clip's own maximum; `topDB` nil keeps everything). Silence gives `10 log10(amin)`
/// everywhere (−100 dB with the defaults), never −∞ or NaN.
public func powerToDB(_ s: Spectrogram, ref: DecibelReference = .value(1), amin: Float = 1e-10,
                      topDB: Float? = 80) -> Spectrogram {
    var out = s
    powerToDBInPlace(&out.values, ref: ref, amin: amin, topDB: topDB)
    return out
}

func powerToDBInPlace(_ values: inout [Float], ref: DecibelReference = .value(1), amin: Float = 1e-10,
                      topDB: Float? = 80) {
    let refValue: Float
    switch ref {
    case .value(let v): refValue = abs(v)
    case .maximum: refValue = values.max() ?? 0
    }
    let offset = 10 * log10(max(amin, refValue))
    var top = -Float.infinity
    for i in values.indices {
        let db = 10 * log10f(max(amin, values[i])) - offset
        values[i] = db
        top = max(top, db)
    }
    if let topDB {
        let floor = top - topDB
        for i in values.indices where values[i] < floor { values[i] = floor }
    }
}

/// `librosa.amplitude_to_db(S, ref=ref, amin=amin, top_db=topDB)`: `powerToDB` of `S²` with
/// `ref²` and `amin²`. The notebook's spectrogram figures use `amplitude_to_db(|stft|,
/// ref=np.max)`, i.e. `ref: .maximum` (0 dB at the loudest bin).
public func amplitudeToDB(_ s: Spectrogram, ref: DecibelReference = .value(1), amin: Float = 1e-5,
                          topDB: Float? = 80) -> Spectrogram {
    var out = s
    let refValue: Float
    switch ref {
    case .value(let v): refValue = abs(v)
    case .maximum: refValue = s.values.map(abs).max() ?? 0
    }
    for i in out.values.indices { out.values[i] = out.values[i] * out.values[i] }
    powerToDBInPlace(&out.values, ref: .value(refValue * refValue), amin: amin * amin, topDB: topDB)
    return out
}
