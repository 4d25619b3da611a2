# bash completion for tsbridge
_tsbridge() {
  local cur prev sub
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  sub="${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "emulator import export --help --version" -- "$cur"))
    return
  fi
  case "$prev" in
    --spec|--config|--input|--output|--summary|--rejects) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --data) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "parquet csv jsonl" -- "$cur")); return ;;
    --mode) COMPREPLY=($(compgen -W "update put" -- "$cur")); return ;;
    --nulls) COMPREPLY=($(compgen -W "skip delete" -- "$cur")); return ;;
    --compression) COMPREPLY=($(compgen -W "snappy zstd gzip lz4_raw brotli none" -- "$cur")); return ;;
    --log-level) COMPREPLY=($(compgen -W "debug info warn error" -- "$cur")); return ;;
    --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --progress) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
  esac
  case "$sub" in
    emulator) COMPREPLY=($(compgen -W "--listen --data --no-sync --config --access-key-id --access-key-secret --log-level --fault --fault-seed --help" -- "$cur")) ;;
    import) COMPREPLY=($(compgen -W "--spec --output --format --where --explain --parallel --shard --limit --summary --endpoint --request-timeout --retry-deadline --rejects --max-errors --overwrite --compression --row-group-rows --versions --time-range --max-rows-per-sec --max-cu-per-sec --quiet --verbose --log-level --log-format --progress --help" -- "$cur")) ;;
    export) COMPREPLY=($(compgen -W "--spec --input --format --mode --nulls --if-absent --parallel --scatter --shard --rejects --create-table --dry-run --summary --endpoint --request-timeout --retry-deadline --max-errors --max-rows-per-sec --max-cu-per-sec --quiet --verbose --log-level --log-format --progress --help" -- "$cur")) ;;
  esac
}
complete -F _tsbridge tsbridge
