import FlowCore
/// Label text that tries to break every format flowsmith reads or writes.
public enum Labels {
    /// Pieces that random labels are made of: CJK, emoji (with ZWJ and flags), combining marks,
    /// quotes, brackets, backslashes, Markdown punctuation, entity-looking text, list and heading
    /// starts, controls, bidi controls and plain words.
    public static let pieces: [String] = [
        "系统登录", "查询客户信息", "用户填写用户名、密码", "：", "（可选）", "「引号」", "顾客",
        "Customer", "enters", "the", "PIN", " ", "  ", "\t", "\n", "\r\n", "\u{0}", "\u{1B}[31m", "\u{7F}", "\u{85}",
        "😀", "👩‍💻", "🇨🇳", "e\u{301}", "\u{301}", "\u{20DD}", "क्षि", "مرحبا", "\u{202E}", "\u{2066}", "\u{200B}",
        "\"", "'", "`", "``", "\\", "\\\\", "\\*", "*", "**", "_", "__", "#", "##", "# ", "1.", "2)", "-", "+", ">",
        "[", "]", "[exception]", "[x](y)", "(", ")", "{", "}", "<", ">", "<script>", "</p>", "<br>", "|", ";", "&",
        "&amp;", "&#32;", "&#x41;", "&lt;", "#quot;", "#37;", "%%", "%%{init: {}}%%", "-->", "---", "==>", "end",
        "subgraph", "click X call f()", ":", "::", "~", "~~", "!", "=", "Resume at 3.", "End: failure.",
        "- 3a. x:", "\u{FEFF}", "\u{A0}", "\u{3000}", "\u{2028}", "'; DROP TABLE x; --", "\\N", "\\n", "\\l",
    ]

    public static func random(_ rng: inout SeededRandom, maxPieces: Int = 6) -> String {
        let n = rng.int(0...maxPieces)
        return (0..<n).map { _ in rng.pick(pieces) }.joined()
    }
}
