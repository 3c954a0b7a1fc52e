// Dense (fully connected) — Keras' Dense(units, activation).
//
//   pre (B, Out) = x (B, In) · W (In, Out) + b (Out);  act = activation(pre)
//   backward: dpre = dact masked by ReLU;  dW += xᵀ · dpre;  db += Σ_rows dpre;  dx = dpre · Wᵀ
//   (a data-parallel worker leaves dW and db to the master: `parameterGradients(over:)`)
//
// With activation `.softmax` (the classifier head) the layer outputs the logits; the softmax is
// applied by SoftmaxCrossEntropy, from the logits, as Keras does.
import Base

public enum DenseKernel {
    public static func forward<T: BLASScalar>(x: UnsafePointer<T>, kernel: UnsafePointer<T>, bias: UnsafePointer<T>,
                                              pre: UnsafeMutablePointer<T>, act: UnsafeMutablePointer<T>,
                                              activation: Activation, batch: Int, inputs nIn: Int, units nOut: Int) {
        broadcastRows(pre, bias: bias, m: batch, n: nOut)
        T.gemm(transA: false, transB: false, m: batch, n: nOut, k: nIn, alpha: 1, a: x, lda: nIn,
               b: kernel, ldb: nOut, beta: 1, c: pre, ldc: nOut)
        activate(pre, activation: activation, count: batch * nOut, out: act)
    }

    public static func backward<T: BLASScalar>(dact: UnsafePointer<T>, pre: UnsafePointer<T>, x: UnsafePointer<T>,
                                               kernel: UnsafePointer<T>, dKernel: UnsafeMutablePointer<T>,
                                               dBias: UnsafeMutablePointer<T>, dpre: UnsafeMutablePointer<T>,
                                               dx: UnsafeMutablePointer<T>?, activation: Activation,
                                               batch: Int, inputs nIn: Int, units nOut: Int, parameterGradients: Bool = true) {
        maskAndSumColumns(dact: dact, pre: pre, dpre: dpre, dBias: parameterGradients ? dBias : nil, m: batch, n: nOut,
                          activation: activation)
        if parameterGradients {
            T.gemm(transA: true, transB: false, m: nIn, n: nOut, k: batch, alpha: 1, a: x, lda: nIn,
                   b: dpre, ldb: nOut, beta: 1, c: dKernel, ldc: nOut)
        }
        if let dx {
            T.gemm(transA: false, transB: true, m: batch, n: nIn, k: nOut, alpha: 1, a: dpre, lda: nOut,
                   b: kernel, ldb: nOut, beta: 0, c: dx, ldc: nIn)
        }
    }
}

/// Dense layer: (In) → (Out); kernel (In, Out), bias (Out).
public final class Dense: Layer {
    public let spec: LayerSpec
    public var name = "dense"
    public var tag = "dense"
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let inputs: Int, units: Int
    public let activation: Activation
    public let kernel: Parameter   // (In, Out)
    public let bias: Parameter     // (Out)
    public var parameters: [Parameter] { [kernel, bias] }
    /// Keep the pre-activation in `pre` (see Conv1D.keepsPreActivation).
    public var keepsPreActivation = false
    public private(set) var pre = Buffer<Float>(count: 0)    // (B, Out) pre-activation (logits for the head), if kept
    public private(set) var dpre = Buffer<Float>(count: 0)   // (B, Out) d loss / d pre
    private var maxBatch = 0
    /// Data-parallel (set by `Sequential.step`): backward leaves dW and db to the master's
    /// `parameterGradients(over:)`; the input and batch of the last backward are kept for it.
    var defersParameterGradients = false
    private var lastInput: UnsafePointer<Float>? = nil
    private var lastBackwardBatch = 0

    public convenience init(inputShape: [Int], units: Int, activation: Activation, key: String) {
        self.init(inputShape: inputShape, units: units, activation: activation, key: key, sharing: nil)
    }

    public func replica() -> any Layer {
        let r = Dense(inputShape: inputShape, units: units, activation: activation, key: "", sharing: self)
        r.name = name; r.tag = tag
        return r
    }

    private init(inputShape: [Int], units: Int, activation: Activation, key: String, sharing: Dense?) {
        precondition(inputShape.count == 1, "Dense expects a flat (features) input, got \(inputShape): add Flatten")
        self.inputShape = inputShape
        inputs = inputShape[0]; self.units = units
        self.activation = activation
        outputShape = [units]
        spec = .dense(units: units, activation: activation)
        if let s = sharing {
            kernel = Parameter(sharingValuesOf: s.kernel)
            bias = Parameter(sharingValuesOf: s.bias)
        } else {
            kernel = Parameter(key: key + ".kernel", shape: [inputs, units])
            bias = Parameter(key: key + ".bias", shape: [units])
        }
    }

    func initialize(rng: inout Xoshiro256) {
        glorotUniform(kernel, fanIn: inputs, fanOut: units, rng: &rng)
        bias.value.zero()
    }

    public func allocate(maxBatch: Int) {
        guard maxBatch > self.maxBatch else { return }
        self.maxBatch = maxBatch
        dpre = Buffer(count: maxBatch * units)
    }

    public func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        precondition(batch <= maxBatch, "Dense: batch \(batch) > allocated \(maxBatch)")
        if keepsPreActivation && pre.count < maxBatch * units { pre = Buffer(count: maxBatch * units) }
        DenseKernel.forward(x: x, kernel: kernel.value.pointer, bias: bias.value.pointer,
                            pre: keepsPreActivation ? pre.pointer : y, act: y,
                            activation: activation, batch: batch, inputs: inputs, units: units)
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int) {
        DenseKernel.backward(dact: dy, pre: keepsPreActivation ? UnsafePointer(pre.pointer) : y, x: x, kernel: kernel.value.pointer,
                             dKernel: kernel.grad.pointer, dBias: bias.grad.pointer, dpre: dpre.pointer, dx: dx,
                             activation: activation, batch: batch, inputs: inputs, units: units,
                             parameterGradients: !defersParameterGradients)
        lastInput = x
        lastBackwardBatch = batch
    }

    /// dW += Σ_w x_wᵀ · dpre_w and db += Σ_w Σ_rows dpre_w over the workers' layers (this one
    /// first, in batch order) after their backward with `defersParameterGradients`: one chain
    /// over the batch's rows in order, the bits of one backward over the whole batch. Threads
    /// split dW's rows.
    func parameterGradients(over workers: [Dense]) {
        sumColumns(workers.map { (UnsafePointer($0.dpre.pointer), $0.lastBackwardBatch) }, n: units, into: bias.grad.pointer)
        let parts = workers.map { (x: $0.lastInput!, dpre: UnsafePointer($0.dpre.pointer), rows: $0.lastBackwardBatch) }
        let dW = kernel.grad.pointer
        let nIn = inputs, nOut = units
        Parallel.ranges(nIn, work: parts.reduce(0) { $0 + $1.rows } * nIn * nOut / 8) { r0, r1 in
            for part in parts {
                Float.gemm(transA: true, transB: false, m: r1 - r0, n: nOut, k: part.rows, alpha: 1, a: part.x + r0, lda: nIn,
                           b: part.dpre, ldb: nOut, beta: 1, c: dW + r0 * nOut, ldc: nOut)
            }
        }
    }
}
