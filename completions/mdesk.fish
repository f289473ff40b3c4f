# fish completion for mdesk(1)

# The words of the command line before the cursor, as a list:
# the global options, then the command and its arguments.
function __fish_mdesk_tokens
    commandline -opc
end

# The desk options given on the command line (--desk DIR), for the
# mdesk commands run to complete.
function __fish_mdesk_desk
    set -l tokens (__fish_mdesk_tokens)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case -d --desk
                if set -q tokens[2]
                    echo --desk
                    echo $tokens[2]
                end
                return
            case '--desk=*'
                echo $tokens[1]
                return
            case '-d?*'
                echo --desk
                string sub -s 3 -- $tokens[1]
                return
            case --as --now
                set -e tokens[1]
            case -- --
                return
        end
        set -e tokens[1]
    end
end

# The command: the first word that is not a global option or its value.
function __fish_mdesk_command
    set -l tokens (__fish_mdesk_tokens)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case -d --desk --as --now
                set -e tokens[1]
            case '-*'
            case '*'
                echo $tokens[1]
                return 0
        end
        set -e tokens[1]
    end
    return 1
end

function __fish_mdesk_needs_command
    not __fish_mdesk_command >/dev/null
end

# The operands of the command so far, option values left out.
function __fish_mdesk_args
    set -l cmd (__fish_mdesk_command); or return
    set -l tokens (__fish_mdesk_tokens)
    set -e tokens[1]
    # skip to the command
    while set -q tokens[1]
        switch $tokens[1]
            case -d --desk --as --now
                set -e tokens[1]
            case '-*'
            case '*'
                set -e tokens[1]
                break
        end
        set -e tokens[1]
    end
    while set -q tokens[1]
        switch "$cmd:$tokens[1]"
            case 'ls:-s' 'ls:-a' 'ls:-q' 'ls:-t' 'ls:-p' 'ls:-l' 'ls:-c' 'ls:-f' \
                'ls:--status' 'ls:--assignee' 'ls:--queue' 'ls:--tag' 'ls:--priority' \
                'ls:--lang' 'ls:--customer' 'ls:--format' 'claim:--for' 'log:-n' \
                'log:--max' 'log:--format' 'customer:--format' 'archive:--older-than' \
                'agent:--format' 'ls:--sort' 'log:-f' 'customer:-f' 'agent:-f' \
                'maildir:--view' 'search:-s' 'search:-a' 'search:-q' 'search:-t' \
                'search:-f' 'search:--status' 'search:--assignee' 'search:--queue' \
                'search:--tag' 'search:--format' 'search:--since' 'search:--until' 'search:--limit' \
                '*:--as' '*:--now' '*:--desk' '*:-d'
                set -e tokens[1]
            case '*:-?*'
            case '*'
                echo $tokens[1]
        end
        set -e tokens[1]
    end
end

# Is the command $argv[1], with $argv[2] operands before the cursor?
function __fish_mdesk_at
    set -l cmd (__fish_mdesk_command)
    test "$cmd" = $argv[1]; or return
    set -q argv[2]; or return 0
    test (count (__fish_mdesk_args)) -eq $argv[2]
end

# Is it "agent SUB", with at least $argv[2] operands after "agent"?
function __fish_mdesk_agent_at
    set -l cmd (__fish_mdesk_command)
    test "$cmd" = agent; or return
    set -l args (__fish_mdesk_args)
    test "$args[1]" = $argv[1]; or return
    test (count $args) -ge $argv[2]
end

function __fish_mdesk_using
    contains -- (__fish_mdesk_command) $argv
end

# Ticket IDs and subjects, from ls: every ticket, solved, closed and
# archived ones too, unless ls options in $argv choose; only when jq is
# there.
function __fish_mdesk_tickets
    command -sq jq; or return
    set -q argv[1]; or set argv --all
    mdesk (__fish_mdesk_desk) ls $argv --format json 2>/dev/null |
        jq -r '"\(.id)\t\(.subject // "")"' 2>/dev/null
end

# Values of one field of the listed tickets (a jq path).
function __fish_mdesk_ticket_values
    command -sq jq; or return
    mdesk (__fish_mdesk_desk) ls --format json 2>/dev/null |
        jq -r "$argv[1] // empty" 2>/dev/null | sort -u
end

# Agent logins: the first column of agents.csv, without the comment
# lines and the header row.
function __fish_mdesk_agents
    mdesk (__fish_mdesk_desk) agent ls --format csv 2>/dev/null |
        string match -rv '^(#|login,|$)' | string replace -r ',.*' ''
end

function __fish_mdesk_ticket_tags
    command -sq jq; or return
    set -l args (__fish_mdesk_args)
    mdesk (__fish_mdesk_desk) show --json $args[1] 2>/dev/null |
        jq -r '.tags[]' 2>/dev/null
end

# The desk's directory: --desk, $MDESK_DIR, or the desk around $PWD.  A
# desk has a working tree (desk.conf and .git) or is a bare git
# repository (HEAD and objects/) whose branch main holds the files.
function __fish_mdesk_root
    set -l desk (__fish_mdesk_desk)
    set -l d
    if set -q desk[2]
        set d $desk[2]
    else if set -q desk[1]
        set d (string replace -- --desk= '' $desk[1])
    else if set -q MDESK_DIR
        set d $MDESK_DIR
    else
        set d $PWD
        while test -n "$d"; and not begin
                test -f $d/desk.conf -a -d $d/.git
                or test -f $d/HEAD -a -d $d/objects
            end
            set d (string replace -r '/[^/]*$' '' -- $d)
        end
    end
    echo $d
end

# __fish_mdesk_file PATH: the desk's file PATH, or with PATH ending
# in '/' the names in that directory; in a bare desk, from the branch main.
function __fish_mdesk_file
    set -l d (__fish_mdesk_root)
    set -l p $argv[1]
    if test -e $d/.git; or not test -f $d/HEAD
        if string match -q -- '*/' $p
            for f in $d/$p*
                string replace -r -- '.*/' '' $f
            end
        else
            cat -- $d/$p 2>/dev/null
        end
    else if string match -q -- '*/' $p
        git --git-dir=$d ls-tree -z --name-only main:$p 2>/dev/null | string split0
    else
        git --git-dir=$d cat-file blob main:$p 2>/dev/null
    end
end

function __fish_mdesk_calendars
    __fish_mdesk_file calendars/ | string replace -rf -- '^([^.].*)\.conf$' '$1'
end

# The rules of automations.conf.
function __fish_mdesk_rules
    __fish_mdesk_file automations.conf | sed -n 's/^\[rule \([^]]*\)\]/\1/p'
end

function __fish_mdesk_agent_fields
    set -l tok (commandline -ct)
    switch $tok
        case 'status=*'
            printf 'status=%s\n' active away inactive
        case 'calendar=*'
            for c in (__fish_mdesk_calendars)
                echo calendar=$c
            end
        case '*=*'
        case '*'
            printf '%s\t%s\n' name= 'Full name' email= 'Own address' \
                groups= 'Groups, separated by ;' skills= 'Skills, separated by ;' \
                languages= 'Language codes, separated by ;' \
                capacity= 'Most open tickets, empty for no limit' \
                status= 'active, away or inactive' calendar= 'The shift'
    end
end

set -l statuses new open pending on-hold solved closed
set -l priorities low normal high urgent
set -l formats table json csv

complete -c mdesk -f

# Global options
complete -c mdesk -n __fish_mdesk_needs_command -s d -l desk -x -a '(__fish_complete_directories)' -d 'Use the desk in this directory'
complete -c mdesk -n __fish_mdesk_needs_command -l as -x -a '(__fish_mdesk_agents)' -d 'Act as this agent'
complete -c mdesk -n __fish_mdesk_needs_command -l now -x -d 'Take this time as the current time'
complete -c mdesk -n __fish_mdesk_needs_command -s h -l help -d 'Print a usage summary and exit'
complete -c mdesk -n __fish_mdesk_needs_command -l version -d 'Print the version and exit'

# Commands
complete -c mdesk -n __fish_mdesk_needs_command -a init -d 'Create a desk with example files'
complete -c mdesk -n __fish_mdesk_needs_command -a check -d 'Validate the files of the desk'
complete -c mdesk -n __fish_mdesk_needs_command -a ls -d 'List tickets'
complete -c mdesk -n __fish_mdesk_needs_command -a search -d 'Find tickets by the words of their text'
complete -c mdesk -n __fish_mdesk_needs_command -a show -d 'Show a ticket'
complete -c mdesk -n __fish_mdesk_needs_command -a assign -d 'Assign a ticket to an agent'
complete -c mdesk -n __fish_mdesk_needs_command -a unassign -d 'Leave a ticket without an agent'
complete -c mdesk -n __fish_mdesk_needs_command -a claim -d 'Claim a ticket for a while'
complete -c mdesk -n __fish_mdesk_needs_command -a release -d 'End a claim'
complete -c mdesk -n __fish_mdesk_needs_command -a note -d 'Add an internal note'
complete -c mdesk -n __fish_mdesk_needs_command -a seen -d 'Mark the mentions of you in a ticket read'
complete -c mdesk -n __fish_mdesk_needs_command -a snooze -d 'Take a ticket out of the queue until a time'
complete -c mdesk -n __fish_mdesk_needs_command -a unsnooze -d 'Bring a snoozed ticket back now'
complete -c mdesk -n __fish_mdesk_needs_command -a remind -d 'Set a private reminder on a ticket'
complete -c mdesk -n __fish_mdesk_needs_command -a notify -d 'Mail the wakes and reminders that are due'
complete -c mdesk -n __fish_mdesk_needs_command -a tag -d 'Add tags to a ticket'
complete -c mdesk -n __fish_mdesk_needs_command -a untag -d 'Remove tags from a ticket'
complete -c mdesk -n __fish_mdesk_needs_command -a priority -d 'Set the priority of a ticket'
complete -c mdesk -n __fish_mdesk_needs_command -a status -d 'Set the status of a ticket'
complete -c mdesk -n __fish_mdesk_needs_command -a merge -d 'Merge a ticket into another'
complete -c mdesk -n __fish_mdesk_needs_command -a log -d 'Show the history of the desk'
complete -c mdesk -n __fish_mdesk_needs_command -a customer -d 'Show a customer and their tickets'
complete -c mdesk -n __fish_mdesk_needs_command -a agent -d 'List, add or change agents'
complete -c mdesk -n __fish_mdesk_needs_command -a archive -d 'Move old solved and closed tickets to the archive'
complete -c mdesk -n __fish_mdesk_needs_command -a gc -d 'Pack the repository'
complete -c mdesk -n __fish_mdesk_needs_command -a sync -d 'Fetch, merge and push through a git remote'
complete -c mdesk -n __fish_mdesk_needs_command -a clone -d 'Make a new replica of a desk'
complete -c mdesk -n __fish_mdesk_needs_command -a maildir -d 'Write the tickets of views as maildirs'
complete -c mdesk -n __fish_mdesk_needs_command -a automate -d 'Run the rules of automations.conf (from cron)'
complete -c mdesk -n __fish_mdesk_needs_command -a help -d "List the commands, or show one command's usage"

# The global options go after the command too
complete -c mdesk -n 'not __fish_mdesk_needs_command' -l desk -x -a '(__fish_complete_directories)' -d 'Use the desk in this directory'
complete -c mdesk -n 'not __fish_mdesk_needs_command' -l as -x -a '(__fish_mdesk_agents)' -d 'Act as this agent'
complete -c mdesk -n 'not __fish_mdesk_needs_command' -l now -x -d 'Take this time as the current time'
complete -c mdesk -n 'not __fish_mdesk_needs_command' -l help -d "Print the command's usage and exit"

# search
complete -c mdesk -n '__fish_mdesk_using search' -s A -l all -d 'Archived tickets too'
complete -c mdesk -n '__fish_mdesk_using search' -s s -l status -x -a "$statuses" -d 'Only this status'
complete -c mdesk -n '__fish_mdesk_using search' -s a -l assignee -x -a '(__fish_mdesk_agents)' -d 'Only tickets of this agent'
complete -c mdesk -n '__fish_mdesk_using search' -l mine -d 'Only my tickets'
complete -c mdesk -n '__fish_mdesk_using search' -s u -l unassigned -d 'Only tickets of no agent'
complete -c mdesk -n '__fish_mdesk_using search' -s q -l queue -x -a '(__fish_mdesk_ticket_values .queue)' -d 'Only this queue'
complete -c mdesk -n '__fish_mdesk_using search' -s t -l tag -x -a '(__fish_mdesk_ticket_values ".tags[]")' -d 'Only tickets with this tag'
complete -c mdesk -n '__fish_mdesk_using search' -l since -x -d 'Only tickets created at or after this date'
complete -c mdesk -n '__fish_mdesk_using search' -l until -x -d 'Only tickets created before this date'
complete -c mdesk -n '__fish_mdesk_using search' -l fts -d 'The query in SQLite FTS5 syntax'
complete -c mdesk -n '__fish_mdesk_using search' -l limit -x -d 'Show at most so many tickets (0 for all)'
complete -c mdesk -n '__fish_mdesk_using search' -s f -l format -x -a "$formats" -d 'Output format'

# init
complete -c mdesk -n '__fish_mdesk_using init' -l bare -d 'A bare desk: no working tree (the mail host)'
complete -c mdesk -n '__fish_mdesk_at init 0' -x -a '(__fish_complete_directories)'

# ls
complete -c mdesk -n '__fish_mdesk_using ls' -s A -l all -d 'Tickets of every status, archived ones too'
complete -c mdesk -n '__fish_mdesk_using ls' -s s -l status -x -a "$statuses" -d 'Only this status'
complete -c mdesk -n '__fish_mdesk_using ls' -s a -l assignee -x -a '(__fish_mdesk_agents)' -d 'Only tickets of this agent'
complete -c mdesk -n '__fish_mdesk_using ls' -l mine -d 'Only my tickets'
complete -c mdesk -n '__fish_mdesk_using ls' -s u -l unassigned -d 'Only tickets of no agent'
complete -c mdesk -n '__fish_mdesk_using ls' -l collisions -d 'Only tickets with a collision between replicas'
complete -c mdesk -n '__fish_mdesk_using ls' -l mentions -d 'Only tickets whose notes mention you, unread, and your wakes and reminders'
complete -c mdesk -n '__fish_mdesk_using ls' -l snoozed -d 'Only snoozed tickets'
complete -c mdesk -n '__fish_mdesk_using ls' -s q -l queue -x -a '(__fish_mdesk_ticket_values .queue)' -d 'Only this queue'
complete -c mdesk -n '__fish_mdesk_using ls' -s t -l tag -x -a '(__fish_mdesk_ticket_values ".tags[]")' -d 'Only tickets with this tag'
complete -c mdesk -n '__fish_mdesk_using ls' -s p -l priority -x -a "$priorities" -d 'Only this priority'
complete -c mdesk -n '__fish_mdesk_using ls' -s l -l lang -x -a '(__fish_mdesk_ticket_values .lang)' -d 'Only this language'
complete -c mdesk -n '__fish_mdesk_using ls' -s c -l customer -x -a '(__fish_mdesk_ticket_values .customer)' -d 'Only this customer address or @domain'
complete -c mdesk -n '__fish_mdesk_using ls' -s f -l format -x -a "$formats" -d 'Output format'
complete -c mdesk -n '__fish_mdesk_using ls' -l sort -x -a 'priority due updated created' -d 'List in this order'

# show
complete -c mdesk -n '__fish_mdesk_using show' -l json -d 'Write one JSON object'
complete -c mdesk -n '__fish_mdesk_using show' -l mbox -d 'Write the messages as an mbox'
complete -c mdesk -n '__fish_mdesk_using show' -l part -x -d 'Write one attachment, decoded'
complete -c mdesk -n '__fish_mdesk_using show' -l attachments -x -a '(__fish_complete_directories)' -d 'Save every attachment in a folder'
complete -c mdesk -n '__fish_mdesk_at show 0' -a '(__fish_mdesk_tickets)'

# commands on one ticket
for c in assign unassign claim release note seen snooze unsnooze remind tag untag priority status log merge
    complete -c mdesk -n "__fish_mdesk_at $c 0" -a '(__fish_mdesk_tickets)'
end
complete -c mdesk -n '__fish_mdesk_at merge 1' -a '(__fish_mdesk_tickets)'
complete -c mdesk -n '__fish_mdesk_at assign 1' -a '(__fish_mdesk_agents)' -d Agent
complete -c mdesk -n '__fish_mdesk_at priority 1' -a "$priorities"
complete -c mdesk -n '__fish_mdesk_at status 1' -a "$statuses"
complete -c mdesk -n '__fish_mdesk_using status' -l force -d "Over another agent's claim"
complete -c mdesk -n '__fish_mdesk_using tag; and not __fish_mdesk_at tag 0' -a '(__fish_mdesk_ticket_values ".tags[]")'
complete -c mdesk -n '__fish_mdesk_using untag; and not __fish_mdesk_at untag 0' -a '(__fish_mdesk_ticket_tags)'
complete -c mdesk -n '__fish_mdesk_using note; and not __fish_mdesk_at note 0; and string match -q "@*" -- (commandline -ct)' -a '@(__fish_mdesk_agents)' -d Mention
complete -c mdesk -n '__fish_mdesk_at note 1' -a - -d 'Read the note from the standard input'
complete -c mdesk -n '__fish_mdesk_at snooze 1' -x -a '1h 4h 1d 3d 1w' -d 'A duration, or a date or time'
complete -c mdesk -n '__fish_mdesk_at remind 1' -x -a '1h 4h 1d 3d 1w' -d 'A duration, or a date or time'
complete -c mdesk -n '__fish_mdesk_at remind 2' -a - -d 'Read the reminder from the standard input'
complete -c mdesk -n '__fish_mdesk_using notify' -l dry-run -d 'Say what would be told, tell nothing'

# claim, release
complete -c mdesk -n '__fish_mdesk_using claim' -l for -x -a '15m 30m 1h 2h 4h 1d' -d 'How long the claim lasts'
complete -c mdesk -n '__fish_mdesk_using claim' -l force -d "Take over another agent's claim"
complete -c mdesk -n '__fish_mdesk_at release 1' -l force -d "Release another agent's claim"

# log, customer
complete -c mdesk -n '__fish_mdesk_using log' -s n -l max -x -d 'Show at most this many commits'
complete -c mdesk -n '__fish_mdesk_using log' -s f -l format -x -a "$formats" -d 'Output format'
complete -c mdesk -n '__fish_mdesk_using customer' -s f -l format -x -a "$formats" -d 'Output format'
complete -c mdesk -n '__fish_mdesk_at customer 0' -a '(__fish_mdesk_ticket_values .customer)'

# agent
complete -c mdesk -n '__fish_mdesk_at agent 0' -a ls -d 'List the agents'
complete -c mdesk -n '__fish_mdesk_at agent 0' -a add -d 'Add an agent'
complete -c mdesk -n '__fish_mdesk_at agent 0' -a set -d 'Change an agent'
complete -c mdesk -n '__fish_mdesk_agent_at ls 1' -s f -l format -x -a "$formats" -d 'Output format'
complete -c mdesk -n '__fish_mdesk_at agent 1; and __fish_mdesk_agent_at set 1' -a '(__fish_mdesk_agents)'
complete -c mdesk -n '__fish_mdesk_agent_at set 2' -a '(__fish_mdesk_agent_fields)'
complete -c mdesk -n '__fish_mdesk_agent_at add 2' -a '(__fish_mdesk_agent_fields)'

# archive, gc
complete -c mdesk -n '__fish_mdesk_using archive' -l older-than -x -a '7d 14d 30d 90d' -d 'Archive tickets quiet for this long'
complete -c mdesk -n '__fish_mdesk_using archive' -a '(__fish_mdesk_tickets --status solved; __fish_mdesk_tickets --status closed)'
complete -c mdesk -n '__fish_mdesk_using gc' -l full -d 'One pack of everything'

# check, sync, clone
complete -c mdesk -n '__fish_mdesk_using check' -l repair -d 'Fetch what the desk lacks from a remote, then check'
complete -c mdesk -n '__fish_mdesk_using sync' -l auto -d 'Quiet when there is nothing to do (cron)'
complete -c mdesk -n '__fish_mdesk_at sync 0' -x -a '(git remote 2>/dev/null)'
complete -c mdesk -n '__fish_mdesk_using clone' -l bare -d 'A bare desk: no working tree (the mail host)'
complete -c mdesk -n '__fish_mdesk_at clone 1' -x -a '(__fish_complete_directories)'

# automate
complete -c mdesk -n '__fish_mdesk_using automate' -l dry-run -d 'Say what would be done, do nothing'
complete -c mdesk -n '__fish_mdesk_using automate' -l explain -d 'Say why each rule acts or not on each ticket'
complete -c mdesk -n '__fish_mdesk_using automate' -l rule -x -a '(__fish_mdesk_rules)' -d 'Run this rule only'

# maildir, help
complete -c mdesk -n '__fish_mdesk_using maildir' -l view -x -a 'mine unassigned at-risk mentions all' -d 'A view to write (all of them by default)'
complete -c mdesk -n '__fish_mdesk_at maildir 0' -x -a '(__fish_complete_directories)'
complete -c mdesk -n '__fish_mdesk_at help 0' -x -a 'init check ls show assign unassign claim release note seen snooze unsnooze remind notify tag untag priority status merge log customer agent archive gc sync clone maildir automate help'
