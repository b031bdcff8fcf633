import ArgumentParser
import Foundation
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

/// HTTPS for the console, from PEM files read once at start: a certificate that does not
/// load stops the console with why, rather than every browser seeing a handshake failure.
enum ConsoleTLS {
    static func server(certificate: String?, key: String?) throws -> HTTPServerBuilder? {
        switch (certificate, key) {
        case (nil, nil): return nil
        case (.some, nil), (nil, .some): throw ValidationError("--tls-cert-file and --tls-key-file go together")
        case (.some(let certificate), .some(let key)):
            let chain: [NIOSSLCertificate]
            let privateKey: NIOSSLPrivateKey
            do {
                chain = try NIOSSLCertificate.fromPEMFile(certificate)
            } catch {
                throw ValidationError("--tls-cert-file \(certificate): not a readable PEM certificate (\(error))")
            }
            do {
                privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            } catch {
                throw ValidationError("--tls-key-file \(key): not a readable PEM private key (\(error))")
            }
            guard !chain.isEmpty else { throw ValidationError("--tls-cert-file \(certificate): no certificate in it") }
            var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
            configuration.minimumTLSVersion = .tlsv12
            do {
                // Built once here so that a key that is not the certificate's stops the start.
                _ = try NIOSSLContext(configuration: configuration)
                return try .tls(.http1(), tlsConfiguration: configuration)
            } catch {
                throw ValidationError("--tls-key-file \(key) does not go with --tls-cert-file \(certificate) (\(error))")
            }
        }
    }
}
