import Testing
@testable import KimiCore

@Suite struct CertificateBundleTests {
    func choose(curlFile: String? = nil, curlFolder: String? = nil, env: [String: String] = [:],
                files: Set<String>) -> String? {
        CertificateBundle.choose(curlFile: curlFile, curlFolder: curlFolder, environment: { env[$0] },
                                 exists: { files.contains($0) })
    }

    @Test func curlsOwnDefaultWinsWhenItExists() {
        let debian = "/etc/ssl/certs/ca-certificates.crt"
        #expect(choose(curlFile: debian, files: [debian]) == nil)
        #expect(choose(curlFolder: "/etc/ssl/certs", files: ["/etc/ssl/certs"]) == nil)
    }

    @Test func theEnvironmentLeavesItToOpenSSL() {
        #expect(choose(env: ["SSL_CERT_FILE": "/x.pem"], files: ["/etc/pki/tls/certs/ca-bundle.crt"]) == nil)
        #expect(choose(env: ["SSL_CERT_DIR": "/certs"], files: ["/etc/pki/tls/certs/ca-bundle.crt"]) == nil)
    }

    @Test func aDistributionsBundleWhenCurlsDefaultIsMissing() {
        // A Debian-built curl on RHEL, and a curl built with no default at all.
        #expect(choose(curlFile: "/etc/ssl/certs/ca-certificates.crt", files: ["/etc/pki/tls/certs/ca-bundle.crt"])
                == "/etc/pki/tls/certs/ca-bundle.crt")
        #expect(choose(files: ["/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"]) == "/etc/ssl/ca-bundle.pem")
        #expect(choose(files: []) == nil)
    }
}
