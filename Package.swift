// swift-tools-version:6.2
// libkimi: a Swift core exported as the C library libkimi.so (see include/kimi.h).
import PackageDescription

let packageDir = Context.packageDirectory

let package = Package(
    name: "libkimi",
    products: [
        // Built by `make` with -static-stdlib; the Makefile renames it to
        // libkimi.so.X.Y.Z and adds the SONAME and development symlinks.
        .library(name: "kimi", type: .dynamic, targets: ["KimiABI"]),
    ],
    targets: [
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CJansson", pkgConfig: "jansson",
                       providers: [.apt(["libjansson-dev"])]),
        .target(name: "CKimiShims", dependencies: ["CCurl"]),
        .systemLibrary(name: "CKimiHeader"),
        .target(
            name: "KimiCore",
            dependencies: ["CCurl", "CJansson", "CKimiShims"]
        ),
        .target(
            name: "KimiABI",
            dependencies: ["KimiCore", "CKimiHeader"],
            exclude: ["libkimi.map", "hot-symbols.txt"],
            linkerSettings: [
                .unsafeFlags([
                    "-use-ld=lld",
                    "-Xlinker", "--version-script=\(packageDir)/Sources/KimiABI/libkimi.map",
                    "-Xlinker", "-soname=libkimi.so.0",
                    // The functions programs run, placed together: fewer code
                    // pages resident per process (bench/hot_symbols.py).
                    "-Xlinker", "--symbol-ordering-file=\(packageDir)/Sources/KimiABI/hot-symbols.txt",
                    "-Xlinker", "--no-warn-symbol-ordering",
                ]),
            ]
        ),
        .testTarget(name: "KimiCoreTests", dependencies: ["KimiCore"]),
        // Micro-benchmarks run by `make bench` (not part of the library).
        .executableTarget(name: "kimi-bench", dependencies: ["KimiCore"], path: "bench/swift"),
    ]
)

// libFuzzer targets, built only by `make fuzz` (KIMI_FUZZ=1 with
// --sanitize=fuzzer, which supplies their main function).
if Context.environment["KIMI_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"))
    for name in ["StreamFuzz", "ResponseFuzz", "ErrorFuzz", "HeaderFuzz", "ObjectFuzz", "MediaFuzz", "EventQueueFuzz"] {
        package.targets.append(.executableTarget(name: name, dependencies: ["KimiCore", "FuzzSupport"], path: "Fuzz/\(name)"))
    }
}
