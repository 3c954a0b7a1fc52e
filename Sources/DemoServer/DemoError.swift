import Audio
import Features
import Foundation
import Hummingbird

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
    /// A known path asked with a method it does not answer; `allowed` goes into the `Allow` header.
    case methodNotAllowed(method: String, allowed: [String])

    public var status: HTTPResponse.Status {
        switch self {
        case .emptyBody, .truncated, .badMultipart: return .badRequest
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
        case .notFound(let path):
            return "no such page or endpoint: \(path)"
        case .badMultipart(let reason):
            return "bad multipart/form-data upload: \(reason)"
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
        case AudioError.resampleFailed(let reason):
            return .unusableAudio(reason: reason)
        default:
            return nil
        }
    }
}

/// Turns every error that reaches the router into a JSON body, so that clients always get
/// `{"error": ...}`: the demo's own errors with their status, Hummingbird's (unknown route,
/// body too large) with theirs, and anything unexpected as a 500 that is logged.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DemoError {
            var response = Response.json(["error": error.description], status: error.status)
            if case .methodNotAllowed(_, let allowed) = error { response.headers[.allow] = allowed.joined(separator: ", ") }
            return response
        } catch let error as HTTPResponseError {
            if error.status == .notFound {
                return .json(["error": DemoError.notFound(path: request.uri.path).description], status: .notFound)
            }
            return .json(["error": "\(error.status.code) \(error.status.reasonPhrase)"], status: error.status)
        } catch {
            context.logger.error("unexpected error on \(request.uri.path): \(error)")
            return .json(["error": "internal error: \(error)"], status: .internalServerError)
        }
    }
}

extension Response {
    /// A JSON response from any `Encodable` value, keys sorted so that output is stable.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"response could not be encoded"}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An HTML page.
    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
