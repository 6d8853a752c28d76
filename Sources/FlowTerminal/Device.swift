import FlowDesigner

/// What the event loop needs from a terminal: the ncurses one, or a virtual one in tests.
public protocol Device: AnyObject {
    /// A file descriptor that becomes readable when input is waiting.
    var inputDescriptor: Int32 { get }
    var size: (width: Int, height: Int) { get }
    /// Every input event waiting now, without blocking.
    func readEvents() -> [Msg]
    /// Shows a frame; only what changed since the last one is sent.
    func present(_ screen: Screen)
    /// Forgets what is on the screen, so the next frame is drawn whole.
    func invalidate()
    func suspend()
    func stop()
}
