import Foundation

// Separable image resampling. Each output pixel along one axis is a weighted sum of input cells:
// when shrinking, the cells' overlaps with the pixel (area average, so no cell is skipped and no
// aliasing appears); when enlarging, the two nearest cell centres (bilinear); or, for crisp
// heatmaps, the cell under the pixel centre.

enum Resampler {
    /// Taps for one axis. Output pixel j covers input coordinates between u(j) and u(j + 1),
    /// u(j) = start + step·j (step may be negative: rows run against the data axis).
    struct Taps {
        var offsets: [Int] = []     // first tap of output j in `indices`/`weights`
        var indices: [Int] = []
        var weights: [Float] = []
    }

    static func taps(count n: Int, inputCount: Int, start: Double, step: Double,
                     interpolation: Interpolation) -> Taps {
        var t = Taps()
        t.offsets.reserveCapacity(n + 1)
        let scale = abs(step)
        for j in 0..<n {
            t.offsets.append(t.indices.count)
            let a = start + step * Double(j), b = start + step * Double(j + 1)
            let lo = min(a, b), hi = max(a, b)
            let centre = (lo + hi) / 2
            if interpolation == .nearest {
                t.indices.append(min(inputCount - 1, max(0, Int(floor(centre)))))
                t.weights.append(1)
            } else if scale > 1 {
                // Area average over [lo, hi) clipped to the input.
                let k0 = max(0, Int(floor(lo))), k1 = min(inputCount - 1, Int(ceil(hi)) - 1)
                var total: Double = 0
                let first = t.weights.count
                if k0 <= k1 {
                    for k in k0...k1 {
                        let w = min(hi, Double(k + 1)) - max(lo, Double(k))
                        if w > 0 {
                            t.indices.append(k)
                            t.weights.append(Float(w))
                            total += w
                        }
                    }
                }
                if total > 0 {
                    for i in first..<t.weights.count { t.weights[i] /= Float(total) }
                } else {
                    t.indices.append(min(inputCount - 1, max(0, Int(floor(centre)))))
                    t.weights.append(1)
                }
            } else {
                // Bilinear between the cell centres around the pixel centre, clamped at the ends.
                let c = min(Double(inputCount) - 0.5, max(0.5, centre)) - 0.5
                let k = min(inputCount - 1, Int(floor(c)))
                let f = c - Double(k)
                t.indices.append(k)
                t.weights.append(Float(1 - f))
                if f > 0 && k + 1 < inputCount {
                    t.indices.append(k + 1)
                    t.weights.append(Float(f))
                }
            }
        }
        t.offsets.append(t.indices.count)
        return t
    }

    /// Resamples a row-major `rows × cols` matrix to `outRows × outCols` with the given taps.
    static func resample(_ src: [Float], rows: Int, cols: Int, rowTaps: Taps, colTaps: Taps) -> [Float] {
        let outRows = rowTaps.offsets.count - 1, outCols = colTaps.offsets.count - 1
        // Rows first (usually the shrinking direction), only those that are used.
        var tmp = [Float](repeating: 0, count: outRows * cols)
        src.withUnsafeBufferPointer { s in
            tmp.withUnsafeMutableBufferPointer { out in
                for i in 0..<outRows {
                    let o = i * cols
                    for t in rowTaps.offsets[i]..<rowTaps.offsets[i + 1] {
                        let w = rowTaps.weights[t]
                        let r = rowTaps.indices[t] * cols
                        for c in 0..<cols { out[o + c] += w * s[r + c] }
                    }
                }
            }
        }
        var out = [Float](repeating: 0, count: outRows * outCols)
        tmp.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                colTaps.indices.withUnsafeBufferPointer { idx in
                    colTaps.weights.withUnsafeBufferPointer { wts in
                        for i in 0..<outRows {
                            let r = i * cols, orow = i * outCols
                            for j in 0..<outCols {
                                var acc: Float = 0
                                for t in colTaps.offsets[j]..<colTaps.offsets[j + 1] { acc += wts[t] * s[r + idx[t]] }
                                o[orow + j] = acc
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
