import FraudModelOperator
@testable import FraudModelPlanning
import Testing

/// The `serving:` block of a member in `clusters.yaml`: the cloud identity and environment of
/// its serving pods.
@Suite struct ServingConfigurationTests {
    @Test func theDocumentedServingBlocksParse() throws {
        let yaml = """
            clusters:
            - name: eks
              provider: aws
              inCluster: true
              serving:
                awsRoleArn: arn:aws:iam::123456789012:role/fraud-models-read
                env: {AWS_REGION: us-east-1, AWS_ENDPOINT_URL_S3: "http://minio.fraud.svc:9000"}
            - name: gke
              provider: gcp
              kubeconfig: /etc/tandem/kubeconfig
              serving:
                serviceAccount: models-reader
                gcpServiceAccount: fraud-models@my-project.iam.gserviceaccount.com
            - name: kind
              kubeconfig: /etc/tandem/kubeconfig
            """
        let configuration = try OperatorConfiguration.parse(yaml: yaml, file: "clusters.yaml")
        #expect(configuration.member(named: "eks")?.serving == MemberServing(
            awsRoleArn: "arn:aws:iam::123456789012:role/fraud-models-read",
            environment: ["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_S3": "http://minio.fraud.svc:9000"]))
        #expect(configuration.member(named: "gke")?.serving == MemberServing(
            serviceAccount: "models-reader", gcpServiceAccount: "fraud-models@my-project.iam.gserviceaccount.com"))
        #expect(configuration.member(named: "kind")?.serving == MemberServing(), "no serving block: no identity, no environment")
    }

    /// What charts/tandem-operator's `tandem-operator.clustersConfig` renders for values with
    /// serving blocks (hack/e2e/helm_chart_test.py's `SERVING`): every value quoted, keys too.
    @Test func theHelmChartsRenderingParses() throws {
        let rendered = """
            clusters:
            - name: "eks"
              provider: "aws"
              region: "us-east-1"
              inCluster: true
              registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com"
              mode: "manage"
              serving:
                awsRoleArn: "arn:aws:iam::123456789012:role/fraud-models-read"
                env:
                  "AWS_ENDPOINT_URL_S3": "http://minio.fraud.svc:9000"
                  "AWS_REGION": "us-east-1"
            - name: "gke"
              provider: "gcp"
              region: "us-central1"
              kubeconfig: "/etc/tandem/kubeconfig/kubeconfig"
              context: "gke"
              registry: "us-central1-docker.pkg.dev/p/r"
              mode: "observe"
              serving:
                serviceAccount: "models-reader"
                gcpServiceAccount: "fraud-models@p.iam.gserviceaccount.com"
            """
        let configuration = try OperatorConfiguration.parse(yaml: rendered, file: "/etc/tandem/config/clusters.yaml")
        #expect(configuration.clusters.map(\.serving) == [
            MemberServing(
                awsRoleArn: "arn:aws:iam::123456789012:role/fraud-models-read",
                environment: ["AWS_ENDPOINT_URL_S3": "http://minio.fraud.svc:9000", "AWS_REGION": "us-east-1"]),
            MemberServing(serviceAccount: "models-reader", gcpServiceAccount: "fraud-models@p.iam.gserviceaccount.com"),
        ])
    }

    @Test func theServiceAccountNameDefaultsToTheFraudModelsAndExistsOnlyWithAnIdentity() {
        #expect(MemberServing(awsRoleArn: "arn:aws:iam::123456789012:role/r").serviceAccountName(for: "fraud-detector") == "fraud-detector-serving")
        #expect(MemberServing(serviceAccount: "models-reader").serviceAccountName(for: "fraud-detector") == "models-reader")
        #expect(MemberServing(environment: ["AWS_REGION": "us-east-1"]).serviceAccountName(for: "fraud-detector") == nil)
        #expect(MemberServing().hasIdentity == false)
    }

    @Test(arguments: [
        ("serving: a list", "serving: [role]",
         ["clusters[0].serving: expected a mapping (serviceAccount, awsRoleArn, gcpServiceAccount, env), got a list"]),
        ("a misspelt field", "serving: {awsRoleARN: \"arn:aws:iam::123456789012:role/r\"}",
         ["clusters[0].serving.awsRoleARN: unknown field (did you mean \"awsRoleArn\"?)"]),
        ("a field of no kind", "serving: {token: abc}",
         ["clusters[0].serving.token: unknown field; expected serviceAccount, awsRoleArn, gcpServiceAccount, env"]),
        ("a role that is no ARN", "serving: {awsRoleArn: fraud-models-read}",
         ["clusters[0].serving.awsRoleArn: \"fraud-models-read\" is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/fraud-models-read\""]),
        ("an ARN of a user", "serving: {awsRoleArn: \"arn:aws:iam::123456789012:user/alice\"}",
         ["clusters[0].serving.awsRoleArn: \"arn:aws:iam::123456789012:user/alice\" is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/fraud-models-read\""]),
        ("an account id of 11 digits", "serving: {awsRoleArn: \"arn:aws:iam::12345678901:role/r\"}",
         ["clusters[0].serving.awsRoleArn: \"arn:aws:iam::12345678901:role/r\" is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/fraud-models-read\""]),
        ("a Google account that is a user", "serving: {gcpServiceAccount: alice@example.com}",
         ["clusters[0].serving.gcpServiceAccount: \"alice@example.com\" is not a Google service account such as \"fraud-models@my-project.iam.gserviceaccount.com\""]),
        ("a ServiceAccount name that is no DNS name", "serving: {serviceAccount: Models_Reader}",
         ["clusters[0].serving.serviceAccount: \"Models_Reader\" is not a ServiceAccount name (lowercase letters, digits, '-', '.'; at most 253)"]),
        ("an empty ServiceAccount name", "serving: {serviceAccount: \"\"}", ["clusters[0].serving.serviceAccount: must not be empty"]),
        ("a variable the operator sets", "serving: {env: {MODEL_URI: \"s3://b/k\"}}",
         ["clusters[0].serving.env.MODEL_URI: is set by tandem-operator from the FraudModel (MODEL_NAME, MODEL_VERSION, MODEL_SHA256, THRESHOLD, PORT, METRICS_PORT, MODEL_PATH, MODEL_URI, MODEL_CACHE_DIR, MODEL_FORMAT, SHUTDOWN_DELAY_SECONDS); remove it"]),
        ("a variable name with a dash", "serving: {env: {AWS-REGION: us-east-1}}",
         ["clusters[0].serving.env.AWS-REGION: \"AWS-REGION\" is not an environment variable name (letters, digits, '_'; not starting with a digit)"]),
        ("an unquoted number", "serving: {env: {AWS_MAX_ATTEMPTS: 3}}",
         ["clusters[0].serving.env.AWS_MAX_ATTEMPTS: expected a string, got an integer (3); quote the value"]),
        ("env a list", "serving: {env: [AWS_REGION]}", ["clusters[0].serving.env: expected a mapping of variable names to values, got a list"]),
    ])
    func servingProblemsNameTheirField(_ rule: String, _ serving: String, _ expected: [String]) {
        #expect(problems("clusters:\n- name: a\n  inCluster: true\n  \(serving)\n") == expected.map { "clusters.yaml: \($0)" }, "\(rule)")
    }

    @Test func anIdentityOfTheOtherCloudIsRefused() {
        let yaml = """
            clusters:
            - name: eks
              provider: aws
              inCluster: true
              serving: {gcpServiceAccount: fraud-models@my-project.iam.gserviceaccount.com}
            - name: gke
              provider: gcp
              kubeconfig: k
              serving: {awsRoleArn: "arn:aws:iam::123456789012:role/r"}
            - name: kind
              kubeconfig: k
              serving: {awsRoleArn: "arn:aws-cn:iam::123456789012:role/path/r", gcpServiceAccount: 123-compute@developer.gserviceaccount.com}
            """
        #expect(problems(yaml) == [
            "clusters.yaml: clusters[0].serving.gcpServiceAccount: only GKE reads it (Workload Identity) and this member's provider is aws; use awsRoleArn",
            "clusters.yaml: clusters[1].serving.awsRoleArn: only EKS reads it (IAM roles for service accounts) and this member's provider is gcp; use gcpServiceAccount",
        ])
    }

    private func problems(_ yaml: String) -> [String] {
        do {
            _ = try OperatorConfiguration.parse(yaml: yaml, file: "clusters.yaml", environment: [:])
            return []
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }
}
