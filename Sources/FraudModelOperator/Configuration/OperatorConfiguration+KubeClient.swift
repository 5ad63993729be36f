import Foundation
import KubeClient

extension OperatorConfiguration {
    /// The `KubeClient` configuration of `member`: its kubeconfig's `context` (the file's
    /// `current-context` when the member names none), or the pod's service account for
    /// `inCluster`. Its `name` is the member's name, the `cluster` of the client's logs.
    ///
    /// Kubeconfig certificate files are read now; tokens and exec plugins when the client
    /// first needs them (see `KubeClientConfiguration.fromKubeconfig`).
    ///
    /// - Parameters:
    ///   - environment: supplies `KUBERNETES_SERVICE_HOST`/`_PORT` for `inCluster`. Defaults to the process environment.
    ///   - serviceAccountDirectory: where `inCluster` finds `token`, `ca.crt` and `namespace`.
    ///     Defaults to `KubeClientDefaults.serviceAccountDirectory`.
    /// - Throws: one problem at `cluster "NAME"` naming the kubeconfig path and what is wrong
    ///   (missing file, invalid YAML with its line, unknown context with the known ones).
    ///   It never quotes the kubeconfig's text: its lines may hold credentials.
    public func clientConfiguration(
        for member: MemberCluster,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = KubeClientDefaults.serviceAccountDirectory
    ) throws(OperatorConfigurationError) -> KubeClientConfiguration {
        var configuration: KubeClientConfiguration
        switch member.access {
        case .inCluster:
            do {
                configuration = try .inCluster(directory: serviceAccountDirectory, environment: environment)
            } catch {
                throw failure(of: member, "inCluster: \(Self.message(of: error))")
            }
        case .kubeconfig(let path, let context):
            let kubeconfig = try readKubeconfig(at: path, for: member)
            do {
                configuration = try .fromKubeconfig(kubeconfig, context: context)
            } catch {
                throw failure(of: member, "kubeconfig \(path): \(Self.message(of: error))")
            }
        }
        configuration.name = member.name
        return configuration
    }

    private func readKubeconfig(at path: String, for member: MemberCluster) throws(OperatorConfigurationError) -> Kubeconfig {
        let text: String
        do { text = try ConfigurationFile.read(path) } catch {
            throw failure(of: member, "kubeconfig \(path): \(error.reason)")
        }
        do {
            return try Kubeconfig(yaml: text, directory: ConfigurationPath.directory(of: path), source: path)
        } catch {
            // KubeClient's messages name the line and field, never the text (it may hold a token).
            var message = Self.message(of: error)
            if message.hasPrefix("\(path): ") { message.removeFirst(path.count + 2) }
            throw failure(of: member, "kubeconfig \(path): \(message)")
        }
    }

    private func failure(of member: MemberCluster, _ message: String) -> OperatorConfigurationError {
        OperatorConfigurationError(file: file, location: "cluster \"\(member.name)\"", message: message)
    }

    /// The message of a configuration error without KubeClient's `kube client configuration:` prefix.
    private static func message(of error: KubeClientError) -> String {
        if case .configuration(let message) = error { return message }
        return error.description
    }
}
