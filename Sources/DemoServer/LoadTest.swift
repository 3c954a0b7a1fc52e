import Audio
import Foundation
import Inference
import NIOCore
import NIOHTTP1

/// A bounded load test of `POST /api/predict` on loopback: the demo runs in this process on
/// a free 127.0.0.1 port; first one client sends `sequentialRequests` predictions one after
/// another, then `clients` concurrent clients send `requests` in all; the run stops by itself
/// after `timeLimit` seconds whatever happens. Latency is the
/// client's view (request sent to body received). Memory is this process's resident set,
/// server and clients together, after a warm-up and after the run.
public enum LoadTest {
    public struct Options: Sendable {
        public var clients = 50
        public var requests = 2000
        /// Requests sent one at a time first: their latency is the cost of one clip, whereas
        /// under `clients` concurrent clients it is mostly time spent queueing for a core.
        public var sequentialRequests = 200
        public var timeLimit: Double = 300
        public init() {}

        /// Bounds of a run that stays a load test of one machine rather than a denial of service
        /// on it (each client is a connection, each request a full prediction).
        public static let clientsRange = 1...1000
        public static let requestsRange = 1...1_000_000
        public static let sequentialRange = 0...100_000
        /// Seconds: at least a tenth of a second, at most a day.
        public static let timeLimitRange = 0.1...86_400.0

        /// Throws `OutOfRange` for a setting outside the ranges above; `run` calls it.
        public func validate() throws {
            try OutOfRange.check(clients, in: Self.clientsRange, "clients")
            try OutOfRange.check(requests, in: Self.requestsRange, "requests")
            try OutOfRange.check(sequentialRequests, in: Self.sequentialRange, "sequentialRequests")
            try OutOfRange.check(timeLimit, in: Self.timeLimitRange, "timeLimit")
        }
    }

    public struct Phase: Sendable, CustomStringConvertible {
        public var clients: Int
        public var requests: Int
        public var errors: Int
        public var firstError: String?
        public var seconds: Double
        public var latencies: [Double]

        public var throughput: Double { Double(requests) / seconds }
        public func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let sorted = latencies.sorted()
            return sorted[max(0, min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))]
        }

        public var description: String {
            let ms = { (s: Double) in String(format: "%.1f ms", s * 1000) }
            return "\(clients) client(s): \(requests) requests, \(errors) errors\(firstError.map { " (first: \($0))" } ?? ""), "
                + String(format: "%.2f s, %.1f predictions/s; ", seconds, throughput)
                + "latency p50 \(ms(percentile(50))), p90 \(ms(percentile(90))), p99 \(ms(percentile(99))), max \(ms(latencies.max() ?? .nan))"
        }
    }

    public struct Result: Sendable, CustomStringConvertible {
        public var phases: [Phase]
        /// Resident set of this process (server and clients), kB, after the warm-up and at the end.
        public var rssBefore: Int
        public var rssAfter: Int
        public var errors: Int { phases.reduce(0) { $0 + $1.errors } }

        public var description: String {
            phases.map(\.description).joined(separator: "\n") + "\n"
                + "memory: RSS \(rssBefore / 1024) MB after warm-up, \(rssAfter / 1024) MB after the run "
                + "(\(rssAfter >= rssBefore ? "+" : "")\((rssAfter - rssBefore) / 1024) MB)"
        }
    }

    /// Runs the load test against a fresh in-process server for `configuration` (its host and
    /// port are overridden: 127.0.0.1, any free port) with `clip` as every request's body.
    public static func run(_ configuration: DemoConfiguration, clip: [UInt8], options: Options = .init()) async throws -> Result {
        try options.validate()
        var config = configuration
        config.host = "127.0.0.1"
        config.port = 0
        let server = try await RunningDemo.start(config)
        do {
            let warmUp = try await HTTP1Connection.connect(host: server.host, port: server.port)
            do {
                for _ in 0..<20 { _ = try await post(warmUp, clip: clip) }   // warm-up: pools, caches, plans
            } catch {
                await warmUp.close()
                throw error
            }
            await warmUp.close()
            let before = residentKB()
            let deadline = ContinuousClock.now + .seconds(options.timeLimit)
            let sequential = await hammer(server, clip: clip, clients: 1, requests: options.sequentialRequests, deadline: deadline)
            let concurrent = await hammer(server, clip: clip, clients: options.clients, requests: options.requests, deadline: deadline)
            let result = Result(phases: [sequential, concurrent], rssBefore: before, rssAfter: residentKB())
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    /// `requests` predictions from `clients` concurrent clients, stopping early at `deadline`.
    /// Each client is one connection, kept alive across its requests (a new one after an error
    /// or a `Connection: close`); the first request's latency includes connecting.
    private static func hammer(_ server: RunningDemo, clip: [UInt8], clients: Int, requests: Int,
                               deadline: ContinuousClock.Instant) async -> Phase {
        let counter = RequestCounter(limit: requests)
        let start = ContinuousClock.now
        let outcomes = await withTaskGroup(of: [(Double, String?)].self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var mine: [(Double, String?)] = []
                    var connection: HTTP1Connection?
                    while ContinuousClock.now < deadline, await counter.take() {
                        let t0 = ContinuousClock.now
                        let failure: String?
                        do {
                            let open: HTTP1Connection
                            if let kept = connection, kept.isOpen {
                                open = kept
                            } else {
                                await connection?.close()
                                open = try await HTTP1Connection.connect(host: server.host, port: server.port)
                                connection = open
                            }
                            failure = try await post(open, clip: clip)
                        } catch {
                            failure = "\(error)"
                            await connection?.close()
                            connection = nil
                        }
                        mine.append(((ContinuousClock.now - t0).seconds, failure))
                    }
                    await connection?.close()
                    return mine
                }
            }
            var all: [(Double, String?)] = []
            for await part in group { all += part }
            return all
        }
        let errors = outcomes.compactMap { $0.1 }
        return Phase(clients: clients, requests: outcomes.count, errors: errors.count, firstError: errors.first,
                     seconds: (ContinuousClock.now - start).seconds, latencies: outcomes.map { $0.0 })
    }

    /// One prediction; nil when it succeeded, else what went wrong.
    private static func post(_ connection: HTTP1Connection, clip: [UInt8]) async throws -> String? {
        let response = try await connection.request(.POST, "/api/predict", headers: ["Content-Type": "application/octet-stream"],
                                                    body: clip, timeout: .seconds(60))
        return response.status == .ok ? nil : "HTTP \(response.status.code): \(String(decoding: response.body, as: UTF8.self))"
    }

    /// This process's resident set size in kB (Linux `/proc/self/status`), 0 where unknown.
    public static func residentKB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    }

    /// A 16-bit WAV at TESS's 24414 Hz — a voice-like harmonic tone with vibrato and a little
    /// noise — lasting `recipe`'s offset plus duration, so that the model's analysis window is
    /// full, as for a long clip (3.5 s for the notebook's recipe).
    public static func syntheticClip(filling recipe: FeatureRecipe = .notebook, sampleRate: Int = 24414) throws -> [UInt8] {
        try syntheticClip(seconds: recipe.offset + recipe.duration, sampleRate: sampleRate)
    }

    /// The same tone, `seconds` long.
    public static func syntheticClip(seconds: Double, sampleRate: Int = 24414) throws -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        let samples = (0..<Int(seconds * Double(sampleRate))).map { i -> Float in
            let t = Double(i) / Double(sampleRate)
            let f0 = 180 + 20 * sin(2 * .pi * 5 * t)
            var v = 0.0
            for h in 1...6 { v += sin(2 * .pi * f0 * Double(h) * t) / Double(h) }
            return Float(0.2 * v * (0.6 + 0.4 * sin(2 * .pi * 1.5 * t)) + Double.random(in: -0.01...0.01, using: &rng))
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("study-demo-load-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        try AudioFile.writeWAV16(samples, sampleRate: sampleRate, to: url)
        return Array(try Data(contentsOf: url))
    }
}

/// Hands out request slots until the total is reached, so that the clients together send
/// exactly the requested number.
private actor RequestCounter {
    private var left: Int
    init(limit: Int) { left = limit }
    func take() -> Bool {
        guard left > 0 else { return false }
        left -= 1
        return true
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
