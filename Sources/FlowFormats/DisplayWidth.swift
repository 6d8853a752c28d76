/// How many terminal columns text takes, by grapheme cluster: 系 takes 2, é (e + U+0301) 1,
/// 👩‍💻 2, a control character 0. Pure Swift, so rendering stays testable without a terminal; the
/// wide ranges follow Unicode's East Asian Width (W and F) and emoji presentation, as glibc's
/// wcwidth and tmux do.
public enum DisplayWidth {
    public static func of(_ c: Character) -> Int {
        // Most text is one scalar below the combining marks (U+0300) or a CJK ideograph: answer
        // those without looking up Unicode properties, which cost more than the rest of a frame.
        if let ascii = c.asciiValue { return ascii >= 0x20 && ascii != 0x7F ? 1 : 0 }
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.count == 1 {
            let v = first.value
            if v < 0x300 { return v < 0xA0 ? 0 : 1 }
            if v >= 0x4E00 && v <= 0x9FFF || v >= 0xAC00 && v <= 0xD7A3 { return 2 }
        }
        if first.value < 0x20 || (0x7F...0x9F).contains(first.value) { return 0 }
        if scalars.contains(where: { $0.value == 0xFE0F }) && first.properties.isEmoji { return 2 }
        if scalars.count > 1 && scalars.contains(where: { $0.value == 0x200D }) && first.properties.isEmojiPresentation { return 2 }
        if isRegionalIndicator(first) { return 2 }
        if isZeroWidth(first) { return 0 }
        return isWide(first.value) ? 2 : 1
    }

    public static func of(_ s: some StringProtocol) -> Int {
        var w = 0
        for c in s { w += of(c) }
        return w
    }

    /// A letter or digit of a Latin word, which a line does not break inside when it can help it.
    static func isWordCharacter(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }

    /// Marks that close a phrase and must not begin a line.
    public static let closing: Set<Character> = ["。", "，", "、", "；", "：", "！", "？", "）", "」", "』", "》", ".", ",", ";", ":", "!", "?", ")"]

    /// Splits text into lines of at most `width` columns (none when `width` is 0): at spaces where
    /// it can; a word up to `whole` columns (all of a line by default) moves to the next line
    /// whole, a longer run (Chinese has no spaces) fills the line it starts on. A closing mark
    /// (。，、 …) never starts a line: the character before it comes along. Never drops a character.
    public static func wrap(_ text: String, _ width: Int, whole: Int? = nil) -> [String] {
        guard width > 0 else { return [] }
        let whole = whole ?? width
        var lines: [String] = []
        var line = ""
        var used = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let w = of(word)
            if used > 0 && used + 1 + w <= width {
                line += " " + word
                used += 1 + w
                continue
            }
            if used > 0 && w <= whole {
                lines.append(line)
                line = ""
                used = 0
            } else if used > 0 && used < width {
                line += " "
                used += 1
            }
            let chars = Array(word)
            for (i, c) in chars.enumerated() {
                let cw = of(c)
                if used + cw > width && used > 0 {
                    // A Latin word inside Chinese text ("接口（Single") moves to the next line
                    // whole when it fits there, as it would after a space.
                    let tail = line.reversed().prefix { isWordCharacter($0) }.count
                    // (Looked at no further than a line: a longer word cannot fit whole, and a
                    // run of a million letters would be scanned again at every line.)
                    let rest = chars[i...].prefix(width + 1).prefix { isWordCharacter($0) }.count
                    if isWordCharacter(c), tail > 0, tail < line.count, line.dropLast(tail).last != " ",
                       of(String(line.suffix(tail))) + of(String(chars[i..<(i + rest)])) <= width {
                        let carried = String(line.suffix(tail))
                        line.removeLast(tail)
                        lines.append(line)
                        line = carried
                        used = of(carried)
                    } else if closing.contains(c), line.count >= 2, let carried = line.last {
                        line.removeLast()
                        lines.append(line)
                        line = String(carried)
                        used = of(carried)
                    } else {
                        lines.append(line)
                        line = ""
                        used = 0
                    }
                }
                line.append(c)
                used += cw
            }
        }
        lines.append(line)
        return lines
    }

    static func isRegionalIndicator(_ u: Unicode.Scalar) -> Bool { (0x1F1E6...0x1F1FF).contains(u.value) }

    static func isZeroWidth(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return u.value != 0x00AD
        default: return u.value == 0x200B
        }
    }

    /// East Asian Wide and Fullwidth, plus emoji shown as pictures by default.
    static func isWide(_ v: UInt32) -> Bool {
        var lo = 0
        var hi = wide.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < wide[mid].lowerBound { hi = mid - 1 } else if v > wide[mid].upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55, 0x2E80...0x2E99,
        0x2E9B...0x2EF3, 0x2F00...0x2FD5, 0x2FF0...0x2FFB, 0x3000...0x303E, 0x3041...0x3096, 0x3099...0x30FF,
        0x3105...0x312F, 0x3131...0x318E, 0x3190...0x31E3, 0x31F0...0x321E, 0x3220...0x3247, 0x3250...0x4DBF,
        0x4E00...0xA48C, 0xA490...0xA4C6, 0xA960...0xA97C, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
        0xFE30...0xFE52, 0xFE54...0xFE66, 0xFE68...0xFE6B, 0xFF01...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4,
        0x16FF0...0x16FF1, 0x17000...0x187F7, 0x18800...0x18CD5, 0x18D00...0x18D08, 0x1AFF0...0x1AFFE,
        0x1B000...0x1B122, 0x1B150...0x1B152, 0x1B164...0x1B167, 0x1B170...0x1B2FB, 0x1F004...0x1F004,
        0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F202, 0x1F210...0x1F23B,
        0x1F240...0x1F248, 0x1F250...0x1F251, 0x1F260...0x1F265, 0x1F300...0x1F320, 0x1F32D...0x1F335,
        0x1F337...0x1F37C, 0x1F37E...0x1F393, 0x1F3A0...0x1F3CA, 0x1F3CF...0x1F3D3, 0x1F3E0...0x1F3F0,
        0x1F3F4...0x1F3F4, 0x1F3F8...0x1F43E, 0x1F440...0x1F440, 0x1F442...0x1F4FC, 0x1F4FF...0x1F53D,
        0x1F54B...0x1F54E, 0x1F550...0x1F567, 0x1F57A...0x1F57A, 0x1F595...0x1F596, 0x1F5A4...0x1F5A4,
        0x1F5FB...0x1F64F, 0x1F680...0x1F6C5, 0x1F6CC...0x1F6CC, 0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7,
        0x1F6DC...0x1F6DF, 0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC, 0x1F7E0...0x1F7EB, 0x1F7F0...0x1F7F0,
        0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF, 0x1FA70...0x1FA7C, 0x1FA80...0x1FA88,
        0x1FA90...0x1FABD, 0x1FABF...0x1FAC5, 0x1FACE...0x1FADB, 0x1FAE0...0x1FAE8, 0x1FAF0...0x1FAF8,
        0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}
