// Splitting the elementwise work around the GEMMs (im2col, col2im, pooling, ReLU, bias, Adam)
// over several threads. Every split is by independent output elements (batch rows, columns,
// parameter ranges), never a reduction, so results do not depend on the thread count (and
// iterations never write the same memory: `ConcurrentLoop.perform`'s contract).
//
// The thread count is a value, not a process-wide setting: `fit` and `evaluate` bind it with
// `Parallel.withThreads(_:)` for the duration of the call (a task-local value, so concurrent
// trainings on other threads or tasks each see their own), and data-parallel workers bind 1 so
// that their loops stay on their own thread. Outside any binding a loop uses OpenBLAS's thread
// count, as before (the demo sets `BLASThreads.count = 1` and so gets single-threaded loops).
import Base
import COpenBLAS

public enum Parallel {
    @TaskLocal static var boundThreads: Int? = nil

    /// Threads NeuralNet's own loops use here and now: the count bound by `withThreads` (by
    /// `fit`/`evaluate`), else OpenBLAS's process-wide thread count.
    public static var threads: Int { max(1, boundThreads ?? Int(openblas_get_num_threads())) }

    /// Runs `body` with NeuralNet's own loops (on this thread, and in what it calls on this
    /// thread or task) split over `threads` threads.
    public static func withThreads<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        try $boundThreads.withValue(max(1, threads), operation: body)
    }

    /// Below this many elements of work a loop runs on the calling thread.
    static let minimumWork = 32_768

    /// Calls body(part, parts) once per part, in parallel (parts = threads, or 1 when `work` is small).
    @inline(__always)
    static func parts(work: Int, _ body: (Int, Int) -> Void) {
        let t = threads
        if t <= 1 || work < minimumWork {
            body(0, 1)
            return
        }
        ConcurrentLoop.perform(iterations: t) { i in body(i, t) }
    }

    /// Calls body(lo, hi) for contiguous ranges covering 0..<n, in parallel when `work` is large.
    @inline(__always)
    static func ranges(_ n: Int, work: Int, _ body: (Int, Int) -> Void) {
        let t = min(threads, n)
        if t <= 1 || work < minimumWork {
            body(0, n)
            return
        }
        ConcurrentLoop.perform(iterations: t) { i in body(n * i / t, n * (i + 1) / t) }
    }
}
