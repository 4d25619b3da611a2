# bash completion for tsbridge.
# The candidates come from tsbridge itself (`tsbridge __complete WORD...`), which reads its own
# flag tree: subcommands, flags and the values of enumerated flags follow every release without
# an edit here. This file only hands the words over and completes file and directory names.
_tsbridge() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local IFS=$'\n'
  local -a out
  out=($("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  case "${out[0]}" in
    :files)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      ;;
    :dirs)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -d -- "$cur"))
      ;;
    *) COMPREPLY=("${out[@]}") ;;
  esac
}
complete -F _tsbridge tsbridge
