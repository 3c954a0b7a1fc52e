import Dispatch

/// `DispatchQueue.concurrentPerform` for a body that is not `@Sendable`: the numeric loops that
/// split one output over threads by raw pointers (each iteration writes its own rows, columns or
/// ranges and only reads what is shared). Swift cannot check that the iterations are
/// independent; the caller promises it, and says why next to the call.
public enum ConcurrentLoop {
    /// Calls `body(i)` for i in 0..<iterations, in parallel, and returns when all have returned.
    public static func perform(iterations: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            let box = Body(call: body)
            DispatchQueue.concurrentPerform(iterations: iterations) { i in box.call(i) }
        }
    }

    /// `@unchecked Sendable` because the closure is called from several threads at once without
    /// the compiler's checks: safe only under `perform`'s contract (iterations touch disjoint
    /// memory, or synchronise themselves), and the closure never outlives `perform`, which
    /// `concurrentPerform` guarantees by returning only after every iteration.
    private struct Body: @unchecked Sendable {
        let call: (Int) -> Void
    }
}
