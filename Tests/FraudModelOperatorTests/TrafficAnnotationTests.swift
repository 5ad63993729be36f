import Foundation
import FraudModelAPI
import FraudModelOperator
@testable import FraudModelPlanning
import KubeAPI
import Testing

/// The rendered Service annotations against the keys ExternalDNS, the AWS Load Balancer
/// Controller and GKE document; prefixes, overrides, and the plan without `spec.traffic`.
@Suite struct TrafficAnnotationTests {
    typealias F = TrafficFixtures

    /// ExternalDNS's documented Route 53 keys (docs/tutorials/aws.md, "Routing policies" and
    /// "Associating DNS records with healthchecks"; docs/annotations/annotations.md), without
    /// prefix. Its source maps `<prefix>aws-<name>` to the provider property `aws/<name>`.
    static let documentedExternalDNSKeys: Set<String> = [
        "hostname", "set-identifier", "ttl", "alias", "target",
        "aws-weight", "aws-region", "aws-failover", "aws-health-check-id", "aws-multi-value-answer",
        "aws-geolocation-continent-code", "aws-geolocation-country-code", "aws-geolocation-subdivision-code",
    ]
    /// The AWS Load Balancer Controller's documented Service annotations for an NLB, and
    /// GKE's for a backend service-based external passthrough Network Load Balancer and for an
    /// internal passthrough Network Load Balancer.
    static let documentedLoadBalancerKeys: [String: Set<String>] = [
        "aws": [
            "service.beta.kubernetes.io/aws-load-balancer-type", "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type",
            "service.beta.kubernetes.io/aws-load-balancer-scheme",
        ],
        "gcp": ["cloud.google.com/l4-rbs", "networking.gke.io/load-balancer-type"],
    ]

    @Test func prefixesAreTheOnesExternalDNSDocuments() {
        #expect(ExternalDNSAnnotations.currentPrefix == "external-dns.kubernetes.io/")
        #expect(ExternalDNSAnnotations.legacyPrefix == "external-dns.alpha.kubernetes.io/")
        #expect(F.current.prefix == ExternalDNSAnnotations.currentPrefix)
        let keys = F.current
        let named = [keys.hostname, keys.setIdentifier, keys.awsWeight, keys.awsFailover, keys.awsRegion, keys.awsHealthCheckID]
        #expect(Set(named.map { String($0.dropFirst(keys.prefix.count)) }).isSubset(of: Self.documentedExternalDNSKeys))
    }

    @Test func everyRenderedKeyIsDocumented() {
        let policies = [
            TrafficSpec(hostname: F.host, policy: .weighted), TrafficSpec(hostname: F.host, policy: .failover, primary: "eks"),
            TrafficSpec(hostname: F.host, policy: .latency), TrafficSpec(hostname: F.host, exposure: .internet),
        ]
        for traffic in policies {
            for clusters in [[F.eks, F.gke], [F.eks.degraded(), F.gke], [F.eks.degraded(), F.gke.unreachable()]] {
                let plan = F.plan(traffic, clusters)
                for cluster in clusters {
                    for key in plan.annotations(cluster.name).keys {
                        if key.hasPrefix(ExternalDNSAnnotations.currentPrefix) {
                            #expect(Self.documentedExternalDNSKeys.contains(String(key.dropFirst(ExternalDNSAnnotations.currentPrefix.count))), "\(key)")
                        } else {
                            #expect(Self.documentedLoadBalancerKeys[cluster.provider]?.contains(key) == true, "\(key)")
                        }
                    }
                }
            }
        }
    }

    @Test func eachProviderGetsAnInternalLoadBalancerByDefault() {
        let plan = F.plan(TrafficSpec(hostname: F.host), [F.eks, F.gke, TrafficClusterObservation(name: "kind", servingVersion: "1", readyReplicas: 1)])
        #expect(plan.service(for: "eks")?.type == .loadBalancer)
        #expect(plan.annotations("eks").filter { !$0.key.hasPrefix("external-dns") } == [
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        ])
        #expect(plan.annotations("gke").filter { !$0.key.hasPrefix("external-dns") } == ["networking.gke.io/load-balancer-type": "Internal"])
        #expect(plan.annotations("kind").filter { !$0.key.hasPrefix("external-dns") } == [:])
        #expect(plan.externalDNS("kind")["aws-weight"] == "1")
        #expect(plan.service(for: "eks")?.loadBalancerSourceRanges == [])
    }

    @Test func internetExposureAsksForInternetFacingLoadBalancersWithTheSourceRanges() {
        let traffic = TrafficSpec(hostname: F.host, exposure: .internet,
                                  service: TrafficServiceSpec(loadBalancerSourceRanges: ["203.0.113.0/24", "2001:db8::/32"]))
        let plan = F.plan(traffic, [F.eks, F.gke])
        #expect(plan.annotations("eks")["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing")
        #expect(plan.annotations("gke").filter { !$0.key.hasPrefix("external-dns") } == ["cloud.google.com/l4-rbs": "enabled"])
        #expect(plan.service(for: "gke")?.loadBalancerSourceRanges == ["203.0.113.0/24", "2001:db8::/32"])
        let clusterIP = F.plan(TrafficSpec(hostname: F.host, service: TrafficServiceSpec(type: .clusterIP, loadBalancerSourceRanges: ["10.0.0.0/8"])), [F.eks])
        #expect(clusterIP.service(for: "eks")?.loadBalancerSourceRanges == [], "only a LoadBalancer Service takes source ranges")
    }

    @Test func externalDNSKeysBeyondTheHostnamesNeverReachTheService() {
        let traffic = TrafficSpec(hostname: F.host, service: TrafficServiceSpec(annotations: [
            "external-dns.kubernetes.io/target": "evil.example.net", "external-dns.alpha.kubernetes.io/internal-hostname": "x.example.com",
            "external-dns.kubernetes.io/aws-health-check-id": "hc-1", "external-dns.kubernetes.io/ttl": "30", "team": "risk",
        ]))
        let annotations = F.plan(traffic, [F.eks]).annotations("eks")
        #expect(annotations["external-dns.kubernetes.io/target"] == nil)
        #expect(annotations["external-dns.alpha.kubernetes.io/internal-hostname"] == nil)
        #expect(annotations["external-dns.kubernetes.io/aws-health-check-id"] == "hc-1")
        #expect(annotations["external-dns.kubernetes.io/ttl"] == "30")
        #expect(annotations["team"] == "risk")
    }

    @Test func onlyLoadBalancerServicesGetLoadBalancerAnnotations() {
        for type in [TrafficServiceType.clusterIP, .nodePort] {
            let plan = F.plan(TrafficSpec(hostname: F.host, service: TrafficServiceSpec(type: type)), [F.eks, F.gke])
            #expect(plan.service(for: "eks")?.type == type)
            #expect(plan.annotations("eks") == [
                "external-dns.kubernetes.io/hostname": F.host, "external-dns.kubernetes.io/set-identifier": "eks",
                "external-dns.kubernetes.io/aws-weight": "1",
            ])
            #expect(plan.condition?.message.contains("load balancer address") == false)
        }
    }

    @Test func theLegacyPrefixIsUsedForEveryKeyWhenAsked() {
        let legacy = ExternalDNSAnnotations(prefix: ExternalDNSAnnotations.legacyPrefix)
        let plan = F.plan(TrafficSpec(hostname: F.host, policy: .failover, primary: "gke"), [F.eks, F.gke], externalDNS: legacy)
        #expect(plan.externalDNS("gke", prefix: ExternalDNSAnnotations.legacyPrefix) == [
            "hostname": F.host, "set-identifier": "gke", "aws-failover": "PRIMARY",
        ])
        #expect(plan.annotations("gke").keys.contains { $0.hasPrefix(ExternalDNSAnnotations.currentPrefix) } == false)
    }

    @Test func overridesWinOverProviderAnnotationsButNotOverRoutingKeys() {
        let overrides = [
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
            "cloud.google.com/l4-rbs": "disabled",
            "external-dns.kubernetes.io/aws-health-check-id": "abcd-1234",
            "external-dns.kubernetes.io/ttl": "30",
            "external-dns.kubernetes.io/aws-weight": "200",
            "external-dns.alpha.kubernetes.io/hostname": "other.example.com",
        ]
        let traffic = TrafficSpec(hostname: F.host, service: TrafficServiceSpec(annotations: overrides))
        let plan = F.plan(traffic, [F.eks.degraded(), F.gke])
        #expect(plan.annotations("eks")["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internal")
        #expect(plan.annotations("eks")["service.beta.kubernetes.io/aws-load-balancer-type"] == "external")
        #expect(plan.annotations("gke")["cloud.google.com/l4-rbs"] == "disabled")
        #expect(plan.externalDNS("eks")["aws-health-check-id"] == "abcd-1234")
        #expect(plan.externalDNS("gke")["ttl"] == "30")
        #expect(plan.externalDNS("eks")["aws-weight"] == "0", "a drained cluster stays drained")
        #expect(plan.annotations("eks")["external-dns.alpha.kubernetes.io/hostname"] == nil)
    }

    @Test func withoutTrafficEveryServiceIsAPlainClusterIP() {
        let plan = F.plan(nil, [F.eks, F.gke])
        #expect(plan.services == [
            ServiceTraffic(cluster: "eks", type: .clusterIP, annotations: [:]),
            ServiceTraffic(cluster: "gke", type: .clusterIP, annotations: [:]),
        ])
        #expect(plan.traffic == nil)
        #expect(plan.condition == nil)
        var status = F.status(of: F.plan(TrafficSpec(hostname: F.host), [F.eks, F.gke]))
        #expect(status.traffic?.count == 2)
        plan.apply(to: &status)
        #expect(status.traffic == nil)
        #expect(status.conditions?[type: FraudModelConditions.trafficReady] == nil)
    }

    @Test func applyWritesTrafficReadyAfterTheRolloutConditions() {
        let ready = Condition(type: FraudModelConditions.ready, status: .true, reason: "AllClustersReady", lastTransitionTime: "t")
        var status = FraudModelStatus(conditions: [ready])
        let plan = F.plan(TrafficSpec(hostname: F.host), [F.eks, F.gke])
        plan.apply(to: &status)
        plan.apply(to: &status)
        #expect(status.conditions?.map(\.type) == [FraudModelConditions.ready, FraudModelConditions.trafficReady])
        #expect(status.traffic == plan.traffic)
    }

    @Test func readinessNeverWaitsForALoadBalancerAddress() {
        var noAddress = F.gke
        noAddress.loadBalancerIngress = []
        let plan = F.plan(TrafficSpec(hostname: F.host), [F.eks, noAddress])
        #expect(plan.row("gke")?.endpoint == nil)
        #expect(plan.row("gke")?.state == .serving)
        #expect(plan.condition?.status == .true)
        #expect(plan.condition?.message.hasSuffix("; no load balancer address yet for gke") == true)
    }

    @Test func endpointsComeFromTheServiceStatus() throws {
        let json: JSONValue = [
            "metadata": ["name": "fraud-detector"],
            "status": ["loadBalancer": ["ingress": [["hostname": "a.elb.amazonaws.com"], ["ip": "10.0.0.1"], ["ipMode": "VIP"]]]],
        ]
        let service = try json.decode(as: Service.self)
        #expect(LoadBalancerIngress.of(service) == [LoadBalancerIngress(hostname: "a.elb.amazonaws.com"), LoadBalancerIngress(ip: "10.0.0.1")])
        #expect(LoadBalancerIngress.of(Service(metadata: ObjectMeta(name: "x"), spec: .init())) == [])
    }

    @Test func trafficReadyOnlyMovesItsTransitionTimeWhenItsStatusChanges() {
        let traffic = TrafficSpec(hostname: F.host)
        let first = F.plan(traffic, [F.eks, F.gke])
        let drained = F.plan(traffic, [F.eks.degraded(), F.gke], previous: F.status(of: first), now: F.later)
        #expect(drained.condition?.reason == "ClustersDrained")
        #expect(drained.condition?.lastTransitionTime == first.condition?.lastTransitionTime)
        let none = F.plan(traffic, [F.eks.degraded(), F.gke.degraded()], previous: F.status(of: drained), now: F.later)
        #expect(none.condition?.lastTransitionTime != first.condition?.lastTransitionTime)
    }
}
