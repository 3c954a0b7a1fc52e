import Foundation
import NeuralNet

/// A model file that cannot be used for prediction: it names the file and says why. The same
/// error as a bad recipe (`FeatureRecipe.Invalid`), so that callers handle one type.
public typealias InvalidModelFile = FeatureRecipe.Invalid

/// The network's classes in output order: the codes the corpus's file names use (`ps`) and the
/// names people read (`pleasant surprise`). Training writes both into the model file; `study
/// predict` and the demo read them back, so no program needs its own table of names.
public struct ModelClasses: Codable, Sendable, Equatable {
    /// Class codes in the network's output order, e.g. `angry`, …, `ps`, `sad`.
    public var codes: [String]
    /// A display name per code, same order and count, e.g. `pleasant surprise` for `ps`.
    public var displayNames: [String]

    /// The key of the display names (a JSON array of strings) in a model file's metadata. The
    /// codes are stored under `ModelFile.classesKey`, comma-separated.
    public static let displayNamesKey = "class_display_names"

    /// `displayNames` default to the codes themselves. A code may not contain a comma (the
    /// model file stores the codes comma-separated) and `displayNames`, if given, must have one
    /// name per code; both are programming errors.
    public init(codes: [String], displayNames: [String]? = nil) {
        precondition(!codes.contains { $0.contains(",") }, "ModelClasses: a class code may not contain a comma: \(codes)")
        precondition(displayNames == nil || displayNames!.count == codes.count,
                     "ModelClasses: \(displayNames?.count ?? 0) display names for \(codes.count) codes")
        self.codes = codes
        self.displayNames = displayNames ?? codes
    }

    public var count: Int { codes.count }

    /// The display name of `code`; the code itself when it is not one of these classes.
    public func displayName(_ code: String) -> String {
        codes.firstIndex(of: code).map { displayNames[$0] } ?? code
    }

    /// The classes as model-file metadata: codes under `ModelFile.classesKey` (comma-separated),
    /// display names under `displayNamesKey` (JSON array).
    public func metadata() -> [String: String] {
        let json = (try? JSONEncoder().encode(displayNames)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return [ModelFile.classesKey: codes.joined(separator: ","), Self.displayNamesKey: json]
    }

    /// Reads the classes from a model file's metadata (`file` names it in errors). Files written
    /// before display names existed have codes only; their display names are the codes.
    public init(metadata: [String: String], file: String) throws {
        guard let codes = ModelFile.classNames(metadata), !codes.isEmpty, !codes.contains(where: \.isEmpty) else {
            throw InvalidModelFile(path: file, reason: "its metadata names no classes (no '\(ModelFile.classesKey)')")
        }
        guard codes.count >= 2 else {
            throw InvalidModelFile(path: file, reason: "its metadata names only one class ('\(codes[0])')")
        }
        guard Set(codes).count == codes.count else {
            throw InvalidModelFile(path: file, reason: "its classes repeat a name (\(codes.joined(separator: ",")))")
        }
        var names = codes
        if let json = metadata[Self.displayNamesKey] {
            guard let decoded = try? JSONDecoder().decode([String].self, from: Data(json.utf8)) else {
                throw InvalidModelFile(path: file, reason: "its '\(Self.displayNamesKey)' metadata is not a JSON array of strings")
            }
            guard decoded.count == codes.count else {
                throw InvalidModelFile(path: file, reason: "it has \(decoded.count) class display names for \(codes.count) classes")
            }
            names = decoded
        }
        self.init(codes: codes, displayNames: names)
    }
}
