import Crypto
import Foundation

/// How a delivery is signed: `X-Engram-Signature: sha256=<hex>`, the HMAC-SHA256 keyed with the
/// webhook's secret (its UTF-8 bytes) of `<X-Engram-Timestamp>.<body>`. Signing the timestamp with
/// the body lets a receiver refuse replays of an old delivery (docs/webhooks.md).
public enum WebhookSignature {
    /// The header names.
    public static let signatureHeader = "X-Engram-Signature"
    public static let timestampHeader = "X-Engram-Timestamp"
    public static let eventHeader = "X-Engram-Event"
    public static let deliveryHeader = "X-Engram-Delivery"

    /// `sha256=<lowercase hex>` for `body` sent at `timestamp` (Unix seconds).
    public static func signature(secret: String, timestamp: Int, body: Data) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// A new secret: `whsec_` and 32 random bytes in hex.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "whsec_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// The headers of one attempt of `delivery` at `now`.
    public static func headers(for delivery: WebhookDelivery, secret: String, now: Date) -> [WebhookHeader] {
        let timestamp = Int(now.timeIntervalSince1970.rounded(.down))
        return [
            WebhookHeader("Content-Type", "application/json"),
            WebhookHeader("User-Agent", "Engram-Webhooks/1"),
            WebhookHeader(eventHeader, delivery.eventType.rawValue),
            WebhookHeader(deliveryHeader, delivery.id),
            WebhookHeader(timestampHeader, String(timestamp)),
            WebhookHeader(signatureHeader, signature(secret: secret, timestamp: timestamp, body: Data(delivery.body.utf8))),
        ]
    }
}
