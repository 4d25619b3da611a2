# fish completion for tsbridge: the candidates come from `tsbridge __complete WORD...`, which reads
# the binary's own flag tree (see tsbridge.bash); this file completes file and directory names.
function __tsbridge_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l bin $words[1]
    set -e words[1]
    set -l out ($bin __complete $words "$current" 2>/dev/null)
    switch "$out[1]"
        case :files
            __fish_complete_path "$current"
        case :dirs
            __fish_complete_directories "$current"
        case '*'
            printf '%s\n' $out
    end
end
complete -c tsbridge -f -a '(__tsbridge_complete)'
