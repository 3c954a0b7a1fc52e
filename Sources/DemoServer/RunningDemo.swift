import Foundation
import Hummingbird
import Logging
import NIOCore
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
        // The stream ended without a port: the server failed to start; surface its error, in
        // words that name the address and say what to do.
        do {
            try await task.value
        } catch {
            throw DemoStartError.explain(error, host: configuration.host, port: configuration.port)
        }
        throw DemoStartError.stoppedBeforeListening
    }

    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// Why the demo could not start, said so that a user knows what to do.
public enum DemoStartError: Error, CustomStringConvertible {
    case stoppedBeforeListening
    /// The socket could not be bound: `reason` says why and what to do.
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .stoppedBeforeListening:
            return "the demo server stopped before it started listening"
        case .cannotListen(let host, let port, let reason):
            return "cannot listen on \(host):\(port): \(reason)"
        }
    }

    /// `error` from starting the server, as a `cannotListen` when it is a bind failure (port in
    /// use, a privileged port, an address not of this machine, a host name that does not
    /// resolve); other errors unchanged.
    public static func explain(_ error: Error, host: String, port: Int) -> Error {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE:
                return cannotListen(host: host, port: port, reason: "the port is already in use (another study-demo or another "
                                    + "server is listening there); stop it, or choose another port with --port (--port 0 picks a free one)")
            case EACCES:
                return cannotListen(host: host, port: port, reason: "permission denied (ports below 1024 need privileges); "
                                    + "choose a port from 1024 up with --port")
            case EADDRNOTAVAIL:
                return cannotListen(host: host, port: port, reason: "\(host) is not an address of this machine; choose another "
                                    + "--host (127.0.0.1, the default, keeps the demo private to this machine)")
            default:
                return cannotListen(host: host, port: port, reason: "\(String(cString: strerror(io.errnoCode))); "
                                    + "check --host and --port")
            }
        }
        if error is SocketAddressError {
            return cannotListen(host: host, port: port, reason: "the host name \(host) does not resolve to an address; "
                                + "give an IP address or a known name with --host")
        }
        return error
    }
}

/// Plain words for an error a person reads (the CLI's messages): Foundation's file errors as
/// "<path>: <what happened>" rather than `Error Domain=NSCocoaErrorDomain Code=260 …`; every
/// other error as it describes itself.
public enum PlainError {
    public static func message(_ error: Error) -> String {
        if let cocoa = error as? CocoaError {
            let path = cocoa.filePath ?? cocoa.url?.path
            var what: String
            if let posix = cocoa.underlying as? POSIXError {
                what = String(cString: strerror(posix.code.rawValue))
            } else {
                switch cocoa.code {
                case .fileReadNoSuchFile, .fileNoSuchFile: what = "no such file"
                case .fileReadNoPermission, .fileWriteNoPermission: what = "permission denied"
                case .fileReadCorruptFile: what = "the file is not in the expected format"
                case .fileReadTooLarge: what = "the file is too large"
                default: what = "cannot be read (Foundation error \(cocoa.code.rawValue))"
                }
            }
            if what == String(cString: strerror(EISDIR)) { what = "a folder, not a file" }
            return path.map { "\($0): \(what)" } ?? what
        }
        if let posix = error as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        let text = String(describing: error)
        if text.contains("Error Domain=") {
            let ns = error as NSError
            return ns.localizedDescription
        }
        return text
    }
}
