import NIOCore
import NIOSSL
import X509

extension EmulatorPKI {
    /// A server TLS configuration that presents the serving certificate and, optionally, asks clients for one.
    ///
    /// - Parameter requestClientCertificates: When `true` the server sends a CertificateRequest naming this CA.
    ///   A client that presents a certificate must present one signed by this CA or the handshake fails
    ///   (BoringSSL sends `unknown_ca`); a client that presents none (a token client) still connects. This is
    ///   NIOSSL's `CertificateVerification.optionalVerification`, with the trust roots set to this CA *only*
    ///   (NIOSSL's default roots would otherwise admit any publicly trusted client certificate). When `false`
    ///   no certificate is requested and any the client sends is ignored.
    /// - Returns: A configuration with TLS 1.2 as the minimum version (what kubectl and client-go require);
    ///   ALPN is left unset, so callers may set `applicationProtocols` on the returned value.
    /// - Throws: ``EmulatorPKIError/generationFailed(what:reason:)`` if NIOSSL rejects the PEM (it should not).
    public func makeServerTLSConfiguration(requestClientCertificates: Bool) throws(EmulatorPKIError) -> TLSConfiguration {
        let (serverCertificate, serverKey, caCertificate) = try Self.attempt("TLS configuration") {
            (
                try NIOSSLCertificate(bytes: Array(serverCertificatePEM.utf8), format: .pem),
                try NIOSSLPrivateKey(bytes: Array(serverPrivateKeyPEM.utf8), format: .pem),
                try NIOSSLCertificate(bytes: Array(caCertificatePEM.utf8), format: .pem)
            )
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(serverCertificate)],
            privateKey: .privateKey(serverKey)
        )
        configuration.minimumTLSVersion = .tlsv12
        if requestClientCertificates {
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .certificates([caCertificate])
            // Lets a client holding several certificates pick the one issued by this CA.
            configuration.sendCANameList = true
        } else {
            configuration.certificateVerification = .none
        }
        return configuration
    }

    /// The identity in the client certificate the peer presented on `channel`'s TLS handshake, or nil if it
    /// presented none (or the channel has no `NIOSSLHandler`, i.e. it is plain HTTP).
    ///
    /// Call it once the handshake has completed (for example when the first request arrives); before that it
    /// returns nil. The certificate's signature is checked again against this CA, so a server wrongly built
    /// without client verification cannot be fooled into trusting a self-signed certificate.
    /// - Throws: ``EmulatorPKIError/peerCertificateNotIssuedByCA(subject:)``,
    ///   ``EmulatorPKIError/peerCertificateWithoutCommonName(subject:)`` or
    ///   ``EmulatorPKIError/unreadablePeerCertificate(reason:)``.
    public func clientIdentity(of channel: any Channel) async throws(EmulatorPKIError) -> ClientIdentity? {
        let peerCertificate: NIOSSLCertificate?
        do {
            peerCertificate = try await channel.nioSSL_peerCertificate().get()
        } catch {
            // No NIOSSLHandler in the pipeline (or the channel is already closed): no certificate was presented.
            return nil
        }
        return try peerCertificate.map { certificate throws(EmulatorPKIError) in try clientIdentity(of: certificate) }
    }

    /// The same as ``clientIdentity(of:)-(any Channel)`` for code already on the channel's event loop,
    /// such as a `ChannelHandler`.
    public func clientIdentity(in pipeline: ChannelPipeline.SynchronousOperations) throws(EmulatorPKIError) -> ClientIdentity? {
        guard let certificate = try? pipeline.nioSSL_peerCertificate() else { return nil }
        return try clientIdentity(of: certificate)
    }

    /// The identity in `certificate`, after checking it was signed by this CA.
    func clientIdentity(of certificate: NIOSSLCertificate) throws(EmulatorPKIError) -> ClientIdentity {
        let parsed: Certificate
        do {
            parsed = try Certificate(derEncoded: try certificate.toDERBytes())
        } catch {
            throw .unreadablePeerCertificate(reason: String(describing: error))
        }
        guard parsed.issuer == caCertificate.subject,
            caCertificate.publicKey.isValidSignature(parsed.signature, for: parsed)
        else {
            throw .peerCertificateNotIssuedByCA(subject: String(describing: parsed.subject))
        }
        return try ClientIdentity(subjectOf: parsed)
    }
}
