# fish completion for mreport(1)

complete -c mreport -f
complete -c mreport -s d -l desk -x -a '(__fish_complete_directories)' -d 'Work on the desk in this directory'
complete -c mreport -l since -x -d 'The start of the report (RFC 3339, @seconds or YYYY-MM-DD)'
complete -c mreport -l until -x -d 'The end of the report, left out'
complete -c mreport -s b -l by -x -a 'agent group queue tag priority language customer day week month' -d 'Group by a key or a period'
complete -c mreport -s f -l format -x -a 'table csv json html' -d 'Output format'
complete -c mreport -l rev -x -d 'Report the desk as it was at this git revision'
complete -c mreport -l tz -x -a '(string replace -r "^.*/zoneinfo/" "" /usr/share/zoneinfo/*/*)' -d 'The time zone of periods and hours'
complete -c mreport -l sla-target -x -d 'The SLA achievement (percent) the HTML bars are measured against'
complete -c mreport -l now -x -d 'Take this time (RFC 3339 or @seconds) as the current time'
complete -c mreport -s h -l help -d 'Print a usage summary and exit'
complete -c mreport -l version -d 'Print the version and exit'
