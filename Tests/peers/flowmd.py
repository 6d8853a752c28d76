"""An independent writer of .flow.md text, following docs/FORMAT.md only (not flowsmith's code),
so the peer tests also check that the documented escaping is what flowsmith reads."""

NEEDS_REFERENCE = set(range(0x20)) | {0x7F} | set(range(0x80, 0xA0)) | {0x2028, 0x2029, 0xFEFF} \
    | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def escape(text: str) -> str:
    """Over-escapes on purpose: a backslash before every ASCII punctuation character is valid."""
    out = []
    lead = len(text) - len(text.lstrip(" "))
    trail = 0 if lead == len(text) else len(text) - len(text.rstrip(" "))
    for i, ch in enumerate(text):
        if ch == " " and (i < lead or i >= len(text) - trail) or ord(ch) in NEEDS_REFERENCE or ch == "：":
            out.append(f"&#{ord(ch)};")
        elif ch.isascii() and not ch.isalnum() and ch != " ":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def flow_with_label(label: str) -> str:
    """A flow where the label is the title, a use-case title, a field, steps and a condition."""
    e = escape(label)
    return (
        f"# {e}\n\n## {e}\n\n- Goal: {e}\n\n"
        f"1. {e}\n"
        f"   - 1a. {e}:\n"
        f"     1. {e}\n"
        f"     - End: failure.\n"
        f"   - 1b. [exception] {e}:\n"
        f"     - Resume at 1.\n"
        f"2. {e}\n"
    )


def shown(label: str) -> list[str]:
    """What a diagram must show for a label (docs: a tab as a space, other control characters as control pictures,
    C1 and bidirectional controls and a byte-order mark as U+FFFD)."""
    lines = [""]
    text = label.replace("\r\n", "\n")
    for ch in text:
        c = ord(ch)
        if ch in "\n\r\u2028\u2029\u0085":
            lines.append("")
        elif ch == "\t":
            lines[-1] += " "   # a tab shows as a space in every export
        elif c < 0x20:
            lines[-1] += chr(0x2400 + c)
        elif c == 0x7F:
            lines[-1] += "\u2421"
        elif 0x80 <= c <= 0x9F or 0x202A <= c <= 0x202E or 0x2066 <= c <= 0x2069 or c == 0xFEFF:
            lines[-1] += "\ufffd"   # C1, a byte-order mark and the bidirectional controls, which would reorder the text
        else:
            lines[-1] += ch
    return lines
