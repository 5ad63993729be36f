import NIOSSL

/// Builds NIOSSL client configurations from `KubeClientConfiguration.TLS` and exec-issued
/// client certificates. Parsing errors name the field that holds the bad PEM.
enum TLSSettings {
    static func base(_ tls: KubeClientConfiguration.TLS, context: String) throws(KubeClientError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if tls.insecureSkipVerify {
            configuration.certificateVerification = .none
        } else if let ca = tls.certificateAuthorityPEM {
            do {
                let certificates = try NIOSSLCertificate.fromPEMBytes(ca)
                guard !certificates.isEmpty else { throw KubeClientError.configuration("\(context): the certificate authority holds no PEM certificate") }
                configuration.trustRoots = .certificates(certificates)
            } catch let error as KubeClientError {
                throw error
            } catch {
                throw .configuration("\(context): the certificate authority is not valid PEM: \(error)")
            }
        }
        if let certificate = tls.clientCertificatePEM, let key = tls.clientKeyPEM {
            try addClientCertificate(certificate, key: key, to: &configuration, context: context)
        }
        return configuration
    }

    static func addClientCertificate(_ certificate: [UInt8], key: [UInt8], to configuration: inout TLSConfiguration, context: String) throws(KubeClientError) {
        do {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
        } catch {
            throw .configuration("\(context): the client certificate is not valid PEM")
        }
        do {
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
        } catch {
            // The error text of a key parser could quote key material: say only what failed.
            throw .configuration("\(context): the client key is not a valid PEM private key")
        }
    }
}
