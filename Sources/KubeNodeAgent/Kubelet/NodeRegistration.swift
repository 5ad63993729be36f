import Foundation
import Glibc
import KubeAPI

/// The kubelet's registration: the Node object (`kubectl get nodes` shows it Ready), with the
/// machine's capacity, the pod network and the host's address on it.
enum NodeRegistration {
    static let nodes = ResourceDescriptor(group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false)

    /// Creates the Node, or brings an existing one's status up to date.
    static func register(_ context: KubeletContext) {
        let name = context.configuration.nodeName
        let now = JSONValue.string(Timestamp.rfc3339(Date()))
        let capacity: JSONValue = [
            "cpu": .string("\(ProcessInfo.processInfo.activeProcessorCount)"),
            "memory": .string("\(ProcessInfo.processInfo.physicalMemory / 1024)Ki"), "pods": "110",
        ]
        var uts = utsname()
        uname(&uts)
        let kernel = withUnsafeBytes(of: uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let osImage = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? "Linux"
        let status: JSONValue = [
            "capacity": capacity, "allocatable": capacity,
            "conditions": [[
                "type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                "lastHeartbeatTime": now, "lastTransitionTime": now,
            ]],
            "addresses": [["type": "InternalIP", "address": .string("\(context.network.hostAddress)")], ["type": "Hostname", "address": .string(name)]],
            "nodeInfo": [
                "kubeletVersion": "v1.32.0", "kubeProxyVersion": "v1.32.0", "operatingSystem": "linux", "architecture": "amd64",
                "osImage": .string(osImage), "kernelVersion": .string(kernel), "containerRuntimeVersion": "kube-emulator://run-pods",
                "machineID": "", "systemUUID": "", "bootID": "",
            ],
        ]
        let lease: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(name), "namespace": "kube-node-lease"],
            "spec": ["holderIdentity": .string(name), "leaseDurationSeconds": 40,
                     "renewTime": .string(Timestamp.rfc3339Micro(Date()))],
        ]
        _ = try? context.cluster.create(.leases, lease)
        if var existing = context.cluster.get(nodes, namespace: "", name: name) {
            existing["status"] = status
            _ = try? context.cluster.updateStatus(nodes, existing)
            return
        }
        let node: JSONValue = [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": [
                "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
            ]],
            "spec": ["podCIDR": .string("\(context.network.podSubnet)"), "podCIDRs": [.string("\(context.network.podSubnet)")]],
            "status": status,
        ]
        _ = try? context.cluster.create(nodes, node)
    }
}
