// swift-tools-version:6.0
import PackageDescription

// Targets and what each may import: see docs/ARCHITECTURE.md.
// CNcursesw is imported only by FlowTerminal, CCurl only by OpenAIClient, CXattr only by FlowFormats, FlowCore imports nothing
// (scripts/check-deps.sh enforces it in `make test`).
let package = Package(
    name: "flowsmith",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "flowsmith", targets: ["flowsmith"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // No pkgConfig for ncursesw: SwiftPM drops its -D flags; the shim defines them.
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // The C library's <sys/xattr.h>, which Swift's Glibc module leaves out.
        .systemLibrary(name: "CXattr"),
        .target(name: "FlowCore"),
        .target(name: "FlowFormats", dependencies: ["FlowCore", "CXattr"]),
        .target(name: "FlowSuggest", dependencies: ["FlowCore", "FlowFormats"]),
        .target(name: "OpenAIClient", dependencies: ["CCurl"]),
        .target(name: "FlowDesigner", dependencies: ["FlowCore", "FlowFormats", "FlowSuggest"]),
        .target(name: "FlowTerminal", dependencies: ["FlowDesigner", "FlowFormats", "FlowSuggest", "CNcursesw"]),
        .executableTarget(name: "flowsmith", dependencies: [
            "FlowCore", "FlowFormats", "FlowSuggest", "FlowDesigner", "FlowTerminal", "OpenAIClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "FlowBench", dependencies: ["FlowCore", "FlowFormats", "FlowSuggest", "FlowDesigner", "FlowTerminal", "OpenAIClient", "TestSupport"], path: "Benchmarks/FlowBench"),
        .target(name: "TestSupport", dependencies: ["FlowCore", "FlowFormats", "FlowDesigner", "FlowTerminal"], path: "Tests/TestSupport"),
        .testTarget(name: "FlowDesignerTests", dependencies: ["FlowCore", "FlowFormats", "FlowDesigner", "FlowTerminal", "OpenAIClient", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "FlowSuggestTests", dependencies: ["FlowCore", "FlowFormats", "FlowSuggest", "TestSupport"]),
        .testTarget(name: "FlowCoreTests", dependencies: ["FlowCore", "TestSupport"]),
        .testTarget(name: "FlowFormatsTests", dependencies: ["FlowCore", "FlowFormats", "TestSupport"], exclude: ["Golden"]),
        .testTarget(name: "OpenAIClientTests", dependencies: ["OpenAIClient", "TestSupport"]),
    ]
)
