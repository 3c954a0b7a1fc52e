// Adam as Keras 3 computes it (Adam.update_step, the "epsilon-hat" form), in Float32:
//
//   t = iterations + 1
//   alpha_t = lr · sqrt(1 − β2^t) / (1 − β1^t)
//   m ← m + (g − m) · (1 − β1)
//   v ← v + (g² − v) · (1 − β2)
//   θ ← θ − (m · alpha_t) / (sqrt(v) + ε)
//
// Defaults lr 1e-3, β1 0.9, β2 0.999, ε 1e-7. The hyper-parameters are Doubles (Python floats)
// cast to Float32 exactly where Keras casts them, so the update is bit-identical to Keras'
// (keras-golden's adam1.* is matched bit for bit).
import Foundation

public final class Adam {
    public var learningRate: Double
    public let beta1: Double, beta2: Double, epsilon: Double
    /// Number of steps taken (Keras' `optimizer.iterations`).
    public private(set) var iterations = 0
    public let parameters: [Parameter]
    private let m: [Buffer<Float>]   // first moment, one per parameter (same shape)
    private let v: [Buffer<Float>]   // second moment

    public init(parameters: [Parameter], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        m = parameters.map { Buffer(count: $0.count) }
        v = parameters.map { Buffer(count: $0.count) }
    }

    /// One update of every parameter from its accumulated gradient. With several threads each
    /// takes the same slice of every parameter (elementwise, so the result does not depend on it).
    public func step() {
        let t = Float(iterations + 1)
        let lr = Float(learningRate)
        let b1Power = powf(Float(beta1), t), b2Power = powf(Float(beta2), t)
        let alpha = lr * (1 - b2Power).squareRoot() / (1 - b1Power)
        let oneMinusB1 = Float(1 - beta1), oneMinusB2 = Float(1 - beta2), eps = Float(epsilon)
        let total = parameters.reduce(0) { $0 + $1.count }
        Parallel.parts(work: total * 4) { part, parts in
            for (i, p) in parameters.enumerated() {
                let lo = p.count * part / parts, hi = p.count * (part + 1) / parts
                Self.update(theta: p.value.pointer, g: p.grad.pointer, m: m[i].pointer, v: v[i].pointer, lo: lo, hi: hi,
                            alpha: alpha, oneMinusB1: oneMinusB1, oneMinusB2: oneMinusB2, eps: eps)
            }
        }
        iterations += 1
    }

    @inline(__always)
    private static func update(theta: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
                               v: UnsafeMutablePointer<Float>, lo: Int, hi: Int,
                               alpha: Float, oneMinusB1: Float, oneMinusB2: Float, eps: Float) {
        // SIMD lanes compute exactly the scalar IEEE operations of the tail loop, in the same order.
        // The moments in SIMD16 arithmetic; the step, whose square root a SIMD16 would take lane by
        // lane anyway (and through generic calls in debug builds), from the moments just stored.
        var j = lo
        let c1 = F16(repeating: oneMinusB1), c2 = F16(repeating: oneMinusB2)
        while j + 16 <= hi {
            let gj = load16(g + j), m0 = load16(m + j), v0 = load16(v + j)
            store16(m0 + (gj - m0) * c1, m + j)
            store16(v0 + (gj * gj - v0) * c2, v + j)
            var k = j
            while k < j + 16 { theta[k] = theta[k] - (m[k] * alpha) / (v[k].squareRoot() + eps); k += 1 }
            j += 16
        }
        while j < hi {
            let gj = g[j]
            let mj = m[j] + (gj - m[j]) * oneMinusB1
            let vj = v[j] + (gj * gj - v[j]) * oneMinusB2
            m[j] = mj; v[j] = vj
            theta[j] = theta[j] - (mj * alpha) / (vj.squareRoot() + eps)
            j += 1
        }
    }

    /// Forget the moments and the step count.
    public func reset() {
        iterations = 0
        for b in m { b.zero() }
        for b in v { b.zero() }
    }
}
