// Conv1D, stride 1, padding 'same' (zeros), channels-last — Keras' Conv1D(filters, k, padding='same').
//
//   pre[b, t, o] = bias[o] + sum_{j<k} sum_{c<Cin} xpad[b, t + j, c] * K[j, c, o]
//   xpad = x with padLeft = (k-1)/2 zeros before and k-1-padLeft after the time axis
//
// (cross-correlation, no kernel flip; TensorFlow's SAME rule: for stride 1 the output length is L
// and the extra pad, when k is even, goes on the right.)
//
// Whole-batch im2col, then ONE GEMM per direction:
//   cols (B·L, k·Cin):  cols[b·L + t, j·Cin + c] = xpad[b, t + j, c]
//   forward   pre  (B·L, Cout)  = bias + cols · K     K viewed as (k·Cin, Cout), Keras' layout as is
//   backward  dK  (k·Cin, Cout) += colsᵀ · dpre
//             db  (Cout)        += column sums of dpre
//             dcols (B·L, k·Cin) = dpre · Kᵀ, then col2im scatters dcols back into dx (B, L, Cin)
//
// That is the reference path. The layer can also take Winograd F(2,5) or F(4,5) (Winograd.swift:
// α GEMMs on transformed tiles, 2.5× fewer multiplies for F(4,5)); which one is `Conv1D.path`,
// fixed per layer shape by `Conv1DPath.table` under `ConvAlgorithm.winograd`, the default.
import Base

/// The layer math, generic so that the tests can run it in Float64.
public enum Conv1DKernel {
    @inline(__always)
    public static func padLeft(kernelSize k: Int) -> Int { (k - 1) / 2 }

    /// cols (B·L, k·Cin) from x (B, L, Cin), zero outside [0, L). Rows whose window lies inside
    /// the sequence are one contiguous copy (the k·Cin values x[b, t−padLeft ..< t−padLeft+k, :]).
    public static func im2col<T: BLASScalar>(x: UnsafePointer<T>, cols: UnsafeMutablePointer<T>,
                                             batch: Int, length L: Int, inChannels cin: Int, kernelSize k: Int) {
        let pl = padLeft(kernelSize: k)
        let rowLen = k * cin
        Parallel.ranges(batch, work: batch * L * rowLen) { b0, b1 in
            for b in b0..<b1 {
                for t in 0..<L {
                    let row = cols + (b * L + t) * rowLen
                    let s0 = t - pl
                    if s0 >= 0 && s0 + k <= L {
                        let src = x + (b * L + s0) * cin
                        if rowLen <= 16 {   // e.g. the first layer (Cin = 1): a loop beats a memmove call
                            for i in 0..<rowLen { row[i] = src[i] }
                        } else {
                            row.update(from: src, count: rowLen)
                        }
                        continue
                    }
                    for j in 0..<k {
                        let s = s0 + j
                        let dst = row + j * cin
                        if s >= 0 && s < L {
                            dst.update(from: x + (b * L + s) * cin, count: cin)
                        } else {
                            dst.update(repeating: 0, count: cin)
                        }
                    }
                }
            }
        }
    }

    /// dx (B, L, Cin) = col2im(dcols): the adjoint of `im2col` (overwrites dx).
    public static func col2im<T: BLASScalar>(dcols: UnsafePointer<T>, dx: UnsafeMutablePointer<T>,
                                             batch: Int, length L: Int, inChannels cin: Int, kernelSize k: Int) {
        let pl = padLeft(kernelSize: k)
        let rowLen = k * cin
        Parallel.ranges(batch, work: batch * L * rowLen) { b0, b1 in
            (dx + b0 * L * cin).update(repeating: 0, count: (b1 - b0) * L * cin)
            for b in b0..<b1 {
                for t in 0..<L {
                    let row = dcols + (b * L + t) * rowLen
                    for j in 0..<k {
                        let s = t + j - pl
                        guard s >= 0 && s < L else { continue }
                        let src = row + j * cin
                        let dst = dx + (b * L + s) * cin
                        for c in 0..<cin { dst[c] += src[c] }
                    }
                }
            }
        }
    }

    /// pre (B·L, Cout) = im2col(x) · K + bias; act = activation(pre). `cols` is scratch that
    /// backward needs again. `pre` may be `act` (activation in place).
    public static func forward<T: BLASScalar>(x: UnsafePointer<T>, kernel: UnsafePointer<T>, bias: UnsafePointer<T>,
                                              cols: UnsafeMutablePointer<T>, pre: UnsafeMutablePointer<T>,
                                              act: UnsafeMutablePointer<T>, activation: Activation,
                                              batch: Int, length L: Int, inChannels cin: Int, outChannels cout: Int,
                                              kernelSize k: Int) {
        let m = batch * L, kk = k * cin
        im2col(x: x, cols: cols, batch: batch, length: L, inChannels: cin, kernelSize: k)
        broadcastRows(pre, bias: bias, m: m, n: cout)
        T.gemm(transA: false, transB: false, m: m, n: cout, k: kk, alpha: 1, a: cols, lda: kk,
               b: kernel, ldb: cout, beta: 1, c: pre, ldc: cout)
        activate(pre, activation: activation, count: m * cout, out: act)
    }

    /// Given dact (B·L, Cout): dpre = dact masked by ReLU (mask from `pre`, or equally from the
    /// ReLU output: both are > 0 at the same places); dK += colsᵀ·dpre; db += Σ dpre (both
    /// skipped without `parameterGradients`: a data-parallel worker leaves them to the master);
    /// if dx != nil: dx = col2im(dpre · Kᵀ) using the scratch `dcols`.
    public static func backward<T: BLASScalar>(dact: UnsafePointer<T>, pre: UnsafePointer<T>, cols: UnsafePointer<T>,
                                               kernel: UnsafePointer<T>, dKernel: UnsafeMutablePointer<T>,
                                               dBias: UnsafeMutablePointer<T>, dpre: UnsafeMutablePointer<T>,
                                               dcols: UnsafeMutablePointer<T>, dx: UnsafeMutablePointer<T>?,
                                               activation: Activation,
                                               batch: Int, length L: Int, inChannels cin: Int, outChannels cout: Int,
                                               kernelSize k: Int, parameterGradients: Bool = true) {
        let m = batch * L, kk = k * cin
        maskAndSumColumns(dact: dact, pre: pre, dpre: dpre, dBias: parameterGradients ? dBias : nil, m: m, n: cout,
                          activation: activation)
        if parameterGradients {
            T.gemm(transA: true, transB: false, m: kk, n: cout, k: m, alpha: 1, a: cols, lda: kk,
                   b: dpre, ldb: cout, beta: 1, c: dKernel, ldc: cout)
        }
        if let dx {
            T.gemm(transA: false, transB: true, m: m, n: kk, k: cout, alpha: 1, a: dpre, lda: cout,
                   b: kernel, ldb: cout, beta: 0, c: dcols, ldc: kk)
            col2im(dcols: dcols, dx: dx, batch: batch, length: L, inChannels: cin, kernelSize: k)
        }
    }
}

/// Conv1D layer: input (L, Cin) → output (L, Cout); kernel (k, Cin, Cout), bias (Cout).
public final class Conv1D: Layer {
    public let spec: LayerSpec
    public var name: String
    public var tag: String
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let kernelSize: Int, inChannels: Int, outChannels: Int, length: Int
    public let activation: Activation
    public let kernel: Parameter   // (k, Cin, Cout)
    public let bias: Parameter     // (Cout)
    public var parameters: [Parameter] { [kernel, bias] }

    /// `.winograd` (the default) takes the path `Conv1DPath.table` fixes for this layer's shape;
    /// `.im2col` forces the reference path. Set by `Sequential.convAlgorithm` (and `fit`).
    public var algorithm: ConvAlgorithm = .winograd
    /// A path that wins over `algorithm` (tests and the benchmark's per-layer table).
    public var pathOverride: Conv1DPath? = nil
    /// The path the next forward takes.
    public var path: Conv1DPath {
        if let p = pathOverride { return p }
        return Conv1DPath.choose(algorithm, for: shape)
    }
    public var shape: Conv1DPath.Shape {
        Conv1DPath.Shape(length: length, inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize)
    }
    /// The path of the last forward, which backward follows (its scratch holds that forward's data).
    public private(set) var lastPath: Conv1DPath = .im2col

    // Scratch, allocated once for maxBatch samples, for the path in use (see `ensureScratch`).
    public private(set) var cols = Buffer<Float>(count: 0)    // (B·L, k·Cin)  im2col of the input
    /// Keep the pre-activation in `pre` (tests, diagnostics). Otherwise the GEMM writes straight
    /// into the output buffer, ReLU runs in place, and backward takes its mask from the output
    /// (act > 0 exactly where pre > 0): one pass and one buffer fewer.
    public var keepsPreActivation = false
    public private(set) var pre = Buffer<Float>(count: 0)     // (B, L, Cout)  pre-activation, if kept
    public private(set) var dpre = Buffer<Float>(count: 0)    // (B, L, Cout)  d loss / d pre
    private var dcols = Buffer<Float>(count: 0)               // (B·L, k·Cin)  d loss / d cols
    // Winograd F(m, k) (see Winograd.swift; T = B·ceil(L/m) tiles, α = m + k − 1):
    private var wU = Buffer<Float>(count: 0)                  // (α, Cin, Cout)  filter transform
    private var wdU = Buffer<Float>(count: 0)                 // (α, Cin, Cout)  d loss / d U
    private var wV = Buffer<Float>(count: 0)                  // (α, T, Cin)     input transform, kept for backward
    private var wdV = Buffer<Float>(count: 0)                 // (α, T, Cin)     d loss / d V
    private var wM = Buffer<Float>(count: 0)                  // (α, T, Cout)    products, then d loss / d products
    private var scratchPath: Conv1DPath? = nil
    private var maxBatch = 0
    private var lastBatch = 0
    private var lastBackwardBatch = 0

    // Data-parallel sharing (set by `Sequential.step` for one batch):
    /// U computed once for every worker (`prepareSharedFilter`), read instead of this layer's own.
    var sharedFilter: UnsafePointer<Float>? = nil
    /// Backward leaves dK and db to the master's `parameterGradients(over:)`, which sums the
    /// workers' rows in batch order.
    var defersParameterGradients = false

    public convenience init(inputShape: [Int], filters: Int, kernelSize: Int, activation: Activation, key: String) {
        self.init(inputShape: inputShape, filters: filters, kernelSize: kernelSize, activation: activation, key: key, sharing: nil)
    }

    public func replica() -> any Layer {
        let r = Conv1D(inputShape: inputShape, filters: outChannels, kernelSize: kernelSize, activation: activation,
                       key: "", sharing: self)
        r.name = name; r.tag = tag
        r.algorithm = algorithm; r.pathOverride = pathOverride
        return r
    }

    private init(inputShape: [Int], filters: Int, kernelSize: Int, activation: Activation, key: String, sharing: Conv1D?) {
        precondition(inputShape.count == 2, "Conv1D expects a (length, channels) input, got \(inputShape)")
        self.inputShape = inputShape
        length = inputShape[0]; inChannels = inputShape[1]; outChannels = filters
        self.kernelSize = kernelSize
        self.activation = activation
        outputShape = [length, filters]
        spec = .conv1D(filters: filters, kernelSize: kernelSize, activation: activation)
        name = "conv1d"; tag = "conv1d"
        if let s = sharing {
            kernel = Parameter(sharingValuesOf: s.kernel)
            bias = Parameter(sharingValuesOf: s.bias)
        } else {
            kernel = Parameter(key: key + ".kernel", shape: [kernelSize, inChannels, filters])
            bias = Parameter(key: key + ".bias", shape: [filters])
        }
    }

    /// glorot_uniform with fan_in = k·Cin, fan_out = k·Cout (Keras' receptive-field rule); zero bias.
    func initialize(rng: inout Xoshiro256) {
        glorotUniform(kernel, fanIn: kernelSize * inChannels, fanOut: kernelSize * outChannels, rng: &rng)
        bias.value.zero()
    }

    public func allocate(maxBatch: Int) {
        guard maxBatch > self.maxBatch else { return }
        self.maxBatch = maxBatch
        dpre = Buffer(count: maxBatch * length * outChannels)
        scratchPath = nil
        ensureScratch(for: path)
    }

    /// The scratch of `path` for maxBatch samples; the other path's is released.
    private func ensureScratch(for path: Conv1DPath) {
        guard path != scratchPath else { return }
        scratchPath = path
        let empty = Buffer<Float>(count: 0)
        switch path {
        case .im2col:
            let n = maxBatch * length * kernelSize * inChannels
            cols = Buffer(count: n); dcols = Buffer(count: n)
            wU = empty; wdU = empty; wV = empty; wdV = empty; wM = empty
        case .winograd(let m):
            guard let tr = WinogradTransform.forTile(m, kernelSize: kernelSize) else {
                preconditionFailure("Conv1D: no Winograd transform F(\(m),\(kernelSize))")
            }
            let n = WinogradKernel.scratch(batch: maxBatch, length: length, inChannels: inChannels, outChannels: outChannels,
                                           transform: tr)
            wU = Buffer(count: n.u); wdU = Buffer(count: n.u)
            wV = Buffer(count: n.v); wdV = Buffer(count: n.v); wM = Buffer(count: n.m)
            cols = empty; dcols = empty
        }
    }

    public func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        precondition(batch <= maxBatch, "Conv1D: batch \(batch) > allocated \(maxBatch)")
        if keepsPreActivation && pre.count < maxBatch * length * outChannels { pre = Buffer(count: maxBatch * length * outChannels) }
        let path = self.path
        ensureScratch(for: path)
        lastPath = path
        let preOut = keepsPreActivation ? pre.pointer : y
        switch path {
        case .im2col:
            Conv1DKernel.forward(x: x, kernel: kernel.value.pointer, bias: bias.value.pointer, cols: cols.pointer,
                                 pre: preOut, act: y, activation: activation, batch: batch, length: length,
                                 inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize)
        case .winograd(let m):
            let u = sharedFilter.map { UnsafeMutablePointer(mutating: $0) } ?? wU.pointer
            WinogradKernel.forward(x: x, kernel: kernel.value.pointer, bias: bias.value.pointer, u: u, v: wV.pointer,
                                   mt: wM.pointer, pre: preOut, act: y, activation: activation, batch: batch, length: length,
                                   inChannels: inChannels, outChannels: outChannels,
                                   transform: WinogradTransform.forTile(m, kernelSize: kernelSize)!,
                                   filterReady: sharedFilter != nil)
        }
        lastBatch = batch
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int) {
        let mask = keepsPreActivation ? UnsafePointer(pre.pointer) : y
        switch lastPath {
        case .im2col:
            Conv1DKernel.backward(dact: dy, pre: mask, cols: cols.pointer, kernel: kernel.value.pointer,
                                  dKernel: kernel.grad.pointer, dBias: bias.grad.pointer, dpre: dpre.pointer,
                                  dcols: dcols.pointer, dx: dx, activation: activation, batch: batch, length: length,
                                  inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize,
                                  parameterGradients: !defersParameterGradients)
        case .winograd(let m):
            WinogradKernel.backward(dact: dy, pre: mask, u: sharedFilter ?? UnsafePointer(wU.pointer), v: wV.pointer,
                                    mt: wM.pointer, du: wdU.pointer,
                                    dv: wdV.pointer, dKernel: kernel.grad.pointer, dBias: bias.grad.pointer,
                                    dpre: dpre.pointer, dx: dx, activation: activation, batch: batch, length: length,
                                    inChannels: inChannels, outChannels: outChannels,
                                    transform: WinogradTransform.forTile(m, kernelSize: kernelSize)!,
                                    parameterGradients: !defersParameterGradients)
        }
        lastBackwardBatch = batch
    }

    // MARK: - Data-parallel sharing (Winograd path)

    /// Whether this layer computes through Winograd (its `path`, which the next forward takes).
    var isWinograd: Bool { if case .winograd = path { return true } else { return false } }

    /// U of the current kernel in this (the master's) buffer, for the workers' `sharedFilter`:
    /// computed over NeuralNet's threads, or, without `recompute`, the U of this layer's last
    /// forward, which is still valid when the kernel has not changed since (the batches of one
    /// evaluation). U depends on the kernel only, so one batch's workers can share it.
    func prepareSharedFilter(recompute: Bool) -> UnsafePointer<Float> {
        guard case .winograd(let m) = path else { preconditionFailure("Conv1D: shared filter on the im2col path") }
        if recompute || scratchPath != path {
            ensureScratch(for: path)
            WinogradKernel.filterTransform(kernel: kernel.value.pointer, u: wU.pointer, inChannels: inChannels,
                                           outChannels: outChannels, transform: WinogradTransform.forTile(m, kernelSize: kernelSize)!)
        }
        return UnsafePointer(wU.pointer)
    }

    /// The parameter gradients of one data-parallel batch, after its workers' backward with
    /// `defersParameterGradients` (`workers`: the workers' layers, this one first, in batch
    /// order; their buffers still hold that backward's data):
    ///   db += Σ_w Σ_rows dpre_w;  im2col: dK += Σ_w cols_wᵀ · dpre_w;  Winograd: dK += Gᵀ · Σ_w V_wᵀ · dM_w.
    /// Each sum runs over the batch's rows in order, continuing one chain from worker to worker,
    /// so the result has the bits of one backward over the whole batch (in the deterministic
    /// arithmetic) whatever the number of workers. Threads split the outputs, never a sum.
    func parameterGradients(over workers: [Conv1D]) {
        sumColumns(workers.map { (UnsafePointer($0.dpre.pointer), $0.lastBackwardBatch * length) }, n: outChannels,
                   into: bias.grad.pointer)
        switch lastPath {
        case .im2col:
            let kk = kernelSize * inChannels
            let dK = kernel.grad.pointer
            let parts = workers.map { (cols: UnsafePointer($0.cols.pointer), dpre: UnsafePointer($0.dpre.pointer),
                                       rows: $0.lastBackwardBatch * length) }
            let work = parts.reduce(0) { $0 + $1.rows } * kk * outChannels
            let cout = outChannels
            Parallel.ranges(kk, work: work / 8) { r0, r1 in
                for part in parts {
                    Float.gemm(transA: true, transB: false, m: r1 - r0, n: cout, k: part.rows, alpha: 1, a: part.cols + r0,
                               lda: kk, b: part.dpre, ldb: cout, beta: 1, c: dK + r0 * cout, ldc: cout)
                }
            }
        case .winograd(let m):
            let tr = WinogradTransform.forTile(m, kernelSize: kernelSize)!
            let nT = WinogradKernel.tiles(length: length, outputTile: m)
            let parts = workers.map { (v: UnsafePointer($0.wV.pointer), dm: UnsafePointer($0.wM.pointer), rows: $0.lastBackwardBatch * nT) }
            WinogradKernel.kernelGradient(parts: parts, du: wdU.pointer, dKernel: kernel.grad.pointer, inChannels: inChannels,
                                          outChannels: outChannels, transform: tr)
        }
    }
}
