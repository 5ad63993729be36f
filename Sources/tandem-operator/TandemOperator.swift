import ArgumentParser
import FraudModelAPI

/// `tandem-operator`: serves one fraud model from several Kubernetes clusters and keeps them
/// on the same version.
@main
struct TandemOperator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem-operator",
        abstract: "Serves one fraud model from several Kubernetes clusters and keeps them on the same version.",
        subcommands: [RunOperator.self, PrintCRD.self])
}

/// `tandem-operator crd`: prints the FraudModel CRD as YAML.
struct PrintCRD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crd",
        abstract: "Print the FraudModel CustomResourceDefinition (apiextensions.k8s.io/v1) as YAML.")

    func run() throws {
        print(try FraudModelCRD.yaml(), terminator: "")
    }
}
