/// The JSON header of a safetensors file: for each tensor name, its element type, shape and byte
/// range within the data section. The optional `__metadata__` entry is skipped.
struct SafeTensorsHeader: Decodable {
    /// One tensor's entry as written in the header.
    struct Entry: Decodable {
        /// The element type, such as `F32` or `I64`.
        let dtype: String
        /// The size of each dimension.
        let shape: [Int]
        /// Begin and end byte offsets, relative to the start of the data section.
        let dataOffsets: [Int]

        private enum CodingKeys: String, CodingKey {
            case dtype
            case shape
            case dataOffsets = "data_offsets"
        }
    }

    /// Tensors by name.
    let entries: [String: Entry]

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var entries: [String: Entry] = [:]
        for key in container.allKeys where key.stringValue != "__metadata__" {
            entries[key.stringValue] = try container.decode(Entry.self, forKey: key)
        }
        self.entries = entries
    }

    /// The size in bytes of one element of `dtype`, or nil for a type the format does not define.
    static func elementSize(of dtype: String) -> Int? {
        switch dtype {
        case "F64", "I64", "U64": 8
        case "F32", "I32", "U32": 4
        case "F16", "BF16", "I16", "U16": 2
        case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2": 1
        default: nil
        }
    }
}
