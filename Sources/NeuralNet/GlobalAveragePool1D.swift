// GlobalAveragePooling1D, channels-last — Keras' GlobalAveragePooling1D() (no mask, keepdims False).
//
//   x (B, L, C)  →  y (B, C)
//   forward   y[b, c]     = (1/L) · Σ_{t<L} x[b, t, c]
//   backward  dx[b, t, c] = dy[b, c] / L                   (overwrites dx)
//
// Each sum runs over t in increasing order, one chain per (b, c), then is divided by L (as
// TensorFlow's reduce_mean: sum, then divide). The order never depends on the thread count or
// on how the batch is split between data-parallel workers: a row's output depends on its row only.
// No parameters.

/// The layer math, generic so that the tests can run it in Float64.
public enum GlobalAveragePool1DKernel {
    /// y (B, C) = the mean over time of x (B, L, C).
    public static func forward<T: BinaryFloatingPoint>(x: UnsafePointer<T>, y: UnsafeMutablePointer<T>,
                                                       batch: Int, length L: Int, channels C: Int) {
        let n = T(L)
        Parallel.ranges(batch, work: batch * L * C) { b0, b1 in
            for b in b0..<b1 {
                let yb = y + b * C, xb = x + b * L * C
                yb.update(from: xb, count: C)
                for t in 1..<L {
                    let xt = xb + t * C
                    for c in 0..<C { yb[c] += xt[c] }   // elementwise over c: the chain over t stays in order
                }
                for c in 0..<C { yb[c] /= n }
            }
        }
    }

    /// dx (B, L, C) = dy (B, C) / L broadcast over time (overwrites dx).
    public static func backward<T: BinaryFloatingPoint>(dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>,
                                                        batch: Int, length L: Int, channels C: Int) {
        let n = T(L)
        Parallel.ranges(batch, work: batch * L * C) { b0, b1 in
            for b in b0..<b1 {
                let dyb = dy + b * C, dxb = dx + b * L * C
                for c in 0..<C { dxb[c] = dyb[c] / n }
                for t in 1..<L { (dxb + t * C).update(from: dxb, count: C) }
            }
        }
    }
}

/// GlobalAveragePooling1D layer: (L, C) → (C). No parameters.
public final class GlobalAveragePool1D: Layer {
    public let spec: LayerSpec = .globalAveragePool1D
    public var name = "global_average_pooling1d"
    public var tag = "global_average_pooling1d"
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let length: Int, channels: Int
    public var parameters: [Parameter] { [] }

    public init(inputShape: [Int]) {
        precondition(inputShape.count == 2 && inputShape[0] >= 1,
                     "GlobalAveragePool1D expects a (length ≥ 1, channels) input, got \(inputShape)")
        self.inputShape = inputShape
        length = inputShape[0]; channels = inputShape[1]
        outputShape = [channels]
    }
    public func allocate(maxBatch: Int) {}
    public func replica() -> any Layer {
        let r = GlobalAveragePool1D(inputShape: inputShape)
        r.name = name; r.tag = tag
        return r
    }
    public func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        GlobalAveragePool1DKernel.forward(x: x, y: y, batch: batch, length: length, channels: channels)
    }
    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int) {
        guard let dx else { return }
        GlobalAveragePool1DKernel.backward(dy: dy, dx: dx, batch: batch, length: length, channels: channels)
    }
}
