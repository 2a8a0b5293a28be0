/// Why a safetensors file, or a tensor in it, cannot be used.
public enum SafeTensorsError: Error, Equatable, Sendable {
    /// The file cannot be opened or mapped; `reason` is the system's message.
    case cannotOpen(path: String, reason: String)
    /// The file is shorter than its header says, or its header is not valid safetensors JSON.
    case invalidHeader(String)
    /// No tensor of that name is in the file.
    case missingTensor(String)
    /// The tensor is stored with another element type.
    case wrongElementType(tensor: String, expected: String, actual: String)
    /// The tensor has another shape.
    case wrongShape(tensor: String, expected: [Int], actual: [Int])
    /// The tensor's data does not start on a boundary of its element size.
    case misaligned(String)
}

extension SafeTensorsError: CustomStringConvertible {
    /// A one-line description for logs and start-up errors.
    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): "cannot open \(path): \(reason)"
        case let .invalidHeader(reason): "invalid safetensors header: \(reason)"
        case let .missingTensor(name): "tensor \(name) is missing"
        case let .wrongElementType(name, expected, actual): "tensor \(name) is \(actual), expected \(expected)"
        case let .wrongShape(name, expected, actual): "tensor \(name) has shape \(actual), expected \(expected)"
        case let .misaligned(name): "tensor \(name) is not aligned to its element size"
        }
    }
}
