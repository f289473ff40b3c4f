# fish completion for msla(1)

# The desk named on the command line (-d DIR, --desk DIR, --desk=DIR),
# else $MDESK_DIR, else the current directory or a parent.  A desk has a
# working tree (desk.conf and .git) or is a bare git repository (HEAD and
# objects/) whose branch main holds the files.
function __fish_msla_desk
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
        end
        set -e tokens[1]
    end
    test -n "$desk"; or set desk $MDESK_DIR
    set desk (string replace -r -- '^~/' "$HOME/" "$desk")
    if test -z "$desk"
        set desk $PWD
        while test -n "$desk"; and not begin
                test -f $desk/desk.conf -a -d $desk/.git
                or test -f $desk/HEAD -a -d $desk/objects
            end
            set desk (string replace -r -- '/[^/]*$' '' $desk)
        end
    end
    test -n "$desk"; and begin
        test -r $desk/desk.conf; or test -f $desk/HEAD
    end; and echo $desk
end
# __fish_msla_file DESK PATH: the desk's file PATH; in a bare desk, from
# the branch main.
function __fish_msla_file
    if test -e $argv[1]/.git; or not test -f $argv[1]/HEAD
        cat -- $argv[1]/$argv[2] 2>/dev/null
    else
        git --git-dir=$argv[1] cat-file blob main:$argv[2] 2>/dev/null
    end
end


function __fish_msla_queues
    set -l d (__fish_msla_desk); or return
    __fish_msla_file $d desk.conf | awk '/^[ \t]*\[[ \t]*queue[ \t]+/ {
        s = $0
        sub(/^[ \t]*\[[ \t]*queue[ \t]+/, "", s)
        sub(/[ \t]*\].*$/, "", s)
        if (s != "") print s
    }'
end

function __fish_msla_agents
    set -l d (__fish_msla_desk); or return
    __fish_msla_file $d agents.csv |
        awk -F, '/^#/ && !h { next } !h { h = 1; next } $1 != "" { print $1 }'
    echo -
end

# The tickets' IDs: the directories tickets/SH/ID (of the branch main in
# a bare desk).
function __fish_msla_ids
    set -l d (__fish_msla_desk); or return
    if test -f $d/HEAD; and not test -e $d/.git
        git --git-dir=$d ls-tree -r -d -z --name-only main:tickets 2>/dev/null |
            string split0 | string replace -rf -- '^[^/]+/([^/]+)$' '$1'
        return
    end
    for p in $d/tickets/*/*
        basename $p
    end
end

complete -c msla -f -a '(__fish_msla_ids)'
complete -c msla -s d -l desk -x -a '(__fish_complete_directories)' -d 'Work on the desk in this directory'
complete -c msla -l now -x -d 'Take this time (RFC 3339 or @seconds) as the current time'
complete -c msla -l as-of -x -d 'Evaluate the desk as it stood at this time'
complete -c msla -l policy -x -d 'Read sla.conf from this git revision'
complete -c msla -l warn -x -d 'At risk when less than this (25% or 30m) is left'
complete -c msla -s f -l format -x -a 'table json csv' -d 'Output format'
complete -c msla -s a -l all -d 'Every clock, whatever its state'
complete -c msla -l state -x -a 'running paused at-risk breached met' -d 'Only the clocks in this state'
complete -c msla -l metric -x -a 'first_reply next_reply periodic_update resolution' -d 'Only this metric'
complete -c msla -s q -l queue -x -a '(__fish_msla_queues)' -d 'Only the tickets of this queue'
complete -c msla -l assignee -x -a '(__fish_msla_agents)' -d 'Only the tickets of this agent (- for unassigned)'
complete -c msla -s p -l priority -x -a 'low normal high urgent' -d 'Only the tickets of this priority'
complete -c msla -s t -l tag -x -d 'Only the tickets with this tag'
complete -c msla -l notify -d 'Write escalation mail and record escalated events'
complete -c msla -l escalate -x -d 'Also send breaches to this address'
complete -c msla -l dry-run -d 'With --notify: write the mail but record nothing'
complete -c msla -l explain -x -a '(__fish_msla_ids)' -d "Show the history of one ticket's clocks"
complete -c msla -s h -l help -d 'Print a usage summary and exit'
complete -c msla -l version -d 'Print the version and exit'
