# fish completion for mreply(1)

# The desk named on the command line (-d DIR, --desk DIR, --desk=DIR or
# -dDIR), else $MDESK_DIR, else the current directory or a parent.  A
# desk has a working tree (desk.conf and .git) or is a bare git
# repository (HEAD and objects/) whose branch main holds the files.
function __fish_mreply_desk
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
# __fish_mreply_file DESK PATH: the desk's file PATH, or with PATH ending
# in '/' the names in that directory; in a bare desk, from the branch main.
function __fish_mreply_file
    set -l d $argv[1]
    set -l p $argv[2]
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


function __fish_mreply_templates
    set -l d (__fish_mreply_desk); or return
    __fish_mreply_file $d templates/ | string match -r -- '^[^.]+(?=.*\.txt$)' | sort -u
end

function __fish_mreply_agents
    set -l d (__fish_mreply_desk); or return
    __fish_mreply_file $d agents.csv |
        awk -F, '/^#/ || !NF { next } !h { h = 1; next } { print $1 }'
end

# The tickets' IDs: the directories tickets/SH/ID (of the branch main in
# a bare desk).
function __fish_mreply_tickets
    set -l d (__fish_mreply_desk); or return
    if test -f $d/HEAD; and not test -e $d/.git
        git --git-dir=$d ls-tree -r -d -z --name-only main:tickets 2>/dev/null |
            string split0 | string replace -rf -- '^[^/]+/([^/]+)$' '$1'
        return
    end
    for t in $d/tickets/*/*/
        basename $t
    end
end

complete -c mreply -s t -l template -x -a '(__fish_mreply_templates)' -d 'The template'
complete -c mreply -l text -r -F -d 'The agent\'s own words for {{reply.text}}'
complete -c mreply -l ticket -x -a '(__fish_mreply_tickets)' -d 'Answer the last customer message of a ticket'
complete -c mreply -l quote -d 'Quote the customer\'s text'
complete -c mreply -l attach -r -F -d 'Attach a file'
complete -c mreply -l edit -d 'Write the answer in $VISUAL or $EDITOR'
complete -c mreply -l resume -d 'Open the kept draft again'
complete -c mreply -l forward -d 'Forward the conversation to --to, recorded as internal'
complete -c mreply -l message -x -d 'With --forward: only this message file number'
complete -c mreply -l to -x -d 'Answer these addresses, not the customer of record'
complete -c mreply -l cc -x -d 'Copy these addresses instead of the participants'
complete -c mreply -l bcc -x -d 'Blind copies'
complete -c mreply -l no-cc -d 'No copies: the customer alone'
complete -c mreply -s s -l send -d 'Send through the desk\'s mailer, then record'
complete -c mreply -l record -d 'Write the message and record it (for a pipeline that sends)'
complete -c mreply -l as -x -a '(__fish_mreply_agents)' -d 'The agent who answers'
complete -c mreply -s f -l force -d 'Answer despite a collision'
complete -c mreply -l ack -d 'Send the acknowledgement'
complete -c mreply -l check -d 'Check every template'
complete -c mreply -l list -d 'List the templates'
complete -c mreply -l mailer -x -a 'sendmail:///usr/sbin/sendmail smtp://' -d 'A Mailutils mailer URL'
complete -c mreply -l dry-run -d 'Write the message, record nothing (the default)'
complete -c mreply -l quiet -d 'Say less'
complete -c mreply -s d -l desk -x -a '(__fish_complete_directories)' -d 'Work on the desk in this directory'
complete -c mreply -l now -x -d 'Take this time (RFC 3339 or @seconds) as the current time'
complete -c mreply -s h -l help -d 'Print a usage summary and exit'
complete -c mreply -l version -d 'Print the version and exit'
