import Foundation

/// The study's prose: one Markdown template per chapter in `study/chapters/`, filled by the
/// Study module with swift-mustache. Edit the text there; no Swift change is needed.
public enum StudyText {
    /// The template for `chapter` (e.g. "01-load"), or nil when there is none.
    public static func template(_ chapter: String) -> String? {
        guard let url = Bundle.module.url(forResource: chapter, withExtension: "md", subdirectory: "chapters") else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }
}
