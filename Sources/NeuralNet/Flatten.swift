// Flatten: (L, C) → (L·C), row-major: flat[b, t·C + c] = h[b, t, c]. Channels-last buffers are
// already in that order, so forward and backward are copies.

public final class Flatten: Layer {
    public let spec: LayerSpec = .flatten
    public var name = "flatten"
    public var tag = "flatten"
    public let inputShape: [Int]
    public let outputShape: [Int]
    public var parameters: [Parameter] { [] }

    public init(inputShape: [Int]) {
        self.inputShape = inputShape
        outputShape = [inputShape.reduce(1, *)]
    }
    public func allocate(maxBatch: Int) {}
    public func replica() -> any Layer {
        let r = Flatten(inputShape: inputShape)
        r.name = name; r.tag = tag
        return r
    }
    public func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        y.update(from: x, count: batch * inputSize)
    }
    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int) {
        dx?.update(from: dy, count: batch * inputSize)
    }
}
