import Foundation
import Mustache

/// A chapter's prose with `{{placeholders}}`, rendered with swift-mustache. Values are
/// inserted verbatim (`{{{triple}}}` or `{{double}}` alike): the output is Markdown, not HTML,
/// so HTML escaping would only corrupt tables and links.
public struct TemplateError: Error, CustomStringConvertible {
    public let name: String
    public let reason: String
    public var description: String { "template \(name): \(reason)" }
    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }
}

/// `context` is any value: a struct's stored properties are the template's keys (swift-mustache
/// reads them through Mirror), so a chapter renders its section from a typed value.
public func renderTemplate(_ text: String, named name: String, context: Any) throws -> String {
    let template: MustacheTemplate
    do {
        // Markdown is the content type: switch off HTML escaping for the whole template.
        template = try MustacheTemplate(string: "{{%CONTENT_TYPE:TEXT}}" + text)
    } catch {
        throw TemplateError(name: name, reason: "\(error)")
    }
    return template.render(context)
}

/// `renderTemplate` with a dictionary context (keys as written in the template).
public func renderTemplate(_ text: String, named name: String, context: [String: Any]) throws -> String {
    try renderTemplate(text, named: name, context: context as Any)
}
