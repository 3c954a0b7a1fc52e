// Winograd minimal filtering for Conv1D (Lavin & Gray 2016, "Fast Algorithms for Convolutional
// Neural Networks"), 1-D F(m, r): m outputs of an r-tap correlation from α = m + r − 1 products.
//
// One tile (d: α inputs, g: r taps, y: m outputs, y[t] = Σ_j d[t + j] g[j]):
//   y = Aᵀ [ (G g) ⊙ (Bᵀ d) ]          Aᵀ (m × α), G (α × r), Bᵀ (α × α)
//
// Layer (channels-last, 'same' padding: padLeft = (r−1)/2, as Conv1DKernel). Tiles of m outputs
// cover [0, L): nT = ceil(L / m) tiles per sample, tile i reads input positions
// i·m − padLeft ..< i·m − padLeft + α (zero outside [0, L)) and writes outputs i·m ..< i·m + m
// (those ≥ L are discarded). With T = B·nT tiles, row b·nT + i:
//   U  (α, Cin, Cout)  U[ξ, c, o]  = Σ_j G[ξ, j] K[j, c, o]                  filter transform, per forward
//   V  (α, T, Cin)     V[ξ, ·, c]  = Σ_s Bᵀ[ξ, s] d_tile[s, c]               input transform
//   M  (α, T, Cout)    M[ξ]        = V[ξ] · U[ξ]                             α GEMMs (T × Cin)·(Cin × Cout)
//   pre[b, i·m + t, o] = bias[o] + Σ_ξ Aᵀ[t, ξ] M[ξ, ·, o]                  output transform, then activation
// Backward (the exact adjoints of the above, in reverse order):
//   dpre = dact masked by ReLU; db += column sums of dpre (as Conv1DKernel)
//   dM[ξ, ·, o] = Σ_{t: i·m+t < L} Aᵀ[t, ξ] dpre[b, i·m + t, o]            (written into M's buffer)
//   dU[ξ] = V[ξ]ᵀ · dM[ξ];   dK[j, c, o] += Σ_ξ G[ξ, j] dU[ξ, c, o]
//   dV[ξ] = dM[ξ] · U[ξ]ᵀ;   dx[b, p, c] = Σ_{tiles i, s: i·m−padLeft+s = p} Σ_ξ Bᵀ[ξ, s] dV[ξ, ·, c]
//
// The matrices come from the Toom-Cook construction below, on α − 1 finite points and ∞. The
// correlation is the transpose of a linear convolution: for c = g * h (h of length m, c of
// length α), Σ_k d_k c_k = Σ_t h_t y_t, and Toom-Cook computes c = W [(E_r g) ⊙ (E_m h)] with
// E_n the (α × n) evaluation matrix at the points (the row of ∞ picks the leading coefficient)
// and W = V_α⁻¹ the interpolation matrix. Hence Aᵀ = E_mᵀ, G = E_r, Bᵀ = Wᵀ. Lagrange gives W's
// column for point p_i as the coefficients of Π_{j≠i} (z − p_j) / Π_{j≠i} (p_i − p_j), and for
// ∞ those of Π_j (z − p_j). Writing p = a/b and (z − p) = (b z − a)/b, Bᵀ's rows become integer
// polynomial coefficients and every denominator moves into G's rows (the filter transform).
import Base

/// Exact rationals for the construction (small integers only: α ≤ 8).
struct Rational: Equatable {
    var num: Int, den: Int
    init(_ num: Int, _ den: Int = 1) {
        precondition(den != 0, "Rational: zero denominator")
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? abs(a) : gcd(b, a % b) }
        let g = max(gcd(num, den), 1) * (den < 0 ? -1 : 1)
        self.num = num / g; self.den = den / g
    }
    static func + (a: Rational, b: Rational) -> Rational { Rational(a.num * b.den + b.num * a.den, a.den * b.den) }
    static func - (a: Rational, b: Rational) -> Rational { Rational(a.num * b.den - b.num * a.den, a.den * b.den) }
    static func * (a: Rational, b: Rational) -> Rational { Rational(a.num * b.num, a.den * b.den) }
    static func / (a: Rational, b: Rational) -> Rational { Rational(a.num * b.den, a.den * b.num) }
    var double: Double { Double(num) / Double(den) }
}

/// The transform matrices of F(m, r), row-major, each exact rational rounded once to Double.
public struct WinogradTransform: Sendable, Equatable, CustomStringConvertible {
    /// m: outputs per tile.
    public let outputTile: Int
    /// r: taps.
    public let kernelSize: Int
    /// The finite interpolation points as (numerator, denominator); ∞ is the last point.
    public let points: [(Int, Int)]
    /// Aᵀ (m × α), G (α × r), Bᵀ (α × α).
    public let AT: [Double], G: [Double], BT: [Double]

    public var alpha: Int { outputTile + kernelSize - 1 }
    public var description: String { "F(\(outputTile),\(kernelSize))" }

    public static func == (a: Self, b: Self) -> Bool {
        a.outputTile == b.outputTile && a.kernelSize == b.kernelSize && a.AT == b.AT && a.G == b.G && a.BT == b.BT
    }

    /// F(2, 5) on 0, ±1, ±2, ∞ (α = 6).
    public static let f2k5 = WinogradTransform(outputTile: 2, kernelSize: 5, points: [(0, 1), (1, 1), (-1, 1), (2, 1), (-2, 1)])
    /// F(4, 5) on 0, ±1, ±2, ±½, ∞ (α = 8).
    public static let f4k5 = WinogradTransform(outputTile: 4, kernelSize: 5,
                                               points: [(0, 1), (1, 1), (-1, 1), (2, 1), (-2, 1), (1, 2), (-1, 2)])

    /// The transform for m outputs of an r-tap kernel, or nil when none is defined.
    public static func forTile(_ m: Int, kernelSize r: Int) -> WinogradTransform? {
        switch (m, r) {
        case (2, 5): return f2k5
        case (4, 5): return f4k5
        default: return nil
        }
    }

    /// Toom-Cook on `points` (α − 1 distinct finite points p = a/b, b > 0) and ∞.
    public init(outputTile m: Int, kernelSize r: Int, points: [(Int, Int)]) {
        let alpha = m + r - 1
        precondition(m >= 1 && r >= 1 && points.count == alpha - 1, "F(\(m),\(r)) needs \(alpha - 1) finite points")
        outputTile = m; kernelSize = r; self.points = points
        let p = points.map { Rational($0.0, $0.1) }
        func times(_ poly: [Rational], _ a: Int, _ b: Int) -> [Rational] {   // poly · (b z − a)
            var out = [Rational](repeating: Rational(0), count: poly.count + 1)
            for (k, c) in poly.enumerated() {
                out[k] = out[k] - c * Rational(a)
                out[k + 1] = out[k + 1] + c * Rational(b)
            }
            return out
        }
        // W = P · diag(1 / N): column i of P holds the coefficients of Π_{j≠i} (b_j z − a_j),
        // N_i = Π_{j≠i} (b_j p_i − a_j); the ∞ column holds Π_j (b_j z − a_j), N_∞ = Π_j b_j.
        var P = [[Rational]](repeating: [Rational](repeating: Rational(0), count: alpha), count: alpha)   // P[coefficient][point]
        var N = [Rational]()
        for i in 0...(alpha - 1) {
            var poly = [Rational(1)]
            var n = Rational(1)
            for (j, (a, b)) in points.enumerated() where j != i {
                poly = times(poly, a, b)
                n = n * (i < alpha - 1 ? Rational(b) * p[i] - Rational(a) : Rational(b))
            }
            for (k, c) in poly.enumerated() { P[k][i] = c }
            N.append(n)
        }
        // Evaluation at each point: the powers p^k, k < n; at ∞ the leading coefficient only.
        func evaluation(_ n: Int, _ xi: Int) -> [Rational] {
            if xi == alpha - 1 { return (0..<n).map { Rational($0 == n - 1 ? 1 : 0) } }
            var row = [Rational(1)]
            for _ in 1..<max(n, 1) { row.append(row.last! * p[xi]) }
            return Array(row.prefix(n))
        }
        var at = [Double](repeating: 0, count: m * alpha), g = [Double](repeating: 0, count: alpha * r)
        var bt = [Double](repeating: 0, count: alpha * alpha)
        for xi in 0..<alpha {
            for (t, v) in evaluation(m, xi).enumerated() { at[t * alpha + xi] = v.double }
            for (j, v) in evaluation(r, xi).enumerated() { g[xi * r + j] = (v / N[xi]).double }
            for s in 0..<alpha { bt[xi * alpha + s] = P[s][xi].double }
        }
        AT = at; G = g; BT = bt
    }
}

/// Which algorithm Conv1D layers use: `.im2col` everywhere (the reference path), or `.winograd`:
/// each layer the path that `Conv1DPath.table` fixes for its shape (im2col for shapes it lacks).
public enum ConvAlgorithm: String, Sendable, CaseIterable, Codable {
    case im2col, winograd
}

/// How one Conv1D layer computes: im2col + one GEMM, or Winograd F(m, k) with α GEMMs.
public enum Conv1DPath: Hashable, Sendable, CustomStringConvertible {
    case im2col
    case winograd(outputTile: Int)

    public var description: String {
        switch self {
        case .im2col: return "im2col"
        case .winograd(let m): return "F(\(m),5)"
        }
    }

    /// The layer shape a path is chosen for.
    public struct Shape: Hashable, Sendable {
        public var length: Int, inChannels: Int, outChannels: Int, kernelSize: Int
        public init(length: Int, inChannels: Int, outChannels: Int, kernelSize: Int) {
            self.length = length; self.inChannels = inChannels; self.outChannels = outChannels; self.kernelSize = kernelSize
        }
    }

    /// The paths `.winograd` uses, fixed per shape from measurements (never chosen by timing at
    /// run time, so the bits never depend on the machine's load); shapes not listed stay on
    /// im2col. Chosen at batch 32, what each of the 2 data-parallel workers runs by default.
    ///
    /// `study-bench nn --conv-table` (forward + backward, dx except for the first layer, 1 thread,
    /// best of 30, paths interleaved), AMD EPYC (family 25, AVX2, OpenBLAS Zen kernels), quiet
    /// machine, two runs, ms per batch (speed-up over im2col):
    ///
    ///     layer     (L, Cin→Cout)  batch  im2col         F(2,5)                    F(4,5)
    ///     conv1d    (40, 1→256)      32   0.53 / 0.46    3.97 / 2.20 (0.13–0.21×)  2.36 / 1.33 (0.22–0.35×)
    ///     conv1d_1  (20, 256→256)    32   20.3 / 17.1    16.6 / 13.6 (1.22–1.26×)  12.5 / 9.8  (1.62–1.74×)
    ///     conv1d_1  (20, 256→256)    64   34.6 / 34.2    25.9 / 25.1 (1.33–1.36×)  17.4 / 17.3 (1.97–1.98×)
    ///     conv1d_2  (10, 256→128)    32   5.26 / 4.38    5.08 / 3.64 (1.04–1.20×)  4.20 / 3.04 (1.25–1.44×)
    ///     conv1d_2  (10, 256→128)    64   9.50 / 8.76    7.31 / 6.97 (1.26–1.30×)  6.25 / 5.64 (1.52–1.55×)
    ///     conv1d_3  (5, 128→64)      32   0.70 / 0.57    0.91 / 0.68 (0.77–0.84×)  0.81 / 0.63 (0.86–0.91×)
    ///     conv1d_4  (3, 64→64)       32   0.20 / 0.17    0.35 / 0.26 (0.58–0.65×)  0.28 / 0.21 (0.73–0.82×)
    ///
    /// Hence F(4,5) for the two long, wide layers and im2col for the rest: with Cin = 1 the
    /// α GEMMs are rank-1 and the transforms dominate; at L = 5 and 3 most of a tile is padding.
    /// (F(4,5) on the short layers would also round further from Keras: AdamTests.)
    ///
    /// The temporal CNN (`TemporalCNN`, 301 frames × 64 bands), same command with
    /// STUDY_BENCH_NN_MODEL=tcn, Intel Cooper Lake (AVX-512 deterministic micro-kernel), 2 cores:
    ///
    ///     layer     (L, Cin→Cout)  batch  im2col   F(2,5)         F(4,5)
    ///     conv1d    (301, 64→64)     32   13.66    10.92 (1.25×)   6.89 (1.98×)
    ///     conv1d_1  (151, 64→64)     32    8.86     7.50 (1.18×)   4.76 (1.86×)
    ///     conv1d_2  (76, 64→64)      32    4.12     3.59 (1.15×)   2.34 (1.76×)
    ///     conv1d_3  (38, 64→64)      32    1.88     1.81 (1.04×)   1.19 (1.58×)
    ///
    /// so F(4,5) for all four (64 channels in, lengths ≥ 38: the α GEMMs are wide enough and
    /// little of a tile is padding).
    public static let table: [Shape: Conv1DPath] = [
        Shape(length: 20, inChannels: 256, outChannels: 256, kernelSize: 5): .winograd(outputTile: 4),
        Shape(length: 10, inChannels: 256, outChannels: 128, kernelSize: 5): .winograd(outputTile: 4),
        // TemporalCNN.make(frames: 301, bands: 64, ...)
        Shape(length: 301, inChannels: 64, outChannels: 64, kernelSize: 5): .winograd(outputTile: 4),
        Shape(length: 151, inChannels: 64, outChannels: 64, kernelSize: 5): .winograd(outputTile: 4),
        Shape(length: 76, inChannels: 64, outChannels: 64, kernelSize: 5): .winograd(outputTile: 4),
        Shape(length: 38, inChannels: 64, outChannels: 64, kernelSize: 5): .winograd(outputTile: 4),
    ]

    /// The path for a layer of this shape under `algorithm`.
    public static func choose(_ algorithm: ConvAlgorithm, for shape: Shape) -> Conv1DPath {
        switch algorithm {
        case .im2col: return .im2col
        case .winograd: return table[shape] ?? .im2col
        }
    }
}

/// The layer math of the Winograd path, generic so that the tests can run it in Float64.
/// Buffers as in the legend at the top of this file.
public enum WinogradKernel {
    /// Tiles per sample: ceil(L / m).
    @inline(__always)
    public static func tiles(length L: Int, outputTile m: Int) -> Int { (L + m - 1) / m }

    /// Scratch sizes for `batch` samples: U and dU (α·Cin·Cout), V and dV (α·T·Cin), M (α·T·Cout).
    public static func scratch(batch: Int, length L: Int, inChannels cin: Int, outChannels cout: Int,
                               transform tr: WinogradTransform) -> (u: Int, v: Int, m: Int) {
        let t = batch * tiles(length: L, outputTile: tr.outputTile)
        return (tr.alpha * cin * cout, tr.alpha * t * cin, tr.alpha * t * cout)
    }

    // The input and output transforms work on SIMD8 blocks of channels (the innermost,
    // contiguous axis; the filter transforms, once per batch, go plane row by plane row: `planes`): each
    // loads its inputs for a block once, computes every output of the block in registers (or
    // an L1 stack buffer) and stores each output once. The same code runs in Float32 (training)
    // and Float64 (the gradient checks); a block at the end of a row that is narrower than 8
    // is loaded and stored element by element.
    typealias Block<T: BLASScalar> = SIMD8<T>

    @inline(__always)
    static func load<T: BLASScalar>(_ p: UnsafePointer<T>, _ n: Int) -> Block<T> {
        if n == Block<T>.scalarCount { return UnsafeRawPointer(p).loadUnaligned(as: Block<T>.self) }
        var v = Block<T>()
        for i in 0..<n { v[i] = p[i] }
        return v
    }

    @inline(__always)
    static func store<T: BLASScalar>(_ v: Block<T>, _ p: UnsafeMutablePointer<T>, _ n: Int) {
        if n == Block<T>.scalarCount { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Block<T>.self); return }
        for i in 0..<n { p[i] = v[i] }
    }

    /// out = relu ? max(pre, 0) : pre (out may be pre), with Float32's SIMD ReLU (the mask of a
    /// generic SIMD vector compiles to a loop over its lanes).
    @inline(__always)
    static func activateRows<T: BLASScalar>(_ pre: UnsafeMutablePointer<T>, _ out: UnsafeMutablePointer<T>, count n: Int, relu: Bool) {
        if !relu {
            if out != pre { out.update(from: pre, count: n) }
        } else if T.self == Float.self {
            Vectorized.relu(UnsafeRawPointer(pre).assumingMemoryBound(to: Float.self),
                            UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), n)
        } else {
            for i in 0..<n { out[i] = pre[i] > 0 ? pre[i] : 0 }
        }
    }

    /// The nonzero entries of a (rows × cols) row-major matrix (or of its transpose), row by row
    /// and contiguous: row r's entries are index[start[r] ..< start[r + 1]], value[...].
    struct Sparse<T: BLASScalar> {
        var start: [Int] = [0], index: [Int] = [], value: [T] = []
        init(_ a: [Double], rows: Int, cols: Int, transposed: Bool = false) {
            for r in 0..<(transposed ? cols : rows) {
                for i in 0..<(transposed ? rows : cols) {
                    let v = transposed ? a[i * cols + r] : a[r * cols + i]
                    if v != 0 { index.append(i); value.append(T(v)) }
                }
                start.append(index.count)
            }
        }
        func withPointers<R>(_ body: (UnsafePointer<Int>, UnsafePointer<Int>, UnsafePointer<T>) -> R) -> R {
            start.withUnsafeBufferPointer { s in
                index.withUnsafeBufferPointer { i in value.withUnsafeBufferPointer { v in body(s.baseAddress!, i.baseAddress!, v.baseAddress!) } }
            }
        }
    }

    /// Elements lo..<hi of n-element planes: out[p] = Σ_q A[p, q] in[q] for p < outCount, with
    /// in[q] = src + q·n and out[p] = dst + p·n; `accumulate` adds into dst instead. Chunk by
    /// chunk (the chunk of every plane stays in L1), each output row is a sum of `addScaled`
    /// rows in q order: the same IEEE operations in the same order as a per-element loop, and a
    /// concrete loop per scalar type that vectorises in release and stays fast in debug builds.
    static func planes<T: BLASScalar>(_ a: Sparse<T>, src: UnsafePointer<T>, dst: UnsafeMutablePointer<T>,
                                      outCount: Int, n: Int, lo: Int, hi: Int, accumulate: Bool) {
        a.withPointers { st, ix, va in
            var e = lo
            while e < hi {
                let len = min(planeChunk, hi - e)
                for p in 0..<outCount {
                    let out = dst + p * n + e
                    if !accumulate { out.update(repeating: 0, count: len) }
                    for k in st[p]..<st[p + 1] { T.addScaled(count: len, va[k], src + ix[k] * n + e, into: out) }
                }
                e += len
            }
        }
    }
    static let planeChunk = 1024

    /// U[ξ, c, o] = Σ_j G[ξ, j] K[j, c, o] (K: the Keras kernel (r, Cin, Cout)).
    @_specialize(where T == Float)
    public static func filterTransform<T: BLASScalar>(kernel: UnsafePointer<T>, u: UnsafeMutablePointer<T>,
                                                      inChannels cin: Int, outChannels cout: Int, transform tr: WinogradTransform) {
        let g = Sparse<T>(tr.G, rows: tr.alpha, cols: tr.kernelSize)
        let n = cin * cout
        Parallel.ranges(n, work: tr.alpha * n * 2) { lo, hi in
            planes(g, src: kernel, dst: u, outCount: tr.alpha, n: n, lo: lo, hi: hi, accumulate: false)
        }
    }

    /// dK[j, c, o] += Σ_ξ G[ξ, j] dU[ξ, c, o]: the adjoint of `filterTransform`, accumulated.
    @_specialize(where T == Float)
    public static func filterTransformAdjoint<T: BLASScalar>(du: UnsafePointer<T>, dKernel: UnsafeMutablePointer<T>,
                                                             inChannels cin: Int, outChannels cout: Int, transform tr: WinogradTransform) {
        let gt = Sparse<T>(tr.G, rows: tr.alpha, cols: tr.kernelSize, transposed: true)
        let n = cin * cout
        Parallel.ranges(n, work: tr.alpha * n * 2) { lo, hi in
            planes(gt, src: du, dst: dKernel, outCount: tr.kernelSize, n: n, lo: lo, hi: hi, accumulate: true)
        }
    }

    // F(4,5), the path the table uses, written out: the same matrices (WinogradTransform.f4k5,
    // points 0, ±1, ±2, ±½, ∞) with their ± symmetry factored, a third of the multiplies of the
    // sparse loops and no index loads. Each reads its inputs from `i` and writes `o` (8 blocks).
    // WinogradTests checks them against the sparse loops (`unrolled: false`).

    /// o[ξ] = Σ_s Bᵀ[ξ, s] i[s].
    @inline(__always)
    static func inputF45<T: BLASScalar>(_ d: UnsafeMutablePointer<Block<T>>, _ o: UnsafeMutablePointer<Block<T>>) {
        let c2 = T(2), c4 = T(4), c5 = T(5), c8 = T(8), c10 = T(10), c17 = T(17), c21 = T(21)   // see inputAdjointF45
        let d0: Block<T> = d[0], d1: Block<T> = d[1], d2: Block<T> = d[2], d3: Block<T> = d[3]
        let d4: Block<T> = d[4], d5: Block<T> = d[5], d6: Block<T> = d[6], d7: Block<T> = d[7]
        o[0] = (d6 - d0) * c4 + (d2 - d4) * c21
        let a1: Block<T> = (d2 + d6) * c4 - d4 * c17, b1: Block<T> = (d1 + d5) * c4 - d3 * c17
        o[1] = a1 + b1; o[2] = a1 - b1
        let a3: Block<T> = d2 + d6 * c4 - d4 * c5, b3: Block<T> = d1 * c2 + d5 * c8 - d3 * c10
        o[3] = a3 + b3; o[4] = a3 - b3
        let a5: Block<T> = d2 * c8 + d6 * c2 - d4 * c10, b5: Block<T> = d1 * c4 + d5 - d3 * c5
        o[5] = a5 + b5; o[6] = a5 - b5
        o[7] = (d7 - d1) * c4 + (d3 - d5) * c21
    }

    /// o[s] = Σ_ξ Bᵀ[ξ, s] g[ξ] (the adjoint of `inputF45`).
    @inline(__always)
    static func inputAdjointF45<T: BLASScalar>(_ g: UnsafeMutablePointer<Block<T>>, _ o: UnsafeMutablePointer<Block<T>>) {
        // Typed constants: literals in these long SIMD sums cost seconds of type checking.
        let c2 = T(2), c4 = T(4), c5 = T(5), c8 = T(8), c10 = T(10), c17 = T(17), c21 = T(21)
        let g0: Block<T> = g[0], g7: Block<T> = g[7]
        let p1: Block<T> = g[1] + g[2], m1: Block<T> = g[1] - g[2]
        let p3: Block<T> = g[3] + g[4], m3: Block<T> = g[3] - g[4]
        let p5: Block<T> = g[5] + g[6], m5: Block<T> = g[5] - g[6]
        let g0x21: Block<T> = g0 * c21, g7x21: Block<T> = g7 * c21
        o[0] = g0 * -c4
        o[1] = (m1 + m5 - g7) * c4 + m3 * c2
        o[2] = g0x21 + p1 * c4 + p3 + p5 * c8
        o[3] = g7x21 - m1 * c17 - m3 * c10 - m5 * c5
        let sum4: Block<T> = g0x21 + p1 * c17 + p3 * c5 + p5 * c10
        o[4] = -sum4
        o[5] = m1 * c4 + m3 * c8 + m5 - g7x21
        o[6] = (g0 + p1 + p3) * c4 + p5 * c2
        o[7] = g7 * c4
    }

    /// y[t] = Σ_ξ Aᵀ[t, ξ] M[ξ], t < 4.
    @inline(__always)
    static func outputF45<T: BLASScalar>(_ mv: UnsafeMutablePointer<Block<T>>, _ y: UnsafeMutablePointer<Block<T>>) {
        let p1 = mv[1] + mv[2], m1 = mv[1] - mv[2], p3 = mv[3] + mv[4], m3 = mv[3] - mv[4], p5 = mv[5] + mv[6], m5 = mv[5] - mv[6]
        y[0] = mv[0] + p1 + p3 + p5
        y[1] = m1 + m3 * 2 + m5 * 0.5
        y[2] = p1 + p3 * 4 + p5 * 0.25
        y[3] = m1 + m3 * 8 + m5 * 0.125 + mv[7]
    }

    /// o[ξ] = Σ_t Aᵀ[t, ξ] e[t] (the adjoint of `outputF45`).
    @inline(__always)
    static func outputAdjointF45<T: BLASScalar>(_ e: UnsafeMutablePointer<Block<T>>, _ o: UnsafeMutablePointer<Block<T>>) {
        let e0 = e[0], e1 = e[1], e2 = e[2], e3 = e[3]
        o[0] = e0
        let p = e0 + e2, q = e1 + e3
        o[1] = p + q; o[2] = p - q
        let p4 = e0 + e2 * 4, q4 = e1 * 2 + e3 * 8
        o[3] = p4 + q4; o[4] = p4 - q4
        let ph = e0 + e2 * 0.25, qh = e1 * 0.5 + e3 * 0.125
        o[5] = ph + qh; o[6] = ph - qh
        o[7] = e3
    }

    /// V[ξ, b·nT + i, c] = Σ_s Bᵀ[ξ, s] x[b, i·m − padLeft + s, c], zero outside [0, L).
    /// `unrolled: false` takes the sparse loops for F(4,5) too (the tests compare the two).
    @_specialize(where T == Float)
    public static func inputTransform<T: BLASScalar>(x: UnsafePointer<T>, v: UnsafeMutablePointer<T>, batch: Int,
                                                     length L: Int, inChannels cin: Int, transform tr: WinogradTransform,
                                                     unrolled: Bool = true) {
        let alpha = tr.alpha, m = tr.outputTile, f45 = unrolled && tr == .f4k5
        let pl = Conv1DKernel.padLeft(kernelSize: tr.kernelSize)
        let nT = tiles(length: L, outputTile: m), rows = batch * nT
        let bt = Sparse<T>(tr.BT, rows: alpha, cols: alpha)
        Parallel.ranges(batch, work: batch * nT * alpha * cin * 4) { b0, b1 in
            bt.withPointers { st, ix, va in
                withUnsafeTemporaryAllocation(of: Block<T>.self, capacity: 2 * alpha) { buffer in
                    let d = buffer.baseAddress!, out = d + alpha
                    for b in b0..<b1 {
                        for i in 0..<nT {
                            let row = b * nT + i, p0 = i * m - pl
                            var c = 0
                            while c < cin {
                                let len = min(8, cin - c)
                                for s in 0..<alpha {
                                    let p = p0 + s
                                    d[s] = p >= 0 && p < L ? load(x + (b * L + p) * cin + c, len) : Block<T>()
                                }
                                if f45 {
                                    inputF45(d, out)
                                } else {
                                    for xi in 0..<alpha {
                                        var acc = Block<T>()
                                        for k in st[xi]..<st[xi + 1] { acc += d[ix[k]] * va[k] }
                                        out[xi] = acc
                                    }
                                }
                                for xi in 0..<alpha { store(out[xi], v + (xi * rows + row) * cin + c, len) }
                                c += len
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx (B, L, Cin) = the adjoint of `inputTransform` applied to dV (overwrites dx): each tile
    /// scatters Σ_ξ Bᵀ[ξ, s] dV[ξ, tile, c] into input position i·m − padLeft + s, if inside [0, L),
    /// tiles in order.
    @_specialize(where T == Float)
    public static func inputTransformAdjoint<T: BLASScalar>(dv: UnsafePointer<T>, dx: UnsafeMutablePointer<T>, batch: Int,
                                                            length L: Int, inChannels cin: Int, transform tr: WinogradTransform,
                                                            unrolled: Bool = true) {
        let alpha = tr.alpha, m = tr.outputTile, f45 = unrolled && tr == .f4k5
        let pl = Conv1DKernel.padLeft(kernelSize: tr.kernelSize)
        let nT = tiles(length: L, outputTile: m), rows = batch * nT
        let b = Sparse<T>(tr.BT, rows: alpha, cols: alpha, transposed: true)   // row s: (ξ, Bᵀ[ξ, s])
        Parallel.ranges(batch, work: batch * nT * alpha * cin * 4) { b0, b1 in
            (dx + b0 * L * cin).update(repeating: 0, count: (b1 - b0) * L * cin)
            b.withPointers { st, ix, va in
                withUnsafeTemporaryAllocation(of: Block<T>.self, capacity: 2 * alpha) { buffer in
                    let g = buffer.baseAddress!, out = g + alpha
                    for bb in b0..<b1 {
                        for i in 0..<nT {
                            let row = bb * nT + i, p0 = i * m - pl
                            let s0 = max(0, -p0), s1 = min(alpha, L - p0)   // positions inside [0, L)
                            var c = 0
                            while c < cin {
                                let len = min(8, cin - c)
                                for xi in 0..<alpha { g[xi] = load(dv + (xi * rows + row) * cin + c, len) }
                                if f45 {
                                    inputAdjointF45(g, out)
                                } else {
                                    for s in s0..<s1 {
                                        var acc = Block<T>()
                                        for k in st[s]..<st[s + 1] { acc += g[ix[k]] * va[k] }
                                        out[s] = acc
                                    }
                                }
                                for s in s0..<s1 {
                                    let dst = dx + (bb * L + p0 + s) * cin + c
                                    store(load(dst, len) + out[s], dst, len)
                                }
                                c += len
                            }
                        }
                    }
                }
            }
        }
    }

    /// pre[b, i·m + t, o] = bias[o] + Σ_ξ Aᵀ[t, ξ] M[ξ, b·nT + i, o] for i·m + t < L;
    /// act = activation(pre). `pre` may be `act`.
    @_specialize(where T == Float)
    public static func outputTransform<T: BLASScalar>(mt: UnsafePointer<T>, bias: UnsafePointer<T>, pre: UnsafeMutablePointer<T>,
                                                      act: UnsafeMutablePointer<T>, activation: Activation, batch: Int,
                                                      length L: Int, outChannels cout: Int, transform tr: WinogradTransform,
                                                      unrolled: Bool = true) {
        let m = tr.outputTile, alpha = tr.alpha, f45 = unrolled && tr == .f4k5
        let nT = tiles(length: L, outputTile: m), rows = batch * nT
        let at = Sparse<T>(tr.AT, rows: m, cols: alpha)
        let relu = activation == .relu
        Parallel.ranges(batch, work: batch * L * alpha * cout * 2) { b0, b1 in
            at.withPointers { st, ix, va in
                withUnsafeTemporaryAllocation(of: Block<T>.self, capacity: alpha + m) { buffer in
                    let mv = buffer.baseAddress!, y = mv + alpha
                    for b in b0..<b1 {
                        for i in 0..<nT {
                            let row = b * nT + i, valid = min(m, L - i * m)
                            var o = 0
                            while o < cout {
                                let len = min(8, cout - o)
                                for xi in 0..<alpha { mv[xi] = load(mt + (xi * rows + row) * cout + o, len) }
                                if f45 {
                                    outputF45(mv, y)
                                } else {
                                    for t in 0..<valid {
                                        var acc = Block<T>()
                                        for k in st[t]..<st[t + 1] { acc += mv[ix[k]] * va[k] }
                                        y[t] = acc
                                    }
                                }
                                let bv = load(bias + o, len)
                                for t in 0..<valid { store(bv + y[t], pre + (b * L + i * m + t) * cout + o, len) }
                                o += len
                            }
                            // The tile's rows are contiguous: activation in one pass, still in L1.
                            let first = (b * L + i * m) * cout
                            activateRows(pre + first, act + first, count: valid * cout, relu: relu)
                        }
                    }
                }
            }
        }
    }

    /// dM[ξ, b·nT + i, o] = Σ_{t: i·m + t < L} Aᵀ[t, ξ] dpre[b, i·m + t, o]: the adjoint of
    /// `outputTransform` (outputs beyond L were discarded, so their gradient is zero).
    @_specialize(where T == Float)
    public static func outputTransformAdjoint<T: BLASScalar>(dpre: UnsafePointer<T>, dm: UnsafeMutablePointer<T>, batch: Int,
                                                             length L: Int, outChannels cout: Int, transform tr: WinogradTransform,
                                                             unrolled: Bool = true) {
        let m = tr.outputTile, alpha = tr.alpha, f45 = unrolled && tr == .f4k5
        let nT = tiles(length: L, outputTile: m), rows = batch * nT
        let a = Sparse<T>(tr.AT, rows: m, cols: alpha, transposed: true)   // row ξ: (t, Aᵀ[t, ξ])
        Parallel.ranges(batch, work: batch * L * alpha * cout * 2) { b0, b1 in
            a.withPointers { st, ix, va in
                withUnsafeTemporaryAllocation(of: Block<T>.self, capacity: m + alpha) { buffer in
                    let g = buffer.baseAddress!, out = g + m
                    for b in b0..<b1 {
                        for i in 0..<nT {
                            let row = b * nT + i, valid = min(m, L - i * m)
                            var o = 0
                            while o < cout {
                                let len = min(8, cout - o)
                                for t in 0..<m { g[t] = t < valid ? load(dpre + (b * L + i * m + t) * cout + o, len) : Block<T>() }
                                if f45 {
                                    outputAdjointF45(g, out)
                                } else {
                                    for xi in 0..<alpha {
                                        var acc = Block<T>()
                                        for k in st[xi]..<st[xi + 1] { acc += g[ix[k]] * va[k] }
                                        out[xi] = acc
                                    }
                                }
                                for xi in 0..<alpha { store(out[xi], dm + (xi * rows + row) * cout + o, len) }
                                o += len
                            }
                        }
                    }
                }
            }
        }
    }

    /// dK += Gᵀ·dU with dU[ξ] = Σ_parts V[ξ]ᵀ·dM[ξ], the parts' GEMMs summed in order (K = the
    /// part's tile rows). One part is one backward; several are the data-parallel workers of one
    /// batch, whose V and dM stay in their own buffers: the sum over workers then happens here,
    /// once, instead of one transform per worker and a sum of their dK. With single-threaded
    /// BLAS (data-parallel training) the ξ planes are split over NeuralNet's threads, each
    /// computing whole planes, so the split does not change the bits; with multi-threaded BLAS
    /// each GEMM is BLAS's to split.
    public static func kernelGradient<T: BLASScalar>(parts: [(v: UnsafePointer<T>, dm: UnsafePointer<T>, rows: Int)],
                                                     du: UnsafeMutablePointer<T>, dKernel: UnsafeMutablePointer<T>,
                                                     inChannels cin: Int, outChannels cout: Int, transform tr: WinogradTransform) {
        let work = BLASThreads.count == 1 ? tr.alpha * cin * cout * parts.reduce(0) { $0 + $1.rows } : 0
        Parallel.ranges(tr.alpha, work: work) { x0, x1 in
            for xi in x0..<x1 {
                for (p, part) in parts.enumerated() {
                    T.gemm(transA: true, transB: false, m: cin, n: cout, k: part.rows, alpha: 1,
                           a: part.v + xi * part.rows * cin, lda: cin, b: part.dm + xi * part.rows * cout, ldb: cout,
                           beta: p == 0 ? 0 : 1, c: du + xi * cin * cout, ldc: cout)
                }
            }
        }
        filterTransformAdjoint(du: du, dKernel: dKernel, inChannels: cin, outChannels: cout, transform: tr)
    }

    /// pre = conv(x, K) + bias through F(m, r); act = activation(pre). Fills U (the filter
    /// transform; with `filterReady`, U already holds it and is only read), V (kept for
    /// backward) and M (scratch). `pre` may be `act`.
    @_specialize(where T == Float)
    public static func forward<T: BLASScalar>(x: UnsafePointer<T>, kernel: UnsafePointer<T>, bias: UnsafePointer<T>,
                                              u: UnsafeMutablePointer<T>, v: UnsafeMutablePointer<T>, mt: UnsafeMutablePointer<T>,
                                              pre: UnsafeMutablePointer<T>, act: UnsafeMutablePointer<T>, activation: Activation,
                                              batch: Int, length L: Int, inChannels cin: Int, outChannels cout: Int,
                                              transform tr: WinogradTransform, filterReady: Bool = false) {
        let rows = batch * tiles(length: L, outputTile: tr.outputTile)
        if !filterReady { filterTransform(kernel: kernel, u: u, inChannels: cin, outChannels: cout, transform: tr) }
        inputTransform(x: x, v: v, batch: batch, length: L, inChannels: cin, transform: tr)
        for xi in 0..<tr.alpha {
            T.gemm(transA: false, transB: false, m: rows, n: cout, k: cin, alpha: 1, a: v + xi * rows * cin, lda: cin,
                   b: u + xi * cin * cout, ldb: cout, beta: 0, c: mt + xi * rows * cout, ldc: cout)
        }
        outputTransform(mt: mt, bias: bias, pre: pre, act: act, activation: activation, batch: batch, length: L,
                        outChannels: cout, transform: tr)
    }

    /// Given dact (B·L, Cout) and the U, V of the last forward: dpre = dact masked by ReLU (mask
    /// from `pre` or the ReLU output); db += Σ dpre; dK += Gᵀ·(Vᵀ·dM) (both skipped without
    /// `parameterGradients`: then dpre and dM stay in their buffers for the master's
    /// `kernelGradient(parts:)` and column sums); if dx != nil: dx = the
    /// adjoint input transform of dM·Uᵀ. `mt` (M's buffer) receives dM; `du`, `dv` are scratch.
    @_specialize(where T == Float)
    public static func backward<T: BLASScalar>(dact: UnsafePointer<T>, pre: UnsafePointer<T>, u: UnsafePointer<T>,
                                               v: UnsafePointer<T>, mt: UnsafeMutablePointer<T>, du: UnsafeMutablePointer<T>,
                                               dv: UnsafeMutablePointer<T>, dKernel: UnsafeMutablePointer<T>,
                                               dBias: UnsafeMutablePointer<T>, dpre: UnsafeMutablePointer<T>,
                                               dx: UnsafeMutablePointer<T>?, activation: Activation,
                                               batch: Int, length L: Int, inChannels cin: Int, outChannels cout: Int,
                                               transform tr: WinogradTransform, parameterGradients: Bool = true) {
        let rows = batch * tiles(length: L, outputTile: tr.outputTile)
        maskAndSumColumns(dact: dact, pre: pre, dpre: dpre, dBias: parameterGradients ? dBias : nil, m: batch * L, n: cout,
                          activation: activation)
        outputTransformAdjoint(dpre: dpre, dm: mt, batch: batch, length: L, outChannels: cout, transform: tr)
        if parameterGradients {
            Self.kernelGradient(parts: [(v: UnsafePointer(v), dm: UnsafePointer(mt), rows: rows)], du: du, dKernel: dKernel,
                                inChannels: cin, outChannels: cout, transform: tr)
        }
        if let dx {
            for xi in 0..<tr.alpha {
                T.gemm(transA: false, transB: true, m: rows, n: cin, k: cout, alpha: 1, a: mt + xi * rows * cout, lda: cout,
                       b: u + xi * cin * cout, ldb: cout, beta: 0, c: dv + xi * rows * cin, ldc: cin)
            }
            inputTransformAdjoint(dv: dv, dx: dx, batch: batch, length: L, inChannels: cin, transform: tr)
        }
    }
}
