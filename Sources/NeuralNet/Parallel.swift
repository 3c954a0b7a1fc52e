// Splitting the elementwise work around the GEMMs (im2col, col2im, pooling, ReLU, bias, Adam)
// over the same number of threads as OpenBLAS. Every split is by independent output elements
// (batch rows, columns, parameter ranges), never a reduction, so results do not depend on the
// thread count.
import COpenBLAS
import Dispatch

public enum Parallel {
    /// Threads used for NeuralNet's own loops; set together with OpenBLAS's by `BLASThreads.count`.
    nonisolated(unsafe) public static var threads = max(1, Int(openblas_get_num_threads()))
    /// Set while data-parallel workers run: their loops stay on their own thread.
    nonisolated(unsafe) static var inWorkers = false
    /// Below this many elements of work a loop runs on the calling thread.
    static let minimumWork = 32_768

    /// Calls body(part, parts) once per part, in parallel (parts = threads, or 1 when `work` is small).
    @inline(__always)
    static func parts(work: Int, _ body: (Int, Int) -> Void) {
        let t = inWorkers ? 1 : threads
        if t <= 1 || work < minimumWork {
            body(0, 1)
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: t) { i in body(i, t) }
        }
    }

    /// Calls body(lo, hi) for contiguous ranges covering 0..<n, in parallel when `work` is large.
    @inline(__always)
    static func ranges(_ n: Int, work: Int, _ body: (Int, Int) -> Void) {
        let t = inWorkers ? 1 : min(threads, n)
        if t <= 1 || work < minimumWork {
            body(0, n)
            return
        }
        withoutActuallyEscaping(body) { body in
            DispatchQueue.concurrentPerform(iterations: t) { i in
                body(n * i / t, n * (i + 1) / t)
            }
        }
    }
}
