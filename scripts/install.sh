#!/usr/bin/env bash
# Installs or uninstalls flowsmith under a prefix (what `make install` and `make uninstall` run):
#   scripts/install.sh install   DEST   (DEST = $(DESTDIR)$(PREFIX); the release binary must be built)
#   scripts/install.sh uninstall DEST
# Installs bin/flowsmith, share/flowsmith/{corpus,themes}, the man page share/man/man1/flowsmith.1
# and completions for bash, zsh and fish, and records every file it wrote in
# share/flowsmith/installed-files, which `uninstall` removes exactly (and the folders it made,
# when they are empty).
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?usage: install.sh install|uninstall DEST}
dest=${2:?usage: install.sh install|uninstall DEST}
manifest="$dest/share/flowsmith/installed-files"

case "$action" in
install)
  bin=.build/release/flowsmith
  [ -x "$bin" ] || { echo "install: $bin is not built: run make install" >&2; exit 1; }
  # The man page, generated from the command line's own definition.
  swift package generate-manual >/dev/null
  man=.build/plugins/GenerateManual/outputs/flowsmith/flowsmith.1
  [ -f "$man" ] || { echo "install: the man page was not generated" >&2; exit 1; }
  files=()
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  put() {   # put SOURCE TARGET MODE
    install -D -m "$3" "$1" "$dest/$2"
    files+=("$2")
  }
  put "$bin" bin/flowsmith 755
  while IFS= read -r f; do put "$f" "share/flowsmith/$f" 644; done < <(find corpus themes -type f | sort)
  # The generated page gains the sections the command line cannot describe (keys, environment,
  # files; scripts/man-sections.mdoc) before its exit status, no hyphenation (.nh, and
  # doc-hyphen-flags 0, from which groff's mdoc macros turn it back on: FLOWSMITH_MODEL and
  # "default" stay whole), the program's name and version in its footer, each option's default,
  # and a paragraph break where a help text has a blank line (which mdoc warns of).
  version=$("$bin" --version)
  # Option defaults, which --help shows and the generator drops, from the command line's own
  # description (pretty JSON with sorted keys: an argument's defaultValue comes before its
  # valueName, and a command's arguments before its commandName): "COMMAND VALUENAME DEFAULT".
  "$bin" --experimental-dump-help | awk '
    function value(line) { sub(/^[^:]*: "/, "", line); sub(/",?$/, "", line); gsub(/\\\//, "/", line); return line }
    /^ *"defaultValue" : / { dv = value($0) }
    /^ *"valueName" : / { if (dv != "") pending = pending value($0) " " dv "\n"; dv = "" }
    /^ *"commandName" : / { n = split(pending, rows, "\n"); for (i = 1; i < n; i++) print value($0), rows[i]; pending = "" }' > "$tmp/defaults"
  [ -s "$tmp/defaults" ] || { echo "install: no option defaults found for the man page" >&2; exit 1; }
  awk -v version="$version" -v sections=scripts/man-sections.mdoc -v defaults="$tmp/defaults" '
    BEGIN { while ((getline row < defaults) > 0) { split(row, f, " "); d[f[1] " " f[2]] = substr(row, length(f[1] f[2]) + 3) } }
    /^\.It Em / { command = $3 }
    /^\.It Fl .* Ar [^ ]+$/ { key = command " " $NF; print; next }
    key != "" { k = key; key = ""; if ((k in d) && $0 !~ /default/) { print $0 " (default: " d[k] ")"; next } }
    /^\.Os$/ { print ".Os flowsmith " version; next }
    /^\.Sh NAME/ { print ".nh"; print ".nr doc-hyphen-flags 0" }
    /^\.Sh "EXIT STATUS"/ { while ((getline line < sections) > 0) print line }
    /^$/ { print ".Pp"; next }
    { print }' "$man" > "$tmp/flowsmith.1"
  grep -q '^\.Sh FILES' "$tmp/flowsmith.1" || { echo "install: the man page has no FILES section" >&2; exit 1; }
  put "$tmp/flowsmith.1" share/man/man1/flowsmith.1 644
  # The documentation, which the page and the messages refer to.
  # Laid out as in the source (README.md, docs/, examples/), so the links between them work.
  for doc in README.md docs/*.md examples/*; do put "$doc" "share/doc/flowsmith/$doc" 644; done
  "$bin" --generate-completion-script bash > "$tmp/flowsmith.bash"
  # `flowsmith FILE` opens the editor: the first word completes to .md files and folders too
  # (the generated script completes only the subcommands there), and the words after FILE as
  # the editor's (`flowsmith FILE --theme TAB`). `help TAB` offers the commands.
  cat >> "$tmp/flowsmith.bash" <<'EOS'
_flowsmith_or_file() {
    local -a words=("${COMP_WORDS[@]}")
    local -i cword=$COMP_CWORD
    if [[ $cword -eq 2 && ${words[1]} == help ]]; then
        COMP_WORDS=("${words[0]}" "${words[2]}"); COMP_CWORD=1
        _flowsmith "${1}" "${words[2]}" "${words[0]}"
    elif [[ $cword -ge 2 && ${words[1]} != -* ]] && ! declare -F "_flowsmith_${words[1]}" > /dev/null; then
        COMP_WORDS=("${words[0]}" edit "${words[@]:1}"); COMP_CWORD=$((cword + 1))
        _flowsmith "$@"
    else
        _flowsmith "$@"
        if [[ $cword -eq 1 && ${words[1]} != -* ]]; then
            local IFS=$'\n'
            COMPREPLY+=($(compgen -f -X '!*.md' -- "${words[1]}") $(compgen -d -- "${words[1]}"))
        fi
    fi
    COMP_WORDS=("${words[@]}"); COMP_CWORD=$cword
}
complete -o filenames -F _flowsmith_or_file flowsmith
EOS
  # zsh and fish alike: the generated scripts, with the same three additions as for bash.
  cat > "$tmp/zsh-more" <<'EOS'
# `flowsmith FILE` opens the editor: the first word completes to .md files and folders too, and
# the words after FILE as the editor's (`flowsmith FILE --theme TAB`). `help TAB` offers the commands.
functions[_flowsmith_generated]=$functions[_flowsmith]
_flowsmith() {
    local -i ret=1
    if (( CURRENT > 2 )) && [[ ${words[2]} != -* ]] && (( ! ${+functions[_flowsmith_${words[2]}]} )); then
        words=("${words[1]}" edit "${words[@]:1}")
        (( CURRENT++ ))
        _flowsmith_generated && ret=0
    elif (( CURRENT == 3 )) && [[ ${words[2]} == help ]]; then
        words=("${words[1]}" "${words[3]}")
        CURRENT=2
        _flowsmith_generated && ret=0
    else
        _flowsmith_generated && ret=0
        if (( CURRENT == 2 )) && [[ ${words[2]} != -* ]]; then
            _files -g '*.md(-.)' && ret=0
        fi
    fi
    return ret
}

EOS
  "$bin" --generate-completion-script zsh | awk -v more="$tmp/zsh-more" '
    /^if \[\[ "\$\{funcstack\[1\]\}" = _flowsmith \]\]; then$/ { while ((getline l < more) > 0) print l; added = 1 }
    { print }
    END { if (!added) { print "install: the zsh completion script has changed shape" > "/dev/stderr"; exit 1 } }' > "$tmp/_flowsmith"
  "$bin" --generate-completion-script fish > "$tmp/flowsmith.fish"
  commands=$(sed -n "s/.*positional \"flowsmith\" -eq 1' -fa '\([a-z]*\)'.*/\1/p" "$tmp/flowsmith.fish" | grep -vx help | tr '\n' ' ')
  [ -n "$commands" ] || { echo "install: the fish completion script has changed shape" >&2; exit 1; }
  cat >> "$tmp/flowsmith.fish" <<EOS

# \`flowsmith FILE\` opens the editor: the first word completes to .md files and folders too, and
# the words after FILE as the editor's (\`flowsmith FILE --theme TAB\`). \`help TAB\` offers the commands.
functions -c __flowsmith_tokens __flowsmith_tokens_generated
function __flowsmith_tokens
    set -l tokens (__flowsmith_tokens_generated \$argv)
    if contains -- -pc \$argv; and test (count \$tokens) -ge 2; and not string match -q -- '-*' \$tokens[2]
        and not contains -- \$tokens[2] $commands help
        set tokens \$tokens[1] edit \$tokens[2..]
    end
    printf '%s\n' \$tokens
end
complete -c flowsmith -n '__flowsmith_should_offer_completions_for_positional "flowsmith" -eq 1' -ka '(__fish_complete_suffix .md)'
complete -c flowsmith -n '__flowsmith_should_offer_completions_for_positional "flowsmith help" -eq 1' -fa '$commands'
EOS
  put "$tmp/flowsmith.bash" share/bash-completion/completions/flowsmith 644
  put "$tmp/_flowsmith" share/zsh/site-functions/_flowsmith 644
  put "$tmp/flowsmith.fish" share/fish/vendor_completions.d/flowsmith.fish 644
  printf '%s\n' "${files[@]}" > "$manifest"
  echo "install: flowsmith is in $dest/bin (${#files[@]} files; make uninstall PREFIX=… removes them)"
  case ":$PATH:" in *":$dest/bin:"*) ;; *) echo "install: add $dest/bin to your PATH to run flowsmith by name" ;; esac
  ;;
uninstall)
  [ -f "$manifest" ] || { echo "uninstall: nothing installed in $dest (no $manifest)" >&2; exit 1; }
  while IFS= read -r f; do
    [ -n "$f" ] || continue
    rm -f -- "$dest/$f"
    # Folders left empty by the removal go too (never above DEST).
    d=$(dirname "$f")
    while [ "$d" != . ] && rmdir -- "$dest/$d" 2>/dev/null; do d=$(dirname "$d"); done
  done < "$manifest"
  rm -f -- "$manifest"
  d=share/flowsmith
  while [ "$d" != . ] && rmdir -- "$dest/$d" 2>/dev/null; do d=$(dirname "$d"); done
  echo "uninstall: removed flowsmith from $dest"
  ;;
*)
  echo "usage: install.sh install|uninstall DEST" >&2; exit 2 ;;
esac
