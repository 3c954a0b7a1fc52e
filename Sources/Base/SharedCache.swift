import Synchronization

/// A process-wide memo table shared between threads: each value is made once per key, under
/// the table's lock, and then handed out to every caller. Values are never evicted (the tables
/// hold windows, filterbanks, FFT plans, fonts: a handful per run).
///
/// `make` runs while the lock is held, so two threads asking for the same missing key make it
/// once, and code that must not run concurrently (FFTW's planner) is serialised by the table.
public final class SharedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let table = Mutex<[Key: Value]>([:])

    public init() {}

    /// The value for `key`, made by `make` on first use.
    public func value(for key: Key, make: () -> Value) -> Value {
        table.withLock { table in
            if let v = table[key] { return v }
            let v = make()
            table[key] = v
            return v
        }
    }

    /// The value for `key`, made by `tryMake` on first use; a nil or a thrown error is not
    /// cached (the next call tries again).
    public func value(for key: Key, tryMake: () throws -> Value?) throws -> Value? {
        try table.withLock { table throws -> Value? in
            if let v = table[key] { return v }
            guard let v = try tryMake() else { return nil }
            table[key] = v
            return v
        }
    }

    /// Number of cached values.
    public var count: Int { table.withLock { $0.count } }
}
