// Softmax + categorical cross-entropy from the logits, numerically stable — what Keras computes
// for Dense(…, softmax) + categorical_crossentropy (tf.nn.softmax_cross_entropy_with_logits),
// reduced with sum_over_batch_size (mean over the B rows).
//
//   m_b = max_k logits[b, k];  s_b = Σ_k exp(logits[b, k] − m_b)
//   probs[b, k] = exp(logits[b, k] − m_b) / s_b
//   loss_b = log s_b − (logits[b, y_b] − m_b)          (= logsumexp − logit of the true class)
//   loss = (1/B) Σ_b loss_b
//   d loss / d logits[b, k] = (probs[b, k] − [k = y_b]) · (1/B)
//
// Labels are class indices (Keras' one-hot targets give the same loss and gradient).

public enum SoftmaxCrossEntropyKernel {
    /// Writes probs (B, K) and lossPerSample (B); returns the mean loss (summed in row order).
    @discardableResult
    public static func forward<T: BLASScalar>(logits: UnsafePointer<T>, labels: UnsafePointer<Int32>?,
                                              probs: UnsafeMutablePointer<T>, lossPerSample: UnsafeMutablePointer<T>?,
                                              batch: Int, classes K: Int) -> T {
        var total: T = 0
        for b in 0..<batch {
            let l = logits + b * K, p = probs + b * K
            var m = l[0]
            for k in 1..<K where l[k] > m { m = l[k] }
            var s: T = 0
            for k in 0..<K { p[k] = T.exp(l[k] - m); s += p[k] }
            for k in 0..<K { p[k] /= s }
            if let labels {
                let y = Int(labels[b])
                precondition(y >= 0 && y < K, "label \(y) out of range 0..<\(K)")
                let lb = T.log(s) - (l[y] - m)
                lossPerSample?[b] = lb
                total += lb
            }
        }
        return labels == nil ? 0 : total / T(batch)
    }

    /// dlogits (B, K) = (probs − onehot(labels)) · (1/N), N = `meanOver` (default B): the size of
    /// the whole batch whose mean is the loss (a data-parallel worker holds only part of it).
    public static func backward<T: BLASScalar>(probs: UnsafePointer<T>, labels: UnsafePointer<Int32>,
                                               dlogits: UnsafeMutablePointer<T>, batch: Int, classes K: Int,
                                               meanOver: Int? = nil) {
        let inv = 1 / T(meanOver ?? batch)
        for b in 0..<batch {
            let y = Int(labels[b])
            for k in 0..<K {
                let i = b * K + k
                dlogits[i] = (probs[i] - (k == y ? 1 : 0)) * inv
            }
        }
    }

    /// Number of rows whose argmax probability (first maximum on ties) is the label.
    public static func correct<T: BinaryFloatingPoint>(probs: UnsafePointer<T>, labels: UnsafePointer<Int32>,
                                                       batch: Int, classes K: Int) -> Int {
        var n = 0
        for b in 0..<batch {
            let p = probs + b * K
            var best = 0
            for k in 1..<K where p[k] > p[best] { best = k }
            if best == Int(labels[b]) { n += 1 }
        }
        return n
    }
}

/// The loss head of a classifier: owns probs, per-sample losses and the logits gradient.
public final class SoftmaxCrossEntropy {
    public let classes: Int
    public private(set) var probs = Buffer<Float>(count: 0)          // (B, K) softmax probabilities
    public private(set) var lossPerSample = Buffer<Float>(count: 0)  // (B) -log p[b, y_b]
    public private(set) var labels = UnsafeMutablePointer<Int32>.allocate(capacity: 1)   // (B) class index
    private var maxBatch = 0

    public init(classes: Int) { self.classes = classes }
    deinit { labels.deallocate() }

    public func allocate(maxBatch: Int) {
        guard maxBatch > self.maxBatch else { return }
        self.maxBatch = maxBatch
        probs = Buffer(count: maxBatch * classes)
        lossPerSample = Buffer(count: maxBatch)
        labels.deallocate()
        labels = .allocate(capacity: maxBatch)
        labels.initialize(repeating: 0, count: maxBatch)
    }

    /// Softmax (and, when labels were set with `setLabels`, the loss); returns the mean loss.
    public func forward(logits: UnsafePointer<Float>, batch: Int, withLabels: Bool) -> Float {
        SoftmaxCrossEntropyKernel.forward(logits: logits, labels: withLabels ? labels : nil, probs: probs.pointer,
                                          lossPerSample: lossPerSample.pointer, batch: batch, classes: classes)
    }

    public func setLabels<S: Sequence>(_ ys: S) where S.Element == Int {
        var b = 0
        for y in ys {
            precondition(b < maxBatch && y >= 0 && y < classes, "label \(y) at row \(b) invalid")
            labels[b] = Int32(y); b += 1
        }
    }

    public func backward(dlogits: UnsafeMutablePointer<Float>, batch: Int, meanOver: Int? = nil) {
        SoftmaxCrossEntropyKernel.backward(probs: probs.pointer, labels: labels, dlogits: dlogits, batch: batch,
                                           classes: classes, meanOver: meanOver)
    }

    public func correct(batch: Int) -> Int {
        SoftmaxCrossEntropyKernel.correct(probs: probs.pointer, labels: labels, batch: batch, classes: classes)
    }
}
