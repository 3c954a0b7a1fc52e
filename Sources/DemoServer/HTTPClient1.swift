import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 client over plain TCP on SwiftNIO, for the load test and the demo's tests;
/// nothing more (no TLS, no redirects, no proxies, no pooling beyond one kept-alive connection).
///
/// The request target goes on the wire byte for byte as given: no normalisation of `..`, no
/// percent-decoding or -encoding, so that a test can send a traversal attempt as it is.
/// Every wait is bounded: connecting by `connectTimeout`, each request (writing it and reading
/// the whole response) by its `timeout`, after which the connection is closed.
public final class HTTP1Connection: Sendable {
    private let channel: Channel
    public let host: String
    public let port: Int

    private init(channel: Channel, host: String, port: Int) {
        self.channel = channel
        self.host = host
        self.port = port
    }

    /// Opens a TCP connection to `host:port` on NIO's shared event loop group.
    public static func connect(host: String, port: Int, connectTimeout: Duration = .seconds(10),
                               maxBodyBytes: Int = 64 << 20) async throws -> HTTP1Connection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(Int64(connectTimeout.seconds * 1e9)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(HTTP1ExchangeHandler(maxBodyBytes: maxBodyBytes))
                }
            }
            .connect(host: host, port: port)
            .get()
        return HTTP1Connection(channel: channel, host: host, port: port)
    }

    /// False once either side has closed the connection (the server's `Connection: close`,
    /// an error, a timeout): then open a new one.
    public var isOpen: Bool { channel.isActive }

    /// Sends one request and returns the whole response. One request at a time per connection
    /// (a second one while the first is under way fails with `HTTP1Error.busy`).
    /// `Host` is added unless `headers` has one; a body is framed by `Content-Length`, or with
    /// `chunked` by `Transfer-Encoding: chunked` in pieces of `chunkSize` bytes.
    public func request(_ method: HTTPMethod, _ target: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
                        chunked: Bool = false, chunkSize: Int = 16384,
                        timeout: Duration = .seconds(60)) async throws -> HTTP1Response {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: target, headers: headers)
        if !head.headers.contains(name: "host") { head.headers.add(name: "Host", value: "\(host):\(port)") }
        var parts: [ByteBuffer] = []
        if let body {
            if chunked {
                head.headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
                parts = stride(from: 0, to: body.count, by: max(1, chunkSize))
                    .map { ByteBuffer(bytes: body[$0..<min($0 + chunkSize, body.count)]) }
            } else {
                head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
                if !body.isEmpty { parts = [ByteBuffer(bytes: body)] }
            }
        } else if [.POST, .PUT, .PATCH].contains(method) {
            head.headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        let response = channel.eventLoop.makePromise(of: HTTP1Response.self)
        let exchange = HTTP1Exchange(head: head, body: parts, timeout: timeout, response: response)
        let channel = self.channel
        return try await withTaskCancellationHandler {
            channel.writeAndFlush(exchange, promise: nil)
            return try await response.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    public func close() async {
        try? await channel.close()
    }
}

/// One request per connection, for callers that send requests from many tasks at once (the
/// demo's tests): each `request` opens a connection, sends, reads the response and closes.
public struct HTTP1Client: Sendable {
    public var connectTimeout: Duration
    public var timeout: Duration
    public var maxBodyBytes: Int

    public init(connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60), maxBodyBytes: Int = 64 << 20) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }

    /// `url` is `http://HOST:PORT` followed by the raw request target (`/` when there is none).
    public func request(_ method: HTTPMethod, url: String, headers: HTTPHeaders = [:], body: [UInt8]? = nil,
                        chunked: Bool = false) async throws -> HTTP1Response {
        let (host, port, target) = try Self.split(url)
        let connection = try await HTTP1Connection.connect(host: host, port: port, connectTimeout: connectTimeout,
                                                           maxBodyBytes: maxBodyBytes)
        do {
            let response = try await connection.request(method, target, headers: headers, body: body, chunked: chunked,
                                                        timeout: timeout)
            await connection.close()
            return response
        } catch {
            await connection.close()
            throw error
        }
    }

    /// `http://HOST:PORT/TARGET` as host, port (80 when absent) and target, the target untouched.
    public static func split(_ url: String) throws -> (host: String, port: Int, target: String) {
        guard url.hasPrefix("http://") else { throw HTTP1Error.invalidURL(url) }
        let rest = url.dropFirst("http://".count)
        let end = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<end]
        var target = String(rest[end...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        let host: Substring, port: Int
        if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw HTTP1Error.invalidURL(url)
            }
            port = p
        } else {
            (host, port) = (authority, 80)
        }
        guard !host.isEmpty else { throw HTTP1Error.invalidURL(url) }
        return (String(host), port, target)
    }
}

public struct HTTP1Response: Sendable {
    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]
}

public enum HTTP1Error: Error, CustomStringConvertible, Equatable {
    case timeout(Duration)
    case connectionClosed
    case busy
    case bodyTooLarge(limit: Int)
    case invalidURL(String)

    public var description: String {
        switch self {
        case .timeout(let d): return "HTTP request timed out after \(d)"
        case .connectionClosed: return "the connection closed before the whole response arrived"
        case .busy: return "a request is already under way on this connection"
        case .bodyTooLarge(let limit): return "response body over \(limit) bytes"
        case .invalidURL(let url): return "not an http://HOST:PORT/… URL: \(url)"
        }
    }
}

/// What `HTTP1Connection.request` hands its channel: the request and where its response goes.
struct HTTP1Exchange: Sendable {
    var head: HTTPRequestHead
    var body: [ByteBuffer]
    var timeout: Duration
    var response: EventLoopPromise<HTTP1Response>
}

/// Writes an exchange's request, collects the response into its promise; fails it on timeout,
/// on an error, or when the connection closes first. Lives on the channel's event loop only.
final class HTTP1ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTP1Exchange
    typealias OutboundOut = HTTPClientRequestPart

    private let maxBodyBytes: Int
    private var pending: EventLoopPromise<HTTP1Response>?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    private var timer: Scheduled<Void>?
    /// A write error, reported only if no response comes (a server may answer, say, 413 and
    /// close before it has read the whole body).
    private var writeError: Error?

    init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard pending == nil else {
            exchange.response.fail(HTTP1Error.busy)
            promise?.fail(HTTP1Error.busy)
            return
        }
        guard context.channel.isActive else {
            exchange.response.fail(HTTP1Error.connectionClosed)
            promise?.fail(HTTP1Error.connectionClosed)
            return
        }
        pending = exchange.response
        head = nil
        body.clear()
        writeError = nil
        let loop = context.eventLoop.assumeIsolated()
        timer = loop.scheduleTask(in: .nanoseconds(Int64(exchange.timeout.seconds * 1e9))) { [self] in
            self.finish(context, .failure(HTTP1Error.timeout(exchange.timeout)))
            context.close(promise: nil)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        for part in exchange.body { context.write(wrapOutboundOut(.body(.byteBuffer(part))), promise: nil) }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenFailure { [self] error in
            if self.pending != nil { self.writeError = error }
        }
        promise?.succeed()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
        case .body(var part):
            guard pending != nil else { return }
            if body.readableBytes + part.readableBytes > maxBodyBytes {
                finish(context, .failure(HTTP1Error.bodyTooLarge(limit: maxBodyBytes)))
                context.close(promise: nil)
            } else {
                body.writeBuffer(&part)
            }
        case .end:
            guard let h = head else { return }
            if !h.isKeepAlive { context.close(promise: nil) }   // closed before the caller hears: isOpen is false
            finish(context, .success(HTTP1Response(status: h.status, headers: h.headers,
                                                   body: Array(body.readableBytesView))))
            head = nil
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(context, .failure(writeError ?? error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context, .failure(writeError ?? HTTP1Error.connectionClosed))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(context, .failure(HTTP1Error.connectionClosed))
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Result<HTTP1Response, Error>) {
        guard let promise = pending else { return }
        pending = nil
        timer?.cancel()
        timer = nil
        promise.completeWith(result)
    }
}
