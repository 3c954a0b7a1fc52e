// Data parallelism over the batch: with T threads, a batch of B rows is cut into T contiguous
// parts; worker w runs forward/backward on its part with its own replica of the layers (shared
// parameter values, own activations and gradients) and single-threaded BLAS; then the parameter
// gradients are summed into the master's in worker order. The loss is still the mean over all B
// rows (each worker scales d loss/d logits by 1/B; per-sample losses are summed in row order).
// Results equal the single-worker ones up to float rounding (a GEMM over fewer rows may round
// differently, and the gradient is a sum of partial sums); the same thread count gives the same
// bits, run after run.
//
// Winograd layers share what does not depend on the rows: the master computes the filter
// transform U once for all workers (once per batch, or once per evaluation), and after the join
// computes dK = Gᵀ · Σ_w V_wᵀ dM_w from the workers' buffers, the ξ planes split over the
// threads; the workers skip both, and their (zero) dK is not summed.
import Base

extension Sequential {
    /// One batch of `n` rows: row r is sample `indices[first + r]` (or `first + r` without
    /// indices) of x (samples × inputSize) with label `labels[sample]`. Runs forward (training or
    /// inference), the loss and, with `backward`, the backward pass (parameter gradients zeroed
    /// and then summed over the workers into this model's `Parameter.grad`).
    /// Returns the sum of the n per-sample losses (in row order) and the number of correct rows.
    /// `filtersUnchanged`: the weights have not changed since the previous `step` (the batches
    /// of one evaluation), so the Winograd filter transforms it computed are still valid.
    func step(x: UnsafePointer<Float>, labels: UnsafePointer<Int>, indices: UnsafePointer<Int>?, first: Int, n: Int,
              training: Bool, backward: Bool, threads: Int, filtersUnchanged: Bool = false) -> (lossSum: Float, correct: Int) {
        let parts = max(1, min(threads, n))
        let models = workers(parts)
        let winograd = parts > 1 ? layers.indices.filter { (layers[$0] as? Conv1D)?.isWinograd == true } : []
        for i in winograd {
            let u = (layers[i] as! Conv1D).prepareSharedFilter(recompute: !filtersUnchanged)
            for m in models {
                let c = m.layers[i] as! Conv1D
                c.sharedFilter = u
                c.defersKernelGradient = backward
            }
        }
        defer {
            for i in winograd {
                for m in models {
                    let c = m.layers[i] as! Conv1D
                    c.sharedFilter = nil
                    c.defersKernelGradient = false
                }
            }
        }
        let f = inputSize
        let losses = UnsafeMutablePointer<Float>.allocate(capacity: n)      // (n) per-sample loss, row order
        let corrects = UnsafeMutablePointer<Int>.allocate(capacity: parts)  // (parts)
        defer { losses.deallocate(); corrects.deallocate() }
        let chunk = (n + parts - 1) / parts
        for m in models { m.reserve(batch: chunk) }

        func work(_ w: Int) {
            let lo = n * w / parts, hi = n * (w + 1) / parts, count = hi - lo
            let m = models[w]
            let input = m.inputPointer
            for r in 0..<count {
                let sample = indices.map { $0[first + lo + r] } ?? (first + lo + r)
                (input + r * f).update(from: x + sample * f, count: f)
                m.head.labels[r] = Int32(labels[sample])
            }
            let logits = m.forward(batch: count, training: training)
            _ = m.head.forward(logits: logits, batch: count, withLabels: true)
            corrects[w] = m.head.correct(batch: count)
            (losses + lo).update(from: m.head.lossPerSample.pointer, count: count)
            if backward {
                m.zeroGradients()
                m.backward(batch: count, meanOver: n)
            }
        }

        if parts == 1 {
            work(0)
        } else {
            // Worker w touches only its own replica, its rows of `losses` and `corrects[w]`; the
            // inputs are shared reads. Its own loops stay on its thread (the workers already
            // use every core).
            ConcurrentLoop.perform(iterations: parts) { w in Parallel.withThreads(1) { work(w) } }
            if backward {
                for i in winograd { (layers[i] as! Conv1D).kernelGradient(over: models.map { $0.layers[i] as! Conv1D }) }
                let deferred = Set(winograd.map { ObjectIdentifier((layers[$0] as! Conv1D).kernel) })
                sumGradients(from: Array(models.dropFirst()), skipping: deferred)
            }
        }
        var lossSum: Float = 0
        for r in 0..<n { lossSum += losses[r] }
        var correct = 0
        for w in 0..<parts { correct += corrects[w] }
        return (lossSum, correct)
    }

    /// grad += replica grads, in worker order; each thread takes the same slice of every parameter.
    /// Parameters in `skipping` (the master's, by identity) already hold the whole batch's gradient.
    private func sumGradients(from replicas: [Sequential], skipping: Set<ObjectIdentifier>) {
        let ps = parameters
        let mine = ps.map { ($0.grad.pointer, skipping.contains(ObjectIdentifier($0)) ? 0 : $0.count) }
        let theirs = replicas.map { $0.parameters.map(\.grad.pointer) }
        Parallel.parts(work: mine.reduce(0) { $0 + $1.1 }) { part, parts in
            for (k, (g, n)) in mine.enumerated() {
                let lo = n * part / parts, hi = n * (part + 1) / parts
                for o in theirs {
                    let src = o[k]
                    for j in lo..<hi { g[j] += src[j] }
                }
            }
        }
    }
}
