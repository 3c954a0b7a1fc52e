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
}
