// Dense (fully connected) — Keras' Dense(units, activation).
//
//   pre (B, Out) = x (B, In) · W (In, Out) + b (Out);  act = activation(pre)
//   backward: dpre = dact masked by ReLU;  dW += xᵀ · dpre;  db += Σ_rows dpre;  dx = dpre · Wᵀ
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
                                               batch: Int, inputs nIn: Int, units nOut: Int) {
        maskAndSumColumns(dact: dact, pre: pre, dpre: dpre, dBias: dBias, m: batch, n: nOut, activation: activation)
        T.gemm(transA: true, transB: false, m: nIn, n: nOut, k: batch, alpha: 1, a: x, lda: nIn,
               b: dpre, ldb: nOut, beta: 1, c: dKernel, ldc: nOut)
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
                             activation: activation, batch: batch, inputs: inputs, units: units)
    }
}
