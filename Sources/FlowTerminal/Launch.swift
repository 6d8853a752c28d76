import FlowCore
import FlowDesigner
import FlowFormats

/// Starts the editor on the terminal and returns when the user quits.
public enum FlowTerminalMain {
    @MainActor
    public static func run(flow: Flow, path: String, stamp: TextFile.Stamp?, theme: Theme, bindings: Bindings,
                           noColor: Bool, message: String?, engine: LazyEngine?) {
        CrashGuard.saveTerminal()
        let device = NcursesDevice(colorsAllowed: !noColor)
        var state = AppState(flow: flow, path: path, theme: theme.adapted(toColors: device.colorCount), bindings: bindings)
        state.diskStamp = stamp
        if let message { state.say(message) }
        EventLoop(state: state, device: device, engine: engine).run()
    }
}
