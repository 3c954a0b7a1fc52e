// A plain shaped array: what crosses the module boundary (safetensors, tests, the Study module).
// Inside the network, layers work on raw pointers into buffers allocated once.

public struct Tensor: Equatable, Sendable {
    /// Row-major (C order) shape; `[]` is a scalar with one element.
    public var shape: [Int]
    /// `shape.product` Float32 values in row-major order.
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count,
                     "Tensor: shape \(shape) needs \(shape.reduce(1, *)) values, got \(data.count)")
        self.shape = shape
        self.data = data
    }
    public init(shape: [Int], repeating value: Float = 0) {
        self.shape = shape
        data = [Float](repeating: value, count: shape.reduce(1, *))
    }
    public var count: Int { data.count }
    /// A scalar's value (or the first element).
    public var scalar: Float { data[0] }
}
