import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A demo server running in this process on its own task, for tests and the load test:
/// `start` returns once the socket is bound (so `port` is real even when 0 was asked for),
/// `stop` shuts it down gracefully and waits until it has.
public final class RunningDemo: Sendable {
    public let port: Int
    public let host: String
    private let group: ServiceGroup
    private let task: Task<Void, Error>

    public var baseURL: String { "http://\(host):\(port)" }

    private init(port: Int, host: String, group: ServiceGroup, task: Task<Void, Error>) {
        self.port = port
        self.host = host
        self.group = group
        self.task = task
    }

    public static func start(_ configuration: DemoConfiguration, logLevel: Logger.Level = .warning) async throws -> RunningDemo {
        var logger = Logger(label: "study-demo")
        logger.logLevel = logLevel
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = try DemoApp.make(configuration, logger: logger) { port in portSink.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { portSink.finish() }
            try await group.run()
        }
        for await port in ports {
            return RunningDemo(port: port, host: configuration.host, group: group, task: task)
        }
        // The stream ended without a port: the server failed to start; surface its error.
        try await task.value
        throw DemoStartError.stoppedBeforeListening
    }

    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

public enum DemoStartError: Error, CustomStringConvertible {
    case stoppedBeforeListening
    public var description: String { "the demo server stopped before it started listening" }
}
