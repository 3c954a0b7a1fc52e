import Base
import Foundation

/// Fuzz of the manifest reader (to be written).
enum ManifestFuzz {
    static let target = FuzzTarget(name: "manifest") { _, _, _, _ in }
}
