// A trainable tensor and its gradient. The gradient is accumulated by backward passes
// (`+=`, BLAS beta = 1) and zeroed in one place: `Sequential.zeroGradients()`.

public final class Parameter {
    /// Stable key used in files and in keras-golden.safetensors, e.g. "conv1d_1.kernel".
    public internal(set) var key: String
    /// Shape as Keras stores it: Conv1D kernel (k, in, out), Dense kernel (in, out), bias (out).
    public let shape: [Int]
    public let value: Buffer<Float>   // shape
    public let grad: Buffer<Float>    // shape, d loss / d value (accumulated)

    public init(key: String, shape: [Int]) {
        self.key = key
        self.shape = shape
        let n = shape.reduce(1, *)
        value = Buffer(count: n)
        grad = Buffer(count: n)
    }
    /// A parameter that shares `other`'s values (a data-parallel replica) with its own gradient.
    init(sharingValuesOf other: Parameter) {
        key = other.key
        shape = other.shape
        value = other.value
        grad = Buffer(count: other.count)
    }
    public var count: Int { value.count }
    public var tensor: Tensor { Tensor(shape: shape, data: value.array) }
    public var gradTensor: Tensor { Tensor(shape: shape, data: grad.array) }
}
