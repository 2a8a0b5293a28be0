/// Character classes of the HTTP grammar, on bytes (RFC 9110 §5.6.2, RFC 9112 §2.2).
enum ByteClass {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    private static let tcharTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for byte in "!#$%&'*+-.^_`|~".utf8 { table[Int(byte)] = true }
        return table
    }()

    private static let hostTable: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:[]%".utf8 {
            table[Int(byte)] = true
        }
        return table
    }()

    /// A byte allowed in a Host value: `uri-host [ ":" port ]` with IP literals (RFC 9110 §7.2, RFC 3986 §3.2.2).
    @inline(__always)
    static func isHostByte(_ byte: UInt8) -> Bool { hostTable[Int(byte)] }

    /// `tchar`: a byte allowed in a token (method, header name, transfer coding).
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool { tcharTable[Int(byte)] }

    /// A byte allowed inside a field value: VCHAR, obs-text, SP or HTAB; never NUL, CR, LF or other
    /// controls (RFC 9110 §5.5).
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    /// A visible ASCII byte, allowed in a request-target.
    @inline(__always)
    static func isVisibleASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// Whether every byte is a token byte and there is at least one.
    static func isToken<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
    }
}
