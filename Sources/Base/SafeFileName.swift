/// Names that come from data (speakers, labels, corpus names, texts) as parts of file names.
/// Data is never a path: a speaker called `../../tmp/x` or `<script>` must not choose where a
/// file goes. A safe part uses a fixed alphabet (ASCII letters, digits, `-`, `_`, `.`, not first
/// a `.` or `-`) and at most `maxLength` characters; a name that already is one is kept as it
/// is (so `OAF`, `angry` and the default run's file names do not change); any other gets its
/// characters outside the alphabet replaced by `_`, is cut to fit, and ends in `-` and 8 hex
/// digits of its SHA-256, so two names that map alike still differ. The original stays what the
/// report shows.
public enum SafeFileName {
    /// The longest part made (before the hash suffix is counted: the suffix fits inside).
    public static let maxLength = 48

    /// Whether `name` is kept as it is (at most `maxLength` bytes, by default this type's).
    public static func isSafe(_ name: String, maxLength: Int = SafeFileName.maxLength) -> Bool {
        guard !name.isEmpty, name.utf8.count <= maxLength, let first = name.utf8.first,
              first != UInt8(ascii: "."), first != UInt8(ascii: "-") else { return false }
        return name.utf8.allSatisfy(allowed)
    }

    /// `name` as one safe file-name part (see the type's description).
    public static func part(_ name: String) -> String {
        if isSafe(name) { return name }
        var mapped = String(decoding: name.utf8.map { allowed($0) ? $0 : UInt8(ascii: "_") }, as: UTF8.self)
        if mapped.isEmpty { mapped = "x" }
        while mapped.hasPrefix(".") || mapped.hasPrefix("-") { mapped = "_" + mapped.dropFirst() }
        let suffix = "-" + String(SHA256.hex(of: Array(name.utf8)).prefix(8))
        mapped = String(mapped.prefix(maxLength - suffix.count))
        return mapped + suffix
    }

    /// `parts` made safe and joined by `separator` (a character of the alphabet).
    public static func join(_ parts: [String], separator: String = "_") -> String {
        parts.map(part).joined(separator: separator)
    }

    private static func allowed(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
            || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
    }
}

/// Safe file names unique within one folder: `name(for:)` gives each distinct key (a list of
/// data-derived parts) its own name, even when two keys join to the same text (`a_b` + `c` and
/// `a` + `b_c`): the second gets a hash of its key appended.
public struct SafeFileNames: Sendable {
    private var owner: [String: [String]] = [:]

    public init() {}

    /// The name for `parts` (the same parts, the same name).
    public mutating func name(for parts: [String], separator: String = "_") -> String {
        let base = SafeFileName.join(parts, separator: separator)
        if let key = owner[base], key != parts {
            let alternative = base + "-" + String(SHA256.hex(of: Array(parts.joined(separator: "\u{0}").utf8)).prefix(8))
            owner[alternative] = parts
            return alternative
        }
        owner[base] = parts
        return base
    }
}

extension SHA256 {
    /// The hex digest of `bytes`.
    public static func hex(of bytes: [UInt8]) -> String {
        var h = SHA256()
        h.update(bytes)
        return h.hex
    }
}
