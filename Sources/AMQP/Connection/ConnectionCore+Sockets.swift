import CRabbitMQ

extension ConnectionCore {
    func tcpSocket(on connection: amqp_connection_state_t, operation: String) throws(AMQPError) -> OpaquePointer {
        guard let socket = amqp_tcp_socket_new(connection) else {
            throw AMQPError(code: .connectionFailed, operation: operation, message: "could not create a socket")
        }
        return socket
    }

    /// librabbitmq's OpenSSL socket, verifying the broker's certificate chain and host name
    /// unless the configuration says otherwise; with a client certificate for mutual TLS.
    func tlsSocket(on connection: amqp_connection_state_t, operation: String) throws(AMQPError) -> OpaquePointer {
        let tls = configuration.tls
        guard let socket = amqp_ssl_socket_new(connection) else {
            throw AMQPError(code: .tlsFailed, operation: operation, message: "could not create a TLS socket (OpenSSL initialisation failed)")
        }
        guard tributary_tls_prepare(socket, tlsVerifyError, tls.caCertificateFile == nil ? 1 : 0) == 0 else {
            throw AMQPError(code: .tlsFailed, operation: operation, message: "could not load the system's trust store")
        }
        if let file = tls.caCertificateFile, amqp_ssl_socket_set_cacert(socket, file) != AMQP_STATUS_OK.rawValue {
            throw AMQPError(code: .tlsFailed, operation: operation, message: "could not read CA certificates from '\(file)' (a PEM file)")
        }
        switch (tls.certificateFile, tls.keyFile) {
        case (let certificate?, let key?):
            guard amqp_ssl_socket_set_key(socket, certificate, key) == AMQP_STATUS_OK.rawValue else {
                throw AMQPError(
                    code: .tlsFailed, operation: operation,
                    message: "could not load the client certificate '\(certificate)' with key '\(key)' (PEM, key not password-protected, matching pair)")
            }
        case (nil, nil):
            break
        default:
            throw AMQPError(code: .tlsFailed, operation: operation, message: "a client certificate needs both a certificate file and a key file")
        }
        amqp_ssl_socket_set_verify_peer(socket, tls.verifyPeer ? 1 : 0)
        amqp_ssl_socket_set_verify_hostname(socket, tls.verifyPeer && tls.verifyHostname ? 1 : 0)
        return socket
    }

    /// Why opening the socket failed, with the certificate's problem named when OpenSSL gave one.
    func openError(_ status: Int32, endpoint: AMQPConfiguration.Endpoint, operation: String) -> AMQPError {
        let library = String(cString: amqp_error_string2(status))
        switch status {
        case AMQP_STATUS_TIMEOUT.rawValue:
            return AMQPError(code: .timeout, operation: operation, message: library)
        case AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED.rawValue:
            return AMQPError(
                code: .tlsFailed, operation: operation,
                message: "the broker's certificate does not name the host '\(endpoint.host)' (connect by a name the certificate lists)")
        case AMQP_STATUS_SSL_PEER_VERIFY_FAILED.rawValue, AMQP_STATUS_SSL_CONNECTION_FAILED.rawValue, AMQP_STATUS_SSL_ERROR.rawValue:
            let code = tlsVerifyError.pointee
            guard code != 0 else {
                return AMQPError(
                    code: .tlsFailed, operation: operation, message: "TLS handshake failed (\(library)); is \(endpoint) a TLS listener?")
            }
            let cause = String(cString: tributary_tls_verify_error_string(code))
            let trusted = configuration.tls.caCertificateFile.map { "the CA file '\($0)'" } ?? "the system's trust store"
            return AMQPError(
                code: .tlsFailed, operation: operation,
                message: "the broker's certificate was not accepted: \(cause) (verified against \(trusted))")
        default:
            return AMQPError(code: .connectionFailed, operation: operation, message: library)
        }
    }
}
