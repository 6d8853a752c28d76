/// A count with its noun, singular for one: "1 use case", "2 use cases", "0 steps".
public func counted(_ n: Int, _ noun: String) -> String {
    "\(n) \(noun)\(n == 1 ? "" : "s")"
}
