import Base
import CSoxr
import Foundation

/// Band-limited resampling with libsoxr, as `librosa.resample(res_type="soxr_hq")` does.
///
/// librosa calls python-soxr's `soxr.resample`, which does not use `soxr_oneshot`: it creates a
/// resampler (float32 in and out, `soxr_quality_spec(quality, 0)`, default runtime spec), feeds
/// the input in chunks of `Int(48000 * inRate / outRate)` frames into an output buffer of
/// `Int(n * outRate / inRate) + 1` frames, then flushes. libsoxr may deliver a frame or two
/// fewer than `ceil(n * ratio)` (e.g. 904 instead of 905 for 1001 samples 24414 → 22050);
/// librosa then applies `fix_length(ceil(n * ratio))`, which pads the end with zeros (or
/// trims). This function does all of that, so its length is always `ceil(n * outRate / inRate)`.
///
/// Under `Arithmetic.deterministic` (the default) it runs libsoxr's SSE engine whatever the
/// environment says, and throws rather than run another (see `SoxrEnvironment`).
public func resampleSoxr(_ x: [Float], from inRate: Int, to outRate: Int, quality: UInt = UInt(SOXR_HQ)) throws -> [Float] {
    if inRate == outRate || x.isEmpty { return x }
    guard inRate > 0, outRate > 0 else {
        throw AudioError.resampleFailed(reason: "sample rates must be positive (got \(inRate) → \(outRate) Hz)")
    }
    let ratio = Double(outRate) / Double(inRate)
    let inRateD = Double(inRate), outRateD = Double(outRate)
    // python-soxr's buffer size: size_t(ilen * out_rate / in_rate + 1), evaluated in double.
    let capacity = Int(Double(x.count) * outRateD / inRateD + 1)
    let chunk = max(1, Int(48000 * inRateD / outRateD))
    var y = [Float](repeating: 0, count: capacity)

    var error: soxr_error_t?
    var ioSpec = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
    var qSpec = soxr_quality_spec(quality, 0)
    guard let soxr = soxr_create(inRateD, outRateD, 1, &error, &ioSpec, &qSpec, nil), error == nil else {
        throw AudioError.resampleFailed(reason: error.map { String(cString: $0) } ?? "soxr_create failed")
    }
    defer { soxr_delete(soxr) }
    if Arithmetic.current == .deterministic { try SoxrEnvironment.checkDeterministic(soxr, qSpec: qSpec) }

    var produced = 0
    x.withUnsafeBufferPointer { src in
        y.withUnsafeMutableBufferPointer { dst in
            var done = 0
            var index = 0
            while index < x.count && error == nil {
                let length = min(chunk, x.count - index)
                error = soxr_process(soxr, src.baseAddress! + index, length, nil,
                                     dst.baseAddress! + produced, capacity - produced, &done)
                produced += done
                index += chunk
            }
            if error == nil {
                error = soxr_process(soxr, nil, 0, nil, dst.baseAddress! + produced, capacity - produced, &done)
                produced += done
            }
        }
    }
    if let error { throw AudioError.resampleFailed(reason: String(cString: error)) }
    return fixLength(Array(y[0..<produced]), to: Int((Double(x.count) * ratio).rounded(.up)))
}

/// `librosa.util.fix_length`: trims `x` to `count` samples or pads its end with zeros.
public func fixLength(_ x: [Float], to count: Int) -> [Float] {
    if x.count == count { return x }
    if x.count > count { return Array(x[0..<count]) }
    return x + [Float](repeating: 0, count: count - x.count)
}
