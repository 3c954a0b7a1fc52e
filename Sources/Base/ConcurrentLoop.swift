import Dispatch
import Foundation

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

    /// Calls `body(job)` once for every job of `order` on `workers` threads, each worker taking
    /// the next job not yet taken: independent jobs of unequal length (trainings) keep every
    /// worker busy. `order` says which jobs start first (put the longest first). Which worker
    /// runs a job depends on timing, so a job's result must not depend on its worker; store it
    /// at its own index (`ResultSlots`) to get the results in job order.
    public static func queue(_ order: [Int], workers: Int, _ body: (Int) -> Void) {
        let next = Counter()
        perform(iterations: max(1, min(workers, order.count))) { _ in
            while true {
                let i = next.increment() - 1
                guard i < order.count else { return }
                body(order[i])
            }
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

/// One slot per iteration of a `ConcurrentLoop.perform`, each written by exactly one iteration
/// and read after the loop: the results of independent jobs in their input order, whatever
/// order the threads finish in.
public final class ResultSlots<T>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<T?>
    public let count: Int

    public init(count: Int) {
        self.count = count
        storage = .allocate(capacity: max(count, 1))
        storage.initialize(repeating: nil, count: max(count, 1))
    }

    deinit {
        storage.deinitialize(count: max(count, 1))
        storage.deallocate()
    }

    /// Slot `i`: set by iteration i only (the slots are distinct memory, so no lock is needed).
    public subscript(i: Int) -> T? {
        get { precondition(i >= 0 && i < count, "ResultSlots: index \(i) outside 0..<\(count)"); return storage[i] }
        set { precondition(i >= 0 && i < count, "ResultSlots: index \(i) outside 0..<\(count)"); storage[i] = newValue }
    }

    /// Every slot's value, in order; call after the loop, when every slot is set.
    public var values: [T] {
        (0..<count).map { i in
            guard let v = storage[i] else { preconditionFailure("ResultSlots: slot \(i) was never set") }
            return v
        }
    }
}

/// A counter several threads increment (progress: how many jobs are done).
public final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    public init() {}
    /// Adds one; returns the new value.
    public func increment() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}
