import KubeAPI

extension TrafficSpec: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "The DNS name clients reach the model through, answered by every target cluster's Service via ExternalDNS and Route 53. Traffic follows health: a cluster that is Degraded (stuck on a failed or stalled version; one rolled back to the last good version serves again), unreachable from the operator or (with drainDuringRollout) rolling out is drained, and gets its traffic back once healthy; when no cluster is healthy the last configuration is kept and the TrafficReady condition says so. ExternalDNS does not create Route 53 health checks: annotate each cluster's Service with external-dns.kubernetes.io/aws-health-check-id to attach one. Absent: each cluster gets a plain ClusterIP Service.",
            required: ["hostname"],
            properties: [
                "hostname": SchemaNode.string(
                    "The DNS name clients use, e.g. fraud.api.example.com.",
                    pattern: V.hostnamePattern, maxLength: D.maximumHostnameLength),
                "policy": SchemaNode.string(
                    "How Route 53 chooses among the clusters: Failover sends everything to primary while it is healthy (one PRIMARY and one SECONDARY record, so two clusters); Latency sends each client to the nearest cluster by its configured AWS region; Weighted splits by weights. Defaults to \(D.trafficPolicy.rawValue).",
                    enum: TrafficPolicy.allCases.map(\.rawValue), default: D.trafficPolicy.rawValue),
                "primary": SchemaNode.string(
                    "With Failover (required then): the cluster that takes all traffic while healthy. A member cluster's name (a DNS label).",
                    pattern: V.dnsLabelPattern, maxLength: 63),
                "weights": SchemaNode.map(
                    "With Weighted: cluster name to Route 53 weight, e.g. {eks: 50, gke: 50}. Clusters not listed get \(D.unlistedClusterWeight).",
                    values: SchemaNode.integer(
                        "A weight, 0 to 255.", minimum: D.weightRange.lowerBound, maximum: D.weightRange.upperBound)),
                "exposure": SchemaNode.string(
                    "Who can reach the load balancers: Internal (EKS: an internal NLB; GKE: an internal passthrough Network Load Balancer), reachable from the cluster's network and what is peered or connected to it; or Internet (EKS: an internet-facing NLB; GKE: an external passthrough Network Load Balancer), to be narrowed with service.loadBalancerSourceRanges. Neither terminates TLS: see the README for TLS per cloud. Defaults to \(D.trafficExposure.rawValue).",
                    enum: TrafficExposure.allCases.map(\.rawValue), default: D.trafficExposure.rawValue),
                "service": TrafficServiceSpec.openAPISchema,
                "drainDuringRollout": SchemaNode.boolean(
                    "Whether a cluster is drained between starting a new version and serving it with every replica ready. Defaults to \(D.drainDuringRollout).",
                    default: D.drainDuringRollout),
            ])
    }
}

extension TrafficServiceSpec: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "The Service each cluster exposes the model with.",
            properties: [
                "type": SchemaNode.string(
                    "The Service type. LoadBalancer gets the provider's load balancer annotations for the exposure (EKS: an NLB of the AWS Load Balancer Controller; GKE: a passthrough Network Load Balancer). Defaults to \(D.trafficServiceType.rawValue).",
                    enum: TrafficServiceType.allCases.map(\.rawValue), default: D.trafficServiceType.rawValue),
                "annotations": SchemaNode.map(
                    "Annotations added to every cluster's Service; they win over the provider's load balancer annotations. The ExternalDNS hostname, set-identifier, aws-weight, aws-failover and aws-region keys are set by the operator; of the other ExternalDNS keys only aws-health-check-id and ttl are accepted (target, alias and the like would publish records beyond spec.traffic.hostname).",
                    values: SchemaNode.string("An annotation value.")),
                "loadBalancerSourceRanges": SchemaNode.array(
                    "The client CIDRs a LoadBalancer Service accepts, e.g. [\"203.0.113.0/24\"]; empty accepts every address the exposure allows.",
                    items: SchemaNode.string("A CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32."), set: true, maxItems: 64),
            ],
            default: .emptyObject)
    }
}

extension ClusterTrafficStatus: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "One target cluster's traffic: where its Service answers and the routing in effect.",
            required: ["name"],
            properties: [
                "name": SchemaNode.string("The member cluster's name, also its ExternalDNS set-identifier."),
                "endpoint": SchemaNode.string(
                    "The Service's load balancer hostname or IP, once the cloud reports one."),
                "weight": SchemaNode.integer("The Route 53 weight in effect (Weighted)."),
                "role": SchemaNode.string(
                    "The failover role in effect (Failover).", enum: FailoverRole.allCases.map(\.rawValue)),
                "region": SchemaNode.string("The AWS region of its latency record (Latency)."),
                "state": SchemaNode.string(
                    "Serving takes traffic; Standby is healthy but takes none; Drained is unhealthy and takes none; Held is unhealthy but keeps its last configuration because no cluster is healthy.",
                    enum: TrafficState.allCases.map(\.rawValue)),
                "reason": SchemaNode.string(
                    "Why, CamelCase: Healthy, Standby, Degraded, Unreachable, RollingOut, NotServing or NoRegion."),
                "message": SchemaNode.string("The detail of reason."),
            ])
    }
}
