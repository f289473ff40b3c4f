#!/usr/bin/env python3
"""Hostile mail for mdesk's tools: messages built to hurt.

Usage: gen.py DIR [--small]
Writes into DIR one file per case (NAME.eml: one message; NAME.mbox: an
mbox), deterministic bytes (no randomness, no clock).  --small scales the
big cases down (for runs under valgrind).  The multi-megabyte cases are
made at test time, never committed.

Every Message-ID built to reach a file name holds the marker
"hostilepath", so a test can look for file names derived from one.
"""
import os
import sys

out = sys.argv[1]
small = '--small' in sys.argv[2:]
os.makedirs(out, exist_ok=True)


def put(name, data):
    if isinstance(data, str):
        data = data.encode('utf-8', 'surrogateescape')
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)


def msg(mid, subject='hostile', extra='', body='Body.\n', date='Mon, 2 Nov 2026 10:00:00 +0000',
        frm='Carol Client <carol@example.com>'):
    h = ''
    if frm is not None:
        h += 'From: %s\n' % frm
    h += 'To: support@lumen.example\n'
    if date is not None:
        h += 'Date: %s\n' % date
    if subject is not None:
        h += 'Subject: %s\n' % subject
    if mid is not None:
        h += 'Message-ID: %s\n' % mid
    return h + extra + '\n' + body


def mbox(msgs):
    return ''.join('From carol@example.com Mon Nov  2 10:00:00 2026\n' + m +
                   ('' if m.endswith('\n\n') else '\n') for m in msgs)


big = 10 * 1024 * 1024 if not small else 512 * 1024
nhdr = 100000 if not small else 5000
depth = 10000 if not small else 500

# --- size ------------------------------------------------------------------
put('long-header-line.eml', msg('<long-line@example.com>', 'x' * big))
put('long-header-folded.eml', msg('<long-folded@example.com>', extra='X-Long: ' +
    '\n '.join(['y' * 70] * (big // 72)) + '\n'))
put('many-headers.eml', msg('<many-headers@example.com>', extra=''.join(
    'X-H%d: value %d\n' % (i, i) for i in range(nhdr))))
put('many-received.eml', msg('<many-received@example.com>', extra=''.join(
    'Received: from h%d by h%d; Mon, 2 Nov 2026 10:00:00 +0000\n' % (i, i + 1)
    for i in range(nhdr))))
put('long-body-line.eml', msg('<long-body@example.com>', body='z' * big + '\n'))
put('no-newline-at-all.eml', 'Subject: ' + 'q' * (big // 4))
put('huge-references.eml', msg('<huge-refs@example.com>', extra='References: ' +
    ' '.join('<r%d@example.com>' % i for i in range(depth)) + '\n'))
put('many-to.eml', msg('<many-to@example.com>', extra='Cc: ' +
    ', '.join('"N%d" <n%d@example.com>' % (i, i) for i in range(nhdr // 10)) + '\n'))

# --- MIME ------------------------------------------------------------------
inner = 'Content-Type: text/plain\n\ninnermost text\n'
for i in range(50):
    b = 'lvl%02d' % i
    inner = 'Content-Type: multipart/mixed; boundary="%s"\n\n--%s\n%s\n--%s--\n' % (b, b, inner, b)
put('nested-multipart-50.eml', msg('<nested-50@example.com>', extra='MIME-Version: 1.0\n' +
    inner.split('\n\n', 1)[0] + '\n', body=inner.split('\n\n', 1)[1]))
put('boundary-never-closed.eml', msg('<unclosed@example.com>', extra='MIME-Version: 1.0\n'
    'Content-Type: multipart/mixed; boundary="never"\n',
    body='--never\nContent-Type: text/plain\n\npart one\n--never\nContent-Type: text/html\n\n<p>two'))
put('boundary-empty.eml', msg('<boundary-empty@example.com>', extra='MIME-Version: 1.0\n'
    'Content-Type: multipart/mixed; boundary=""\n', body='--\n\n--\n--\n'))
put('boundary-missing.eml', msg('<boundary-missing@example.com>', extra='MIME-Version: 1.0\n'
    'Content-Type: multipart/alternative\n', body='no parts at all\n'))
put('base64-garbage.eml', msg('<b64-garbage@example.com>', extra='MIME-Version: 1.0\n'
    'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n',
    body='SGVsbG8*&^%$#@!\n====\nSGVs\x00bG8=garbage==\n!!!!\n' + 'A' * 1001 + '\n'))
put('qp-garbage.eml', msg('<qp-garbage@example.com>', extra='MIME-Version: 1.0\n'
    'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n',
    body='=ZZ=\n=C3=\n=\n' + '=' * 500 + '\n=0'))
put('unknown-charset.eml', msg('<unknown-charset@example.com>',
    subject='=?x-no-such-charset?Q?=E9t=E9?= =?utf-7?B?K0FHRUFhUUJ0LQ==?= =??Q?x?= =?utf-8?X?y?=',
    frm='=?x-klingon?B?//79/A==?= <kl@example.com>',
    extra='MIME-Version: 1.0\nContent-Type: text/plain; charset="x-unknown-\x01"\n',
    body='\xe9t\xe9\n'))
put('encoded-word-bomb.eml', msg('<ew-bomb@example.com>',
    subject=' '.join(['=?utf-8?B?' + 'QUFB' * 20 + '?='] * 2000)))

# --- bytes -----------------------------------------------------------------
put('nuls.eml', msg('<nuls@example.com>', subject='nul\x00in\x00subject',
    frm='Nul\x00Name <nul\x00@example.com>', extra='X-Nul: \x00\x00\x00\n', body='a\x00b\x00\n\x00\n'))
bad = '\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xed\xa0\x80\xc0\xaf'
put('invalid-utf8-everywhere.eml', msg('<bad\xff\xfe-%s@example.com>' % bad, subject='Sub ' + bad,
    frm='%s <%s@example.com>' % (bad, bad), date='Mon, 2 Nov 2026 10:00:00 +0000 ' + bad,
    extra='To: %s <to%s@example.com>\nCc: %s\nIn-Reply-To: <%s@x>\nReferences: <%s@y> <ok@example.com>\n'
          'Content-Type: text/plain; charset=%s\nX-%s: %s\n' % (bad, bad, bad, bad, bad, bad, bad, bad),
    body=bad + '\n'))
put('control-chars.eml', msg('<ctl\x01\x02\x1b[31m@example.com>', subject='\x1b]0;title\x07\x1b[2J\x08\x7f',
    frm='"\x1b[1mBold\x1b[0m" <ctl@example.com>', body='\x1b[31mred\x1b[0m\n'))
put('crlf.eml', msg('<crlf@example.com>', body='line one\nline two\n').replace('\n', '\r\n'))
put('bare-cr.eml', msg('<bare-cr@example.com>', body='one\rtwo\r').replace('\n', '\r'))
put('mixed-eol.eml', 'From: a@example.com\r\nSubject: mixed\rMessage-ID: <mixed-eol@example.com>\n'
    'Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n\n\r')
put('only-blank.eml', '\n\n\n\r\n')
put('empty.eml', '')
put('no-colon.eml', 'this is not a header\nnor this\n\nbody\n')
put('bom.eml', '\ufeff' + msg('<bom@example.com>'))

# --- Message-IDs -----------------------------------------------------------
put('mid-dotdot.eml', msg('<../../../../hostilepath-dotdot@example.com>'))
put('mid-dotdot-noat.eml', msg('<../../hostilepath-noat>'))
put('mid-slash.eml', msg('<a/b/hostilepath-slash@example.com>'))
put('mid-dot.eml', msg('<.>', extra='X-Note: hostilepath\n'))
put('mid-dotdot-only.eml', msg('<..>'))
put('mid-git.eml', msg('<../.git/hooks/hostilepath-git@example.com>'))
put('mid-control.eml', msg('<hostilepath-\x01\x7f\x1b-ctl@example.com>'))
put('mid-newline.eml', msg('<hostilepath-\n nl@example.com>'))
put('mid-100k.eml', msg('<hostilepath-' + 'k' * 100000 + '@example.com>'))
put('mid-996.eml', msg('<hostilepath-' + 'm' * 970 + '@example.com>'))
put('mid-empty.eml', msg('<>'))
put('mid-many.eml', msg('<one@example.com> <two@example.com> <three@example.com>'))
put('refs-dotdot.eml', msg('<refs-dotdot@example.com>',
    extra='In-Reply-To: <../../hostilepath-irt@example.com>\nReferences: <../hostilepath-ref@example.com> </hostilepath-abs@x>\n'))

# --- threading ---------------------------------------------------------------
put('ref-loop.mbox', mbox([
    msg('<loop-a@example.com>', extra='References: <loop-c@example.com>\nIn-Reply-To: <loop-c@example.com>\n'),
    msg('<loop-b@example.com>', extra='References: <loop-a@example.com>\nIn-Reply-To: <loop-a@example.com>\n'),
    msg('<loop-c@example.com>', extra='References: <loop-b@example.com>\nIn-Reply-To: <loop-b@example.com>\n'),
    msg('<loop-self@example.com>', extra='References: <loop-self@example.com>\nIn-Reply-To: <loop-self@example.com>\n'),
]))
chain = []
for i in range(depth):
    extra = ''
    if i:
        extra = 'In-Reply-To: <chain-%d@example.com>\nReferences: <chain-%d@example.com>\n' % (i - 1, i - 1)
    chain.append(msg('<chain-%d@example.com>' % i, subject='Re: chain', extra=extra, body='%d\n' % i))
put('deep-chain.mbox', mbox(chain))
put('deep-chain-short.mbox', mbox(chain[:100]))   # mroute: one commit each
put('dup-ids.mbox', mbox([msg('<dup@example.com>', body='copy %d\n' % i) for i in range(3)]))

# --- dates -----------------------------------------------------------------
for name, d in [('year-99999', 'Mon, 1 Jan 99999 00:00:00 +0000'),
                ('year-0', 'Sat, 1 Jan 0000 00:00:00 +0000'),
                ('year-neg', '1 Jan -200 00:00:00 +0000'),
                ('zone-huge', 'Mon, 2 Nov 2026 10:00:00 +999999999'),
                ('huge-numbers', '99999999999999999999 Nov 2026 99999999999:99:99 +0000'),
                ('day-zero', 'Mon, 0 Nov 2026 10:00:00 +0000'),
                ('feb-30', 'Mon, 30 Feb 2026 10:00:00 +0000'),
                ('words', 'yesterday at teatime'),
                ('relative', '100000000 days ago'),
                ('empty', '')]:
    put('date-%s.eml' % name, msg('<date-%s@example.com>' % name, date=d))

# --- mbox framing ------------------------------------------------------------
put('from-in-body.mbox', mbox([
    msg('<from-body-1@example.com>', body='Hello\n\nFrom the team, thanks.\nFrom here on\n\n>From quoted\n'),
    msg('<from-body-2@example.com>', body='\nFrom carol@example.com Mon Nov  2 10:00:00 2026\nSubject: smuggled\n'
        'Message-ID: <smuggled@example.com>\n\nsmuggled body\n'),
]))
put('from-only.mbox', 'From \n')
put('from-long.mbox', 'From ' + 'e' * (big // 8) + '\nSubject: long envelope\nMessage-ID: <from-long@example.com>\n\nx\n')
put('headers-only-no-blank.mbox', 'From a@b Mon Nov  2 10:00:00 2026\nSubject: no body\nMessage-ID: <no-body@example.com>')
