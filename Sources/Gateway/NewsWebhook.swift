import Auth
import Dispatch
import Foundation
import HTTPClient
import Hub
import Logging

/// Posts the hub's webhook deliveries (the still-unread of important articles) to the school's messaging
/// platform, one at a time off the hub queue, signed so the receiver can trust them:
///
///     X-Yizhan-Event: news.unread
///     X-Yizhan-Delivery: <id, the same on every retry>
///     X-Yizhan-Timestamp: <unix seconds>
///     X-Yizhan-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
///
/// Any 2xx is success; anything else, or no answer within the timeout, is a failure the hub retries.
final class NewsWebhook: Sendable {
    let url: String
    let secret: [UInt8]
    let options: HTTPClientOptions
    let log: Logger
    private let queue = DispatchQueue(label: "yizhan.news-webhook")

    init(url: String, secret: String, caFile: String?, log: Logger) throws(ConfigurationError) {
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw ConfigurationError("news.webhook_url must be an http:// or https:// URL")
        }
        guard secret.utf8.count >= 16 else {
            throw ConfigurationError("news.webhook_secret must be set, at least 16 bytes, when news.webhook_url is")
        }
        self.url = url
        self.secret = Array(secret.utf8)
        var options = HTTPClientOptions()
        options.timeout = 15
        options.maxBodyBytes = 64 << 10
        options.maxRedirects = 0
        options.caFile = caFile
        self.options = options
        self.log = log
    }

    /// The signature header's value for `body` sent at `timestamp`.
    static func signature(secret: [UInt8], timestamp: Int64, body: [UInt8]) -> String {
        "sha256=" + HMACSHA256.hex(HMACSHA256.mac(key: secret, Array("\(timestamp).".utf8) + body))
    }

    var sender: WebhookSender {
        { [self] delivery, done in
            queue.async { [self] in
                let timestamp = Int64(Date().timeIntervalSince1970)
                let request = HTTPClientRequest(
                    method: "POST",
                    url: url,
                    headers: [
                        ("Content-Type", "application/json"),
                        ("X-Yizhan-Event", delivery.event),
                        ("X-Yizhan-Delivery", delivery.id),
                        ("X-Yizhan-Timestamp", String(timestamp)),
                        (
                            "X-Yizhan-Signature",
                            Self.signature(secret: secret, timestamp: timestamp, body: delivery.body)
                        ),
                    ],
                    body: delivery.body
                )
                do throws(HTTPClientError) {
                    let response = try HTTPClient.send(request, options: options)
                    if (200..<300).contains(response.status) { return done(nil) }
                    log.warning(
                        "webhook refused",
                        ("delivery", .string(delivery.id)),
                        ("status", .int(response.status))
                    )
                    done("HTTP \(response.status)")
                } catch {
                    log.warning(
                        "webhook failed",
                        ("delivery", .string(delivery.id)),
                        ("error", .string(error.description))
                    )
                    done(error.description)
                }
            }
        }
    }
}
