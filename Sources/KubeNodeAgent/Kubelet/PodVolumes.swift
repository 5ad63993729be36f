import Foundation
import Glibc
import KubeAPI

/// A directory or file on this machine that appears at a path inside a container.
struct ContainerMount: Sendable, Equatable {
    var source: String
    var target: String
    var readOnly: Bool
    var isDirectory: Bool
}

/// Materialises a pod's volumes under its directory, as the kubelet's volume plugins do:
/// emptyDir, configMap, secret, downwardAPI, projected (service-account token, configMap,
/// secret, downwardAPI) and hostPath; plus the service-account token volume the admission
/// controller would add.
struct PodVolumes {
    let pod: JSONValue
    let directory: String
    let cluster: any ClusterAccess

    var namespace: String { pod[path: ["metadata", "namespace"]]?.stringValue ?? "default" }
    var podName: String { pod[path: ["metadata", "name"]]?.stringValue ?? "" }
    var podUID: String { pod[path: ["metadata", "uid"]]?.stringValue ?? "" }

    /// The name of the service-account volume added when the pod mounts none of its own.
    static let serviceAccountVolume = "kube-api-access"

    /// Writes every volume; returns each volume's host path by name. A token's expiry is
    /// returned so the caller can refresh it.
    func materialize() throws(ContainerConfigError) -> (paths: [String: String], tokenExpiry: Date?) {
        var paths: [String: String] = [:]
        var expiry: Date?
        for volume in pod[path: ["spec", "volumes"]]?.arrayValue ?? [] {
            guard let name = volume["name"]?.stringValue else { continue }
            guard PodNames.isDNSLabel(name) else {
                throw ContainerConfigError(description: "volume name \"\(name)\" is not a DNS label (lowercase letters, digits and '-', at most 63)")
            }
            if let hostPath = volume[path: ["hostPath", "path"]]?.stringValue {
                paths[name] = hostPath
                continue
            }
            let path = "\(directory)/volumes/\(name)"
            try makeDirectory(path)
            if volume["emptyDir"] != nil {
                // World-writable, as the kubelet makes it: a non-root container can write its scratch space.
                guard chmod(path, 0o777) == 0 else {
                    throw ContainerConfigError(description: "volume \"\(name)\": cannot make the emptyDir writable: \(String(cString: strerror(errno)))")
                }
            } else if let source = volume["configMap"] {
                try writeFiles(configMapFiles(source), into: path, mode: source["defaultMode"]?.intValue)
            } else if let source = volume["secret"] {
                try writeFiles(secretFiles(source, nameKey: "secretName"), into: path, mode: source["defaultMode"]?.intValue)
            } else if let source = volume["downwardAPI"] {
                try writeFiles(downwardFiles(source), into: path, mode: source["defaultMode"]?.intValue)
            } else if let projected = volume["projected"] {
                var files: [(String, [UInt8])] = []
                for source in projected["sources"]?.arrayValue ?? [] {
                    if let token = source["serviceAccountToken"] {
                        let issued = try issueToken(audience: token["audience"]?.stringValue,
                                                    seconds: Int(token["expirationSeconds"]?.intValue ?? Int64(NodeAgentConfiguration.Defaults.tokenExpirationSeconds)))
                        files.append((token["path"]?.stringValue ?? "token", Array(issued.token.utf8)))
                        expiry = min(expiry ?? issued.expiration, issued.expiration)
                    } else if let map = source["configMap"] {
                        files += try configMapFiles(map)
                    } else if let secret = source["secret"] {
                        files += try secretFiles(secret, nameKey: "name")
                    } else if let downward = source["downwardAPI"] {
                        files += try downwardFiles(downward)
                    }
                }
                try writeFiles(files, into: path, mode: projected["defaultMode"]?.intValue)
            } else {
                let kind = volume.objectValue?.keys.first { $0 != "name" } ?? "unknown"
                throw ContainerConfigError(description: "volume \"\(name)\": the \(kind) volume type is not supported by kube-emulator --run-pods")
            }
            if let fsGroup {
                try Self.applyOwnership(path, group: fsGroup, readOnly: volume["emptyDir"] == nil)
            }
            paths[name] = path
        }
        if needsServiceAccountToken {
            let path = "\(directory)/volumes/\(Self.serviceAccountVolume)"
            try makeDirectory(path)
            let issued = try issueToken(audience: nil, seconds: NodeAgentConfiguration.Defaults.tokenExpirationSeconds)
            let ca = cluster.inClusterEndpoint?.certificateAuthorityPEM ?? ""
            try writeFiles([("token", Array(issued.token.utf8)), ("ca.crt", Array(ca.utf8)), ("namespace", Array(namespace.utf8))],
                           into: path, mode: 0o644)
            paths[Self.serviceAccountVolume] = path
            expiry = min(expiry ?? issued.expiration, issued.expiration)
        }
        return (paths, expiry)
    }

    /// `spec.securityContext.fsGroup`: the group that owns the pod's volumes.
    var fsGroup: gid_t? {
        pod[path: ["spec", "securityContext", "fsGroup"]]?.intValue.flatMap { gid_t(exactly: $0) }
    }

    /// What the kubelet's SetVolumeOwnership does with an fsGroup: every file and directory of
    /// the volume gets that group, and the group may read it (and write it, unless `readOnly`:
    /// configMap, secret, downwardAPI and projected volumes); directories also get setgid and
    /// search, so files created later inherit the group.
    static func applyOwnership(_ root: String, group: gid_t, readOnly: Bool) throws(ContainerConfigError) {
        let mask: mode_t = readOnly ? 0o440 : 0o660
        var paths = [root]
        if let enumerator = FileManager.default.enumerator(atPath: root) {
            while let relative = enumerator.nextObject() as? String { paths.append("\(root)/\(relative)") }
        }
        for path in paths {
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFLNK else { continue }
            let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            let mode = (info.st_mode & 0o7777) | mask | (isDirectory ? (S_ISGID | 0o110) : 0)
            guard chown(path, uid_t.max, group) == 0, chmod(path, mode) == 0 else {
                throw ContainerConfigError(description: "cannot give \(path) to fsGroup \(group): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Whether the kubelet adds the token volume: automount is on (pod, then service account)
    /// and no container mounts something at the token path.
    var needsServiceAccountToken: Bool {
        if let automount = pod[path: ["spec", "automountServiceAccountToken"]]?.boolValue { return automount && !mountsTokenPath }
        let account = pod[path: ["spec", "serviceAccountName"]]?.stringValue ?? "default"
        if let sa = cluster.get(.serviceAccounts, namespace: namespace, name: account),
           sa["automountServiceAccountToken"]?.boolValue == false { return false }
        return !mountsTokenPath
    }

    private var mountsTokenPath: Bool {
        (pod[path: ["spec", "containers"]]?.arrayValue ?? []).contains { container in
            (container["volumeMounts"]?.arrayValue ?? []).contains {
                $0["mountPath"]?.stringValue == NodeAgentConfiguration.Defaults.serviceAccountMountPath
            }
        }
    }

    /// The mounts of one container: its volumeMounts, and the token volume when added.
    func mounts(for container: JSONValue, paths: [String: String]) throws(ContainerConfigError) -> [ContainerMount] {
        var mounts: [ContainerMount] = []
        for mount in container["volumeMounts"]?.arrayValue ?? [] {
            let name = mount["name"]?.stringValue ?? ""
            guard var source = paths[name], let target = mount["mountPath"]?.stringValue else {
                throw ContainerConfigError(description: "cannot find volume \"\(name)\" to mount into container \"\(container["name"]?.stringValue ?? "")\"")
            }
            guard target.hasPrefix("/"), !target.split(separator: "/").contains(".."),
                  !["proc", "sys", "dev"].contains(target.split(separator: "/").first.map(String.init) ?? "") else {
                throw ContainerConfigError(description: "volumeMounts \"\(name)\": mountPath \(target) must be absolute, without .., and not under /proc, /sys or /dev")
            }
            if let subPath = mount["subPath"]?.stringValue, !subPath.isEmpty {
                source = try Self.subPath(subPath, in: source, volume: name)
            }
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory)
            mounts.append(ContainerMount(source: source, target: target, readOnly: mount["readOnly"]?.boolValue == true,
                                         isDirectory: isDirectory.boolValue))
        }
        if let token = paths[Self.serviceAccountVolume] {
            mounts.append(ContainerMount(source: token, target: NodeAgentConfiguration.Defaults.serviceAccountMountPath, readOnly: true, isDirectory: true))
        }
        return mounts
    }

    /// `subPath` inside a volume: relative, without `..`, no symbolic link leading out of the
    /// volume (the kubelet's CVE-2017-1002101 check); created as a directory when missing.
    static func subPath(_ subPath: String, in volume: String, volume name: String) throws(ContainerConfigError) -> String {
        guard !subPath.hasPrefix("/"), !subPath.split(separator: "/").contains("..") else {
            throw ContainerConfigError(description: "volume \"\(name)\": subPath \(subPath) must be a relative path without ..")
        }
        let path = volume + "/" + subPath
        if !FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        let base = URL(fileURLWithPath: volume).resolvingSymlinksInPath().path
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard resolved == base || resolved.hasPrefix(base + "/") else {
            throw ContainerConfigError(description: "volume \"\(name)\": subPath \(subPath) leads out of the volume")
        }
        return resolved
    }

    /// Writes a fresh token into the added service-account volume (the kubelet's refresh).
    func refreshToken(in paths: [String: String]) throws(ContainerConfigError) -> Date? {
        guard let path = paths[Self.serviceAccountVolume] else { return nil }
        let issued = try issueToken(audience: nil, seconds: NodeAgentConfiguration.Defaults.tokenExpirationSeconds)
        try writeFiles([("token", Array(issued.token.utf8))], into: path, mode: 0o644)
        return issued.expiration
    }

    private func issueToken(audience: String?, seconds: Int) throws(ContainerConfigError) -> (token: String, expiration: Date) {
        let account = pod[path: ["spec", "serviceAccountName"]]?.stringValue ?? "default"
        do {
            return try cluster.serviceAccountToken(namespace: namespace, serviceAccount: account, audiences: audience.map { [$0] } ?? [],
                                                   expirationSeconds: seconds, boundPod: (podName, podUID))
        } catch {
            throw ContainerConfigError(description: "failed to fetch token for service account \(namespace)/\(account): \(error.message)")
        }
    }

    private func configMapFiles(_ source: JSONValue) throws(ContainerConfigError) -> [(String, [UInt8])] {
        let name = source["name"]?.stringValue ?? ""
        guard let map = cluster.get(.configMaps, namespace: namespace, name: name) else {
            if source["optional"]?.boolValue == true { return [] }
            throw ContainerConfigError(description: "configmap \"\(name)\" not found")
        }
        var data: [String: [UInt8]] = [:]
        for (key, value) in map["data"]?.objectValue ?? [:] { data[key] = Array((value.stringValue ?? "").utf8) }
        for (key, value) in map["binaryData"]?.objectValue ?? [:] { data[key] = value.stringValue.flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? [] }
        return try select(data, items: source["items"]?.arrayValue, what: "ConfigMap \(namespace)/\(name)")
    }

    private func secretFiles(_ source: JSONValue, nameKey: String) throws(ContainerConfigError) -> [(String, [UInt8])] {
        let name = source[nameKey]?.stringValue ?? ""
        guard let secret = cluster.get(.secrets, namespace: namespace, name: name) else {
            if source["optional"]?.boolValue == true { return [] }
            throw ContainerConfigError(description: "secret \"\(name)\" not found")
        }
        return try select(ContainerEnvironment.secretData(secret), items: source["items"]?.arrayValue, what: "Secret \(namespace)/\(name)")
    }

    private func downwardFiles(_ source: JSONValue) throws(ContainerConfigError) -> [(String, [UInt8])] {
        try (source["items"]?.arrayValue ?? []).map { item throws(ContainerConfigError) in
            let field = item[path: ["fieldRef", "fieldPath"]]?.stringValue ?? ""
            guard let value = ContainerEnvironment.fieldValue(field, of: pod) else {
                throw ContainerConfigError(description: "downwardAPI: unsupported fieldPath \(field)")
            }
            return (item["path"]?.stringValue ?? field, Array(value.utf8))
        }
    }

    private func select(_ data: [String: [UInt8]], items: [JSONValue]?, what: String) throws(ContainerConfigError) -> [(String, [UInt8])] {
        guard let items else { return data.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
        return try items.map { item throws(ContainerConfigError) in
            let key = item["key"]?.stringValue ?? ""
            guard let bytes = data[key] else { throw ContainerConfigError(description: "configmap references non-existent config key: \(key) (\(what))") }
            return (item["path"]?.stringValue ?? key, bytes)
        }
    }

    private func makeDirectory(_ path: String) throws(ContainerConfigError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw ContainerConfigError(description: "cannot create \(path): \(error.localizedDescription)")
        }
    }

    /// Writes each file atomically (a new file renamed into place), so a reader never sees half a token.
    private func writeFiles(_ files: [(String, [UInt8])], into directory: String, mode: Int64?) throws(ContainerConfigError) {
        for (relative, bytes) in files {
            guard !relative.hasPrefix("/"), !relative.split(separator: "/").contains("..") else {
                throw ContainerConfigError(description: "volume file path \(relative) must be relative and without ..")
            }
            let path = "\(directory)/\(relative)"
            do {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                let temporary = path + ".tmp"
                try Data(bytes).write(to: URL(fileURLWithPath: temporary))
                try FileManager.default.setAttributes([.posixPermissions: Int(mode ?? 0o644)], ofItemAtPath: temporary)
                _ = rename(temporary, path)
            } catch {
                throw ContainerConfigError(description: "cannot write \(path): \(error.localizedDescription)")
            }
        }
    }
}
