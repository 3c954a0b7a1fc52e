import Foundation
import Hummingbird
import Logging
import NeuralNet
import NIOCore
import NIOHTTP1

/// Builds the demo's Hummingbird application. A library function rather than code in `main`,
/// so that the integration tests and the load test run the very same server in-process.
public enum DemoApp {
    /// Process-wide set-up for a serving process: one OpenBLAS thread. Requests are the unit
    /// of parallelism; OpenBLAS's own threads, which spin while they wait, would fight the other
    /// requests for the cores (measured on 2 cores: 114 instead of 285 predictions/s under 50
    /// clients). Not done by `make`, so that a test process keeps its BLAS settings.
    public static func prepareProcess() {
        BLASThreads.count = 1
    }

    /// The application for `configuration`, its model loaded and examples listed.
    /// `onServerRunning` receives the bound port (useful with port 0, which picks a free one).
    public static func make(_ configuration: DemoConfiguration, logger: Logger? = nil,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        try configuration.validate()
        let classifier = try ClipClassifier(modelURL: configuration.modelURL, workers: configuration.workers)
        let catalog = ExampleCatalog(directory: configuration.examplesDirectory)
        let router = makeRouter(classifier: classifier, catalog: catalog, maxUploadBytes: configuration.maxUploadBytes,
                                bodyTimeout: configuration.bodyTimeout)
        var log = logger ?? Logger(label: "study-demo")
        if logger == nil { log.logLevel = .info }
        return Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000)))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "study-demo"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: log)
    }

    static func makeRouter(classifier: ClipClassifier, catalog: ExampleCatalog, maxUploadBytes: Int,
                           bodyTimeout: Double = 30) -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        // The page depends only on the model and the examples, both fixed at start-up: rendered
        // once, its inline script hashed once for the Content-Security-Policy.
        let page = Page.html(examples: catalog.examples, model: classifier.summary,
                             classes: classifier.classes, recipe: classifier.recipe)
        // Outermost, so that every response gets the headers, errors included.
        router.add(middleware: SecurityHeadersMiddleware(contentSecurityPolicy: SecurityHeadersMiddleware<BasicRequestContext>.policy(
            scripts: Page.inlineScripts(page))))
        router.add(middleware: JSONErrorMiddleware())
        let collect: @Sendable (Request) async throws -> [UInt8] = { request in try await Self.collect(request, limit: maxUploadBytes, deadline: bodyTimeout) }
        var routes = RouteTable(router: router)
        routes.get("/") { _, _ in
            Response.html(page)
        }
        routes.get("/healthz") { _, _ in
            Response.json(Health(status: "ok", model: classifier.summary, examples: catalog.examples.count))
        }
        routes.get("/api/examples") { _, _ in
            Response.json(catalog.examples)
        }
        routes.get("/api/examples/:name") { _, context in
            let raw = context.parameters.get("name") ?? ""
            return try exampleResponse(name: raw.removingPercentEncoding ?? raw, catalog: catalog)
        }
        routes.post("/api/predict") { request, _ in
            let bytes = try await uploadedClip(request, body: collect(request))
            let figures = request.uri.queryParameters.get("figures").map { $0 == "1" || $0 == "true" } ?? false
            return Response.json(try await classifier.classify(bytes, figures: figures))
        }
        // The page's form without JavaScript: the same prediction, answered as an HTML page,
        // errors too (with the API's status codes).
        routes.post("/predict") { request, context in
            do {
                let body = try await collect(request)
                let clip = try formClip(body, contentType: request.headers[.contentType], catalog: catalog)
                let report = try await classifier.classify(clip.bytes, figures: true)
                return Response.html(Page.result(report, classes: classifier.classes, clipName: clip.name))
            } catch {
                guard let demo = DemoError.client(error) else {
                    context.logger.error("unexpected error on \(request.uri.path): \(error)")
                    return Response.html(Page.error(status: 500, reason: "Internal Server Error", message: DemoError.internalMessage),
                                         status: .internalServerError)
                }
                var response = Response.html(Page.error(status: Int(demo.status.code), reason: demo.status.reasonPhrase,
                                                        message: demo.description), status: demo.status)
                DemoError.addHeaders(for: demo, to: &response)
                return response
            }
        }
        routes.refuseOtherMethods()
        return router
    }

    /// The uploaded clip: the body itself, or the one file of a `multipart/form-data` body (an
    /// HTML form's upload), byte for byte.
    static func uploadedClip(_ request: Request, body: [UInt8]) throws -> [UInt8] {
        try uploadedClip(body: body, contentType: request.headers[.contentType])
    }

    static func uploadedClip(body: [UInt8], contentType: String?) throws -> [UInt8] {
        guard !body.isEmpty, let type = contentType, Multipart.isFormData(type) else { return body }
        return try Multipart.singleFile(body, contentType: type).body
    }

    /// The clip the page's form names, and its name for the result page. The form sends the
    /// `source` radio button, the `example` menu and the `file` input: a chosen file wins (without
    /// JavaScript, choosing one cannot switch the radio button); with no file and `source=example`,
    /// the example. A body that is not a form is the clip itself, as for `/api/predict`.
    static func formClip(_ body: [UInt8], contentType: String?, catalog: ExampleCatalog) throws -> (bytes: [UInt8], name: String?) {
        guard !body.isEmpty, let contentType, Multipart.isFormData(contentType) else { return (body, nil) }
        let parts = try Multipart.parts(body, boundary: Multipart.boundary(contentType: contentType))
        let field = { (name: String) in parts.first { $0.name == name && $0.filename == nil }?.text }
        if !parts.contains(where: \.isFile), field("source") == "example", let name = field("example") {
            guard let url = catalog.file(named: name), let data = FileManager.default.contents(atPath: url.path) else {
                throw DemoError.unknownExample(name: name)
            }
            return (Array(data), name)
        }
        let file = try Multipart.singleFile(parts)
        return (file.body, file.filename)
    }

    /// The request body, refusing more than `limit` bytes: a Content-Length over the limit is
    /// refused before reading, a chunked body as soon as it passes the limit. The whole body must
    /// arrive within `deadline` seconds (a stalled upload gets 408, whatever it trickles); broken
    /// chunked framing is a 400.
    static func collect(_ request: Request, limit: Int, deadline: Double = 30) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw DemoError.uploadTooLarge(limit: limit)
        }
        do {
            return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask {
                    let buffer = try await request.body.collect(upTo: limit)
                    return Array(buffer.readableBytesView)
                }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(deadline * 1e9))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let body = first else {
                    throw DemoError.bodyTimeout(seconds: deadline)
                }
                return body
            }
        } catch is NIOTooManyBytesError {
            throw DemoError.uploadTooLarge(limit: limit)
        } catch let error as HTTPParserError {
            throw DemoError.badFraming(reason: HTTPFraming.describe(error))
        }
    }

    static func exampleResponse(name: String, catalog: ExampleCatalog) throws -> Response {
        guard let url = catalog.file(named: name) else { throw DemoError.unknownExample(name: name) }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw DemoError.unknownExample(name: name) }
        return Response(status: .ok, headers: [.contentType: "audio/wav", .cacheControl: "no-cache"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Registers the routes and remembers which methods each path answers, so that every other
    /// method on a known path gets 405 with an `Allow` header (Hummingbird alone answers 404, as
    /// for an unknown path), and OPTIONS gets 204 with the same header. GET routes also answer
    /// HEAD (the router derives it from GET).
    struct RouteTable {
        typealias Handler = @Sendable (Request, BasicRequestContext) async throws -> Response
        let router: Router<BasicRequestContext>
        private(set) var allowed: [(path: String, methods: [HTTPRequest.Method])] = []

        init(router: Router<BasicRequestContext>) { self.router = router }

        mutating func get(_ path: String, use handler: @escaping Handler) { on(path, .get, handler) }
        mutating func post(_ path: String, use handler: @escaping Handler) { on(path, .post, handler) }

        private mutating func on(_ path: String, _ method: HTTPRequest.Method, _ handler: @escaping Handler) {
            router.on(RouterPath(path), method: method, use: handler)
            if let i = allowed.firstIndex(where: { $0.path == path }) {
                allowed[i].methods.append(method)
            } else {
                allowed.append((path, [method]))
            }
        }

        /// The standard methods (RFC 9110, plus PATCH) that `path` does not answer; a method
        /// outside these gets the router's 404, as it would anywhere.
        static let standardMethods: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .connect, .options, .trace, .patch]

        /// Call once, after the last route.
        func refuseOtherMethods() {
            for (path, methods) in allowed {
                let answered = methods.contains(.get) && !methods.contains(.head) ? methods + [.head] : methods
                let allow = answered.map(\.rawValue)
                for method in Self.standardMethods where !answered.contains(method) {
                    if method == .options {
                        router.on(RouterPath(path), method: .options) { _, _ in
                            Response(status: .noContent, headers: [.allow: allow.joined(separator: ", ")])
                        }
                    } else {
                        router.on(RouterPath(path), method: method) { request, _ -> Response in
                            throw DemoError.methodNotAllowed(method: request.method.rawValue, allowed: allow)
                        }
                    }
                }
            }
        }
    }

    struct Health: Codable {
        var status: String
        var model: ModelSummary
        var examples: Int
    }
}
