import Foundation
import NIOHTTP1

extension ScriptedHTTPServer {
    /// One request as the script sees it, its body read to the end.
    public struct Request: Sendable {
        /// `GET`, `POST`, `PUT`, …
        public var method: String
        /// The request target, path and query, still percent-encoded (`/token?x=1`).
        public var uri: String
        public var headers: HTTPHeaders
        public var body: [UInt8]
        /// 1 for the first request this server received, 2 for the next, …
        public var number: Int

        /// The path without the query.
        public var path: Substring { uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }
        /// The first value of a header (names are case-insensitive), or nil.
        public func header(_ name: String) -> String? { headers.first(name: name) }
        /// The body decoded as UTF-8.
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
        /// An `application/x-www-form-urlencoded` body as a dictionary (the last value of a repeated field wins).
        public var formFields: [String: String] {
            var fields: [String: String] = [:]
            for pair in bodyText.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decode(_ s: Substring) -> String { s.replacing("+", with: " ").removingPercentEncoding ?? String(s) }
                fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
            }
            return fields
        }
    }

    /// A scripted answer.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// The `Content-Length` sent: nil sends the body's length; a larger one cuts the
        /// download short (the connection closes after `body`); `chunked` sends none.
        public var declaredLength: Int?
        /// Send the body with chunked transfer encoding, without a length.
        public var chunked: Bool
        /// Silence before the status line.
        public var delayBeforeHeaders: Duration
        /// The body goes out in pieces of this many bytes…
        public var chunkSize: Int
        /// …with this pause between them.
        public var delayBetweenChunks: Duration

        /// A reply; by default `200 OK`, an empty body with its length, sent at once in one piece.
        public init(
            status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = [], declaredLength: Int? = nil, chunked: Bool = false,
            delayBeforeHeaders: Duration = .zero, chunkSize: Int = 64 * 1024, delayBetweenChunks: Duration = .zero
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.declaredLength = declaredLength
            self.chunked = chunked
            self.delayBeforeHeaders = delayBeforeHeaders
            self.chunkSize = chunkSize
            self.delayBetweenChunks = delayBetweenChunks
        }

        /// A `text/plain` reply.
        public static func text(_ text: String, status: Int = 200) -> Reply {
            Reply(status: status, headers: [("Content-Type", "text/plain")], body: Array(text.utf8))
        }

        /// An `application/json` reply with `json` as the body (already serialized).
        public static func json(_ json: String, status: Int = 200) -> Reply {
            Reply(status: status, headers: [("Content-Type", "application/json")], body: Array(json.utf8))
        }
    }
}
