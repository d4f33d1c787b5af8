import CCurl
import Glibc

/// The CA bundle given to curl when the caller names none (nil: curl's own
/// default).
///
/// A libcurl built for one distribution (the wheel carries one) looks for
/// certificates where that distribution keeps them: RHEL has no
/// /etc/ssl/certs/ca-certificates.crt, Debian no /etc/pki/tls. When curl's
/// default file and folder are both missing and neither SSL_CERT_FILE nor
/// SSL_CERT_DIR says where to look, the first bundle found in the
/// distributions' usual places is used. Decided once per process.
enum CertificateBundle {
    static let fallback: String? = {
        // The ninth version of the structure is the first with cainfo and capath.
        let info = curl_version_info(CURLVERSION_NINTH)?.pointee
        return choose(curlFile: info?.cainfo.map { String(cString: $0) },
                      curlFolder: info?.capath.map { String(cString: $0) },
                      environment: environment, exists: { access($0, R_OK) == 0 })
    }()

    /// Where distributions keep their bundle, most common first.
    static let knownBundles = [
        "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Arch, Alpine
        "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL, CentOS, Amazon Linux
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // RHEL 7 and later
        "/etc/ssl/ca-bundle.pem",                             // openSUSE, SLES
        "/etc/ssl/cert.pem",                                  // Alpine, Void
    ]

    static func choose(curlFile: String?, curlFolder: String?, environment: (String) -> String?,
                       exists: (String) -> Bool) -> String? {
        if environment("SSL_CERT_FILE") != nil || environment("SSL_CERT_DIR") != nil { return nil }
        if let file = curlFile, exists(file) { return nil }
        if let folder = curlFolder, exists(folder) { return nil }
        return knownBundles.first(where: exists)
    }
}
