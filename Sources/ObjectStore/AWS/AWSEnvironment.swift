import Foundation

/// What the standard AWS environment variables say about regions and endpoints. An empty
/// variable counts as unset, as in the AWS SDKs.
enum AWSEnvironment {
    /// The value of `name`, or nil when it is unset or empty.
    static func value(_ name: String, in environment: [String: String]) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`.
    static func region(in environment: [String: String]) -> String {
        value("AWS_REGION", in: environment) ?? value("AWS_DEFAULT_REGION", in: environment) ?? AWSDefaults.region
    }

    /// A custom endpoint for `service`: `AWS_ENDPOINT_URL_<SERVICE>` (`AWS_ENDPOINT_URL_S3`), else
    /// `AWS_ENDPOINT_URL`, without a trailing slash; nil when neither is set.
    static func customEndpoint(service: String, in environment: [String: String]) -> (url: String, variable: String)? {
        for variable in ["AWS_ENDPOINT_URL_\(service.uppercased())", "AWS_ENDPOINT_URL"] {
            if var url = value(variable, in: environment) {
                while url.hasSuffix("/") { url.removeLast() }
                return (url, variable)
            }
        }
        return nil
    }

    /// The DNS suffix of `region`'s partition: `amazonaws.com`, or `amazonaws.com.cn` in China.
    static func dnsSuffix(region: String) -> String {
        region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
    }
}

/// The scheme, host, port and path of an endpoint URL, split for building and signing requests.
struct AWSEndpointURL: Sendable, Equatable {
    /// `http` or `https`.
    let scheme: String
    /// The `Host` header's value: the host (an IPv6 address in brackets), with `:port` when one is given.
    let hostHeader: String
    /// A path prefix to put before the request's path, without a trailing slash (usually empty).
    let basePath: String

    /// Parses `url`; `variable` names where it came from in the error.
    /// - Throws: ``ObjectStoreError`` (`.invalidURI`) unless `url` is an `http(s)://HOST[:PORT][/PATH]` URL.
    init(_ url: String, variable: String) throws(ObjectStoreError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.query == nil
        else {
            throw ObjectStoreError(.invalidURI, "\(variable) '\(url)': expected http(s)://HOST[:PORT][/PATH]")
        }
        self.scheme = scheme
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        hostHeader = bracketed + (components.port.map { ":\($0)" } ?? "")
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
    }

    /// `scheme://host[:port]basePath` followed by `path` (which starts with `/`).
    func url(path: String) -> String { "\(scheme)://\(hostHeader)\(basePath)\(path)" }
}
