/// Environment variables that change how a program is loaded or run rather than what it does:
/// the dynamic loader's (`LD_PRELOAD` runs any library in the process), libc's (`GCONV_PATH`,
/// `GLIBC_TUNABLES`, `HOSTALIASES` ...), shells' and interpreters' (`BASH_ENV`, `PYTHONPATH`,
/// `NODE_OPTIONS` ...), and the search paths (`PATH`, `TMPDIR`).
///
/// A caller of the control API who may deploy must not get to run code as the service's user
/// by setting one of these with `vigil deploy --env`, so none of them may be overridable
/// (`deploy.overridableEnv` listing one is a manifest error), whatever role the caller has.
public enum ProtectedEnvironment {
    /// Names protected whole.
    static let names: Set<String> = [
        "PATH", "GCONV_PATH", "LOCPATH", "NLSPATH", "HOSTALIASES", "RES_OPTIONS", "LOCALDOMAIN", "TMPDIR",
        "TZDIR", "IFS", "ENV", "BASH_ENV", "SHELLOPTS", "BASHOPTS", "PS4", "CDPATH", "HOME", "SHELL",
        "NODE_OPTIONS", "NODE_PATH", "PERL5LIB", "PERL5OPT", "PERLLIB", "RUBYOPT", "RUBYLIB", "GEM_PATH",
        "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "CLASSPATH", "OPENSSL_CONF", "OPENSSL_ENGINES",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "GIT_EXEC_PATH", "GIT_SSH_COMMAND",
    ]
    /// Names protected by their beginning: the loader's, malloc's, glibc's, Python's.
    static let prefixes = ["LD_", "DYLD_", "MALLOC_", "GLIBC_", "PYTHON"]

    /// Whether `name` is one of the protected variables.
    public static func contains(_ name: String) -> Bool {
        names.contains(name) || prefixes.contains { name.hasPrefix($0) }
    }
}
