# fish completion for mthread(1)

complete -c mthread -s f -l format -x -a 'json tree mbox' -d 'Output format'
complete -c mthread -s r -l reverse -d 'List the threads newest first'
complete -c mthread -l subject -d 'Join threads with the same base subject'
complete -c mthread -l token -d 'Join threads by [#ID] token in the subject'
complete -c mthread -l dups -d 'List duplicate messages too'
complete -c mthread -l explain -d 'Add a "why" field to every message'
complete -c mthread -s h -l help -d 'Print a usage summary and exit'
complete -c mthread -l version -d 'Print the version and exit'
