// libFuzzer harness for the config file reader and the theme file reader (Fuzz/README.md; built
// and run by scripts/fuzz.sh).
//
// The input is read both as a config file and as a theme file. Each either refuses it with a
// LineError on a line of the text (from 1), or gives a config whose bindings and key reference
// can be made, or a theme that can be adapted to every colour depth.
import FlowDesigner

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
    do {
        let config = try Config.parse(text)
        let bindings = config.bindings()
        _ = bindings.markdown()
        for (_, keys) in config.keys {
            for sequence in keys {
                check(!sequence.isEmpty, "an empty key sequence was accepted")
                _ = Bindings.name(sequence)
            }
            _ = Bindings.names(keys)
        }
    } catch {
        check(error.line >= 1 && error.line <= lineCount, "config error on line \(error.line) of \(lineCount): \(error.message)")
    }
    do {
        let theme = try Theme.parse(text, name: "fuzz")
        for colors in [0, 8, 16, 256] {
            let adapted = theme.adapted(toColors: colors)
            for role in Theme.Role.allCases { _ = adapted[role] }
        }
    } catch {
        check(error.line >= 1 && error.line <= lineCount, "theme error on line \(error.line) of \(lineCount): \(error.message)")
    }
    return 0
}

func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("Config fuzz property failed: " + message()) }
}
