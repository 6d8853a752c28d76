import FlowCore
import FlowDesigner
import FlowFormats

/// Starts the editor on the terminal and returns when the user quits.
public enum FlowTerminalMain {
    @MainActor
    public static func run(flow: Flow, path: String, stamp: TextFile.Stamp?, theme: Theme, bindings: Bindings,
                           noColor: Bool, message: String?, engine: LazyEngine?, settings: [String: String] = [:]) {
        CrashGuard.saveTerminal()
        let device = NcursesDevice(colorsAllowed: !noColor)
        var state = AppState(flow: flow, path: path, theme: theme.adapted(toColors: device.colorCount), bindings: bindings)
        state.diskStamp = stamp
        state.autoSuggest = ["on", "yes", "true"].contains(settings["auto-suggest"]?.lowercased() ?? "")
        if let n = settings["suggestions"].flatMap(Int.init), (1...9).contains(n) { state.suggestionCount = n }
        if let message { state.say(message) }
        EventLoop(state: state, device: device, engine: engine).run()
    }
}
