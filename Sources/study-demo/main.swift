import ArgumentParser
import Audio
import DemoServer
import Foundation
import Hummingbird
import Inference

/// `study-demo`: the study's Gradio demo as a small web server (serve, the default), and its
/// load test (`study-demo load`).
@main
struct StudyDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study-demo",
        abstract: "Serve the speech-emotion demo for a model saved by `study run`.",
        subcommands: [Serve.self, Load.self],
        defaultSubcommand: Serve.self)
}

struct ServerOptions: ParsableArguments {
    @Option(help: "The model file saved by `study run`.")
    var model = "output/05-training/model.safetensors"
    @Option(help: "Folder whose .wav files are offered as examples (default: the 02-eda/audio folder of the run that saved the model, e.g. output/02-eda/audio).")
    var examples: String?
    @Option(help: "Largest accepted upload, in MB (\(range(DemoConfiguration.maxUploadMBRange))).")
    var maxUploadMb = 10
    @Option(help: "Clips analysed at once (\(range(DemoConfiguration.workersRange)); default: one per core).")
    var workers: Int?
    @Option(help: "Seconds a request body may take to arrive in full (\(range(DemoConfiguration.bodyTimeoutRange))); a stalled upload gets 408.")
    var bodyTimeout = 30.0

    /// Range checks at parse time, before anything is loaded: out-of-range values are refused
    /// with a usage message (exit code 64) rather than overflowing or binding another port.
    func validate() throws {
        try check(maxUploadMb, in: DemoConfiguration.maxUploadMBRange, "--max-upload-mb")
        if let workers { try check(workers, in: DemoConfiguration.workersRange, "--workers") }
        try check(bodyTimeout, in: DemoConfiguration.bodyTimeoutRange, "--body-timeout")
    }

    func configuration(host: String, port: Int) throws -> DemoConfiguration {
        guard FileManager.default.fileExists(atPath: model) else {
            throw ValidationError("no model at \(model): run `study run` (or `make study`) first, or pass --model")
        }
        let modelURL = URL(fileURLWithPath: model)
        let examplesURL = examples.map { URL(fileURLWithPath: $0) } ?? DemoConfiguration.examplesDirectory(forModel: modelURL)
        var config = DemoConfiguration(modelURL: modelURL, examplesDirectory: examplesURL,
                                       host: host, port: port, maxUploadBytes: DemoConfiguration.bytes(megabytes: maxUploadMb))
        if let workers { config.workers = workers }
        config.bodyTimeout = bodyTimeout
        return config
    }
}

/// `value` checked against `range`, a miss reported as a usage error naming the flag.
func check<T: Comparable>(_ value: T, in range: ClosedRange<T>, _ flag: String) throws {
    do {
        try OutOfRange.check(value, in: range, flag)
    } catch let error as OutOfRange {
        throw ValidationError(error.description)
    }
}

/// Runs `body`; an error that is not a usage error or an exit code is printed as one plain
/// line (`study-demo: error: …`, never a raw Foundation error) and the process exits 1.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ValidationError {
        throw error
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("study-demo: error: \(PlainError.message(error))\n".utf8))
        throw ExitCode(1)
    }
}

/// "1…1024", for help texts.
func range<T>(_ r: ClosedRange<T>) -> String { "\(r.lowerBound)…\(r.upperBound)" }

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the web demo (the default).")
    @OptionGroup var options: ServerOptions
    @Option(help: "Address to bind; the default keeps the demo private to this machine.")
    var host = "127.0.0.1"
    @Option(help: "Port to listen on (\(range(DemoConfiguration.portRange)); 0 picks a free one).")
    var port = 8080

    func validate() throws {
        try check(port, in: DemoConfiguration.portRange, "--port")
    }

    func run() async throws {
        // The demo computes features in the deterministic arithmetic: libsoxr's SOXR_* variables
        // are unset before the server starts its threads.
        SoxrEnvironment.pinAtStartup(arguments: [])
        let config = try options.configuration(host: host, port: port)
        DemoApp.prepareProcess()
        try await reportingErrors {
            let app = try DemoApp.make(config) { port in
                print("study-demo: serving \(config.modelURL.path) on http://\(host):\(port)/ (Ctrl-C to stop)")
                fflush(nil)   // all C streams (stdout among them): scripts wait for this line, and stdout to a file is block-buffered
            }
            do {
                try await app.runService()
            } catch {
                throw DemoStartError.explain(error, host: host, port: port)
            }
        }
    }
}

struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load-test POST /api/predict on 127.0.0.1 (in-process server, bounded in requests and time).")
    @OptionGroup var options: ServerOptions
    @Option(help: "Concurrent clients (\(range(LoadTest.Options.clientsRange))).") var clients = 50
    @Option(help: "Predictions in all, from the concurrent clients (\(range(LoadTest.Options.requestsRange))).")
    var requests = 2000
    @Option(help: "Predictions sent one at a time first, for per-clip latency (\(range(LoadTest.Options.sequentialRange))).")
    var sequential = 200
    @Option(help: "Stop after this many seconds whatever happens (\(range(LoadTest.Options.timeLimitRange))).")
    var timeLimit = 300.0
    @Option(help: "Clip to send (default: a synthetic WAV as long as the model's offset + duration, so its analysis window is full).")
    var clip: String?

    func validate() throws {
        try check(clients, in: LoadTest.Options.clientsRange, "--clients")
        try check(requests, in: LoadTest.Options.requestsRange, "--requests")
        try check(sequential, in: LoadTest.Options.sequentialRange, "--sequential")
        try check(timeLimit, in: LoadTest.Options.timeLimitRange, "--time-limit")
    }

    func run() async throws {
        // The demo computes features in the deterministic arithmetic: libsoxr's SOXR_* variables
        // are unset before the server starts its threads.
        SoxrEnvironment.pinAtStartup(arguments: [])
        let config = try options.configuration(host: "127.0.0.1", port: 0)
        DemoApp.prepareProcess()
        try await reportingErrors { try await load(config) }
    }

    func load(_ config: DemoConfiguration) async throws {
        let body = try clip.map { Array(try Data(contentsOf: URL(fileURLWithPath: $0))) }
            ?? LoadTest.syntheticClip(filling: Predictor(modelURL: config.modelURL).recipe)
        var o = LoadTest.Options()
        o.clients = clients
        o.requests = requests
        o.timeLimit = timeLimit
        o.sequentialRequests = sequential
        print("study-demo load: \(sequential) sequential, then \(requests) from \(clients) clients; \(body.count) bytes per clip")
        fflush(nil)   // stdout among all C streams; naming `stdout` is not concurrency-safe in Swift 6
        let result = try await LoadTest.run(config, clip: body, options: o)
        print(result)
        if result.errors > 0 { throw ExitCode(1) }
    }
}
