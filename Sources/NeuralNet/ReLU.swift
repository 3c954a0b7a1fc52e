// ReLU, fused into Conv1D and Dense as their activation (Keras' `activation='relu'`).
//   forward:  act = max(pre, 0)
//   backward: dpre = dact * (pre > 0)   (zero gradient at exactly 0, as TensorFlow's ReluGrad)

public enum ReLU {
    /// y[i] = max(x[i], 0), n elements. y may alias x.
    @inline(__always)
    public static func forward<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
        if T.self == Float.self {
            let xf = UnsafeRawPointer(x).assumingMemoryBound(to: Float.self)
            let yf = UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self)
            return Parallel.ranges(n, work: n) { lo, hi in Vectorized.relu(xf + lo, yf + lo, hi - lo) }
        }
        for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
    }
    /// dx[i] = dy[i] if pre[i] > 0 else 0. dx may alias dy.
    @inline(__always)
    public static func backward<T: BinaryFloatingPoint>(pre: UnsafePointer<T>, dy: UnsafePointer<T>,
                                                        dx: UnsafeMutablePointer<T>, count n: Int) {
        if T.self == Float.self {
            let pf = UnsafeRawPointer(pre).assumingMemoryBound(to: Float.self)
            let df = UnsafeRawPointer(dy).assumingMemoryBound(to: Float.self)
            let xf = UnsafeMutableRawPointer(dx).assumingMemoryBound(to: Float.self)
            return Parallel.ranges(n, work: n) { lo, hi in Vectorized.reluBackward(pf + lo, df + lo, xf + lo, hi - lo) }
        }
        for i in 0..<n { dx[i] = pre[i] > 0 ? dy[i] : 0 }
    }
}

/// Writes `bias` (n) into every row of `rows` (m × n): the GEMM then adds x·W with beta = 1
/// (bias + x·W, as Keras' bias_add after the matmul up to rounding), sparing a pass over C.
@inline(__always)
func broadcastRows<T: BinaryFloatingPoint>(_ rows: UnsafeMutablePointer<T>, bias: UnsafePointer<T>, m: Int, n: Int) {
    Parallel.ranges(m, work: m * n) { lo, hi in
        for r in lo..<hi { (rows + r * n).update(from: bias, count: n) }
    }
}

/// out = activation(pre) (m·n values); out may alias pre.
@inline(__always)
func activate<T: BinaryFloatingPoint>(_ pre: UnsafeMutablePointer<T>, activation: Activation, count: Int,
                                      out: UnsafeMutablePointer<T>) {
    if activation == .relu {
        ReLU.forward(pre, out, count: count)
    } else if out != pre {
        out.update(from: pre, count: count)
    }
}

/// bias gradient: db[o] += sum over rows r of d[r, o]  (d is m × n), rows in order.
@inline(__always)
func accumulateColumnSums<T: BinaryFloatingPoint>(_ d: UnsafePointer<T>, m: Int, n: Int, into db: UnsafeMutablePointer<T>) {
    // Split by columns: each column is still summed over the rows in order, whatever the threads.
    Parallel.ranges(n, work: m * n) { lo, hi in
        for r in 0..<m {
            let row = d + r * n
            for o in lo..<hi { db[o] += row[o] }
        }
    }
}
