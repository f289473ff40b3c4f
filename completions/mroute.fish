# fish completion for mroute(1)

# The desk named on the command line (-d DIR, --desk DIR, --desk=DIR or
# -dDIR); the last one counts.
function __fish_mroute_desk
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l desk
    while set -q tokens[1]
        switch $tokens[1]
            case -d --desk
                if set -q tokens[2]
                    set desk $tokens[2]
                    set -e tokens[1]
                end
            case '--desk=*'
                set desk (string replace -- --desk= '' $tokens[1])
            case '-d?*'
                set desk (string sub -s 3 -- $tokens[1])
            case -q --queue --now
                set -e tokens[1]
        end
        set -e tokens[1]
    end
    test -n "$desk"; and echo $desk
end

# __fish_mroute_file DESK PATH: the desk's file PATH; in a bare desk, from
# the branch main.
function __fish_mroute_file
    if test -e $argv[1]/.git; or not test -f $argv[1]/HEAD
        cat -- $argv[1]/$argv[2] 2>/dev/null
    else
        git --git-dir=$argv[1] cat-file blob main:$argv[2] 2>/dev/null
    end
end

# The queues of the desk: the names of the [queue NAME] sections of
# desk.conf.  The desk is the one given on the command line, else
# $MDESK_DIR, else the current directory or a parent; a bare desk (HEAD
# and objects/) is read from its branch main.
function __fish_mroute_queues
    set -l d (__fish_mroute_desk)
    test -n "$d"; or set d $MDESK_DIR
    set d (string replace -r -- '^~/' "$HOME/" "$d")
    if test -z "$d"
        set d $PWD
        while test -n "$d"; and not begin
                test -f $d/desk.conf -a -d $d/.git
                or test -f $d/HEAD -a -d $d/objects
            end
            set d (string replace -r -- '/[^/]*$' '' $d)
        end
    end
    test -n "$d"; and begin
        test -r $d/desk.conf; or test -f $d/HEAD
    end; or return
    __fish_mroute_file $d desk.conf | awk '/^[ \t]*\[[ \t]*queue[ \t]+/ {
        s = $0
        sub(/^[ \t]*\[[ \t]*queue[ \t]+/, "", s)
        sub(/[ \t]*\].*$/, "", s)
        if (s != "") print s
    }'
end

complete -c mroute -s d -l desk -x -a '(__fish_complete_directories)' -d 'Work on the desk in this directory'
complete -c mroute -s q -l queue -x -a '(__fish_mroute_queues)' -d 'Put every message in this queue'
complete -c mroute -l now -x -d 'Take this time (RFC 3339 or @seconds) as the current time'
complete -c mroute -l at-date -d 'Take the message Date as the time it was received'
complete -c mroute -l dry-run -d 'Decide everything, store nothing, print the decisions as JSON'
complete -c mroute -l explain -d 'Route, and print the decisions as JSON on stderr'
complete -c mroute -l ack -d 'Acknowledge new tickets through mreply --ack --send'
complete -c mroute -l quiet -d 'Say nothing about acknowledgements not sent'
complete -c mroute -s h -l help -d 'Print a usage summary and exit'
complete -c mroute -l version -d 'Print the version and exit'
complete -c mroute -l batch -x -d 'Messages of an mbox per commit (default 1000)'
