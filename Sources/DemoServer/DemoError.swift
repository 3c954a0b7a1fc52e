import Audio
import Base
import Features
import Foundation
import HTTPTypes
import Hummingbird
import NIOHTTP1

/// Everything a client can get wrong, with the HTTP status that says whose fault it is.
/// The server answers each with `{"error": description}`; nothing here is ever a 500.
public enum DemoError: Error, CustomStringConvertible, Equatable {
    case emptyBody
    case uploadTooLarge(limit: Int)
    case notAudio(reason: String)
    case truncated(reason: String)
    case tooShort(reason: String)
    case unusableAudio(reason: String)
    case unknownExample(name: String)
    case notFound(path: String)
    case badMultipart(reason: String)
    /// The HTTP framing of the body is broken (a chunk size that is not hexadecimal, say).
    case badFraming(reason: String)
    /// The body did not arrive in full within the server's deadline (a stalled upload).
    case bodyTimeout(seconds: Double)
    /// A known path asked with a method it does not answer; `allowed` goes into the `Allow` header.
    case methodNotAllowed(method: String, allowed: [String])

    public var status: HTTPResponse.Status {
        switch self {
        case .emptyBody, .truncated, .badMultipart, .badFraming: return .badRequest
        case .bodyTimeout: return .requestTimeout
        case .uploadTooLarge: return .contentTooLarge
        case .notAudio: return .unsupportedMediaType
        case .tooShort, .unusableAudio: return .unprocessableContent
        case .unknownExample, .notFound: return .notFound
        case .methodNotAllowed: return .methodNotAllowed
        }
    }

    public var description: String {
        switch self {
        case .emptyBody:
            return "the request body is empty: send the audio file itself as the body, or as the one file of a multipart/form-data form (WAV, AIFF or FLAC)"
        case .uploadTooLarge(let limit):
            return "the upload is larger than the \(limit / (1024 * 1024)) MB limit (\(limit) bytes)"
        case .notAudio(let reason):
            return "not a readable audio file (\(reason)); send WAV, AIFF or FLAC"
        case .truncated(let reason):
            return "the audio file is truncated: \(reason)"
        case .tooShort(let reason):
            return "the clip is too short to analyse: \(reason)"
        case .unusableAudio(let reason):
            return "the audio cannot be analysed: \(reason)"
        case .unknownExample(let name):
            return "no example clip named '\(name)'; GET /api/examples lists them"
        case .notFound:
            // The path is not repeated: request data is never echoed back.
            return "no such page or endpoint; the demo serves /, /healthz, /api/examples, /api/examples/<name> and /api/predict"
        case .badMultipart(let reason):
            return "bad multipart/form-data upload: \(reason)"
        case .badFraming(let reason):
            return "malformed HTTP request body: \(reason)"
        case .bodyTimeout(let seconds):
            return "the request body did not arrive within \(String(format: "%g", seconds)) s; the upload stalled or is too slow, try again"
        case .methodNotAllowed(let method, let allowed):
            return "\(method) is not allowed here; this endpoint answers \(allowed.joined(separator: ", "))"
        }
    }

    /// Translates the decoder's and feature chain's errors, which name the private temporary
    /// file, into client errors that do not (the path means nothing to the client).
    static func from(_ error: Error, offset: Double) -> DemoError? {
        switch error {
        case let e as DemoError:
            return e
        case AudioError.emptyFile:
            return .emptyBody
        case AudioError.truncated(_, let reason):
            return .truncated(reason: reason)
        case AudioError.unreadable(_, let reason):
            return reason.contains("truncated") ? .truncated(reason: reason) : .notAudio(reason: reason)
        case AudioError.unsupportedSampleRate(_, let rate):
            let r = AudioFile.sampleRateRange
            return .unusableAudio(reason: "its sample rate, \(rate) Hz, is outside \(r.lowerBound)…\(r.upperBound) Hz")
        case AudioError.noAudio(_, let reason), AudioError.invalidSamples(_, let reason):
            return .unusableAudio(reason: reason)
        case AudioError.shorterThanOffset(_, let duration, _):
            return .tooShort(reason: String(format: "it lasts %.3f s, but analysis starts %.1f s in", duration, offset))
        case FeatureError.emptySignal:
            return .tooShort(reason: "no samples are left after the \(offset) s offset")
        case FeatureError.nonFinite(_, let count):
            return .unusableAudio(reason: "\(count) of its features are NaN or infinite: its samples lie far outside −1…1, "
                                  + "so the spectrum's power overflows; re-export it with samples in −1…1")
        case AudioError.resampleFailed(let reason):
            return .unusableAudio(reason: reason)
        default:
            return nil
        }
    }
}

/// Turns every error that reaches the router into a JSON body, so that clients always get
/// `{"error": ...}`: the demo's own errors with their status, Hummingbird's (unknown route,
/// body too large) with theirs, a broken body framing as a 400, and anything unexpected as a
/// 500 that is logged (the client gets no internals: they are the server's business).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            guard let demo = DemoError.client(error) else {
                context.logger.error("unexpected error on \(request.uri.path): \(error)")
                return .json(["error": DemoError.internalMessage], status: .internalServerError)
            }
            var response = Response.json(["error": demo.description], status: demo.status)
            DemoError.addHeaders(for: demo, to: &response)
            return response
        }
    }
}

extension DemoError {
    /// What the client is told for an error that reached a handler or the router: the demo's
    /// own errors, Hummingbird's HTTP errors (an unknown route is a 404 that does not echo the
    /// path), NIO's HTTP parser errors (a broken chunk size while the body is read) as a 400;
    /// nil for anything else, which is the server's fault.
    static func client(_ error: Error) -> DemoError? {
        switch error {
        case let e as DemoError:
            return e
        case let e as HTTPParserError:
            return .badFraming(reason: HTTPFraming.describe(e))
        case let e as HTTPResponseError where e.status == .notFound:
            return .notFound(path: "")
        default:
            return nil
        }
    }

    /// The message of a 500: no details (they are logged), nothing from the request.
    static let internalMessage = "internal error in the demo server; its log has the details"

    /// `Allow` for a 405; `Connection: close` when the request's framing cannot be trusted
    /// (the rest of the connection's bytes cannot be parsed as requests).
    static func addHeaders(for error: DemoError, to response: inout Response) {
        switch error {
        case .methodNotAllowed(_, let allowed): response.headers[.allow] = allowed.joined(separator: ", ")
        case .badFraming, .bodyTimeout: response.headers[.connection] = "close"
        default: break
        }
    }
}

/// Plain words for NIO's HTTP parser errors.
enum HTTPFraming {
    static func describe(_ error: HTTPParserError) -> String {
        switch error {
        case .invalidChunkSize: return "a chunk size of the chunked transfer encoding is not a hexadecimal number"
        case .invalidContentLength: return "the Content-Length is not a valid number"
        case .unexpectedContentLength: return "the request has both a Content-Length and a chunked transfer encoding"
        case .headerOverflow: return "the request's headers are too large"
        case .invalidEOFState: return "the connection ended in the middle of the body"
        default: return "the HTTP framing could not be parsed (\(error))"
        }
    }
}

/// Security headers on every response, errors and 404s included: no MIME sniffing (a JSON
/// error that repeats an example name is never run as HTML), no framing, no referrer, and a
/// Content-Security-Policy that lets the page run only its own inline script (by hash), load
/// nothing from elsewhere, and show the figures (data: URIs) and the player (a blob: URL).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let contentSecurityPolicy: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.apply(to: &response.headers, csp: contentSecurityPolicy)
        return response
    }

    static func apply(to headers: inout HTTPFields, csp: String) {
        headers[.xContentTypeOptions] = "nosniff"
        headers[.contentSecurityPolicy] = csp
        headers[.referrerPolicy] = "no-referrer"
        headers[.xFrameOptions] = "DENY"
    }

    /// The policy for a page whose only script is `script` (the text between `<script>` and
    /// `</script>`, byte for byte): CSP Level 2 hash sources are the base64 SHA-256 of that text.
    static func policy(scripts: [String]) -> String {
        let hashes = scripts.map { script -> String in
            var h = SHA256()
            h.update(script)
            return "'sha256-\(Data(h.finalize()).base64EncodedString())'"
        }
        return [
            "default-src 'none'",
            "script-src " + (hashes.isEmpty ? "'none'" : hashes.joined(separator: " ")),
            // The page's <style> element and the result page's bar widths (style attributes);
            // style cannot run code, and nothing is loaded from elsewhere.
            "style-src 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "media-src 'self' data: blob:",
            "connect-src 'self'",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}

extension Response {
    /// A JSON response from any `Encodable` value, keys sorted so that output is stable, with
    /// `<`, `>` and `&` written as `\u003c`… so that no echoed value reads as markup. A value
    /// that cannot be encoded (a NaN) is a 500, never a 200 with an error inside.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else {
            return Response(status: .internalServerError, headers: [.contentType: "application/json; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"error":"the response could not be encoded"}"#)))
        }
        let text = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
            .replacingOccurrences(of: ">", with: "\\u003e").replacingOccurrences(of: "&", with: "\\u0026")
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// An HTML page.
    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
