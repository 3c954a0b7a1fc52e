import Base
import Foundation

/// One parser under fuzz: `run(&rng, cases, scratch, report)` makes `cases` inputs from the
/// seeded generator (files under `scratch` when the parser reads files), feeds each to the
/// parser and records the outcome in `report`.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable (inout Xoshiro256, Int, URL, FuzzReport) -> Void
}

/// Every fuzz target, in the order `study-fuzz` runs them.
enum FuzzTargets {
    static let all: [FuzzTarget] = [ManifestFuzz.target, WAVFuzz.target, SafeTensorsFuzz.target, MultipartFuzz.target]
    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

/// The outcomes of one target's cases.
final class FuzzReport {
    let target: String
    let deadline: Date
    private(set) var cases = 0, accepted = 0, refused = 0
    private(set) var failures: [String] = []
    private(set) var stoppedEarly = false

    init(target: String, deadline: Date) { self.target = target; self.deadline = deadline }

    /// False once the time bound has passed (the target stops making cases).
    func more() -> Bool {
        if Date() >= deadline { stoppedEarly = true; return false }
        return true
    }

    /// A case the parser accepted.
    func accept() { cases += 1; accepted += 1 }

    /// A case the parser refused with `error`: a failure unless its message says what was wrong
    /// (not empty, not a bare Foundation/POSIX code) and, when `mustName` is given, names it.
    func refuse(_ error: Error, mustName: String? = nil, case label: String) {
        cases += 1
        let message = String(describing: error)
        if message.trimmingCharacters(in: .whitespaces).isEmpty {
            fail("\(label): an empty error message")
        } else if message.contains("NSCocoaErrorDomain") || message.contains("Error Domain=") {
            fail("\(label): a raw Foundation error: \(message)")
        } else if let mustName, !message.contains(mustName) {
            fail("\(label): the error does not name \(mustName): \(message)")
        } else {
            refused += 1
        }
    }

    /// A case that broke a promise (wrong result, unclear error, too slow).
    func fail(_ what: String) { failures.append(what) }

    /// Runs `body` and fails the case when it takes longer than `limit` seconds (a parser that
    /// should be linear took too long: a near-hang).
    func timed<T>(_ label: String, limit: Double = 2, _ body: () throws -> T) rethrows -> T {
        let t0 = Date()
        defer {
            let s = Date().timeIntervalSince(t0)
            if s > limit { fail(String(format: "%@: took %.1f s (limit %.1f)", label, s, limit)) }
        }
        return try body()
    }
}

/// Mutations of a valid input: flipped bits, cut or repeated ranges, random bytes, extreme
/// numbers written over the bytes.
enum Mutate {
    static func bytes(_ input: [UInt8], _ rng: inout Xoshiro256) -> [UInt8] {
        var b = input
        let rounds = 1 + Int(rng.next() % 4)
        for _ in 0..<rounds {
            switch rng.next() % 7 {
            case 0 where !b.isEmpty:   // flip a bit
                let i = Int(rng.next() % UInt64(b.count))
                b[i] ^= UInt8(1 << (rng.next() % 8))
            case 1 where !b.isEmpty:   // truncate
                b.removeLast(Int(rng.next() % UInt64(b.count)))
            case 2 where !b.isEmpty:   // delete a range
                let i = Int(rng.next() % UInt64(b.count)), n = min(b.count - i, 1 + Int(rng.next() % 64))
                b.removeSubrange(i..<(i + n))
            case 3 where !b.isEmpty:   // repeat a range
                let i = Int(rng.next() % UInt64(b.count)), n = min(b.count - i, 1 + Int(rng.next() % 64))
                b.insert(contentsOf: b[i..<(i + n)], at: i)
            case 4:                    // insert random bytes
                let i = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count + 1))
                b.insert(contentsOf: (0..<(1 + Int(rng.next() % 16))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: i)
            case 5 where b.count >= 4: // an extreme 32-bit value over 4 bytes
                let i = Int(rng.next() % UInt64(b.count - 3))
                let v: UInt32 = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_fffe, 0x7f80_0000, 0x7fc0_0000][Int(rng.next() % 8)]
                for k in 0..<4 { b[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
            case 6 where !b.isEmpty:   // overwrite a byte with an interesting one
                let i = Int(rng.next() % UInt64(b.count))
                b[i] = [0, 0xff, 0x7f, 0x80, 0x22, 0x5c, 0x2c, 0x0a, 0x0d, 0x2f, 0x2e][Int(rng.next() % 11)]
            default:
                break
            }
        }
        return b
    }

    /// A random choice.
    static func pick<T>(_ items: [T], _ rng: inout Xoshiro256) -> T { items[Int(rng.next() % UInt64(items.count))] }
}

/// Finds what a target wrote in its sandbox outside its scratch folder (the working directory
/// and the folders between the sandbox and the scratch folder start empty).
enum OutsideWatch {
    static func entries(in sandbox: URL, except scratch: URL) -> [String] {
        let keep = Set(["a", "a/b", "a/b/c", "a/b/c/d", "cwd"])
        var out: [String] = []
        guard let walk = FileManager.default.enumerator(atPath: sandbox.path) else { return [] }
        let inside = String(scratch.path.dropFirst(sandbox.path.count + 1))
        while let rel = walk.nextObject() as? String {
            if rel == inside || rel.hasPrefix(inside + "/") { walk.skipDescendants(); continue }
            if !keep.contains(rel) { out.append(sandbox.appendingPathComponent(rel).path) }
        }
        return out.sorted()
    }
}
