// MaxPooling1D(pool, stride, padding='same'), channels-last — Keras' MaxPooling1D(5, 2, 'same').
//
// TensorFlow's SAME rule: out = ceil(L / s), padTotal = max((out-1)·s + p − L, 0),
// padLeft = padTotal / 2 (the extra one on the right). Padded cells never win (they act as −∞,
// not 0), so output i is the max of x over times [i·s − padLeft, i·s − padLeft + p) ∩ [0, L).
//
// Backward: the whole upstream gradient of a window goes to ONE input element, the FIRST maximum
// (lowest time index among ties, as TF's CPU kernels do); an element that is the argmax of several
// overlapping windows receives the sum.

public enum MaxPool1DKernel {
    public static func outputLength(_ L: Int, pool p: Int, stride s: Int) -> Int { (L + s - 1) / s }
    public static func padLeft(_ L: Int, pool p: Int, stride s: Int) -> Int {
        let out = outputLength(L, pool: p, stride: s)
        return max((out - 1) * s + p - L, 0) / 2
    }

    /// y (B, Lout, C) and argmax (B, Lout, C) (input time index of each output) from x (B, L, C).
    public static func forward<T: BinaryFloatingPoint>(x: UnsafePointer<T>, y: UnsafeMutablePointer<T>,
                                                       argmax: UnsafeMutablePointer<Int32>,
                                                       batch: Int, length L: Int, channels C: Int,
                                                       pool p: Int, stride s: Int) {
        let lout = outputLength(L, pool: p, stride: s), pl = padLeft(L, pool: p, stride: s)
        Parallel.ranges(batch, work: batch * lout * C * p) { b0, b1 in
        for b in b0..<b1 {
            for i in 0..<lout {
                let t0 = max(i * s - pl, 0), t1 = min(i * s - pl + p, L)   // valid window [t0, t1), never empty
                let yo = y + (b * lout + i) * C, ao = argmax + (b * lout + i) * C
                yo.update(from: x + (b * L + t0) * C, count: C)
                ao.update(repeating: Int32(t0), count: C)
                var t = t0 + 1
                while t < t1 {
                    let xt = x + (b * L + t) * C
                    let ti = Int32(t)
                    if T.self == Float.self {
                        Vectorized.maxUpdate(UnsafeRawPointer(xt).assumingMemoryBound(to: Float.self),
                                             UnsafeMutableRawPointer(yo).assumingMemoryBound(to: Float.self), ao, t: ti, C)
                    } else {
                        for c in 0..<C where xt[c] > yo[c] {   // strict: the first maximum wins ties
                            yo[c] = xt[c]; ao[c] = ti
                        }
                    }
                    t += 1
                }
            }
        }
        }
    }

    /// dx (B, L, C) = scatter-add of dy (B, Lout, C) to the argmax positions (overwrites dx).
    public static func backward<T: BinaryFloatingPoint>(dy: UnsafePointer<T>, argmax: UnsafePointer<Int32>,
                                                        dx: UnsafeMutablePointer<T>,
                                                        batch: Int, length L: Int, channels C: Int, outLength lout: Int) {
        Parallel.ranges(batch, work: batch * L * C) { b0, b1 in
            (dx + b0 * L * C).update(repeating: 0, count: (b1 - b0) * L * C)
            for b in b0..<b1 {
                let dxb = dx + b * L * C
                for i in 0..<lout {
                    let dyo = dy + (b * lout + i) * C, ao = argmax + (b * lout + i) * C
                    for c in 0..<C { dxb[Int(ao[c]) * C + c] += dyo[c] }
                }
            }
        }
    }
}

/// MaxPooling1D layer: (L, C) → (ceil(L/s), C). No parameters.
public final class MaxPool1D: Layer {
    public let spec: LayerSpec
    public var name = "max_pooling1d"
    public var tag = "maxpool"
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let pool: Int, stride: Int, length: Int, channels: Int, outLength: Int
    public var parameters: [Parameter] { [] }
    private var argmax = UnsafeMutablePointer<Int32>.allocate(capacity: 1)   // (B, Lout, C) winning time index
    private var maxBatch = 0

    public init(inputShape: [Int], pool: Int, stride: Int) {
        precondition(inputShape.count == 2, "MaxPool1D expects a (length, channels) input, got \(inputShape)")
        self.inputShape = inputShape
        self.pool = pool; self.stride = stride
        length = inputShape[0]; channels = inputShape[1]
        outLength = MaxPool1DKernel.outputLength(length, pool: pool, stride: stride)
        outputShape = [outLength, channels]
        spec = .maxPool1D(poolSize: pool, stride: stride)
    }
    deinit { argmax.deallocate() }

    public func replica() -> any Layer {
        let r = MaxPool1D(inputShape: inputShape, pool: pool, stride: stride)
        r.name = name; r.tag = tag
        return r
    }

    public func allocate(maxBatch: Int) {
        guard maxBatch > self.maxBatch else { return }
        self.maxBatch = maxBatch
        argmax.deallocate()
        argmax = .allocate(capacity: maxBatch * outLength * channels)
        argmax.initialize(repeating: 0, count: maxBatch * outLength * channels)
    }

    public func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        precondition(batch <= maxBatch, "MaxPool1D: batch \(batch) > allocated \(maxBatch)")
        MaxPool1DKernel.forward(x: x, y: y, argmax: argmax, batch: batch, length: length, channels: channels,
                                pool: pool, stride: stride)
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int) {
        guard let dx else { return }
        MaxPool1DKernel.backward(dy: dy, argmax: argmax, dx: dx, batch: batch, length: length,
                                 channels: channels, outLength: outLength)
    }
}
