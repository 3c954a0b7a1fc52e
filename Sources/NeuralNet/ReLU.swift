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

/// The first half of a Conv1D/Dense backward, in one pass over the (m × n) gradient:
///   dpre = dact masked by ReLU (or copied), and, with `dBias`, the bias gradient
///   db[o] += dpre[r, o] for r = 0..<m in order (threads split the columns, so the sums do not
///   depend on them). Without `dBias` (a data-parallel worker) the master sums the rows later,
///   in the same order, with `sumColumns`.
@inline(__always)
func maskAndSumColumns<T: BinaryFloatingPoint>(dact: UnsafePointer<T>, pre: UnsafePointer<T>, dpre: UnsafeMutablePointer<T>,
                                               dBias db: UnsafeMutablePointer<T>?, m: Int, n: Int, activation: Activation) {
    let relu = activation == .relu
    guard let db else {
        if relu {
            ReLU.backward(pre: pre, dy: dact, dx: dpre, count: m * n)
        } else {
            dpre.update(from: dact, count: m * n)
        }
        return
    }
    Parallel.ranges(n, work: m * n) { lo, hi in
        if T.self == Float.self {
            Vectorized.maskAndSumColumns(UnsafeRawPointer(dact).assumingMemoryBound(to: Float.self),
                                         UnsafeRawPointer(pre).assumingMemoryBound(to: Float.self),
                                         UnsafeMutableRawPointer(dpre).assumingMemoryBound(to: Float.self),
                                         UnsafeMutableRawPointer(db).assumingMemoryBound(to: Float.self),
                                         m: m, n: n, lo: lo, hi: hi, relu: relu)
            return
        }
        for r in 0..<m {
            for o in lo..<hi {
                let i = r * n + o
                let g = !relu || pre[i] > 0 ? dact[i] : 0
                dpre[i] = g
                db[o] += g
            }
        }
    }
}

/// db[o] += Σ_r rows[r, o] over the parts in order and each part's rows in order: the bias
/// gradient of a data-parallel batch, the same additions in the same order as
/// `maskAndSumColumns` over the whole batch. Threads split the columns.
func sumColumns(_ parts: [(rows: UnsafePointer<Float>, m: Int)], n: Int, into db: UnsafeMutablePointer<Float>) {
    let work = parts.reduce(0) { $0 + $1.m } * n
    Parallel.ranges(n, work: work) { lo, hi in
        for part in parts {
            for r in 0..<part.m {
                let row = part.rows + r * n
                for o in lo..<hi { db[o] = db[o] + row[o] }
            }
        }
    }
}
