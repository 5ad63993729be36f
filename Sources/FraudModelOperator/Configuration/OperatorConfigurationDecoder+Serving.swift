import FraudModelAPI
import KubeAPI

extension OperatorConfigurationDecoder {
    /// The fields of a member's `serving` block, in the order the documentation lists them.
    static let servingFields = ["serviceAccount", "awsRoleArn", "gcpServiceAccount", "env"]
    /// A ServiceAccount name: an RFC 1123 DNS subdomain (at most 253 characters, checked separately).
    static let serviceAccountPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
    /// An IAM role ARN in any partition (`aws`, `aws-cn`, `aws-us-gov`), with an optional path.
    static let awsRoleArnPattern = "^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$"
    /// A Google service account's email: `NAME@PROJECT.iam.gserviceaccount.com`, or a
    /// Google-managed one such as `NUMBER-compute@developer.gserviceaccount.com`.
    static let gcpServiceAccountPattern = "^[a-z0-9][a-z0-9._-]*@([a-z0-9][a-z0-9-]*\\.)+gserviceaccount\\.com$"
    /// An environment variable name a shell can set too.
    static let environmentNamePattern = "^[A-Za-z_][A-Za-z0-9_]*$"

    /// A member's `serving` block: none when absent; nil when (reported) invalid. A cloud
    /// identity of the other cloud than `provider` is refused: only EKS's pod identity webhook
    /// reads the role annotation, only GKE the Google service account one.
    mutating func decodeServing(_ value: JSONValue?, provider: CloudProvider?, at path: String) -> MemberServing? {
        guard let value, !value.isNull else { return MemberServing() }
        guard case .object(let fields) = value else {
            report(path, "expected a mapping (\(Self.servingFields.joined(separator: ", "))), got \(describe(value))")
            return nil
        }
        let problemsBefore = problems.count
        rejectUnknownFields(fields, known: Self.servingFields, at: path)
        let account = nonEmptyString("serviceAccount", in: fields, at: path)
        if let account, account.utf8.count > 253 || !FraudModelValidation.matches(account, Self.serviceAccountPattern) {
            report("\(path).serviceAccount", "\"\(account)\" is not a ServiceAccount name (lowercase letters, digits, '-', '.'; at most 253)")
        }
        let role = nonEmptyString("awsRoleArn", in: fields, at: path)
        if let role, !FraudModelValidation.matches(role, Self.awsRoleArnPattern) {
            report("\(path).awsRoleArn", "\"\(role)\" is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/fraud-models-read\"")
        } else if role != nil, provider == .gcp {
            report("\(path).awsRoleArn", "only EKS reads it (IAM roles for service accounts) and this member's provider is gcp; use gcpServiceAccount")
        }
        let googleAccount = nonEmptyString("gcpServiceAccount", in: fields, at: path)
        if let googleAccount, !FraudModelValidation.matches(googleAccount, Self.gcpServiceAccountPattern) {
            report("\(path).gcpServiceAccount",
                   "\"\(googleAccount)\" is not a Google service account such as \"fraud-models@my-project.iam.gserviceaccount.com\"")
        } else if googleAccount != nil, provider == .aws {
            report("\(path).gcpServiceAccount", "only GKE reads it (Workload Identity) and this member's provider is aws; use awsRoleArn")
        }
        let environment = decodeEnvironment(fields["env"], at: "\(path).env")
        guard problems.count == problemsBefore, let environment else { return nil }
        return MemberServing(serviceAccount: account, awsRoleArn: role, gcpServiceAccount: googleAccount, environment: environment)
    }

    /// `serving.env`: variable names to string values, none of them one the operator sets.
    private mutating func decodeEnvironment(_ value: JSONValue?, at path: String) -> [String: String]? {
        guard let value, !value.isNull else { return [:] }
        guard case .object(let variables) = value else {
            report(path, "expected a mapping of variable names to values, got \(describe(value))")
            return nil
        }
        let operatorSets = Set(ServingDeployment.operatorEnvironment)
        var environment: [String: String] = [:]
        for (name, variable) in variables.sorted(by: { $0.key < $1.key }) {
            let location = "\(path).\(name)"
            if !FraudModelValidation.matches(name, Self.environmentNamePattern) {
                report(location, "\"\(name)\" is not an environment variable name (letters, digits, '_'; not starting with a digit)")
            } else if operatorSets.contains(name) {
                report(location, "is set by tandem-operator from the FraudModel (\(ServingDeployment.operatorEnvironment.joined(separator: ", "))); remove it")
            } else if let text = variable.stringValue {
                environment[name] = text
            } else {
                report(location, "expected a string, got \(describe(variable)); quote the value")
            }
        }
        return environment
    }
}
