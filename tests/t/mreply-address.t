#!/bin/sh
# valgrind: yes
# Who a reply goes to.  The ticket's customer of record, whatever a later
# message's Reply-To or Sender says (shown by mreply on stderr and by mdesk
# show, never followed); another address only with --to.  Everyone the
# customer copied (Cc) gets a copy, the desk's own addresses never;
# --cc, --bcc and --no-cc change that; the participants are shown in mdesk
# show; a copied partner's answer keeps them in (a Cc round trip).
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D" MDESK_MSGID_SEED=addr
hdr() { awk -v h="$1" 'BEGIN { IGNORECASE = 1 } /^$/ { exit }
	/^[ \t]/ { if (on) v = v " " substr($0, 2); next }
	{ if (on) exit; on = (tolower(substr($0, 1, length(h) + 1)) == tolower(h) ":"); if (on) v = substr($0, length(h) + 3) }
	END { print v }' "$2"; }
NOW=--now=2026-11-02T10:00:00Z

# ---------------------------------------------------------------- a Reply-To that is not the customer's
cat >"$TMP/v1.eml" <<'EOF'
From: Vera Lopes <victim@customer.example>
To: support@lumen.example
Subject: My order never came
Message-ID: <v1@customer.example>
Date: Mon, 2 Nov 2026 08:00:00 +0000

Where is order LB-1234?
EOF
T=$(mroute --now 2026-11-02T08:00:00Z <"$TMP/v1.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
check "Vera's ticket ($T)" "test -n '$T'"
cat >"$TMP/v2.eml" <<EOF
From: Vera Lopes <victim@customer.example>
Reply-To: attacker@evil.example
To: support@lumen.example
Subject: Re: [#$T] update
Message-ID: <v2@evil.example>
In-Reply-To: <v1@customer.example>
Date: Mon, 2 Nov 2026 09:00:00 +0000

Please send everything to my new address.
EOF
mroute --now 2026-11-02T09:00:00Z <"$TMP/v2.eml" >/dev/null
mreply --as ana $NOW --ticket "$T" --quote -t answer >"$TMP/r.eml" 2>"$TMP/err"; rc=$?
is "mreply --ticket --quote after a message with a foreign Reply-To: exit 0" "$rc" 0
is "  ... To: the customer of record" "$(hdr To "$TMP/r.eml")" "Vera Lopes <victim@customer.example>"
check "  ... the attacker's address is in no header" "! sed '/^\$/q' '$TMP/r.eml' | grep -qi attacker"
check "  ... the Reply-To is shown on stderr" "grep -q '^mreply: $T: the message names attacker@evil.example as its Reply-To, not the customer.s address' '$TMP/err'"
mdesk show "$T" >"$TMP/show"
check "mdesk show shows the Reply-To of that message" "grep -q '^Reply-To: attacker@evil.example (not the customer.s address' '$TMP/show'"
mreply --as ana $NOW --ticket "$T" -t answer --to "New <new@customer.example>" >"$TMP/r.eml" 2>"$TMP/err"
is "--to: the address the agent names" "$(hdr To "$TMP/r.eml")" "New <new@customer.example>"

# a From without an address, and a Sender
cat >"$TMP/v3.eml" <<EOF
From: undisclosed-recipients:;
Sender: someone@evil.example
To: support@lumen.example
Subject: Re: [#$T] update
Message-ID: <v3@evil.example>
In-Reply-To: <v1@customer.example>
Date: Mon, 2 Nov 2026 09:30:00 +0000

Hello.
EOF
mroute --now 2026-11-02T09:30:00Z <"$TMP/v3.eml" >/dev/null
mreply --as ana $NOW --ticket "$T" -t answer >"$TMP/r.eml" 2>"$TMP/err"
is "a Sender that is not the customer's: To is still the customer" "$(hdr To "$TMP/r.eml")" "Vera Lopes <victim@customer.example>"
check "  ... the Sender is shown" "grep -q 'names someone@evil.example as its Sender' '$TMP/err'"

# ---------------------------------------------------------------- copies: a Cc round trip
cat >"$TMP/c1.eml" <<'EOF'
From: Maria Costa <maria@shop.example>
To: Lumen Books <support@lumen.example>
Cc: John Hale <john@partner.example>, ana.ribeiro@lumen.example
Subject: Pallet of books damaged
Message-ID: <c1@shop.example>
Date: Mon, 2 Nov 2026 08:00:00 +0000

The pallet arrived wet. John from the carrier is copied.
EOF
C=$(mroute --now 2026-11-02T08:00:00Z <"$TMP/c1.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
mreply --as ana $NOW --ticket "$C" -t answer >"$TMP/r1.eml"
is "a reply to all: To the customer" "$(hdr To "$TMP/r1.eml")" "Maria Costa <maria@shop.example>"
is "  ... Cc whom she copied, not the desk's own addresses" "$(hdr Cc "$TMP/r1.eml")" "John Hale <john@partner.example>"
mreply --as ana $NOW --ticket "$C" -t answer --no-cc >"$TMP/r2.eml"
is "--no-cc: no Cc" "$(grep -ci '^Cc:' "$TMP/r2.eml")" 0
mreply --as ana $NOW --ticket "$C" -t answer --cc boss@shop.example --bcc audit@lumen.example >"$TMP/r3.eml"
is "--cc replaces the copies, --bcc adds a blind one" "$(hdr Cc "$TMP/r3.eml")|$(hdr Bcc "$TMP/r3.eml")" "boss@shop.example|audit@lumen.example"
mreply --as ana $NOW --ticket "$C" -t answer --cc 'not an address' >/dev/null 2>"$TMP/err"; rc=$?
is "--cc with no address: exit 64" "$rc" 64
w "the reply to all, recorded" sh -c 'mreply --record --as ana "$1" --ticket "$2" -t answer >"$3"' sh "$NOW" "$C" "$TMP/r4.eml"
is "  ... the event names the copies" "$(grep '"type":"replied"' "$D/tickets/$(printf %.2s "$C")/$C/events.jsonl" | jq -c .cc)" '["john@partner.example"]'
# John answers all: he is in, and so is whom he copied
cat >"$TMP/c2.eml" <<EOF
From: John Hale <john@partner.example>
To: support@lumen.example
Cc: maria@shop.example, claims@partner.example
Subject: Re: Pallet of books damaged [#$C]
Message-ID: <c2@partner.example>
In-Reply-To: $(hdr Message-ID "$TMP/r4.eml")
Date: Mon, 2 Nov 2026 11:00:00 +0000

We will collect the pallet tomorrow.
EOF
is "John's answer joins the ticket" "$(mroute --now 2026-11-02T11:00:00Z <"$TMP/c2.eml" | sed -n 's/^X-Mdesk-Ticket: //p')" "$C"
mreply --as ana --now 2026-11-02T11:30:00Z --ticket "$C" -t answer >"$TMP/r5.eml" 2>"$TMP/err"
is "the next reply: To the customer of record, not John" "$(hdr To "$TMP/r5.eml")" "Maria Costa <maria@shop.example>"
is "  ... Cc John and whom he copied" "$(hdr Cc "$TMP/r5.eml")" "John Hale <john@partner.example>, claims@partner.example"
check "  ... In-Reply-To: John's message" "[ \"\$(hdr In-Reply-To '$TMP/r5.eml')\" = '<c2@partner.example>' ]"
mdesk show "$C" >"$TMP/show"
check "mdesk show lists the participants" "grep -qx 'Participants: maria@shop.example, john@partner.example, claims@partner.example' '$TMP/show'"
check "mdesk check is happy" "mdesk check"
done_testing
