#!/bin/sh
# The agent's editor in `make demo`: mreply --edit hands it the draft
# (To, Cc, Bcc, Subject, a blank line, room for the answer, the signature,
# the customer's message quoted); it writes the answer where a person
# would, on the body's first line, and leaves the rest as it was.
awk 'BEGIN { h = 1 }
	h && /^$/ { h = 0; print; getline
		print "Thank you for your patience. I have looked into this and will"
		print "come back to you today with what we can do."
		next }
	{ print }' "$1" >"$1.new" && mv "$1.new" "$1"
