// The layer protocol (llm.c style: each layer is a forward/backward pair over raw buffers) and
// the serialisable description of a layer (`LayerSpec`) from which models are built and saved.
//
// Layout is channels-last like Keras: a batch of sequences is (B, L, C) in row-major order,
// flattened vectors are (B, F). Shapes given to and returned by layers are per sample (no B).
import Base

/// Activation fused into Conv1D/Dense. `softmax` marks the classifier head: the layer itself
/// outputs logits and `SoftmaxCrossEntropy` applies the softmax (Keras' logits path).
public enum Activation: String, Codable, Sendable {
    case linear, relu, softmax
}

/// What a layer is, independent of its weights: enough to rebuild the model from a file.
public enum LayerSpec: Codable, Equatable, Sendable {
    case conv1D(filters: Int, kernelSize: Int, activation: Activation)
    case maxPool1D(poolSize: Int, stride: Int)
    case dropout(rate: Float)
    case flatten
    case dense(units: Int, activation: Activation)
    /// Keras' GlobalAveragePooling1D: (L, C) → (C), the mean over time.
    case globalAveragePool1D

    /// Keras' class name, as `model.summary()` prints it.
    public var typeName: String {
        switch self {
        case .conv1D: return "Conv1D"
        case .maxPool1D: return "MaxPooling1D"
        case .dropout: return "Dropout"
        case .flatten: return "Flatten"
        case .dense: return "Dense"
        case .globalAveragePool1D: return "GlobalAveragePooling1D"
        }
    }
    /// Keras' default name stem (`conv1d`, `conv1d_1`, ...).
    var kerasStem: String {
        switch self {
        case .conv1D: return "conv1d"
        case .maxPool1D: return "max_pooling1d"
        case .dropout: return "dropout"
        case .flatten: return "flatten"
        case .dense: return "dense"
        case .globalAveragePool1D: return "global_average_pooling1d"
        }
    }
}

/// One row of `model.summary()`, structured (for diagrams and reports).
public struct LayerInfo: Equatable, Sendable {
    /// Keras-style name: conv1d, max_pooling1d, conv1d_1, ...
    public let name: String
    /// Keras class name: Conv1D, MaxPooling1D, Dropout, Flatten, Dense, GlobalAveragePooling1D.
    public let type: String
    /// Output shape with the batch dimension first as nil (Keras' `None`), e.g. [nil, 40, 256].
    public let outputShape: [Int?]
    public let parameters: Int
    /// The tag used in keras-golden.safetensors, e.g. "00_conv1d", "01_maxpool".
    public let tag: String
    /// Activation for Conv1D/Dense ("relu", "softmax", "linear"), nil otherwise.
    public let activation: String?
    /// The spec the layer was built from (kernel size, rates, ...).
    public let spec: LayerSpec
}

/// A layer: forward and backward over raw row-major buffers holding `batch` samples.
/// - `forward` reads x (batch × inputShape) and writes y (batch × outputShape).
/// - `backward` reads dy and writes dx (overwrite, not accumulate; nil when the caller does not
///   need the input gradient) and ADDS its parameter gradients into `Parameter.grad`.
/// Layers keep whatever they need between the two calls (im2col matrix, pre-activation,
/// argmax, dropout mask) in scratch buffers allocated once by `allocate(maxBatch:)`.
public protocol Layer: AnyObject {
    var spec: LayerSpec { get }
    var name: String { get set }
    var tag: String { get set }
    var inputShape: [Int] { get }
    var outputShape: [Int] { get }
    var parameters: [Parameter] { get }
    func allocate(maxBatch: Int)
    /// The same layer for a data-parallel worker: shares the parameter values, owns its
    /// gradients and scratch buffers.
    func replica() -> any Layer
    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int, training: Bool)
    func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                  dx: UnsafeMutablePointer<Float>?, batch: Int)
}

extension Layer {
    public var inputSize: Int { inputShape.reduce(1, *) }
    public var outputSize: Int { outputShape.reduce(1, *) }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
}

/// glorot_uniform (Keras' default kernel initializer): U(-limit, limit), limit = sqrt(6/(fan_in+fan_out)).
func glorotUniform(_ p: Parameter, fanIn: Int, fanOut: Int, rng: inout Xoshiro256) {
    let limit = Float((6.0 / Double(fanIn + fanOut)).squareRoot())
    for i in 0..<p.count { p.value[i] = rng.uniform(-limit, limit) }
}
