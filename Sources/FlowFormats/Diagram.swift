import FlowCore

/// A flow laid out as a graph: one cluster per use case, a node per step, a decision per step
/// that has extensions, end nodes, and edges. Mermaid, DOT and the text diagram all draw this
/// one model, so they always agree. Node ids are generated here, never taken from labels.
public struct Diagram: Equatable, Sendable {
    public enum Shape: Equatable, Sendable { case step, decision, success, failure, missing, empty }
    public enum EdgeStyle: Equatable, Sendable { case normal, alternative, exception, resume }

    public struct Node: Equatable, Sendable {
        public let id: String
        public let label: String
        public let shape: Shape
    }

    public struct Cluster: Equatable, Sendable {
        public let id: String
        public let title: String
        public var nodes: [Node]
    }

    public struct Edge: Equatable, Sendable {
        public let from: String
        public let to: String
        public let label: String?
        public let style: EdgeStyle
    }

    public var title: String
    public var clusters: [Cluster] = []
    public var edges: [Edge] = []

    public init(_ flow: Flow) {
        title = flow.title
        let wording = flow.effectiveWording
        for (k, uc) in flow.useCases.enumerated() {
            var builder = DiagramBuilder(flow: flow, index: k + 1, wording: wording)
            builder.build(uc)
            clusters.append(builder.cluster)
            edges.append(contentsOf: builder.edges)
        }
    }
}

/// Builds one use case's cluster and edges.
private struct DiagramBuilder {
    let flow: Flow
    let index: Int
    /// The language of the end nodes' words ("✓ success" / "✓ 成功").
    let wording: Wording
    var cluster: Diagram.Cluster
    var edges: [Diagram.Edge] = []
    var stepNodes: [NodeID: String] = [:]
    var ends: [String: String] = [:]
    var counter = 0

    init(flow: Flow, index: Int, wording: Wording) {
        self.flow = flow
        self.index = index
        self.wording = wording
        let title = flow.useCases.indices.contains(index - 1) ? flow[flow.useCases[index - 1]]?.text ?? "" : ""
        cluster = Diagram.Cluster(id: "u\(index)", title: title, nodes: [])
    }

    mutating func build(_ uc: NodeID) {
        nameSteps(in: uc, prefix: "")
        if flow.children(of: uc).isEmpty {
            cluster.nodes.append(Diagram.Node(id: "u\(index)n0", label: "(no steps)", shape: .empty))
            return
        }
        connectSteps(in: uc, prefix: "")
    }

    /// First pass: every step gets a node, so edges can point forward and backward. Depth first
    /// in document order, with a stack instead of recursion (extensions nested 1,000 deep are
    /// drawn on a worker's small stack too).
    private mutating func nameSteps(in scenario: NodeID, prefix: String) {
        var stack: [(scenario: NodeID, prefix: String, from: Int)] = [(scenario, prefix, 0)]
        while let (scenario, prefix, i) = stack.popLast() {
            let steps = flow.children(of: scenario)
            guard i < steps.count else { continue }
            let step = steps[i]
            let number = prefix + String(i + 1)
            counter += 1
            let id = "u\(index)n\(counter)"
            stepNodes[step] = id
            cluster.nodes.append(Diagram.Node(id: id, label: number + ". " + (flow[step]?.text ?? ""), shape: .step))
            stack.append((scenario, prefix, i + 1))
            for (j, ext) in flow.children(of: step).enumerated().reversed() {
                stack.append((ext, number + Numbering.letters(j), 0))
            }
        }
    }

    /// One scenario being connected: which step, and which of its extensions, comes next.
    private struct Frame {
        let scenario: NodeID
        let prefix: String
        let steps: [NodeID]
        let lastStyle: Diagram.EdgeStyle
        var step = 0
        var ext = 0
        var started = false
    }

    private func frame(_ scenario: NodeID, prefix: String) -> Frame {
        // The last step of an extension that resumes somewhere jumps back: drawn as such.
        var lastStyle = Diagram.EdgeStyle.normal
        if case .resume? = flow[scenario].map({ $0.kind == .extension ? $0.ending : .resumeNext }) { lastStyle = .resume }
        return Frame(scenario: scenario, prefix: prefix, steps: flow.children(of: scenario), lastStyle: lastStyle)
    }

    /// Second pass: the edges, in the same order as a depth-first walk would make them.
    private mutating func connectSteps(in scenario: NodeID, prefix: String) {
        var stack = [frame(scenario, prefix: prefix)]
        while var f = stack.popLast() {
            guard f.step < f.steps.count else { continue }
            let step = f.steps[f.step]
            let number = f.prefix + String(f.step + 1)
            let exts = flow.children(of: step)
            guard let from = stepNodes[step] else {
                f.step += 1
                stack.append(f)
                continue
            }
            let decision = from + "d"
            if !f.started {
                f.started = true
                let next = target(flow.destination(after: step))
                let nextStyle = f.step == f.steps.count - 1 ? f.lastStyle : .normal
                if exts.isEmpty {
                    edges.append(Diagram.Edge(from: from, to: next, label: nil, style: nextStyle))
                } else {
                    cluster.nodes.append(Diagram.Node(id: decision, label: number + "?", shape: .decision))
                    edges.append(Diagram.Edge(from: from, to: decision, label: nil, style: .normal))
                    edges.append(Diagram.Edge(from: decision, to: next, label: nil, style: nextStyle))
                }
            }
            if f.ext < exts.count {
                let ext = exts[f.ext]
                f.ext += 1
                stack.append(f)
                guard let node = flow[ext] else { continue }
                let extNumber = number + Numbering.letters(f.ext - 1)
                let style: Diagram.EdgeStyle = node.extensionKind == .exception ? .exception : .alternative
                edges.append(Diagram.Edge(from: decision, to: target(flow.entry(of: ext)),
                                          label: extNumber + ". " + node.text, style: style))
                stack.append(frame(ext, prefix: extNumber))
                continue
            }
            f.step += 1
            f.ext = 0
            f.started = false
            stack.append(f)
        }
    }

    /// The node id a destination is drawn as, making end nodes as they are first needed.
    private mutating func target(_ destination: Destination) -> String {
        switch destination {
        case .step(let id):
            return stepNodes[id] ?? endNode("missing", "⚠ missing step", .missing)
        case .success:
            return endNode("ok", "✓ " + wording.success, .success)
        case .failure:
            return endNode("fail", "✗ " + wording.failure, .failure)
        case .unknown(let written):
            return endNode("missing" + written, "⚠ " + wording.resumeAt(written) + (wording == .english ? ": no such step" : "：没有这一步"), .missing)
        }
    }

    private mutating func endNode(_ key: String, _ label: String, _ shape: Diagram.Shape) -> String {
        if let id = ends[key] { return id }
        let id = "u\(index)e\(ends.count + 1)"
        ends[key] = id
        cluster.nodes.append(Diagram.Node(id: id, label: label, shape: shape))
        return id
    }
}
