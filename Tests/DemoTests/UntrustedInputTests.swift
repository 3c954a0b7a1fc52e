import DemoServer
import Foundation
import NeuralNet
import NIOHTTP1
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Issue 22 ("untrusted input"), the demo's part: samples that overflow the features, broken
/// HTTP framing, stalled uploads, security headers, nothing echoed from the request, and
/// start-up errors that say what to do.
extension DemoServerTests {
    // MARK: Item 5: features that overflow

    /// A float WAV whose samples are ~1e30 makes the spectrum's power overflow: a 422 that says
    /// so (JSON from the API, an HTML page from the form), never a 200 or a 500.
    func testOverflowingSamplesAre422() async throws {
        let wav = Self.floatWAV(DemoFixture.tone(f0: 180, seconds: 2, noise: 0).map { $0 * 4e30 }, rate: DemoFixture.sampleRate)
        try await withDemo { server, client in
            let reply = try await self.post(client, server.baseURL + "/api/predict", wav)
            XCTAssertEqual(reply.status, 422, String(decoding: reply.body, as: UTF8.self))
            let message = try XCTUnwrap(reply.json["error"] as? String, "a JSON error body")
            XCTAssertTrue(message.contains("NaN or infinite") && message.contains("−1…1"), message)
            XCTAssertNil(reply.json["label"], "no prediction")
            XCTAssertFalse(message.contains("study-demo-upload"), "the temporary path is private")

            let form = Self.form(fields: [("source", "file")], files: [("file", "loud.wav", wav)])
            let page = try await self.send(client, .POST, server.baseURL + "/predict", body: form.body, contentType: form.contentType)
            XCTAssertEqual(page.status, 422)
            XCTAssertTrue(String(decoding: page.body, as: UTF8.self).contains("NaN or infinite"))
        }
    }

    /// A model whose network overflows (weights near Float's limit) gives NaN probabilities
    /// for any clip: the server's fault, a logged 500 with a JSON error, never a 200 (the JSON
    /// encoder refuses NaN) and no NaN in the body.
    func testNaNProbabilitiesAreNot200() async throws {
        let files = try DemoFixture.files.get()
        let dir = try SharedData.temporaryDirectory("demo-nan-model")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("model.safetensors")
        try ModelFile.save(Self.overflowingNetwork(), metadata: ["classes": DemoFixture.labels.joined(separator: ","),
                                                                 "feature_preset": "librosa", "n_mfcc": "40",
                                                                 "offset_s": "0.5", "duration_s": "3"], to: model)
        var config = DemoConfiguration(modelURL: model, examplesDirectory: files.examples, host: "127.0.0.1", port: 0, workers: 1)
        config.bodyTimeout = 30
        let server = try await RunningDemo.start(config)
        let client = HTTP1Client(timeout: .seconds(60))
        do {
            let reply = try await self.post(client, server.baseURL + "/api/predict", Array(try Data(contentsOf: files.exampleFiles[0])))
            XCTAssertEqual(reply.status, 500, String(decoding: reply.body, as: UTF8.self))
            XCTAssertNotNil(reply.json["error"] as? String)
            XCTAssertFalse(String(decoding: reply.body, as: UTF8.self).lowercased().contains("nan\""))
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// The notebook CNN with its last layer's weights at 3e38: finite (a model file must hold
    /// finite weights), but every logit overflows to infinity, and softmax gives NaN.
    static func overflowingNetwork() -> Sequential {
        let network = NotebookCNN.make(seed: 7)
        let last = network.parameters.filter { $0.shape.count == 2 }.last!
        last.value.copy(from: [Float](repeating: 3e38, count: last.count))
        return network
    }

    // MARK: Item 7: framing and stalled bodies

    /// A chunk size that is not hexadecimal is the client's error (400, and the connection is
    /// closed: its remaining bytes cannot be trusted as requests), not a 500; one answer only.
    func testBadChunkSizeIs400() async throws {
        try await withDemo { server, _ in
            for path in ["/api/predict", "/predict"] {
                let request = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n4\r\nRIFF\r\nZZ\r\nabc\r\n0\r\n\r\n"
                let reply = try await RawHTTP.exchange(port: server.port, Array(request.utf8), within: 10)
                XCTAssertEqual(reply.status, 400, "\(path):\n\(reply.text)")
                XCTAssertEqual(reply.text.components(separatedBy: "HTTP/1.1 ").count - 1, 1, "\(path): one response:\n\(reply.text)")
                XCTAssertTrue(reply.text.contains("chunk size"), "\(path): says what is wrong:\n\(reply.text)")
            }
        }
    }

    /// A body that stops arriving gets 408 once the body deadline has passed (0.5 s here; the
    /// bound of 10 s only keeps a broken server from hanging the test).
    func testStalledBodyIs408() async throws {
        try await withDemo(bodyTimeout: 0.5) { server, client in
            for path in ["/api/predict", "/predict"] {
                let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n"
                let reply = try await RawHTTP.exchange(port: server.port, Array(head.utf8) + Array("RIFF\0\0\0\0WA".utf8), within: 10)
                XCTAssertEqual(reply.status, 408, "\(path):\n\(reply.text)")
                XCTAssertLessThan(reply.seconds, 10)
                XCTAssertTrue(reply.text.contains("did not arrive within 0.5 s"), "\(path):\n\(reply.text)")
            }
            // The server still answers others.
            let health = try await self.send(client, .GET, server.baseURL + "/healthz")
            XCTAssertEqual(health.status, 200)
        }
    }

    func testBodyTimeoutRange() {
        var config = DemoConfiguration(modelURL: URL(fileURLWithPath: "/nonexistent/model.safetensors"))
        XCTAssertEqual(config.bodyTimeout, 30, "30 s by default")
        XCTAssertNoThrow(try config.validate())
        for bad in [0, -1, 0.05, 3601, .nan, .infinity] {
            config.bodyTimeout = bad
            XCTAssertThrowsError(try config.validate(), "\(bad)") { error in
                XCTAssertEqual((error as? OutOfRange)?.setting, "bodyTimeout")
            }
        }
    }

    // MARK: Item 13: security headers, nothing echoed

    func testSecurityHeadersOnEveryResponse() async throws {
        try await withDemo { server, client in
            let page = try await self.send(client, .GET, server.baseURL + "/")
            let cases: [(String, Reply)] = [
                ("page", page),
                ("404", try await self.send(client, .GET, server.baseURL + "/api/nothing-here")),
                ("400", try await self.post(client, server.baseURL + "/api/predict", [])),
                ("405", try await self.send(client, .GET, server.baseURL + "/api/predict")),
                ("415 from the form", try await self.send(client, .POST, server.baseURL + "/predict", body: Array("text".utf8))),
                ("health", try await self.send(client, .GET, server.baseURL + "/healthz")),
                ("example clip", try await self.send(client, .GET, server.baseURL + "/api/examples/angry_SYN.wav")),
            ]
            for (name, reply) in cases {
                XCTAssertEqual(reply.headers.first(name: "x-content-type-options"), "nosniff", name)
                XCTAssertEqual(reply.headers.first(name: "referrer-policy"), "no-referrer", name)
                XCTAssertEqual(reply.headers.first(name: "x-frame-options"), "DENY", name)
                let csp = reply.headers.first(name: "content-security-policy") ?? ""
                XCTAssertTrue(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "\(name): \(csp)")
            }
            XCTAssertEqual(cases[1].1.status, 404)
            XCTAssertEqual(cases[2].1.status, 400)

            // The page's one inline script runs because the policy names its hash, and no other.
            let html = String(decoding: page.body, as: UTF8.self)
            let open = try XCTUnwrap(html.range(of: "<script>"))
            let close = try XCTUnwrap(html.range(of: "</script>", range: open.upperBound..<html.endIndex))
            let script = String(html[open.upperBound..<close.lowerBound])
            XCTAssertEqual(html.components(separatedBy: "<script").count, 2, "one script element")
            let digest = try Self.sha256Base64(script)
            let csp = try XCTUnwrap(page.headers.first(name: "content-security-policy"))
            XCTAssertTrue(csp.contains("script-src 'sha256-\(digest)'"), csp)
            XCTAssertFalse(csp.contains("unsafe-eval"), csp)
            XCTAssertFalse(csp.contains("script-src 'unsafe-inline'"), csp)
            for need in ["img-src 'self' data: blob:", "media-src 'self' data: blob:", "connect-src 'self'", "form-action 'self'"] {
                XCTAssertTrue(csp.contains(need), "\(need): \(csp)")
            }
        }
    }

    /// Nothing from the request comes back as markup: an unknown path is not repeated, an
    /// unknown example name is escaped in the JSON, and in the HTML page.
    func testRequestDataIsNeverEchoedAsMarkup() async throws {
        try await withDemo { server, client in
            // Raw, since the client refuses to send such a path.
            let request = "GET /<script>alert(1)</script> HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            let reply = try await RawHTTP.exchange(port: server.port, Array(request.utf8), within: 10)
            XCTAssertEqual(reply.status, 404, reply.text)
            let body = reply.text.components(separatedBy: "\r\n\r\n").dropFirst().joined()
            XCTAssertFalse(body.contains("<script>"), reply.text)
            XCTAssertFalse(body.contains("alert(1)"), "the path is not repeated: \(reply.text)")
            XCTAssertTrue(body.contains("no such page or endpoint"), reply.text)
            XCTAssertTrue(reply.text.lowercased().contains("x-content-type-options: nosniff"), reply.text)

            let example = try await self.send(client, .GET, server.baseURL + "/api/examples/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
            XCTAssertEqual(example.status, 404)
            let exampleText = String(decoding: example.body, as: UTF8.self)
            XCTAssertFalse(exampleText.contains("<"), exampleText)
            XCTAssertEqual(example.json["error"] as? String,
                           "no example clip named '<script>alert(1)</script>'; GET /api/examples lists them",
                           "escaped in the JSON text, the same string once decoded")
            XCTAssertTrue(example.headers.first(name: "content-type")?.hasPrefix("application/json") == true)
        }
    }

    // MARK: Item 14: start-up errors

    /// A port in use: the error names the address and says what to do, in process and from the CLI.
    func testBindErrorNamesTheAddressAndTheFix() async throws {
        let files = try DemoFixture.files.get()
        try await withDemo { server, _ in
            let config = DemoConfiguration(modelURL: files.model, examplesDirectory: files.examples, host: "127.0.0.1",
                                           port: server.port, workers: 1)
            do {
                let second = try await RunningDemo.start(config)
                try await second.stop()
                XCTFail("a second server bound port \(server.port)")
            } catch {
                let text = "\(error)"
                XCTAssertTrue(text.contains("127.0.0.1:\(server.port)"), text)
                XCTAssertTrue(text.contains("in use") && text.contains("--port"), text)
                XCTAssertFalse(text.contains("errno"), text)
            }
            let (status, _, err) = try BuiltProduct.run(OptionTests.demoBinary,
                                                        ["serve", "--model", files.model.path, "--port", "\(server.port)"])
            XCTAssertEqual(status, 1, err)
            XCTAssertTrue(err.contains("127.0.0.1:\(server.port)") && err.contains("--port"), err)
            XCTAssertFalse(err.contains("NSCocoaErrorDomain") || err.contains("Error Domain=") || err.contains("IOError"), err)
        }
    }

    /// Files the CLI cannot read are named in plain words, never as a raw Foundation error.
    func testCommandLineFileErrorsArePlain() throws {
        let files = try DemoFixture.files.get()
        let garbage = files.root.appendingPathComponent("garbage.safetensors")
        try Data("not a model".utf8).write(to: garbage)
        let cases: [[String]] = [
            ["serve", "--model", garbage.path, "--port", "0"],
            ["serve", "--model", files.examples.path, "--port", "0"],
            ["load", "--model", files.model.path, "--clip", "/nonexistent/clip.wav"],
            ["load", "--model", files.model.path, "--clip", files.examples.path],
        ]
        for args in cases {
            let (status, _, err) = try BuiltProduct.run(OptionTests.demoBinary, args)
            let line = args.joined(separator: " ")
            XCTAssertNotEqual(status, 0, line)
            XCTAssertFalse(err.contains("NSCocoaErrorDomain") || err.contains("Error Domain="), "\(line):\n\(err)")
            XCTAssertTrue(err.contains(args[2] == files.model.path ? args[4] : args[2]), "\(line): names the file:\n\(err)")
        }
    }

    // MARK: Helpers

    /// A mono 32-bit float WAV (format tag 3), samples written as given, however large.
    static func floatWAV(_ samples: [Float], rate: Int) -> [UInt8] {
        var d: [UInt8] = []
        func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { d += $0 } }
        func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { d += $0 } }
        d += Array("RIFF".utf8); u32(36 + 4 * samples.count); d += Array("WAVEfmt ".utf8)
        u32(16); u16(3); u16(1); u32(rate); u32(4 * rate); u16(4); u16(32)
        d += Array("data".utf8); u32(4 * samples.count)
        for s in samples { withUnsafeBytes(of: s.bitPattern.littleEndian) { d += $0 } }
        return d
    }

    /// Base64 of SHA-256, with `sha256sum`-independent means: the `openssl` command line.
    static func sha256Base64(_ text: String) throws -> String {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("csp-\(UUID().uuidString)")
        try Data(text.utf8).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let (status, out, err) = try BuiltProduct.run(URL(fileURLWithPath: "/bin/sh"),
                                                      ["-c", "openssl dgst -sha256 -binary \"$0\" | base64", input.path])
        XCTAssertEqual(status, 0, err)
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A plain blocking socket, to send what HTTP1Client cannot (broken framing, a body that
/// stops): runs on a Dispatch thread, not on the cooperative pool the server uses.
enum RawHTTP {
    struct Reply {
        var text: String
        var seconds: Double
        /// The status code of the first response, 0 when none arrived.
        var status: Int {
            let parts = text.split(separator: " ", maxSplits: 2)
            return parts.count >= 2 && parts[0].hasPrefix("HTTP/") ? Int(parts[1]) ?? 0 : 0
        }
    }

    /// Sends `bytes` to 127.0.0.1:`port` (and nothing more), then reads until the server closes
    /// the connection, a whole response has arrived and 0.3 s more pass quietly, or `within` seconds.
    static func exchange(port: Int, _ bytes: [UInt8], within limit: Double) async throws -> Reply {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingExchange(port: port, bytes, within: limit) })
            }
        }
    }

    struct SocketError: Error, CustomStringConvertible {
        var description: String
    }

    private static func blockingExchange(port: Int, _ bytes: [UInt8], within limit: Double) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw SocketError(description: "connect: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw SocketError(description: "send: \(String(cString: strerror(errno)))") }
        let start = Date()
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var quietSince: Date?
        while Date().timeIntervalSince(start) < limit {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                received += buffer[0..<n]
                quietSince = nil
            } else if n == 0 {
                break   // closed by the server
            } else if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                if complete(received) {
                    if let since = quietSince, Date().timeIntervalSince(since) > 0.3 { break }
                    if quietSince == nil { quietSince = Date() }
                }
            } else {
                break   // reset
            }
        }
        return Reply(text: String(decoding: received, as: UTF8.self), seconds: Date().timeIntervalSince(start))
    }

    /// Whether `bytes` hold a response head and as many body bytes as its Content-Length says.
    private static func complete(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return text.utf8.count - text[..<end.upperBound].utf8.count >= length
    }
}
