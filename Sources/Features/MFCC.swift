import Foundation

/// `librosa.feature.mfcc(S=melDB, n_mfcc=nMFCC)`: the first `nMFCC` orthonormal DCT-II
/// coefficients of each frame of a log-mel spectrogram (dct_type 2, norm "ortho", no lifter).
public func mfcc(melDB: Spectrogram, nMFCC: Int = 20) -> Spectrogram {
    dct(melDB, count: nMFCC)
}

/// `np.mean(mfcc.T, axis=0)` in float32: for each coefficient, numpy's pairwise sum over the
/// frames (see `numpyPairwiseSum`) divided by the frame count. The reference fixture's float32
/// means agree with this bit for bit, not with a sequential or a Double accumulation.
/// A spectrogram without frames gives zeros (numpy would give NaN; we never return NaN).
public func mfccMeans(_ mfcc: Spectrogram) -> [Float] {
    guard mfcc.frames > 0 else { return [Float](repeating: 0, count: mfcc.bins) }
    var row = [Float](repeating: 0, count: mfcc.frames)
    return (0..<mfcc.bins).map { k in
        for f in 0..<mfcc.frames { row[f] = mfcc.values[f * mfcc.bins + k] }
        return row.withUnsafeBufferPointer { numpyPairwiseSum($0) } / Float(mfcc.frames)
    }
}

/// numpy's float32 `add.reduce` over a contiguous run (`pairwise_sum_FLOAT`): sequential below
/// 8 values; up to 128 values, eight interleaved partial sums combined as
/// ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) plus the remainder; longer runs split in two halves at
/// a multiple of 8 and summed recursively.
public func numpyPairwiseSum(_ a: UnsafeBufferPointer<Float>) -> Float {
    let n = a.count
    if n < 8 {
        var s: Float = 0
        for v in a { s += v }
        return s
    }
    if n <= 128 {
        var r = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
        var i = 8
        while i < n - n % 8 {
            r.0 += a[i]; r.1 += a[i + 1]; r.2 += a[i + 2]; r.3 += a[i + 3]
            r.4 += a[i + 4]; r.5 += a[i + 5]; r.6 += a[i + 6]; r.7 += a[i + 7]
            i += 8
        }
        var s = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
        while i < n { s += a[i]; i += 1 }
        return s
    }
    var half = n / 2
    half -= half % 8
    return numpyPairwiseSum(UnsafeBufferPointer(rebasing: a[0..<half]))
        + numpyPairwiseSum(UnsafeBufferPointer(rebasing: a[half..<n]))
}
