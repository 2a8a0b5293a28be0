/// Splits a `text/event-stream` body into events as its bytes arrive, in pieces of any size (HTML
/// Living Standard §9.2.6, "Interpreting an event stream"). Pure: bytes in, events out.
///
/// Lines end in CRLF, LF or CR; `data` lines are joined with LF; a line starting with `:` is a comment;
/// a blank line dispatches the event (none when it had no data). `id` and `retry` are ignored.
struct EventStreamDecoder {
    /// One dispatched event.
    struct Event: Equatable {
        /// The `event` field; nil for the default `message`.
        var name: String?
        var data: String
    }

    /// The largest event accepted; a provider sending more in one event is broken or hostile.
    static let maxEventBytes = 4 * 1024 * 1024

    private var line: [UInt8] = []
    private var name: String?
    private var data: [String] = []
    private var pendingBytes = 0
    /// A CR ended the last line: an LF right after it belongs to the same line end.
    private var afterCR = false

    /// Whether an event grew past `maxEventBytes`; nothing more is decoded then.
    private(set) var overflowed = false

    /// The events completed by `bytes`.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes where !overflowed {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0D:
                afterCR = true
                endLine(into: &events)
            case 0x0A:
                endLine(into: &events)
            default:
                line.append(byte)
                pendingBytes += 1
                if pendingBytes > Self.maxEventBytes { overflowed = true }
            }
        }
        return events
    }

    private mutating func endLine(into events: inout [Event]) {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else {
            if !data.isEmpty { events.append(Event(name: name, data: data.joined(separator: "\n"))) }
            name = nil
            data = []
            pendingBytes = 0
            return
        }
        if line.first == 0x3A { return }
        let colon = line.firstIndex(of: 0x3A) ?? line.endIndex
        let field = String(decoding: line[..<colon], as: UTF8.self)
        var valueStart = colon < line.endIndex ? line.index(after: colon) : colon
        if valueStart < line.endIndex, line[valueStart] == 0x20 { valueStart = line.index(after: valueStart) }
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch field {
        case "data": data.append(value)
        case "event": name = value
        default: break
        }
    }
}
