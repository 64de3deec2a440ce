#!/usr/bin/env bash
# Global behaviour of the command line: help, version, exit codes,
# configuration errors, and documentation kept true to the code.
. "$(dirname "$0")/lib.sh"
root=$GRYM_ROOT

check_status "--help exits 0" 0 "$GRYM" --help
contains "--help lists analyze" "$T/.out" "analyze"
check_status "--version exits 0" 0 "$GRYM" --version
grep -qE '^grym [0-9]+\.[0-9]+\.[0-9]+$' "$T/.out" && ok "--version prints grym X.Y.Z" || not_ok "--version format"
check_status "help analyze exits 0" 0 "$GRYM" help analyze
contains "help analyze shows usage" "$T/.out" "usage: grym analyze"
check_status "unknown command is a usage error" 2 "$GRYM" frobnicate
contains "unknown command named" "$T/.err" "unknown command 'frobnicate'"
check_status "unknown option is a usage error" 2 "$GRYM" --bogus
check_status "help of unknown command is a usage error" 2 "$GRYM" help nosuch

# a command name with an escape sequence is printed escaped
"$GRYM" $'\e[31mred' 2>"$T/esc.err"
if grep -q $'\e' "$T/esc.err"; then not_ok "unknown command escaped"; else ok "unknown command escaped"; fi

# configuration: errors name file:line:col and exit 2; nothing else runs
printf 'analysis:\n  rate: 22050\n  silence_treshold: -40\n' >"$T/bad.yaml"
check_status "unknown config key exits 2" 2 "$GRYM" --config "$T/bad.yaml" config
contains "unknown key named with line:col" "$T/.err" "bad.yaml:3:3: unknown option 'analysis.silence_treshold'"
printf 'analysis:\n  rate: 4000\n' >"$T/range.yaml"
check_status "out-of-range config exits 2" 2 "$GRYM" --config "$T/range.yaml" config
contains "range error names line:col" "$T/.err" "range.yaml:2:9: analysis.rate: 4000 is out of range 8000..48000"
printf 'play:\n  level_match: perhaps\n' >"$T/type.yaml"
check_status "wrong type exits 2" 2 "$GRYM" --config "$T/type.yaml" config
contains "type error names line:col" "$T/.err" "type.yaml:2:16: play.level_match: expected true or false"
check_status "missing --config file exits 1" 1 "$GRYM" --config "$T/nope.yaml" config

# the user's file is read from XDG_CONFIG_HOME
mkdir -p "$XDG_CONFIG_HOME/grym"
printf 'analysis:\n  min_silence: 0.75\n' >"$XDG_CONFIG_HOME/grym/config.yaml"
"$GRYM" config >"$T/cfg.out" 2>&1
contains "user config is read" "$T/cfg.out" "min_silence: 0.75"
rm -f "$XDG_CONFIG_HOME/grym/config.yaml"

# config/grym.yaml is exactly the documented default the code carries,
# and it loads cleanly
"$GRYM" config --default >"$T/default.yaml"
if cmp -s "$T/default.yaml" "$root/config/grym.yaml"; then ok "config/grym.yaml matches the code"; else
	not_ok "config/grym.yaml matches the code (run: ./grym config --default > config/grym.yaml)"; fi
check_status "default config loads" 0 "$GRYM" --config "$root/config/grym.yaml" config

# the man page is clean and documents every command
if command -v mandoc >/dev/null; then
	check "man page passes mandoc -T lint" mandoc -T lint -W warning "$root/man/grym.1"
fi
"$GRYM" --help | awk '/^Commands:/{c=1;next} /^$/{c=0} c{print $1}' >"$T/cmds"
# only the COMMANDS section counts (configuration sections share names)
sed -n '/^\.Sh COMMANDS/,/^\.Sh /p' "$root/man/grym.1" >"$T/man-commands"
missing=""
while read -r c; do
	# an entry is ".It Cm name ..." or, for a long synopsis, ".It Xo" then ".Cm name"
	awk -v c="$c" '$1 == ".It" && $2 == "Cm" && $3 == c { f = 1 }
		prev == ".It Xo" && $1 == ".Cm" && $2 == c { f = 1 }
		{ prev = $0 } END { exit !f }' "$T/man-commands" || missing="$missing $c"
done <"$T/cmds"
[ -z "$missing" ] && ok "man page documents every command" || not_ok "man page lacks:$missing"
sorted=$(sort "$T/cmds" | tr '\n' ' ')
[ "$(tr '\n' ' ' <"$T/cmds")" = "$sorted" ] && ok "--help lists commands in order" ||
	not_ok "--help lists commands in order"
finish
