import KubeAPI

/// One entry of a Service's `status.loadBalancer.ingress`: the address the cloud assigned.
public struct LoadBalancerIngress: Sendable, Hashable {
    /// A DNS name (AWS load balancers).
    public var hostname: String?
    /// An IP address (GCP load balancers).
    public var ip: String?

    /// An ingress point.
    public init(hostname: String? = nil, ip: String? = nil) {
        self.hostname = hostname
        self.ip = ip
    }

    /// The ingress points of `service`; empty while the cloud has assigned none (or never
    /// will: an emulator, a `ClusterIP` Service).
    public static func of(_ service: Service) -> [LoadBalancerIngress] {
        let entries = service.status?.loadBalancer?["ingress"]?.arrayValue ?? []
        return entries.compactMap { entry in
            let ingress = LoadBalancerIngress(hostname: entry["hostname"]?.stringValue, ip: entry["ip"]?.stringValue)
            return ingress.address == nil ? nil : ingress
        }
    }

    /// `hostname`, else `ip`; nil when neither is set or both are empty.
    public var address: String? {
        [hostname, ip].compactMap { $0 }.first { !$0.isEmpty }
    }
}
