import Foundation

/// What `study-demo` serves and where. The defaults are those of the CLI: the model of the last
/// study run, its example clips, loopback only (the demo has no authentication, so it must not
/// be reachable from other machines unless asked for), and a 10 MB upload limit (a 3 s clip is
/// about 130 kB as 16-bit WAV; 10 MB leaves room for long or high-rate recordings).
public struct DemoConfiguration: Sendable {
    public var modelURL: URL
    public var examplesDirectory: URL?
    public var host: String
    public var port: Int
    public var maxUploadBytes: Int
    /// How many clips are analysed at once; each slot holds its own copy of the network,
    /// whose forward pass keeps per-instance buffers and so cannot be shared across threads.
    public var workers: Int
    /// Seconds a request body may take to arrive in full; a stalled or trickling upload gets
    /// 408 when they have passed, instead of holding its connection and memory forever.
    public var bodyTimeout: Double = 30
    /// Seconds an open connection may send nothing before the server closes it (slow headers,
    /// an idle keep-alive): always longer than `bodyTimeout`, so that a stalled body gets its 408.
    public var idleTimeout: Double { bodyTimeout + 30 }
    /// TCP ports; 0 asks the system for a free one.
    public static let portRange = 0...65535
    /// The upload limit, in MB (1 MB = 1024 × 1024 bytes). The cap keeps the limit's byte count
    /// far from overflow and a single upload (held in memory while it is analysed) bounded.
    public static let maxUploadMBRange = 1...1024
    /// Each worker holds a copy of the network; more than a few per core only adds waiting.
    public static let workersRange = 1...256
    /// The body deadline, in seconds: from a tenth of a second (tests) to an hour.
    public static let bodyTimeoutRange = 0.1...3600.0

    /// The example clips of the run that saved `model`: `study run` writes the model to
    /// `<output>/05-training/` and one playable clip per emotion and speaker of its corpus to
    /// `<output>/02-eda/audio/`, so a model trained on RAVDESS offers RAVDESS clips.
    public static func examplesDirectory(forModel model: URL) -> URL {
        model.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("02-eda/audio")
    }

    public init(modelURL: URL = URL(fileURLWithPath: "output/05-training/model.safetensors"),
                examplesDirectory: URL? = URL(fileURLWithPath: "output/02-eda/audio"),
                host: String = "127.0.0.1", port: Int = 8080, maxUploadBytes: Int = 10 * 1024 * 1024,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.modelURL = modelURL
        self.examplesDirectory = examplesDirectory
        self.host = host
        self.port = port
        self.maxUploadBytes = maxUploadBytes
        self.workers = max(1, workers)
    }

    /// Bytes in `megabytes` MB; call only with a value `maxUploadMBRange` accepts (checked first,
    /// so the product cannot overflow).
    public static func bytes(megabytes: Int) -> Int { megabytes * 1024 * 1024 }

    /// Throws `OutOfRange` for a port, upload limit, worker count or body deadline outside the ranges above:
    /// without it, port 99999 would bind 34463 (the port is truncated to 16 bits) and 65536 a
    /// random one. `DemoApp.make` calls it; the CLI checks its own options (named as flags) first.
    public func validate() throws {
        try OutOfRange.check(port, in: Self.portRange, "port")
        // In bytes, from 1: the CLI counts in whole MB, code (the tests) may ask for less.
        try OutOfRange.check(maxUploadBytes, in: 1...Self.bytes(megabytes: Self.maxUploadMBRange.upperBound), "maxUploadBytes")
        try OutOfRange.check(workers, in: Self.workersRange, "workers")
        try OutOfRange.check(bodyTimeout, in: Self.bodyTimeoutRange, "bodyTimeout")
    }
}

/// A numeric setting outside the range the demo supports; the message names the setting, the
/// range and the value given.
public struct OutOfRange: Error, CustomStringConvertible, Equatable {
    public var setting: String
    public var range: String
    public var value: String

    public init(setting: String, range: String, value: String) {
        self.setting = setting
        self.range = range
        self.value = value
    }

    public var description: String { "\(setting) must be between \(range), not \(value)" }

    /// Throws unless `range` contains `value` (NaN is in no range).
    public static func check<T: Comparable>(_ value: T, in range: ClosedRange<T>, _ setting: String) throws {
        guard range.contains(value) else {
            throw OutOfRange(setting: setting, range: "\(range.lowerBound) and \(range.upperBound)", value: "\(value)")
        }
    }
}
