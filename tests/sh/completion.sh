#!/usr/bin/env bash
# completion.sh — the bash completion offers the commands, options and
# --format values `hardengen help` lists and the envs of the repository;
# the zsh one parses; `make install` installs both and the manual pages.
. "$(dirname "$0")/lib.sh"
d=$(tmpdir)
mkdir -p "$d/bin" "$d/repo/profiles" "$d/repo/sub"
ln -s "$HG_BIN" "$d/bin/hardengen"
touch "$d/repo/profiles/prod.yaml" "$d/repo/profiles/dev.yaml"
comp() { # WORDS... -> the completions of the last word, sorted, one line
  (cd "$d/repo/sub" && PATH="$d/bin:$PATH" bash -c '
    . "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _hardengen; printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$HG_TOP/completion/hardengen.bash" "$@")
}
want=$("$HG_BIN" help | sed -n 's/^  hardengen \([a-z][a-z0-9-]*\).*/\1/p' | sort | tr '\n' ' ')
got=$(comp hardengen "")
for c in $want; do case " $got " in *" $c "*) ;; *) fail completion_commands "no '$c' in: $got"; break ;; esac; done
case " $got " in *" --version "*) pass completion_commands ;; *) fail completion_commands "$got" ;; esac
[ "$(comp hardengen di)" = "diff " ] && pass completion_prefix || fail completion_prefix "$(comp hardengen di)"
[ "$(comp hardengen build --env "")" = "dev prod " ] && pass completion_envs_upward ||
  fail completion_envs_upward "$(comp hardengen build --env "")"
[ "$(comp hardengen check --format "")" = "json sarif text " ] && pass completion_formats ||
  fail completion_formats "$(comp hardengen check --format "")"
[ "$(comp hardengen publish --format "")" = "text " ] && pass completion_formats_option_line ||
  fail completion_formats_option_line "$(comp hardengen publish --format "")"
printf '[default]\nregion = eu-west-1\n[profile prod-admin]\nregion = eu-west-1\n' >"$d/aws-config"
printf '[ci]\naws_access_key_id = x\n' >"$d/aws-creds"
got=$(AWS_CONFIG_FILE=$d/aws-config AWS_SHARED_CREDENTIALS_FILE=$d/aws-creds comp hardengen publish --profile "")
[ "$got" = "ci default prod-admin " ] && pass completion_aws_profiles || fail completion_aws_profiles "$got"
got=$(comp hardengen build --c)
[ "$got" = "--check " ] && pass completion_options || fail completion_options "$got"
if command -v zsh >/dev/null 2>&1; then
  zsh -n "$HG_TOP/completion/_hardengen" && pass completion_zsh_parses || fail completion_zsh_parses "zsh -n"
else
  skip completion_zsh_parses "zsh is not installed"
fi
plan=$(cd "$HG_TOP" && make -n install DESTDIR=/x PREFIX=/p 2>/dev/null)
ok=1
for f in share/man/man1/ share/man/man5/ share/bash-completion/completions/hardengen share/zsh/site-functions/_hardengen; do
  printf '%s\n' "$plan" | grep -q "/x/p/$f" || { ok=0; fail completion_installed "make install lacks $f"; }
done
[ $ok = 1 ] && pass completion_installed
