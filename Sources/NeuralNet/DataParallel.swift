// Data parallelism over the batch: with T threads, a batch of B rows is cut into T contiguous
// parts; worker w runs forward and the backward of the data (dx, dpre) on its part with its own
// replica of the layers (shared parameter values, own activations) and single-threaded GEMMs.
// Then the master computes every parameter gradient from the workers' buffers, each sum over
// the batch's rows in row order (GEMMs over the parts in order with beta = 1, column sums part
// after part), the threads splitting the outputs. The loss is the mean over all B rows (each
// worker scales d loss/d logits by 1/B; per-sample losses are summed in row order).
//
// In the deterministic arithmetic nothing here depends on T: a row's forward and data backward
// are the same whichever part it is in (each output of the study's GEMM is one chain over k,
// independent of the other rows), the dropout masks are drawn by the master for the whole
// batch in row order, and the gradients' sums continue one chain over the parts. So any thread
// count gives the bits of one worker over the whole batch. (With OpenBLAS, `--kernels native`,
// its kernels block the sums by shape, and the bits depend on T.)
//
// Winograd layers also share what does not depend on the rows: the master computes the filter
// transform U once for all workers (once per batch, or once per evaluation).
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
            for m in models { (m.layers[i] as! Conv1D).sharedFilter = u }
        }
        let f = inputSize
        let chunk = (n + parts - 1) / parts
        for m in models { m.reserve(batch: chunk) }
        let dropouts = parts > 1 && training ? layers.indices.filter { (layers[$0] as? Dropout).map { $0.rate > 0 } ?? false } : []
        for i in dropouts {
            let mask = (layers[i] as! Dropout).sampleBatchMask(rows: n)
            for (w, m) in models.enumerated() {
                (m.layers[i] as! Dropout).sharedMask = mask + (n * w / parts) * layers[i].inputSize
            }
        }
        let deferring = parts > 1 && backward
        if deferring {
            for m in models {
                for l in m.layers {
                    (l as? Conv1D)?.defersParameterGradients = true
                    (l as? Dense)?.defersParameterGradients = true
                }
            }
        }
        defer {
            for m in models {
                for l in m.layers {
                    if let c = l as? Conv1D { c.sharedFilter = nil; c.defersParameterGradients = false }
                    (l as? Dense)?.defersParameterGradients = false
                    (l as? Dropout)?.sharedMask = nil
                }
            }
        }
        let losses = UnsafeMutablePointer<Float>.allocate(capacity: n)      // (n) per-sample loss, row order
        let corrects = UnsafeMutablePointer<Int>.allocate(capacity: parts)  // (parts)
        defer { losses.deallocate(); corrects.deallocate() }

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
            if backward { m.backward(batch: count, meanOver: n) }
        }

        if backward { zeroGradients() }
        if parts == 1 {
            work(0)
        } else {
            // Worker w touches only its own replica, its rows of `losses` and `corrects[w]`; the
            // inputs, the shared filters and masks are shared reads. Its own loops stay on its
            // thread (the workers already use every core).
            ConcurrentLoop.perform(iterations: parts) { w in Parallel.withThreads(1) { work(w) } }
            if deferring {
                for (i, l) in layers.enumerated() {
                    if let c = l as? Conv1D {
                        c.parameterGradients(over: models.map { $0.layers[i] as! Conv1D })
                    } else if let d = l as? Dense {
                        d.parameterGradients(over: models.map { $0.layers[i] as! Dense })
                    }
                }
            }
        }
        var lossSum: Float = 0
        for r in 0..<n { lossSum += losses[r] }
        var correct = 0
        for w in 0..<parts { correct += corrects[w] }
        return (lossSum, correct)
    }
}
