# routing.sieve: how incoming mail is sorted.
#
# Every message that reaches the desk runs through this script before
# it is stored.  The language is Sieve (RFC 5228), run by GNU
# Mailutils: the tests header, address, envelope, size, exists, body,
# true and false, combined with allof, anyof and not; the match types
# :is (the default), :contains, :matches (wildcards * and ?) and
# :regex (POSIX extended regular expressions, built into Mailutils:
# no require needed).  A list of keys ["a", "b"] matches when any key
# matches.  Header values are compared after decoding, so non-ASCII
# subjects match as written here.  Comparisons ignore the case of
# ASCII letters only: write the capitals of other scripts out
# (срочно, Срочно, СРОЧНО).
#
# The actions are mdesk's own:
#
#   tag "name"          add a tag to the ticket: 1-64 of a-z 0-9 - _ . :
#   priority "high"     set the priority: low, normal, high or urgent
#   queue "billing"     put the ticket in this queue of desk.conf
#   group "billing"     only agents of this group may take the ticket
#   skill "refunds"     only agents with this skill may take it (each
#                       skill action adds one more required skill)
#   assign "ana"        give the ticket to this agent
#   noack               send no acknowledgement for this message
#   spam                the message is spam: its ticket is tagged spam
#                       and closed at once, with no acknowledgement
#                       and no agent
#
# and so are two tests:
#
#   language "pt"       the message's language (the sender's language
#                       in customers.csv, or else detected from the
#                       text) is one of those listed; "pt" also
#                       matches pt-br
#   tier "vip"          the sender's tier in customers.csv is one of
#                       those listed
#
# They need no require line.  When two actions set the same thing, the
# last one wins.  On a message that joins an existing ticket only tag
# and priority take effect: the ticket keeps its queue and its agent.
# "stop" ends the script; what was done until then stands.

require ["relational", "comparator-i;ascii-numeric"];


# --- Robots -----------------------------------------------------------

# Bounces: mail we sent could not be delivered.  An agent should see
# it, but an acknowledgement would only go back to the robot.
if anyof (address :localpart :is "from" ["mailer-daemon", "postmaster"],
          header :contains "content-type" "report-type=delivery-status") {
    tag "bounce";
    tag "auto";
    noack;
    stop;
}

# Auto-replies (out of office, "we got your mail") are marked by
# Auto-Submitted (RFC 3834) or by older headers.  Acknowledging them
# starts a mail loop.
if anyof (header :matches "auto-submitted" "auto-*",
          header :is "precedence" ["auto_reply", "bulk", "junk"],
          exists "x-autoreply",
          exists "x-autorespond",
          exists "x-yandex-autoreply",
          header :regex "subject"
              "^(auto(matic)? ?(reply|response)|out of (the )?office)",
          header :contains "subject"
              ["Resposta automática", "Ausência temporária",
               "Автоответ", "Автоматический ответ"]) {
    tag "auto-reply";
    tag "auto";
    noack;
    stop;
}

# A message to ten or more recipients at once is a newsletter or a
# mass mailing, not a question for us.
if address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] "10" {
    tag "bulk";
    noack;
}


# --- Spam -------------------------------------------------------------

# The mail server's spam filter (SpamAssassin sets X-Spam-Flag), and
# subjects no customer of a bookshop writes.
if anyof (header :is "x-spam-flag" "yes",
          header :regex "subject"
              ["(viagra|casino|lottery|you have won)",
               "(crypto ?(profit|invest)|seo services)"]) {
    spam;
    stop;
}


# --- Our own mail -----------------------------------------------------

# Colleagues forwarding a question: a ticket like any other, but no
# acknowledgement.
if address :domain :is "from" "lumen.example" {
    tag "internal";
    noack;
}


# --- Queues -----------------------------------------------------------

# desk.conf already puts mail sent to sales@ in the sales queue.  This
# rule also catches mail sent to support@ with sales@ in copy, and
# trade enquiries that came to the wrong address.
if anyof (address :all :is ["to", "cc"] "sales@lumen.example",
          header :regex "subject"
              ["(wholesale|trade account|bulk order)",
               "(atacado|revenda|оптов|Оптов)"]) {
    queue "sales";
    tag "trade";
}

# Refunds, in English or Portuguese, go to billing and to someone who
# may refund (skill refunds).
if anyof (header :regex "subject" "(refund|money back|chargeback)",
          allof (language "pt",
                 header :regex "subject"
                     "(reembolso|estorno|devolução|devolucao|cobrad)")) {
    queue "billing";
    group "billing";
    skill "refunds";
    tag "refund";
}

# Invoices and receipts: billing, with no particular skill.
elsif header :regex "subject"
          ["(invoice|receipt)",
           "(nota fiscal|fatura|recibo|cnpj)",
           "(счёт|Счёт|счет|Счет)"] {
    queue "billing";
    group "billing";
    tag "invoice";
}


# --- Skills -----------------------------------------------------------

# Trouble signing in: someone who can unlock accounts.
if header :regex "subject"
       ["(password|log ?in|sign ?in|locked out)",
        "(senha|acesso)",
        "(пароль|Пароль|رمز)"] {
    skill "accounts";
    tag "account";
}

# Parcels that are late, lost or damaged.
if header :regex "subject"
       ["(where is my order|not arrived|hasn't arrived|parcel|delivery)",
        "(entrega|rastreio|não chegou)",
        "(доставк|Доставк|посылк|Посылк|ارسال)"] {
    skill "shipping";
    tag "shipping";
}

# Farah is the only agent who reads Persian: she gets the Persian mail
# directly.  assign passes over status and capacity, so use it
# sparingly.
if language "fa" {
    assign "farah";
}


# --- Priority ---------------------------------------------------------

# "Urgent" in the subject, in the languages the desk answers in.
if header :contains "subject"
       ["urgent", "urgente", "asap", "срочно", "Срочно", "СРОЧНО", "فوری"] {
    priority "high";
    tag "urgent";
}

# Our best customers (customers.csv) come first, and an urgent request
# from one of them gets the urgent policy of sla.conf: a first reply
# within the hour, day or night.
if tier "vip" {
    priority "high";
    tag "vip";
    if header :contains "subject"
           ["urgent", "urgente", "asap",
            "срочно", "Срочно", "СРОЧНО", "فوری"] {
        priority "urgent";
    }
}

# Large attachments (photos of damaged books, scans) are fine, but an
# agent should know before opening the ticket on a phone.
if size :over 10M {
    tag "large";
}
