import CSoxr
import Foundation

/// Band-limited resampling with libsoxr, as `librosa.resample(res_type="soxr_hq")` does
/// through python-soxr: `soxr_oneshot` on float32 mono with the HQ recipe.
/// Returns `ceil(n * outRate / inRate)` samples (python-soxr's output length).
public func resampleSoxr(_ x: [Float], from inRate: Int, to outRate: Int, quality: UInt = UInt(SOXR_HQ)) throws -> [Float] {
    if inRate == outRate || x.isEmpty { return x }
    let ratio = Double(outRate) / Double(inRate)
    let outCount = Int((Double(x.count) * ratio).rounded(.up))
    var y = [Float](repeating: 0, count: outCount)
    var done = 0
    var ioSpec = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
    var qSpec = soxr_quality_spec(UInt(quality), 0)
    var rtSpec = soxr_runtime_spec(1)
    let err: soxr_error_t? = x.withUnsafeBufferPointer { src in
        y.withUnsafeMutableBufferPointer { dst in
            soxr_oneshot(Double(inRate), Double(outRate), 1,
                         src.baseAddress, x.count, nil,
                         dst.baseAddress, outCount, &done,
                         &ioSpec, &qSpec, &rtSpec)
        }
    }
    if let err { throw AudioError.resampleFailed(reason: String(cString: err)) }
    if done < outCount { y.removeSubrange(done...) }
    return y
}
