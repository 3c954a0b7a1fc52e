// A Keras-style Sequential model: layers in order, one activation buffer and one gradient buffer
// per layer (allocated once for the largest batch), and a softmax/cross-entropy head.
//
// Buffers (B = batch ≤ maxBatch; per-sample shapes from the layers):
//   input        (B, inputShape...)         e.g. (B, 40, 1)
//   outputs[i]   (B, layers[i].outputShape) activation after layer i; the last one holds logits
//   grads[i]     (B, layers[i].outputShape) d loss / d outputs[i]   (overwritten each backward)
//   inputGrad    (B, inputShape...)         d loss / d input, only when requested
// Parameter gradients are accumulated by the layers and zeroed in one place: `zeroGradients()`.
import Base
import Foundation

public enum NeuralNetError: Error, CustomStringConvertible, Equatable {
    case missingTensor(String)
    case shapeMismatch(String, expected: [Int], found: [Int])
    case invalidModel(String)
    case invalidFile(String)

    public var description: String {
        switch self {
        case .missingTensor(let k): return "model file: tensor '\(k)' is missing"
        case .shapeMismatch(let k, let e, let f): return "model file: tensor '\(k)' has shape \(f), expected \(e)"
        case .invalidModel(let m): return "model: \(m)"
        case .invalidFile(let m): return m
        }
    }
}

public final class Sequential {
    public let inputShape: [Int]
    public let layers: [any Layer]
    public let head: SoftmaxCrossEntropy
    public var classes: Int { head.classes }
    public var specs: [LayerSpec] { layers.map(\.spec) }
    /// Keras' model name, printed by `summary()`.
    public var name = "sequential"

    public private(set) var maxBatch = 0
    /// When true, forward/backward accumulate wall time per layer (for the benchmark's profile).
    public var profiling = false
    public var forwardSeconds: [Double] = []    // per layer
    public var backwardSeconds: [Double] = []   // per layer (+ the loss head in the last entry)
    private var input = Buffer<Float>(count: 0)       // (B, inputShape...)
    private var outputs: [Buffer<Float>] = []         // outputs[i]: (B, layers[i].outputShape)
    private var grads: [Buffer<Float>] = []           // grads[i]:   (B, layers[i].outputShape)
    private var inputGrad = Buffer<Float>(count: 0)   // (B, inputShape...) when requested

    /// Builds the layers from their specs and initialises them (glorot_uniform kernels, zero
    /// biases) from `seed`, layer by layer in order.
    public init(inputShape: [Int], specs: [LayerSpec], seed: UInt64) {
        precondition(!specs.isEmpty, "Sequential needs at least one layer")
        self.inputShape = inputShape
        var shape = inputShape
        var built: [any Layer] = []
        var kerasCount: [String: Int] = [:]   // per stem, for Keras names conv1d, conv1d_1, ...
        var keyCount: [String: Int] = [:]     // per stem, for parameter keys conv1d_0, conv1d_1, ...
        var rng = Xoshiro256(seed: seed, stream: 0x1A17)
        for (i, spec) in specs.enumerated() {
            let stem = spec.kerasStem
            let key = "\(stem)_\(keyCount[stem, default: 0])"
            let layer: any Layer
            switch spec {
            case let .conv1D(filters, k, act):
                let c = Conv1D(inputShape: shape, filters: filters, kernelSize: k, activation: act, key: key)
                c.initialize(rng: &rng); layer = c
            case let .maxPool1D(p, s):
                layer = MaxPool1D(inputShape: shape, pool: p, stride: s)
            case let .dropout(rate):
                layer = Dropout(inputShape: shape, rate: rate)
            case .flatten:
                layer = Flatten(inputShape: shape)
            case .globalAveragePool1D:
                layer = GlobalAveragePool1D(inputShape: shape)
            case let .dense(units, act):
                let d = Dense(inputShape: shape, units: units, activation: act, key: key)
                d.initialize(rng: &rng); layer = d
            }
            if !layer.parameters.isEmpty { keyCount[stem, default: 0] += 1 }
            let n = kerasCount[stem, default: 0]
            layer.name = n == 0 ? stem : "\(stem)_\(n)"
            kerasCount[stem] = n + 1
            let shortTag: String
            switch spec {
            case .maxPool1D: shortTag = "maxpool"
            default: shortTag = stem
            }
            layer.tag = (i < 10 ? "0\(i)" : "\(i)") + "_" + shortTag
            built.append(layer)
            shape = layer.outputShape
        }
        precondition(shape.count == 1, "the last layer must output a flat vector of class scores, got \(shape)")
        layers = built
        head = SoftmaxCrossEntropy(classes: shape[0])
        seedDropout(seed)
    }

    /// A data-parallel worker: same layers sharing the parameter values, own buffers and gradients.
    private init(replicaOf master: Sequential) {
        inputShape = master.inputShape
        layers = master.layers.map { $0.replica() }
        head = SoftmaxCrossEntropy(classes: master.classes)
        name = master.name
    }

    /// Data-parallel workers: [self] followed by replicas created on first use. The replicas'
    /// Conv1D layers follow this model's paths (set again on every call: cheap, and a change of
    /// `convAlgorithm` between trainings reaches replicas made before it).
    private var replicaModels: [Sequential] = []
    func workers(_ n: Int) -> [Sequential] {
        while replicaModels.count < n - 1 { replicaModels.append(Sequential(replicaOf: self)) }
        let models = [self] + replicaModels.prefix(max(0, n - 1))
        for (i, l) in layers.enumerated() {
            guard let c = l as? Conv1D else { continue }
            for r in models.dropFirst() {
                let rc = r.layers[i] as! Conv1D
                rc.algorithm = c.algorithm; rc.pathOverride = c.pathOverride
            }
        }
        return models
    }

    /// How the Conv1D layers compute (`ConvAlgorithm`; default `.winograd`, each layer the path
    /// `Conv1DPath.table` fixes for its shape). The bits of a training depend on it; `fit` sets
    /// it from `FitOptions.convAlgorithm`. A layer's own `Conv1D.pathOverride` wins over it.
    public var convAlgorithm: ConvAlgorithm = .winograd {
        didSet { for l in layers { (l as? Conv1D)?.algorithm = convAlgorithm } }
    }

    /// The path each Conv1D layer takes now (in layer order), e.g. for the benchmark's printout.
    public var convPaths: [Conv1DPath] { layers.compactMap { ($0 as? Conv1D)?.path } }

    // MARK: - Description

    public var parameters: [Parameter] { layers.flatMap(\.parameters) }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
    public var inputSize: Int { inputShape.reduce(1, *) }

    public var layerInfo: [LayerInfo] {
        layers.map { l in
            var act: String? = nil
            if case let .conv1D(_, _, a) = l.spec { act = a.rawValue }
            if case let .dense(_, a) = l.spec { act = a.rawValue }
            return LayerInfo(name: l.name, type: l.spec.typeName, outputShape: [nil] + l.outputShape.map { $0 },
                             parameters: l.parameterCount, tag: l.tag, activation: act, spec: l.spec)
        }
    }

    /// Like Keras 3's `model.summary()`.
    public func summary() -> String {
        func grouped(_ n: Int) -> String {
            let s = String(n)
            var out = ""
            for (i, ch) in s.enumerated() {
                if i > 0 && (s.count - i) % 3 == 0 { out += "," }
                out.append(ch)
            }
            return out
        }
        func memory(_ params: Int) -> String {
            let bytes = Double(params * 4)
            if bytes < 1024 { return String(format: "%.2f B", bytes) }
            if bytes < 1024 * 1024 { return String(format: "%.2f KB", bytes / 1024) }
            return String(format: "%.2f MB", bytes / 1024 / 1024)
        }
        func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, w - s.count))
            return right ? fill + s : s + fill
        }
        let rows = layerInfo.map { info -> (String, String, String) in
            let shape = "(" + info.outputShape.map { $0.map(String.init) ?? "None" }.joined(separator: ", ") + ")"
            return ("\(info.name) (\(info.type))", shape, grouped(info.parameters))
        }
        let w0 = max(31, rows.map(\.0.count).max() ?? 0), w1 = max(22, rows.map(\.1.count).max() ?? 0), w2 = 13
        func line(_ l: String, _ m: String, _ r: String, _ f: String) -> String {
            l + String(repeating: f, count: w0 + 2) + m + String(repeating: f, count: w1 + 2) + m
                + String(repeating: f, count: w2 + 2) + r
        }
        var s = "Model: \"\(name)\"\n"
        s += line("┏", "┳", "┓", "━") + "\n"
        s += "┃ \(pad("Layer (type)", w0)) ┃ \(pad("Output Shape", w1)) ┃ \(pad("Param #", w2, right: true)) ┃\n"
        s += line("┡", "╇", "┩", "━") + "\n"
        for (i, r) in rows.enumerated() {
            s += "│ \(pad(r.0, w0)) │ \(pad(r.1, w1)) │ \(pad(r.2, w2, right: true)) │\n"
            if i < rows.count - 1 { s += line("├", "┼", "┤", "─") + "\n" }
        }
        s += line("└", "┴", "┘", "─") + "\n"
        let total = parameterCount
        s += " Total params: \(grouped(total)) (\(memory(total)))\n"
        s += " Trainable params: \(grouped(total)) (\(memory(total)))\n"
        s += " Non-trainable params: 0 (0.00 B)\n"
        return s
    }

    // MARK: - Buffers

    /// Allocates every buffer for batches of up to `batch` samples (no-op if already large enough).
    public func reserve(batch: Int) {
        guard batch > maxBatch else { return }
        maxBatch = batch
        input = Buffer(count: batch * inputSize)
        inputGrad = Buffer(count: 0)
        outputs = layers.map { Buffer(count: batch * $0.outputSize) }
        grads = layers.map { Buffer(count: batch * $0.outputSize) }
        for l in layers { l.allocate(maxBatch: batch) }
        head.allocate(maxBatch: batch)
    }

    /// The input buffer (maxBatch × inputSize) that `forward` reads; fill its first B rows.
    public var inputPointer: UnsafeMutablePointer<Float> { input.pointer }

    /// Conv1D and Dense layers keep their pre-activations (for inspection; costs a pass and a buffer).
    public var keepsPreActivations: Bool {
        get { layers.contains { ($0 as? Conv1D)?.keepsPreActivation ?? ($0 as? Dense)?.keepsPreActivation ?? false } }
        set {
            for l in layers {
                (l as? Conv1D)?.keepsPreActivation = newValue
                (l as? Dense)?.keepsPreActivation = newValue
            }
        }
    }

    /// Seeds every Dropout layer with its own stream derived from `seed`.
    /// Worker w > 0 (data-parallel replica) draws from its own streams.
    public func seedDropout(_ seed: UInt64) {
        for (w, model) in ([self] + replicaModels).enumerated() {
            for (i, l) in model.layers.enumerated() {
                if let d = l as? Dropout { d.rng = Xoshiro256(seed: seed, stream: 0xD0_0000 + UInt64(i) + UInt64(w) << 20) }
            }
        }
    }

    // MARK: - Forward / backward

    /// Runs the layers on the first `batch` rows of the input buffer; returns the logits (B, K).
    @discardableResult
    public func forward(batch: Int, training: Bool) -> UnsafePointer<Float> {
        precondition(batch > 0 && batch <= maxBatch, "forward: batch \(batch) outside 1...\(maxBatch) (call reserve)")
        var x = UnsafePointer(input.pointer)
        if profiling && forwardSeconds.count != layers.count { forwardSeconds = Array(repeating: 0, count: layers.count) }
        for (i, l) in layers.enumerated() {
            let t0 = profiling ? DispatchTime.now().uptimeNanoseconds : 0
            l.forward(x: x, y: outputs[i].pointer, batch: batch, training: training)
            if profiling { forwardSeconds[i] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
            x = UnsafePointer(outputs[i].pointer)
        }
        return x
    }

    /// Forward on `batch` rows of `x` (copied into the input buffer).
    @discardableResult
    public func forward(_ x: [Float], batch: Int, training: Bool) -> UnsafePointer<Float> {
        reserve(batch: batch)
        precondition(x.count == batch * inputSize, "forward: \(x.count) values for \(batch) × \(inputShape)")
        x.withUnsafeBufferPointer { input.pointer.update(from: $0.baseAddress!, count: x.count) }
        return forward(batch: batch, training: training)
    }

    /// Softmax + cross-entropy of the last forward against `labels` (B values); returns the mean loss.
    public func loss(labels: [Int]) -> Float {
        head.setLabels(labels)
        return head.forward(logits: outputs[layers.count - 1].pointer, batch: labels.count, withLabels: true)
    }

    /// Backward from the loss of the last `loss(labels:)` call: d loss/d logits = (probs − y)/B,
    /// then every layer in reverse. Parameter gradients ACCUMULATE (see zeroGradients);
    /// with `inputGradient`, d loss / d input is kept too (the golden test checks grad.x).
    public func backward(batch: Int, inputGradient: Bool = false, meanOver: Int? = nil) {
        let last = layers.count - 1
        head.backward(dlogits: grads[last].pointer, batch: batch, meanOver: meanOver)
        if inputGradient && inputGrad.count < maxBatch * inputSize { inputGrad = Buffer(count: maxBatch * inputSize) }
        if profiling && backwardSeconds.count != layers.count { backwardSeconds = Array(repeating: 0, count: layers.count) }
        for i in stride(from: last, through: 0, by: -1) {
            let t0 = profiling ? DispatchTime.now().uptimeNanoseconds : 0
            let x = i == 0 ? UnsafePointer(input.pointer) : UnsafePointer(outputs[i - 1].pointer)
            let dx: UnsafeMutablePointer<Float>? = i == 0 ? (inputGradient ? inputGrad.pointer : nil) : grads[i - 1].pointer
            layers[i].backward(x: x, y: outputs[i].pointer, dy: grads[i].pointer, dx: dx, batch: batch)
            if profiling { backwardSeconds[i] += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 }
        }
    }

    /// The one place parameter gradients are reset.
    public func zeroGradients() {
        for p in parameters { p.grad.zero() }
    }

    // MARK: - Inspection (tests, diagnostics)

    /// Copy of layer i's output for the first `batch` rows.
    public func output(ofLayer i: Int, batch: Int) -> [Float] { outputs[i].prefix(batch * layers[i].outputSize) }
    /// Copy of d loss / d (layer i's output).
    public func outputGradient(ofLayer i: Int, batch: Int) -> [Float] { grads[i].prefix(batch * layers[i].outputSize) }
    /// Copy of d loss / d input (after `backward(batch:inputGradient: true)`).
    public func inputGradient(batch: Int) -> [Float] { inputGrad.prefix(batch * inputSize) }
    public func probabilities(batch: Int) -> [Float] { head.probs.prefix(batch * classes) }
    public func lossPerSample(batch: Int) -> [Float] { head.lossPerSample.prefix(batch) }

    // MARK: - Weights

    /// Parameters keyed as in keras-golden.safetensors: conv1d_0.kernel, ..., dense_1.bias.
    public func weights() -> [(key: String, tensor: Tensor)] { parameters.map { ($0.key, $0.tensor) } }

    /// Sets every parameter from `tensors` (by key); throws on a missing tensor or a wrong shape.
    public func setWeights(_ tensors: [String: Tensor], prefix: String = "") throws {
        for p in parameters {
            guard let t = tensors[prefix + p.key] else { throw NeuralNetError.missingTensor(prefix + p.key) }
            guard t.shape == p.shape else { throw NeuralNetError.shapeMismatch(prefix + p.key, expected: p.shape, found: t.shape) }
            p.value.copy(from: t.data)
        }
    }

    /// All parameter values, for ModelCheckpoint-style snapshots in memory.
    public func snapshot() -> [[Float]] { parameters.map(\.value.array) }
    public func restore(_ s: [[Float]]) {
        let ps = parameters
        precondition(s.count == ps.count, "restore: snapshot of \(s.count) tensors for \(ps.count) parameters")
        for (p, v) in zip(ps, s) { p.value.copy(from: v) }
    }
}
