#!/usr/bin/env bash
# The completion scripts complete commands and each command's options, and
# skip option values when finding the command. usage: check-completion.sh MGATE
set -u
mgate=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin"
ln -s "$mgate" "$dir/bin/mgate"
export PATH="$dir/bin:$PATH"
fail=0
expect() { # name, got, want
	if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got '$2', want '$3'"; fail=1; fi
}
eval "$(mgate completion bash)"
COMP_WORDS=(mgate li); COMP_CWORD=1; _mgate; expect "bash: command" "${COMPREPLY[*]}" "lint"
COMP_WORDS=(mgate lint --str); COMP_CWORD=2; _mgate; expect "bash: option" "${COMPREPLY[*]}" "--strict"
COMP_WORDS=(mgate -c x.ini ci --ba); COMP_CWORD=4; _mgate; expect "bash: skips -c's value" "${COMPREPLY[*]}" "--base"
COMP_WORDS=(mgate --format json st); COMP_CWORD=3; _mgate; expect "bash: after a global option" "${COMPREPLY[*]}" "status"
COMP_WORDS=(mgate explain drop-t); COMP_CWORD=2; _mgate; expect "bash: a rule id to explain" "${COMPREPLY[*]}" "drop-table"
COMP_WORDS=(mgate upgrade --allow missing-d); COMP_CWORD=3; _mgate; expect "bash: a rule id to --allow" "${COMPREPLY[*]}" "missing-downgrade"
COMP_WORDS=(mgate lint --format sa); COMP_CWORD=3; _mgate; expect "bash: a format of the command" "${COMPREPLY[*]}" "sarif"
COMP_WORDS=(mgate check --format j); COMP_CWORD=3; _mgate; expect "bash: check's formats" "${COMPREPLY[*]}" "json junit"
mgate completion zsh > "$dir/_mgate"
if command -v zsh >/dev/null; then
	zsh -n "$dir/_mgate" || { echo "FAIL zsh: syntax"; fail=1; }
	got=$(zsh -f -c "fpath=($dir \$fpath); autoload -Uz compinit; compinit -u -d $dir/zcompdump; print -r -- \$_comps[mgate]")
	expect "zsh: compinit wires _mgate" "$got" "_mgate"
else
	echo "FAIL zsh is not installed (scripts/install-deps.sh installs it)"; fail=1
fi
mgate completion fish >/dev/null 2>&1; expect "unknown shell exit code" "$?" "2"
exit $fail
