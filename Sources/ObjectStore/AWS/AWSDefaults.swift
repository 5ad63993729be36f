import NIOCore

/// Every default of the S3 client and the AWS credential chain, in one place.
enum AWSDefaults {
    /// The region when neither `AWS_REGION` nor `AWS_DEFAULT_REGION` is set.
    static let region = "us-east-1"
    /// The instance metadata service (IMDS) when `AWS_EC2_METADATA_SERVICE_ENDPOINT` is not set.
    static let instanceMetadataEndpoint = "http://169.254.169.254"
    /// The IMDS endpoint when `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` is `IPv6`.
    static let instanceMetadataEndpointIPv6 = "http://[fd00:ec2::254]"
    /// The lifetime asked for an IMDSv2 session token: 6 hours, as the AWS SDKs ask.
    static let instanceMetadataTokenTTL = 21_600
    /// The ECS container credentials host that `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is relative to.
    static let containerCredentialsHost = "http://169.254.170.2"
    /// The hosts of the EKS Pod Identity agent.
    static let podIdentityHosts: Set<String> = ["169.254.170.23", "fd00:ec2::23"]
    /// How long to wait for a TCP connection to IMDS or a container credentials endpoint:
    /// 1 second, so a machine without one fails fast.
    static let linkLocalConnectTimeout = TimeAmount.seconds(1)
    /// The deadline of one request to IMDS or a container credentials endpoint: 5 seconds.
    static let linkLocalRequestTimeout = TimeAmount.seconds(5)
    /// The deadline of one request to STS: 30 seconds.
    static let stsRequestTimeout = TimeAmount.seconds(30)
    /// The STS API version of `AssumeRoleWithWebIdentity`.
    static let stsAPIVersion = "2011-06-15"
    /// Credentials are refreshed once they are this close to expiry: 5 minutes.
    static let refreshMargin: Double = 300
    /// The largest credentials response read: 1 MiB.
    static let maximumResponseBytes = 1 << 20
}
