import Base
import Foundation

/// Fuzz of the safetensors reader (to be written).
enum SafeTensorsFuzz {
    static let target = FuzzTarget(name: "safetensors") { _, _, _, _ in }
}
