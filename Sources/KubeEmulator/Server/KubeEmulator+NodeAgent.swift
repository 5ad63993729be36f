import KubeNodeAgent

extension KubeEmulator {
    /// Serves `pods/log` from `source` (the node agent's kubelet); nil: pods are simulated and
    /// `kubectl logs` gets a 400 that says so. Takes effect for the next request; streams already
    /// open keep their source.
    public func setPodLogSource(_ source: (any PodLogSource)?) {
        kubelet.logs = source
    }

    /// Lets `pods/proxy` and `services/proxy` connect to the addresses `addressGuard` calls local
    /// pod addresses; nil (the default): they connect nowhere and answer 503.
    public func setPodAddressGuard(_ addressGuard: (any PodAddressGuard)?) {
        kubelet.addressGuard = addressGuard
    }
}
