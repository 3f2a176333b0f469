#!/usr/bin/env bash
# The completion scripts of bash, zsh and fish, each run in its real shell,
# complete commands, options, formats, rule ids, revision ids and labels,
# backups and [mgate] keys, and skip option values when finding the command.
# usage: check-completion.sh MGATE ROOT
set -u
mgate=$1 root=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin"
ln -s "$mgate" "$dir/bin/mgate"
export PATH="$dir/bin:$PATH"
# a project with two backups to complete
cp -r "$root/fixtures/demo" "$dir/demo"
rm -rf "$dir/demo/backups" "$dir/demo/demo.db" "$dir/demo/audit.jsonl"
cd "$dir/demo" || exit 1
/usr/bin/python3 -m alembic -c alembic.ini upgrade 8b3f5e6d0c12 >/dev/null 2>&1
mgate backup >/dev/null 2>&1 || { echo "FAIL mgate backup"; exit 1; }
backup=$(mgate backup --list --format json | sed -n 's/.*"path": "\(backups\/[^"]*\)".*/\1/p' | head -1)
fail=0
expect() { # name, got, want
	if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got '$2', want '$3'"; fail=1; fi
}

eval "$(mgate completion bash)"
b() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _mgate; echo "${COMPREPLY[*]}"; }
expect "bash: command" "$(b mgate li)" "lint"
expect "bash: option" "$(b mgate lint --str)" "--strict"
expect "bash: skips -c's value" "$(b mgate -c x.ini ci --ba)" "--base"
expect "bash: after a global option" "$(b mgate --format json st)" "status"
expect "bash: after --color" "$(b mgate --color never st)" "status"
expect "bash: a rule id to explain" "$(b mgate explain drop-t)" "drop-table"
expect "bash: a rule id to --allow" "$(b mgate upgrade --allow missing-d)" "missing-downgrade"
expect "bash: a format of the command" "$(b mgate lint --format sa)" "sarif"
expect "bash: check's formats" "$(b mgate check --format j)" "json junit"
expect "bash: a revision id" "$(b mgate upgrade 8b)" "8b3f5e6d0c12"
expect "bash: --to a revision" "$(b mgate rollback --to 1f)" "1f0a9c3e2b71"
expect "bash: a backup to restore" "$(b mgate restore back)" "$backup"
expect "bash: newest" "$(b mgate restore ne)" "newest"
expect "bash: an [mgate] key" "$(b mgate help backup_max)" "backup_max_age"
expect "bash: colour values" "$(b mgate lint --color a)" "auto always"
expect "bash: files otherwise" "$(b mgate lint fixt)" ""

mgate completion zsh > "$dir/_mgate"
if command -v zsh >/dev/null; then
	zsh -n "$dir/_mgate" || { echo "FAIL zsh: syntax"; fail=1; }
	got=$(zsh -f -c "fpath=($dir \$fpath); autoload -Uz compinit; compinit -u -d $dir/zcompdump; print -r -- \$_comps[mgate]")
	expect "zsh: compinit wires _mgate" "$got" "_mgate"
	# run _mgate as zsh's completion system would, with compadd recording what it is given
	z() {
		zsh -f -c "source $dir/_mgate 2>/dev/null; compadd() { shift 4; print -r -- \${(P)1}; }; _files() { print FILES; }
			words=($*); CURRENT=\${#words}; PREFIX=\${words[-1]}; _mgate"
	}
	expect "zsh: command" "$(z mgate li)" "lint"
	expect "zsh: a revision id" "$(z mgate upgrade 8b)" "8b3f5e6d0c12"
	expect "zsh: a rule id" "$(z mgate explain drop-t)" "drop-table"
	expect "zsh: files otherwise" "$(z mgate lint fixt)" "FILES"
else
	echo "FAIL zsh is not installed (scripts/install-deps.sh installs it)"; fail=1
fi

if command -v fish >/dev/null; then
	mgate completion fish > "$dir/mgate.fish"
	f() { fish --no-config -c "source $dir/mgate.fish; complete -C '$*'" | cut -f1 | tr '\n' ' ' | sed 's/ $//'; }
	expect "fish: command" "$(f mgate li)" "lint"
	expect "fish: a command's summary" "$(fish --no-config -c "source $dir/mgate.fish; complete -C 'mgate dri'")" \
		"drill	$(mgate --help | sed -n 's/^    drill *//p')"
	expect "fish: option" "$(f mgate lint --str)" "--strict"
	expect "fish: a rule id" "$(f mgate explain drop-t)" "drop-table"
	expect "fish: a revision id" "$(f mgate upgrade 8b)" "8b3f5e6d0c12"
	expect "fish: a format" "$(f mgate ci --format code)" "codeclimate"
else
	echo "FAIL fish is not installed (scripts/install-deps.sh installs it)"; fail=1
fi
mgate completion tcsh >/dev/null 2>&1; expect "unknown shell exit code" "$?" "2"
exit $fail
