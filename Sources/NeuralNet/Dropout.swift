// Dropout(rate), inverted: in training each unit is kept with probability 1 − rate and scaled by
// 1/(1 − rate), so inference is the identity (Keras/TensorFlow semantics).
//
//   training:  mask[i] = (u_i >= rate) ? 1/(1−rate) : 0,  u_i ~ U[0,1) from the layer's seeded RNG
//              y = x · mask;  backward dx = dy · mask
//   inference: y = x;         backward dx = dy
import Base

public enum DropoutKernel {
    /// Fills mask (n) with 0 or 1/(1−rate).
    public static func sampleMask<T: BinaryFloatingPoint>(_ mask: UnsafeMutablePointer<T>, count n: Int, rate: Float,
                                                          rng: inout Xoshiro256) {
        let scale = T(1 / (1 - Double(rate)))
        for i in 0..<n { mask[i] = rng.nextFloat() >= rate ? scale : 0 }
    }
    public static func apply<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, mask: UnsafePointer<T>,
                                                     _ y: UnsafeMutablePointer<T>, count n: Int) {
        for i in 0..<n { y[i] = x[i] * mask[i] }
    }
}

public final class Dropout: Layer {
    public let spec: LayerSpec
    public var name = "dropout"
    public var tag = "dropout"
    public let inputShape: [Int]
    public var outputShape: [Int] { inputShape }
    public let rate: Float
    public var parameters: [Parameter] { [] }
    /// Seeded by `Sequential.seedDropout(_:)`; each Dropout layer has its own stream.
    public var rng = Xoshiro256(seed: 0)
    private var mask = Buffer<Float>(count: 0)   // (B, inputShape...) 0 or 1/(1-rate), valid after a training forward
    private var masked = false                   // whether the last forward applied the mask
    private var maxBatch = 0
    /// Data-parallel: the master draws the whole batch's mask (`sampleBatchMask`) and each
    /// worker reads its rows from it, so a row's mask does not depend on which worker runs it.
    private var batchMask = Buffer<Float>(count: 0)    // (n, inputShape...) the master's, for one batch
    var sharedMask: UnsafePointer<Float>? = nil        // a worker's rows of the master's batchMask

    public init(inputShape: [Int], rate: Float) {
        precondition(rate >= 0 && rate < 1, "Dropout rate must be in [0, 1), got \(rate)")
        self.inputShape = inputShape
        self.rate = rate
        spec = .dropout(rate: rate)
    }

    public func replica() -> any Layer {
        let r = Dropout(inputShape: inputShape, rate: rate)
        r.name = name; r.tag = tag
        return r
    }

    public func allocate(maxBatch: Int) {
        guard maxBatch > self.maxBatch else { return }
        self.maxBatch = maxBatch
        mask = Buffer(count: maxBatch * inputSize)
    }

    public func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int, training: Bool) {
        let n = batch * inputSize
        masked = training && rate > 0
        if masked, let sharedMask {
            mask.pointer.update(from: sharedMask, count: n)
            DropoutKernel.apply(x, mask: mask.pointer, y, count: n)
        } else if masked {
            DropoutKernel.sampleMask(mask.pointer, count: n, rate: rate, rng: &rng)
            DropoutKernel.apply(x, mask: mask.pointer, y, count: n)
        } else {
            y.update(from: x, count: n)
        }
    }

    /// The mask of a whole batch of `rows` samples, drawn from this layer's stream in row order
    /// (the numbers one forward over the whole batch would draw), for the workers' `sharedMask`.
    func sampleBatchMask(rows: Int) -> UnsafePointer<Float> {
        let n = rows * inputSize
        if batchMask.count < n { batchMask = Buffer(count: n) }
        DropoutKernel.sampleMask(batchMask.pointer, count: n, rate: rate, rng: &rng)
        return UnsafePointer(batchMask.pointer)
    }

    public func backward(x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, batch: Int) {
        guard let dx else { return }
        let n = batch * inputSize
        if masked {
            DropoutKernel.apply(dy, mask: mask.pointer, dx, count: n)
        } else {
            dx.update(from: dy, count: n)
        }
    }
}
