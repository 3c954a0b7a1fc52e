import Base
import Foundation

/// Fuzz of the multipart reader (to be written).
enum MultipartFuzz {
    static let target = FuzzTarget(name: "multipart") { _, _, _, _ in }
}
