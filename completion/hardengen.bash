# bash completion for hardengen. Commands, options and --format values are
# read from `hardengen help`, so they follow the installed version.
# Installed by `make install` as PREFIX/share/bash-completion/completions/hardengen.

_hardengen_envs() { # the profiles of --root, or of the nearest folder upward holding profiles/
  local root="" i dir
  for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
    [ "${COMP_WORDS[i]}" = --root ] && root=${COMP_WORDS[i + 1]}
  done
  if [ -z "$root" ]; then
    dir=$PWD
    while [ -n "$dir" ] && [ ! -d "$dir/profiles" ]; do dir=${dir%/*}; done
    root=${dir:-.}
  fi
  local f
  for f in "$root"/profiles/*.yaml; do
    [ -e "$f" ] || continue
    f=${f##*/}
    printf '%s\n' "${f%.yaml}"
  done
}

_hardengen_aws_profiles() {
  sed -n 's/^\[profile  *\([^]]*\)\].*/\1/p; s/^\[default\].*/default/p' \
    "${AWS_CONFIG_FILE:-$HOME/.aws/config}" 2>/dev/null
  sed -n 's/^\[\([^]]*\)\].*/\1/p' "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" 2>/dev/null
}

_hardengen() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local IFS=$'\n'
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "$(hardengen help 2>/dev/null |
      sed -n 's/^  hardengen \([a-z][a-z0-9-]*\).*/\1/p')"$'\n'"--version"$'\n'"-V"$'\n'"--help" -- "$cur"))
    return
  fi
  local cmd=${COMP_WORDS[1]}
  case $prev in
  --env)
    COMPREPLY=($(compgen -W "$(_hardengen_envs)" -- "$cur"))
    return ;;
  --root | --out)
    COMPREPLY=($(compgen -d -- "$cur"))
    return ;;
  --format) # the synopsis's --format a|b, else the help's "--format x" line
    local fmts
    fmts=$(hardengen help "$cmd" 2>/dev/null | sed -n '1s/.*--format \([a-z|]*\).*/\1/p' | tr '|' '\n')
    [ -n "$fmts" ] || fmts=$(hardengen help "$cmd" 2>/dev/null | sed -n 's/^  --format \([a-z]*\) .*/\1/p')
    COMPREPLY=($(compgen -W "$fmts" -- "$cur"))
    return ;;
  --profile) # the AWS profiles of the shared configuration files
    COMPREPLY=($(compgen -W "$(_hardengen_aws_profiles)" -- "$cur"))
    return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(hardengen help "$cmd" 2>/dev/null | grep -o -- '--[a-z][a-z-]*' |
      sort -u)" -- "$cur"))
  elif [ "$cmd" = help ]; then
    COMPREPLY=($(compgen -W "$(hardengen help 2>/dev/null |
      sed -n 's/^  hardengen \([a-z][a-z0-9-]*\).*/\1/p')" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _hardengen hardengen
