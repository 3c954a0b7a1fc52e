import Foundation
import Mustache

/// A chapter's prose with `{{placeholders}}`, rendered with swift-mustache. The output is
/// Markdown, and values are inserted as Mustache means them:
///
/// - `{{x}}` is text: escaped for Markdown (`Escape.markdown`), so a speaker, label or file
///   name shows as itself and never becomes markup or raw HTML, in prose, headings, emphasis,
///   image alt texts and table rows alike;
/// - `{{{url(x)}}}` is a path relative to the report in a link or image (`Escape.url`);
/// - `{{{code(x)}}}` is an inline code span (`Escape.codeSpan`), e.g. a file name;
/// - `{{{x}}}` is inserted verbatim: only for Markdown built by code (`Markdown.table`,
///   `Markdown.audio`, `Markdown.code`), which escapes the data it holds.
public struct TemplateError: Error, CustomStringConvertible {
    public let name: String
    public let reason: String
    public var description: String { "template \(name): \(reason)" }
    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
}

/// `context` is any value: a struct's stored properties are the template's keys (read through
/// Mirror), so a chapter renders its section from a typed value.
public func renderTemplate(_ text: String, named name: String, context: Any) throws -> String {
    _ = MarkdownContentType.register
    let template: MustacheTemplate
    do {
        template = try MustacheTemplate(string: "{{%CONTENT_TYPE:\(MarkdownContentType.name)}}" + text)
    } catch {
        throw TemplateError(name: name, reason: "\(error)")
    }
    return template.render(TemplateValue.wrap(context) ?? [String: Any]())
}

/// `renderTemplate` with a dictionary context (keys as written in the template).
public func renderTemplate(_ text: String, named name: String, context: [String: Any]) throws -> String {
    try renderTemplate(text, named: name, context: context as Any)
}

/// The content type of the templates: `{{x}}` is escaped as Markdown text.
struct MarkdownContentType: MustacheContentType {
    static let name = "MARKDOWN"
    static let register: Void = MustacheContentTypes.register(MarkdownContentType(), named: name)
    func escapeText(_ text: String) -> String { Escape.markdown(text) }
}

/// A string of the context, with the transforms that escape it for the other places a template
/// puts data: `url` and `code` (and swift-mustache's own, `lowercased` and so on).
struct TemplateString: MustacheCustomRenderable, MustacheTransformable, CustomStringConvertible {
    let value: String
    var renderText: String { value }
    var isNull: Bool { false }
    var description: String { value }

    func transform(_ name: String) -> Any? {
        switch name {
        case "url": return Escape.url(value)
        case "code": return Escape.codeSpan(value)
        default: return value.transform(name)
        }
    }
}

/// The context as swift-mustache reads it, with every string a `TemplateString`: structs and
/// classes become dictionaries of their stored properties, arrays and dictionaries keep their
/// shape, optionals are unwrapped (a nil property is absent), numbers and Booleans stay.
enum TemplateValue {
    static func wrap(_ value: Any) -> Any? {
        switch value {
        case let s as String: return TemplateString(value: s)
        case let s as Substring: return TemplateString(value: String(s))
        case is Bool, is Int, is Int32, is Int64, is UInt, is UInt32, is UInt64, is Double, is Float: return value
        case let d as [String: Any]: return d.compactMapValues(wrap)
        default: break
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.flatMap { wrap($0.value) }
        case .collection, .set:
            return mirror.children.compactMap { wrap($0.value) }
        case .struct, .class:
            var d: [String: Any] = [:]
            for child in mirror.children {
                if let label = child.label, let v = wrap(child.value) { d[label] = v }
            }
            return d
        default:
            // Enums and other values render as they describe themselves; as text, escaped.
            return TemplateString(value: String(describing: value))
        }
    }
}
