import Audio
import DemoServer
import Foundation
import Inference
import NIOCore
import NIOHTTP1
import XCTest

/// End-to-end tests: each starts the demo on a free loopback port in this process, talks to it
/// over real HTTP with DemoServer's small NIO client (`HTTP1Client`, which sends paths as given), and shuts it down before returning.
final class DemoServerTests: XCTestCase {
    // MARK: Endpoints

    func testHealthAndExampleList() async throws {
        let files = try DemoFixture.files.get()
        try await withDemo { server, client in
            let health = try await self.send(client, .GET, server.baseURL + "/healthz")
            XCTAssertEqual(health.status, 200)
            XCTAssertEqual(health.json["status"] as? String, "ok")
            XCTAssertEqual(health.json["examples"] as? Int, DemoFixture.labels.count)

            let list = try await self.send(client, .GET, server.baseURL + "/api/examples")
            XCTAssertEqual(list.status, 200)
            let items = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.body)) as? [[String: Any]])
            XCTAssertEqual(items.compactMap { $0["name"] as? String }, files.exampleFiles.map(\.lastPathComponent),
                           "only the .wav files directly inside the folder, sorted")
            XCTAssertEqual(items.compactMap { $0["label"] as? String }, DemoFixture.labels)

            let clip = try await self.send(client, .GET, server.baseURL + "/api/examples/angry_SYN.wav")
            XCTAssertEqual(clip.status, 200)
            XCTAssertEqual(clip.body, Array(try Data(contentsOf: files.exampleFiles[0])))
            XCTAssertEqual(clip.headers.first(name: "content-type"), "audio/wav")
        }
    }

    func testPageIsSelfContainedAndListsExamples() async throws {
        try await withDemo { server, client in
            let page = try await self.send(client, .GET, server.baseURL + "/")
            XCTAssertEqual(page.status, 200)
            XCTAssertTrue(page.headers.first(name: "content-type")?.hasPrefix("text/html") == true)
            let html = String(decoding: page.body, as: UTF8.self)
            for label in DemoFixture.labels {
                XCTAssertTrue(html.contains("<option value=\"\(label)_SYN.wav\">"), "example \(label) offered")
            }
            for external in ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "@import", "url(http"] {
                XCTAssertFalse(html.contains(external), "page must not load \(external)… (it must work offline)")
            }
            XCTAssertTrue(html.contains("<label for=\"file\"") || html.contains("aria-label=\"Audio file to upload\""))
        }
    }

    /// The demo must give exactly what `study predict` (Inference's `Predictor`) gives.
    func testPredictionsMatchStudyPredictor() async throws {
        let files = try DemoFixture.files.get()
        let predictor = try Predictor(modelURL: files.model)
        try await withDemo { server, client in
            for url in files.exampleFiles {
                let reply = try await self.post(client, server.baseURL + "/api/predict", Array(try Data(contentsOf: url)))
                XCTAssertEqual(reply.status, 200, url.lastPathComponent)
                try self.assertMatches(reply, predictor.predict(url), labels: predictor.labels, file: url)
            }
        }
    }

    func testFiguresAreInlinePNGs() async throws {
        let files = try DemoFixture.files.get()
        try await withDemo { server, client in
            let reply = try await self.post(client, server.baseURL + "/api/predict?figures=1",
                                            Array(try Data(contentsOf: files.exampleFiles[3])))
            XCTAssertEqual(reply.status, 200)
            let figures = try XCTUnwrap(reply.json["figures"] as? [String: String])
            for key in ["waveform", "spectrogram"] {
                let uri = try XCTUnwrap(figures[key], key)
                XCTAssertTrue(uri.hasPrefix("data:image/png;base64,"), key)
                let png = try XCTUnwrap(Data(base64Encoded: String(uri.dropFirst("data:image/png;base64,".count))))
                XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(key) is a PNG")
            }
            let plain = try await self.post(client, server.baseURL + "/api/predict", Array(try Data(contentsOf: files.exampleFiles[3])))
            XCTAssertNil(plain.json["figures"], "figures only on request")
        }
    }

    func testTwentyConcurrentPredictions() async throws {
        let files = try DemoFixture.files.get()
        let predictor = try Predictor(modelURL: files.model)
        let expected = try files.exampleFiles.map { try predictor.predict($0) }
        let bodies = try files.exampleFiles.map { Array(try Data(contentsOf: $0)) }
        try await withDemo { server, client in
            let replies = try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
                for i in 0..<20 {
                    group.addTask { (i, try await Self.post(client, server.baseURL + "/api/predict", bodies[i % bodies.count])) }
                }
                var all: [(Int, Reply)] = []
                for try await r in group { all.append(r) }
                return all
            }
            XCTAssertEqual(replies.count, 20)
            for (i, reply) in replies {
                XCTAssertEqual(reply.status, 200, "request \(i)")
                try self.assertMatches(reply, expected[i % expected.count], labels: predictor.labels,
                                       file: files.exampleFiles[i % expected.count])
            }
        }
    }

    // MARK: Bad input

    func testBadUploadsAreClientErrors() async throws {
        let files = try DemoFixture.files.get()
        let good = Array(try Data(contentsOf: files.exampleFiles[0]))
        let cases: [(name: String, body: [UInt8], status: UInt, mentions: String)] = [
            ("empty body", [], 400, "empty"),
            ("text", Array("this is not audio, just text\n".utf8), 415, "not a readable audio file"),
            ("random bytes", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }, 415, "not a readable audio file"),
            ("sound data cut short", Array(good.prefix(good.count / 2)), 400, "truncated"),
            ("header cut short", Array(good.prefix(30)), 400, "truncated"),
            ("shorter than the 0.5 s offset", try DemoFixture.wavBytes(DemoFixture.tone(f0: 200, seconds: 0.3, noise: 0)),
             422, "too short"),
        ]
        try await withDemo { server, client in
            for c in cases {
                let reply = try await self.post(client, server.baseURL + "/api/predict", c.body)
                XCTAssertEqual(reply.status, c.status, c.name)
                let message = reply.json["error"] as? String
                XCTAssertNotNil(message, "\(c.name): JSON error body")
                XCTAssertTrue(message?.contains(c.mentions) == true, "\(c.name): '\(message ?? "")' should mention '\(c.mentions)'")
                XCTAssertFalse(message?.contains("study-demo-upload") == true, "\(c.name): the temporary path is private")
            }
            let after = try await self.post(client, server.baseURL + "/api/predict", good)
            XCTAssertEqual(after.status, 200, "the server still answers after bad input")
        }
    }

    func testOversizedUploadsAreRefused() async throws {
        let limit = 256 * 1024
        let under = try DemoFixture.wavBytes(DemoFixture.tone(f0: 220, seconds: 4, noise: 0.01))   // ~195 kB
        let over = try DemoFixture.wavBytes(DemoFixture.tone(f0: 220, seconds: 7, noise: 0.01))    // ~342 kB
        XCTAssertLessThan(under.count, limit)
        XCTAssertGreaterThan(over.count, limit)
        try await withDemo(maxUploadBytes: limit) { server, client in
            let url = server.baseURL + "/api/predict"
            let accepted = try await self.post(client, url, under)
            XCTAssertEqual(accepted.status, 200, "a clip under the limit is analysed")
            let refused = try await self.post(client, url, over)
            XCTAssertEqual(refused.status, 413)
            XCTAssertTrue((refused.json["error"] as? String)?.contains("limit") == true)
            let chunked = try await self.post(client, url, over, chunked: true)
            XCTAssertEqual(chunked.status, 413, "a chunked body (no Content-Length) is cut off at the limit too")
        }
    }

    func testExamplesEndpointServesOnlyListedFiles() async throws {
        let attempts = [
            "..%2Fsecret.wav", "..%2F..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "..%252Fsecret.wav",
            "%2e%2e%2fsecret.wav", "nested%2Fhidden.wav", "notes.txt", "angry_SYN.wav%00.txt", "..",
            "../secret.wav", "../../../../etc/passwd", "nested/hidden.wav", "ANGRY_SYN.WAV",
        ]
        let secret = Array(try Data(contentsOf: try DemoFixture.files.get().secret))
        try await withDemo { server, client in
            for name in attempts {
                let reply = try await self.send(client, .GET, server.baseURL + "/api/examples/" + name)
                XCTAssertEqual(reply.status, 404, name)
                XCTAssertNotNil(reply.json["error"] as? String, "\(name): JSON error body")
                XCTAssertNotEqual(reply.body, secret, name)
                XCTAssertFalse(String(decoding: reply.body, as: UTF8.self).contains("root:"), name)
            }
        }
    }

    func testUnknownRouteIsJSON404() async throws {
        try await withDemo { server, client in
            let reply = try await self.send(client, .GET, server.baseURL + "/api/nothing-here")
            XCTAssertEqual(reply.status, 404)
            XCTAssertNotNil(reply.json["error"] as? String)
        }
    }

    /// A known path asked with the wrong method says so (405, `Allow`, JSON body) instead of
    /// claiming the path does not exist; OPTIONS lists the methods; HEAD follows GET.
    func testWrongMethodIs405WithAllow() async throws {
        let cases: [(HTTPMethod, String, allow: String)] = [
            (.GET, "/api/predict", "POST"), (.PUT, "/api/predict", "POST"), (.DELETE, "/api/predict", "POST"),
            (.PATCH, "/api/predict", "POST"),
            (.POST, "/", "GET, HEAD"), (.POST, "/healthz", "GET, HEAD"), (.DELETE, "/api/examples", "GET, HEAD"),
            (.PUT, "/api/examples/angry_SYN.wav", "GET, HEAD"),
        ]
        try await withDemo { server, client in
            for (method, path, allow) in cases {
                let reply = try await self.send(client, method, server.baseURL + path, body: method == .GET ? nil : [1, 2, 3])
                XCTAssertEqual(reply.status, 405, "\(method) \(path)")
                XCTAssertEqual(reply.headers.first(name: "allow"), allow, "\(method) \(path)")
                XCTAssertEqual(reply.json["error"] as? String,
                               "\(method.rawValue) is not allowed here; this endpoint answers \(allow)", "\(method) \(path)")
            }
            let options = try await self.send(client, .OPTIONS, server.baseURL + "/api/predict")
            XCTAssertEqual(options.status, 204)
            XCTAssertEqual(options.headers.first(name: "allow"), "POST")
            let head = try await self.send(client, .HEAD, server.baseURL + "/healthz")
            XCTAssertEqual(head.status, 200, "HEAD answers as GET does")
            XCTAssertEqual(head.body, [], "without the body")
            let unknown = try await self.send(client, .POST, server.baseURL + "/api/nothing-here", body: [1])
            XCTAssertEqual(unknown.status, 404, "an unknown path is still 404 whatever the method")
        }
    }

    /// An HTML form's upload (one file part) gets exactly the raw upload's answer; a form with
    /// no file or two, or a broken boundary, is a 400 that says so.
    func testMultipartUploadMatchesRawUpload() async throws {
        let files = try DemoFixture.files.get()
        let predictor = try Predictor(modelURL: files.model)
        let url = files.exampleFiles[2]
        let wav = Array(try Data(contentsOf: url))
        let form = Self.form(fields: [("source", "file")], files: [("file", "fear.wav", wav)])
        try await withDemo { server, client in
            let raw = try await self.post(client, server.baseURL + "/api/predict", wav)
            let multipart = try await self.send(client, .POST, server.baseURL + "/api/predict", body: form.body,
                                                contentType: form.contentType)
            XCTAssertEqual(multipart.status, 200, String(decoding: multipart.body, as: UTF8.self))
            try self.assertMatches(multipart, predictor.predict(url), labels: predictor.labels, file: url)
            XCTAssertEqual(try JSONDecoder().decode(ClipReport.self, from: Data(multipart.body)),
                           try JSONDecoder().decode(ClipReport.self, from: Data(raw.body)), "same report as the raw upload")

            let bad: [(String, [UInt8], String, String)] = [
                ("two files", Self.form(files: [("file", "a.wav", wav), ("file2", "b.wav", wav)]).body, form.contentType, "2 files"),
                ("no file", Self.form(fields: [("source", "file")], files: [("file", "", [])]).body, form.contentType, "no file"),
                ("no boundary", form.body, "multipart/form-data", "no boundary parameter"),
                ("wrong boundary", form.body, "multipart/form-data; boundary=other", "does not contain the boundary"),
                ("no closing boundary", Array(form.body.dropLast(40)), form.contentType, "closing boundary"),
            ]
            for (name, body, type, mentions) in bad {
                let reply = try await self.send(client, .POST, server.baseURL + "/api/predict", body: body, contentType: type)
                XCTAssertEqual(reply.status, 400, name)
                let message = reply.json["error"] as? String ?? ""
                XCTAssertTrue(message.contains("multipart/form-data") && message.contains(mentions), "\(name): \(message)")
            }
        }
    }

    /// The page's form without JavaScript: `POST /predict` answers an HTML page with the same
    /// label as `/api/predict` for the same bytes, for an uploaded file and for an example; a bad
    /// upload gets the API's status with an HTML error page.
    func testFormFallbackRendersHTML() async throws {
        let files = try DemoFixture.files.get()
        let wav = Array(try Data(contentsOf: files.exampleFiles[4]))
        let example = files.exampleFiles[1].lastPathComponent
        try await withDemo { server, client in
            let api = try await self.post(client, server.baseURL + "/api/predict", wav)
            let label = try XCTUnwrap(api.json["label"] as? String)
            let report = try JSONDecoder().decode(ClipReport.self, from: Data(api.body))

            let upload = Self.form(fields: [("source", "example"), ("example", example)],
                                   files: [("file", "my <clip> & co's.wav", wav)])
            let page = try await self.send(client, .POST, server.baseURL + "/predict", body: upload.body, contentType: upload.contentType)
            XCTAssertEqual(page.status, 200)
            XCTAssertEqual(page.headers.first(name: "content-type"), "text/html; charset=utf-8")
            let html = String(decoding: page.body, as: UTF8.self)
            XCTAssertTrue(html.contains("<strong id=\"label\">\(label)</strong>"), "the chosen file wins over the example:\n\(html)")
            XCTAssertTrue(html.contains("my &lt;clip&gt; &amp; co&#39;s.wav: "), "the file name, escaped")
            XCTAssertFalse(html.contains("<clip>"))
            let ranked = report.confidences.sorted { $0.value > $1.value }.map(\.key)
            let shown = ranked.map { html.range(of: "<th scope=\"row\">\($0)</th>")?.lowerBound }
            XCTAssertFalse(shown.contains(nil), "every class has a row")
            XCTAssertEqual(shown.compactMap { $0 }, shown.compactMap { $0 }.sorted(), "rows highest first: \(ranked)")
            for (code, p) in report.confidences {
                XCTAssertTrue(html.contains(String(format: "<th scope=\"row\">%@</th><td class=\"pct\">%.1f%%</td>", code, Double(p) * 100)),
                              "\(code): the uploaded file's confidence, as /api/predict gives it")
            }
            XCTAssertTrue(html.contains("src=\"data:image/png;base64,"), "figures inline")
            XCTAssertFalse(html.contains("<script"), "works without JavaScript")
            for external in ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "@import", "url("] {
                XCTAssertFalse(html.contains(external), external)
            }
            XCTAssertTrue(html.contains("<a href=\"/\">"), "a link back to the form")

            let chosen = Self.form(fields: [("source", "example"), ("example", example)], files: [("file", "", [])])
            let examplePage = try await self.send(client, .POST, server.baseURL + "/predict", body: chosen.body,
                                                  contentType: chosen.contentType)
            let exampleAPI = try await self.post(client, server.baseURL + "/api/predict", Array(try Data(contentsOf: files.exampleFiles[1])))
            XCTAssertEqual(examplePage.status, 200)
            let exampleHTML = String(decoding: examplePage.body, as: UTF8.self)
            XCTAssertTrue(exampleHTML.contains("<strong id=\"label\">\(try XCTUnwrap(exampleAPI.json["label"] as? String))</strong>"))
            XCTAssertTrue(exampleHTML.contains("\(example): "), "names the example")

            let bad: [(String, (body: [UInt8], contentType: String), UInt, String)] = [
                ("text file", Self.form(fields: [("source", "file")], files: [("file", "notes.txt", Array("not <audio>".utf8))]), 415,
                 "not a readable audio file"),
                ("no file chosen", Self.form(fields: [("source", "file")], files: [("file", "", [])]), 400, "holds no file"),
                ("unknown example", Self.form(fields: [("source", "example"), ("example", "<nope>.wav")], files: [("file", "", [])]), 404,
                 "no example clip named &#39;&lt;nope&gt;.wav&#39;"),
            ]
            for (name, form, status, mentions) in bad {
                let reply = try await self.send(client, .POST, server.baseURL + "/predict", body: form.body, contentType: form.contentType)
                XCTAssertEqual(reply.status, status, name)
                XCTAssertEqual(reply.headers.first(name: "content-type"), "text/html; charset=utf-8", name)
                let html = String(decoding: reply.body, as: UTF8.self)
                XCTAssertTrue(html.hasPrefix("<!doctype html>"), name)
                XCTAssertTrue(html.contains(mentions), "\(name): should mention \(mentions):\n\(html)")
                XCTAssertTrue(html.contains("HTTP \(status) "), name)
            }
            let get = try await self.send(client, .GET, server.baseURL + "/predict")
            XCTAssertEqual(get.status, 405)
            XCTAssertEqual(get.headers.first(name: "allow"), "POST")
        }
    }

    /// Uploads, good or bad, leave no temporary file behind.
    func testUploadsLeaveNoTemporaryFiles() async throws {
        let files = try DemoFixture.files.get()
        let before = uploadLeftovers()
        try await withDemo { server, client in
            let url = server.baseURL + "/api/predict"
            _ = try await self.post(client, url, Array(try Data(contentsOf: files.exampleFiles[1])))
            _ = try await self.post(client, url, Array("garbage".utf8))
            _ = try await self.post(client, url, try DemoFixture.wavBytes(DemoFixture.tone(f0: 200, seconds: 0.2, noise: 0)))
        }
        XCTAssertEqual(uploadLeftovers(), before)
    }

    // MARK: Helpers

    struct Reply: Sendable {
        var status: UInt
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        }
    }

    /// Runs `body` against a fresh server and client, and shuts both down whatever happens.
    func withDemo(maxUploadBytes: Int = 10 * 1024 * 1024, bodyTimeout: Double = 30,
                  _ body: @escaping (RunningDemo, HTTP1Client) async throws -> Void) async throws {
        let files = try DemoFixture.files.get()
        var config = DemoConfiguration(modelURL: files.model, examplesDirectory: files.examples, host: "127.0.0.1",
                                       port: 0, maxUploadBytes: maxUploadBytes, workers: 2)
        config.bodyTimeout = bodyTimeout
        let server = try await RunningDemo.start(config)
        XCTAssertNotEqual(server.port, 0, "the bound port is reported")
        let client = HTTP1Client(timeout: .seconds(60), maxBodyBytes: 16 << 20)
        do {
            try await body(server, client)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    func send(_ client: HTTP1Client, _ method: HTTPMethod, _ url: String, body: [UInt8]? = nil,
              chunked: Bool = false, contentType: String = "application/octet-stream") async throws -> Reply {
        try await Self.send(client, method, url, body: body, chunked: chunked, contentType: contentType)
    }

    func post(_ client: HTTP1Client, _ url: String, _ body: [UInt8], chunked: Bool = false) async throws -> Reply {
        try await Self.send(client, .POST, url, body: body, chunked: chunked)
    }

    /// Static, so that child tasks can send requests without capturing the (non-Sendable) test case.
    static func send(_ client: HTTP1Client, _ method: HTTPMethod, _ url: String, body: [UInt8]? = nil,
                     chunked: Bool = false, contentType: String = "application/octet-stream") async throws -> Reply {
        var headers = HTTPHeaders()
        if body != nil { headers.add(name: "Content-Type", value: contentType) }
        let response = try await client.request(method, url: url, headers: headers, body: body, chunked: chunked)
        return Reply(status: response.status.code, headers: response.headers, body: response.body)
    }

    static func post(_ client: HTTP1Client, _ url: String, _ body: [UInt8], chunked: Bool = false) async throws -> Reply {
        try await send(client, .POST, url, body: body, chunked: chunked)
    }

    /// A `multipart/form-data` body as a browser builds it from the page's form: text fields,
    /// then file parts (name, filename, bytes); and its Content-Type.
    static func form(fields: [(String, String)] = [], files: [(name: String, filename: String, bytes: [UInt8])])
        -> (body: [UInt8], contentType: String) {
        let boundary = "----WebKitFormBoundaryq1w2e3r4t5y6u7i8"
        var body: [UInt8] = Array("preamble, ignored\r\n".utf8)
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\n".utf8)
            body += Array("Content-Type: audio/wav\r\n\r\n".utf8) + file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return (body, "multipart/form-data; boundary=\(boundary)")
    }

    /// The reply carries `expected` exactly (floats survive JSON as doubles), in issue 7's shape.
    func assertMatches(_ reply: Reply, _ expected: Predictor.Prediction, labels: [String], file url: URL) throws {
        let json = reply.json
        let name = url.lastPathComponent
        XCTAssertEqual(json["label"] as? String, expected.label, name)
        XCTAssertNotNil(json["confidences"] as? [String: Any], name)
        let report = try JSONDecoder().decode(ClipReport.self, from: Data(reply.body))
        XCTAssertEqual(Set(report.confidences.keys), Set(labels), name)
        for (label, p) in zip(labels, expected.probabilities) {
            XCTAssertEqual(report.confidences[label], p, "\(name): \(label)")
        }
        let info = try AudioFile.info(url)
        XCTAssertEqual(json["sample_rate"] as? Int, info.sampleRate, name)
        XCTAssertEqual(try XCTUnwrap(json["duration_s"] as? Double, name), info.duration, accuracy: 1e-9, name)
        let model = try XCTUnwrap(json["model"] as? [String: Any], name)
        XCTAssertEqual(model["feature_preset"] as? String, "librosa", name)
        XCTAssertEqual(model["classes"] as? [String], labels, name)
    }

    func uploadLeftovers() -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)) ?? []
        return Set(names.filter { $0.hasPrefix("study-demo-upload-") })
    }
}
