import FlowCore
import FlowDesigner
import FlowFormats
import FlowTerminal
import Glibc

/// A terminal that exists only in memory: tests type into it and read what the real event loop drew.
public final class VirtualDevice: Device {
    public var size: (width: Int, height: Int)
    public private(set) var screens: [Screen] = []
    public private(set) var suspended = 0
    public private(set) var stopped = false
    var pending: [Msg] = []
    private var fds: [Int32] = [0, 0]

    public init(width: Int = 80, height: Int = 24) {
        size = (width, height)
        _ = pipe(&fds)
    }

    deinit {
        close(fds[0])
        close(fds[1])
    }

    public var inputDescriptor: Int32 { fds[0] }
    public var last: Screen? { screens.last }

    public func queue(_ msgs: [Msg]) {
        pending.append(contentsOf: msgs)
        var b: UInt8 = 1
        _ = write(fds[1], &b, 1)
    }

    public func readEvents() -> [Msg] {
        var b: UInt8 = 0
        _ = read(fds[0], &b, 1)
        defer { pending = [] }
        return pending
    }

    public func present(_ screen: Screen) { screens.append(screen) }
    public func invalidate() {}
    public func suspend() { suspended += 1 }
    public func stop() { stopped = true }
}

/// Drives the real event loop headlessly: type keys, let it settle, look at the state and screen.
public final class Driver {
    public let device: VirtualDevice
    public let loop: EventLoop

    public init(_ flow: Flow, path: String? = nil, width: Int = 80, height: Int = 24, documents: DocumentFiles? = nil) {
        device = VirtualDevice(width: width, height: height)
        loop = EventLoop(state: AppState(flow: flow, path: path, width: width, height: height), device: device, documents: documents)
    }

    public var state: AppState { loop.state }
    public var screen: String { device.last?.text ?? "" }

    /// Sends keys written as in a config file, space separated (`j j o`), or literal text with `text:`.
    @discardableResult
    public func keys(_ names: String) -> Driver {
        send(names.split(separator: " ").compactMap { Key(name: String($0)).map(Msg.key) })
    }

    @discardableResult
    public func type(_ text: String) -> Driver { send(text.map { .key(.char($0)) }) }

    /// Queues the messages and runs the loop until it is idle: everything handled, every job's
    /// result back and handled, the frame drawn. Timers do not run: `advance(by:)` moves time.
    @discardableResult
    public func send(_ msgs: [Msg]) -> Driver {
        device.queue(msgs)
        loop.process(device.readEvents())
        loop.settle()
        return self
    }

    /// Moves the loop's clock on: the timers that run out meanwhile fire, and their jobs finish.
    @discardableResult
    public func advance(by d: Duration) -> Driver {
        loop.advance(by: d)
        loop.settle()
        return self
    }
}

/// A small flow in two languages for editor tests.
public enum SampleFlow {
    public static let text = """
        # 客户关系管理

        ## 系统登录

        - Primary actor: 客服人员

        1. 用户填写用户名、密码
        2. 系统验证用户身份
           - 2a. 密码错误:
             1. 系统提示用户名或密码错误
             - Resume at 1.
           - 2b. [exception] 账户被锁定:
             1. 系统提示联系管理员
             - End: failure.
        3. 系统显示主页

        ## Look up a customer

        1. Clerk enters a phone number
        2. System shows the customer

        """

    public static func flow() -> Flow {
        (try? FlowMarkdownReader.read(text).flow) ?? Flow()
    }
}
