#!/usr/bin/env python3
"""Generate tests/data/support.mbox and tests/data/support.expect.

A fictional support desk of the online bookshop "Lumen Books"
(support@, sales@ and billing@lumen.example): about 90 conversations
between customers and five agents, 2-20 November 2026, in English,
Brazilian Portuguese, Russian and Persian.  The output is an mboxrd file
(LF line ends): every message starts with a "From addr ctime" line, body
lines matching ^>*From get one extra '>', one blank line follows every
message.

Deterministic: standard library only, one random.Random with a fixed
seed; running it twice gives the same bytes.

support.expect lists what the mailbox contains, by construction (not by
running any threading code), one line per message id, tab separated:

    id  parent  kind  group  sgroup

id      Message-ID without <>; NOMID for the message that has none
parent  expected parent id, "-" for a root
kind    real | ghost (a referenced message that is not in the file)
group   the thread the message belongs to (id of its root)
sgroup  the thread with --subject (roots with one base subject joined)

Usage: python3 tests/data/gen-support.py [OUTDIR]   (default: its folder)
"""
import base64
import datetime as dt
import os
import quopri
import random
import re
import struct
import sys
import zlib

R = random.Random(20261102)
UTC = dt.timezone.utc
START = dt.datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
END = dt.datetime(2026, 11, 20, 22, 0, tzinfo=UTC)


def tz(h, m=0):
    return dt.timezone(dt.timedelta(hours=h, minutes=m if h >= 0 else -m))


# ---------------------------------------------------------------- people

AGENTS = {
    'ana': ('Ana Ribeiro', 'ana.ribeiro@lumen.example', tz(0)),
    'bob': ('Bob Marsh', 'bob.marsh@lumen.example', tz(0)),
    'chen': ('Chen Wei', 'chen.wei@lumen.example', tz(8)),
    'dmitri': ('Dmitri Orlov', 'dmitri.orlov@lumen.example', tz(3)),
    'farah': ('Farah Karimi', 'farah.karimi@lumen.example', tz(1)),
}
AGENT_SIG = {
    'ana': {'pt': 'Ana Ribeiro', 'en': 'Ana Ribeiro'},
    'bob': {'en': 'Bob Marsh'},
    'chen': {'en': 'Chen Wei'},
    'dmitri': {'ru': 'Дмитрий Орлов', 'en': 'Dmitri Orlov'},
    'farah': {'fa': 'فرح کریمی', 'en': 'Farah Karimi'},
}
AGENT_FIRST = {
    'ana': {'pt': 'Ana'}, 'bob': {'en': 'Bob'}, 'chen': {'en': 'Chen'},
    'dmitri': {'ru': 'Дмитрий'}, 'farah': {'fa': 'خانم کریمی'},
}

# name, address, gender (m/f), first name as used in a greeting
CUSTOMERS = {
    'en': [
        ('Margaret Hale', 'Margaret.Hale@example.com', 'f', 'Margaret'),
        ('Tom Whitaker', 'tom.whitaker@mail.example.net', 'm', 'Tom'),
        ('Priya Natarajan', 'priya.n@example.org', 'f', 'Priya'),
        ("James O'Connor", 'jim.oconnor@example.com', 'm', 'James'),
        ('Sophie Lambert', 'sophie.lambert@example.net', 'f', 'Sophie'),
        ('Daniel Kim', 'dkim@fastpost.example', 'm', 'Daniel'),
        ('Hannah Brooks', 'hannah.brooks@example.com', 'f', 'Hannah'),
        ('Oliver Grant', 'ogrant@example.org', 'm', 'Oliver'),
        ('Emily Chen', 'emily.chen@mail.example.net', 'f', 'Emily'),
        ('Lucas Meyer', 'lucas.meyer@example.de', 'm', 'Lucas'),
        ('Grace Adeyemi', 'grace.adeyemi@example.com', 'f', 'Grace'),
        ('Noah Fischer', 'noah@fischer-family.example', 'm', 'Noah'),
        ('Isabel Turner', 'isabel.turner@example.co.uk', 'f', 'Isabel'),
        ('Ethan Walsh', 'ethan.walsh@example.ie', 'm', 'Ethan'),
        ('Chloe Martin', 'chloe.martin@example.net', 'f', 'Chloe'),
        ('Samuel Reyes', 'sam.reyes@example.com', 'm', 'Samuel'),
        ('Ava Thompson', 'ava.t@fastpost.example', 'f', 'Ava'),
        ('Liam Doherty', 'liam.doherty@example.ie', 'm', 'Liam'),
        ('Mia Rossi', 'mia.rossi@example.it', 'f', 'Mia'),
        ('Jack Fletcher', 'jfletcher@example.co.uk', 'm', 'Jack'),
        ('Zoe Patel', 'zoe.patel@example.com', 'f', 'Zoe'),
        ('Henry Osei', 'henry.osei@example.org', 'm', 'Henry'),
        ('Lily Harper', 'lily.harper@mail.example.net', 'f', 'Lily'),
        ('Arthur Bennett', 'a.bennett@example.co.uk', 'm', 'Arthur'),
        ('Ruby Collins', 'ruby.collins@example.com', 'f', 'Ruby'),
        ('George Hughes', 'george.hughes@example.co.uk', 'm', 'George'),
        ('Kwame Mensah', 'kwame.mensah@example.com', 'm', 'Kwame'),
        ('Fiona MacLeod', 'fiona.macleod@example.scot', 'f', 'Fiona'),
        ('Rajesh Iyer', 'rajesh.iyer@example.in', 'm', 'Rajesh'),
        ('Claire Dubois', 'claire.dubois@example.fr', 'f', 'Claire'),
        ('Martin Kowalski', 'm.kowalski@example.pl', 'm', 'Martin'),
        ('Nadia Haddad', 'nadia.haddad@example.com', 'f', 'Nadia'),
        ('Peter Lindqvist', 'peter.lindqvist@example.se', 'm', 'Peter'),
        ('Sarah Goldberg', 's.goldberg@example.com', 'f', 'Sarah'),
        ('Yusuf Demir', 'yusuf.demir@example.com.tr', 'm', 'Yusuf'),
        ('Anna Schmidt', 'anna.schmidt@example.de', 'f', 'Anna'),
        ('Owen Price', 'owen.price@example.co.uk', 'm', 'Owen'),
        ('Megan Riley', 'megan.riley@example.com', 'f', 'Megan'),
    ],
    'pt': [
        ('João Pereira', 'joao.pereira@uol.example', 'm', 'João'),
        ('Mariana Souza', 'mari.souza@example.com.br', 'f', 'Mariana'),
        ('Lucas Oliveira', 'lucas.oliveira@example.com.br', 'm', 'Lucas'),
        ('Fernanda Lima', 'fernanda.lima@uol.example', 'f', 'Fernanda'),
        ('Rafael Costa', 'rafaelcosta@example.com.br', 'm', 'Rafael'),
        ('Beatriz Almeida', 'bia.almeida@example.com.br', 'f', 'Beatriz'),
        ('Thiago Rocha', 'thiago.rocha@terra.example', 'm', 'Thiago'),
        ('Camila Ferreira', 'camila.ferreira@example.com.br', 'f', 'Camila'),
        ('Gustavo Martins', 'gustavo.m@uol.example', 'm', 'Gustavo'),
        ('Larissa Gomes', 'larissa.gomes@example.com.br', 'f', 'Larissa'),
        ('Pedro Henrique Araújo', 'ph.araujo@example.com.br', 'm', 'Pedro'),
        ('Juliana Barbosa', 'ju.barbosa@terra.example', 'f', 'Juliana'),
        ('Felipe Cardoso', 'felipe.cardoso@example.com.br', 'm', 'Felipe'),
        ('Patrícia Mendes', 'patricia.mendes@uol.example', 'f', 'Patrícia'),
        ('Vinícius Teixeira', 'vinicius.teixeira@example.com.br', 'm', 'Vinícius'),
        ('Letícia Carvalho', 'leticia.carvalho@example.com.br', 'f', 'Letícia'),
    ],
    'ru': [
        ('Ирина Смирнова', 'irina.smirnova@yandex.example', 'f', 'Ирина'),
        ('Алексей Кузнецов', 'a.kuznetsov@mail.example.ru', 'm', 'Алексей'),
        ('Ольга Васильева', 'olga.vasilyeva@yandex.example', 'f', 'Ольга'),
        ('Сергей Попов', 'spopov@rambler.example', 'm', 'Сергей'),
        ('Наталья Морозова', 'n.morozova@yandex.example', 'f', 'Наталья'),
        ('Дмитрий Соколов', 'dsokolov@mail.example.ru', 'm', 'Дмитрий'),
        ('Екатерина Волкова', 'kate.volkova@yandex.example', 'f', 'Екатерина'),
        ('Андрей Лебедев', 'andrey.lebedev@rambler.example', 'm', 'Андрей'),
        ('Татьяна Козлова', 't.kozlova@mail.example.ru', 'f', 'Татьяна'),
        ('Михаил Новиков', 'm.novikov@yandex.example', 'm', 'Михаил'),
        ('Юлия Фёдорова', 'yulia.fedorova@yandex.example', 'f', 'Юлия'),
    ],
    'fa': [
        ('مریم احمدی', 'maryam.ahmadi@chmail.example', 'f', 'مریم'),
        ('علی رضایی', 'ali.rezaei@example.ir', 'm', 'علی'),
        ('زهرا حسینی', 'z.hosseini@chmail.example', 'f', 'زهرا'),
        ('محمد موسوی', 'mohammad.mousavi@example.ir', 'm', 'محمد'),
        ('فاطمه جعفری', 'f.jafari@chmail.example', 'f', 'فاطمه'),
        ('رضا محمدی', 'reza.mohammadi@example.com', 'm', 'رضا'),
        ('سارا قاسمی', 'sara.ghasemi@chmail.example', 'f', 'سارا'),
        ('امیر حسین\u200cزاده', 'amir.hz@example.ir', 'm', 'امیر'),
        ('نگار صادقی', 'negar.sadeghi@chmail.example', 'f', 'نگار'),
        ('الهام نوری', 'elham.nouri@example.com', 'f', 'الهام'),
        ('مهدی اکبری', 'mehdi.akbari@example.ir', 'm', 'مهدی'),
    ],
}
LATIN_NAMES = {   # how some customers spell their name in From:
    'مریم احمدی': 'Maryam Ahmadi', 'علی رضایی': 'Ali Rezaei',
    'رضا محمدی': 'Reza Mohammadi', 'الهام نوری': 'Elham Nouri',
    'Андрей Лебедев': 'Andrey Lebedev', 'Сергей Попов': 'Sergey Popov',
}
CUST_TZ = {
    'en': [tz(-5), tz(-8), tz(0), tz(1), tz(11), tz(0), tz(-5)],
    'pt': [tz(-3)], 'ru': [tz(3)], 'fa': [tz(3, 30)],
}

TITLES = {
    'en': ["The Lighthouse Keeper's Almanac", 'A Field Guide to Northern Mosses',
           'Salt and Cedar', "The Cartographer's Daughter", 'Quiet Engines',
           'Letters from the Dry Coast', 'The Orchard at Midwinter',
           'A Short History of Paper Boats'],
    'pt': ['O Jardim das Marés', 'Crônicas do Sertão Azul',
           'A Última Livraria de Olinda', 'Cartas a uma Jovem Tradutora',
           'O Inventário das Chuvas'],
    'ru': ['Северный ветер', 'Дом у старой мельницы', 'Тихие станции',
           'Письма с побережья', 'Зимний сад'],
    'fa': ['باغ انار', 'شب\u200cهای کویر', 'نامه\u200cهایی از تبریز',
           'خانه\u200cای کنار دریا', 'فانوس\u200cبان'],
}
COMPANIES = {
    'en': ['Hartley & Finch Books', 'The Reading Room Ltd', "St Aidan's School Library",
           'Paper Lantern Bookshop', 'Northgate Community Library'],
    'pt': ['Livraria Casa Amarela Ltda.', 'Sebo Página Virada', 'Colégio Santa Inês',
           'Livraria Beira-Rio'],
    'ru': ['Переплёт', 'Северный книжный', 'Полка', 'Книжный двор'],
    'fa': ['نیلوفر', 'آفتاب', 'کتاب\u200cسرای پارس'],
}
CITIES = {
    'pt': ['Belo Horizonte', 'Recife', 'Porto Alegre', 'Curitiba', 'Salvador'],
    'ru': ['Казани', 'Екатеринбурге', 'Новосибирске', 'Самаре'],
    'fa': ['شیراز', 'اصفهان', 'تبریز', 'مشهد'],
    'en': ['Bristol', 'Leeds', 'Dublin', 'Edinburgh'],
}
STREETS = {
    'en': ['14 Alder Lane, Bristol BS6 5QT', '3 Harbour Row, Whitby YO21 3PU',
           'Flat 2, 87 Canal Street, Leeds LS1 4DL', '22 Kildare Road, Dublin 12'],
    'pt': ['Rua das Palmeiras, 212, apto 31, Savassi, Belo Horizonte - MG, 30140-000',
           'Av. Boa Viagem, 1500, bloco B, Recife - PE, 51020-000',
           'Rua Padre Chagas, 45, Moinhos de Vento, Porto Alegre - RS, 90570-080'],
    'ru': ['ул. Баумана, д. 12, кв. 4, Казань, 420111',
           'ул. Малышева, д. 51, оф. 310, Екатеринбург, 620014'],
    'fa': ['تهران، خیابان ولیعصر، کوچه\u200cی نسترن، پلاک ۱۲',
           'شیراز، بلوار زند، کوچه\u200cی ۱۸، پلاک ۴'],
}
CARRIERS = ['CTT Expresso', 'DPD', 'DHL Parcel', 'GLS']

FA_DIGITS = str.maketrans('0123456789', '۰۱۲۳۴۵۶۷۸۹')
MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
             'August', 'September', 'October', 'November', 'December']
MONTHS_PT = ['janeiro', 'fevereiro', 'março', 'abril', 'maio', 'junho', 'julho',
             'agosto', 'setembro', 'outubro', 'novembro', 'dezembro']
MONTHS_RU = ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля',
             'августа', 'сентября', 'октября', 'ноября', 'декабря']


def human_date(lang, d):
    if lang == 'en':
        return '%d %s' % (d.day, MONTHS_EN[d.month - 1])
    if lang == 'pt':
        return '%d de %s' % (d.day, MONTHS_PT[d.month - 1])
    if lang == 'ru':
        return '%d %s' % (d.day, MONTHS_RU[d.month - 1])
    # Solar Hijri: 1 Mehr 1405 = 23 Sep 2026, 1 Aban 1405 = 23 Oct 2026
    aban = dt.date(2026, 10, 23)
    mehr = dt.date(2026, 9, 23)
    dd = d.date() if isinstance(d, dt.datetime) else d
    if dd >= aban:
        return ('%d آبان' % ((dd - aban).days + 1)).translate(FA_DIGITS)
    return ('%d مهر' % ((dd - mehr).days + 1)).translate(FA_DIGITS)


# --------------------------------------------------------------- scripts
# Each script: subjects (variants), then turns C1 A1 C2 A2 C3: lists of
# variants.  {g:male|female} picks by the customer's gender.  A turn text
# may end with "+pdf" / "+png" to carry an attachment.

S = {}
S['en', 'not_arrived'] = dict(
    to='support', agents=['bob', 'chen'],
    subjects=["Order {order} hasn't arrived", 'Where is my order {order}?',
              'Still waiting for order {order}', 'Parcel for {order} missing'],
    turns=[
        ["Hi,\n\nI ordered {title} on {odate} (order {order}) and it still hasn't "
         "arrived. The confirmation email said 3-5 working days and it has been "
         "almost two weeks now. The tracking link just says \"label created\".\n\n"
         "Could you check what is going on?\n\nThanks,\n{cname}",
         "Hello Lumen Books,\n\nMy order {order} was supposed to be delivered last "
         "Friday but nothing has turned up. I was home all day so I don't think I "
         "missed the courier. Can you tell me where the parcel is? It's a birthday "
         "present, so I'm getting a bit worried.\n\nBest regards,\n{cfull}",
         "Hi there,\n\nI'm still waiting for order {order}. From the tracking page it "
         "looks like it has been sitting in a depot in {city} since {odate}.\n"
         "From what I understand that's not normal? Please advise.\n\n{cname}"],
        ["Hi {cname},\n\nThank you for getting in touch, and sorry for the wait. I've "
         "checked order {order}: it left our warehouse on {shipdate} with {carrier}, "
         "tracking number {tracking}. The carrier's system shows the parcel at their "
         "regional depot, so it looks like it is delayed rather than lost.\n\n"
         "I've opened an enquiry with {carrier}. They usually answer within two "
         "working days and I'll write back as soon as I hear from them.\n\n"
         "Kind regards,\n{agent}\nLumen Books Customer Support",
         "Hello {cname},\n\nSorry to hear the parcel hasn't arrived yet.\n"
         "From our side, the order left the warehouse on {shipdate} and was handed "
         "to {carrier} the same evening (tracking {tracking}). I've asked them to "
         "investigate and will update you as soon as they reply.\n\n"
         "Best wishes,\n{agent}\nLumen Books Customer Support"],
        ["Thanks {agentfirst}. Any news from the courier? Still nothing here.\n\n{cname}",
         "Hi {agentfirst},\n\nJust a quick update: the tracking page now says "
         "\"delivery attempted\", but nobody rang the bell and there was no card. Can "
         "you ask them to try again, or can I pick it up somewhere?\n\n{cname}"],
        ["Hi {cname},\n\n{carrier} confirmed that the parcel was damaged in their "
         "depot and cannot be delivered, so I've sent a replacement copy of {title} "
         "by express post at no cost to you. The new tracking number is {tracking2} "
         "and it should reach you within two working days.\n\nApologies again for "
         "the trouble.\n\nBest wishes,\n{agent}",
         "Hi {cname},\n\nThe courier says the parcel is at the pickup point on "
         "{street0}; you can collect it with the code {ref} until next Friday. I've "
         "also refunded the shipping cost as an apology.\n\nKind regards,\n{agent}"],
        ["It arrived this morning, thank you so much for sorting this out!\n\n{cname}",
         "Got it today. Thanks for your help."],
    ])
S['en', 'refund'] = dict(
    to='support', agents=['bob', 'chen'],
    subjects=['Refund request for order {order}', 'Refund for cancelled order {order}',
              'Still no refund for {order}', 'Return of {order} - refund?'],
    turns=[
        ["Hello,\n\nI cancelled order {order} on {odate}, within an hour of placing "
         "it, and got an email saying it was cancelled. But the money ({amount}) was "
         "still taken from my card and I haven't seen a refund yet. Could you please "
         "look into it?\n\nRegards,\n{cfull}",
         "Hi there,\n\nI returned {title} (order {order}) two weeks ago using the "
         "prepaid label - the return was delivered to you on {shipdate} according to "
         "the tracking. When can I expect the refund of {amount}?\n\nThank you,\n{cname}"],
        ["Dear {cname},\n\nThanks for your message. I can see the refund of {amount} "
         "for order {order} was approved on our side on {shipdate}. Card refunds "
         "usually take 5 to 10 working days to show up on your statement, depending "
         "on your bank.\n\nIf you still don't see it by the end of next week, let me "
         "know and I'll ask our payment provider for the transaction reference, which "
         "your bank can trace.\n\nKind regards,\n{agent}\nLumen Books Customer Support"],
        ["Hi {agentfirst},\n\nIt's been ten working days and the refund still isn't "
         "there. My bank says they have no incoming transaction. Could you send me "
         "the reference please?\n\n{cname}"],
        ["Hi {cname},\n\nI'm sorry about this. Our payment provider confirmed the "
         "refund was sent on {shipdate}, reference {ref}. Please give this reference "
         "to your bank and they will be able to locate it.\n\nBest regards,\n{agent}"],
        ["The bank found it with that reference, the money is back. Thanks!"],
    ])
S['en', 'invoice'] = dict(
    to='billing', agents=['chen'],
    subjects=['Invoice for order {order}', 'VAT invoice request - {order}',
              'Invoice with company details for {order}'],
    turns=[
        ["Hello,\n\nCould you please send me an invoice for order {order}? I need it "
         "for my company's expenses, so it should show the company name and VAT "
         "number:\n\n  {company}\n  VAT {vat}\n  {street}\n\nThank you,\n{cfull}"],
        ["Hello {cname},\n\nPlease find attached the invoice for order {order} with "
         "your company details. If anything needs correcting, just reply to this "
         "email.\n\nBest regards,\n{agent}\nLumen Books Billing+pdf"],
        ["Thanks {agentfirst}, but the VAT number on the invoice is missing the "
         "country prefix. It should be {vat}. Could you fix that?\n\n{cname}"],
        ["Hi {cname},\n\nApologies for the mistake. The corrected invoice is "
         "attached.\n\nKind regards,\n{agent}+pdf"],
        ["Perfect, thank you."],
    ])
S['en', 'login'] = dict(
    to='support', agents=['bob', 'chen'],
    subjects=["Can't log in to my account", 'Password reset email never arrives',
              'Locked out of my Lumen account', 'Login problem on the app',
              'Account says my email is not registered'],
    turns=[
        ["Hi,\n\nI've been trying to log in to my account ({email}) since yesterday "
         "and it keeps saying \"invalid password\". I used the reset link, but the "
         "reset email never arrives - not in spam either. I have an ebook in my "
         "library that I need for a class on Monday.\n\nCan you help?\n{cname}",
         "Hello,\n\nThe Lumen app logs me out every time I open it, and on the website "
         "I get \"Something went wrong, please try again\". I've reinstalled the app "
         "twice. My account is {email}.\n\nThanks,\n{cfull}"],
        ["Hi {cname},\n\nSorry for the trouble. Our mail logs show that the reset "
         "emails to {email} were rejected by your provider as spam. I've reset the "
         "account manually and you should have received a one-time login link from "
         "no-reply@lumen.example a few minutes ago. The link is valid for 24 hours.\n\n"
         "Once you're in, you can set a new password under Account > Security.\n\n"
         "Best,\n{agent}"],
        ["Thank you, the link worked and I'm in. However, my ebook library looks "
         "empty now - where did my books go?\n\n{cname}"],
        ["Hi {cname},\n\nThe books are still there: after a manual reset the library "
         "needs to sync once. Please log out and in again, or open Library > "
         "Refresh. If they still don't show, send me a screenshot and I'll look at "
         "it right away.\n\n{agent}"],
        ["Refresh did it. All good now, thanks!"],
    ])
S['en', 'damaged'] = dict(
    to='support', agents=['bob', 'chen'],
    subjects=['Damaged book in order {order}', 'Book arrived with a torn cover ({order})',
              'Water damaged parcel - {order}'],
    turns=[
        ["Hello,\n\nMy order {order} arrived today but {title} is damaged: the cover "
         "is torn and about twenty pages are creased, it looks like the parcel was "
         "crushed. I've attached a photo.\n\nCan I get a replacement?\n\n{cfull}+png"],
        ["Hi {cname},\n\nThanks for the photo, and I'm sorry the book arrived like "
         "that. I've arranged a replacement copy of {title}, it will ship tomorrow. "
         "There's no need to send the damaged one back.\n\nKind regards,\n{agent}"],
        ["Thank you! Will I get a tracking number for the replacement?"],
        ["Yes - the replacement is with {carrier}, tracking number {tracking2}.\n\n"
         "Best,\n{agent}"],
        ["Received, in perfect condition this time. Thanks."],
    ])
S['en', 'wholesale'] = dict(
    to='sales', agents=['bob'],
    subjects=['Wholesale prices for bookshops', 'Trade account for {company}',
              'Bulk order enquiry from {company}', 'Stocking your titles at {company}'],
    turns=[
        ["Dear Lumen Books team,\n\nI run a small independent bookshop, {company}, "
         "and we'd like to stock some of your titles, in particular {title}. Do you "
         "offer trade discounts for bookshops, and what are the terms (minimum order, "
         "returns, payment)?\n\nBest regards,\n{cfull}\n{company}"],
        ["Dear {cname},\n\nThank you for your interest. We offer a 35% trade discount "
         "on orders of ten or more copies (titles can be mixed), with free shipping "
         "above 25 copies. Payment is 30 days from invoice, and unsold copies can be "
         "returned within six months for credit.\n\nI've attached our current trade "
         "catalogue. If you'd like to open a trade account, just send me your company "
         "registration details.\n\nBest regards,\n{agent}\nLumen Books Sales+pdf"],
        ["Thanks {agentfirst}, that sounds good. We'd like to start with 12 copies of "
         "{title} and 8 of {title2}. Please open the account for {company}, VAT {vat}."
         "\n\n{cname}"],
        ["Dear {cname},\n\nYour trade account is open and the order for 20 copies is "
         "confirmed; it will ship on {shipdate}. The invoice will be sent separately "
         "by our billing team.\n\nBest regards,\n{agent}"],
        ["Great, thank you!"],
    ])
S['en', 'ebook'] = dict(
    to='support', agents=['chen', 'bob'],
    subjects=['Ebook download link expired', "Can't open the EPUB of {title}",
              'Ebook {title} will not download'],
    turns=[
        ["Hi,\n\nI bought the ebook edition of {title} (order {order}) but the "
         "download link in the confirmation email says \"This link has expired\". I "
         "haven't downloaded it yet. Can you send me a new link?\n\nThanks,\n{cname}"],
        ["Hi {cname},\n\nDownload links expire after 7 days, but the book is always "
         "available in your account under Library. I've also generated a fresh link "
         "for you, valid for another 7 days:\n\nhttps://lumen.example/dl/{reflower}\n\n"
         "Happy reading!\n{agent}"],
        ["The new link works, but my Kobo says the file is not a valid EPUB."],
        ["Hi {cname},\n\nThat edition is EPUB 3 with fixed layout, which older Kobo "
         "firmware can't open. I've added the EPUB 2 version to your library as well; "
         "please download \"{title} (compatible)\".\n\nBest,\n{agent}"],
        ["That one works. Thanks!"],
    ])
S['en', 'address'] = dict(
    to='support', agents=['bob', 'chen'],
    subjects=['Change delivery address for order {order}', 'Wrong address on order {order}'],
    turns=[
        ["Hello,\n\nI just placed order {order} and realised it's going to my old "
         "address. Could you change it to:\n\n  {street}\n\nSorry for the hassle!\n{cname}"],
        ["Hi {cname},\n\nNo problem, the order hadn't shipped yet, so I've updated the "
         "delivery address to:\n\n  {street}\n\nYou'll get a shipping confirmation "
         "once it's on its way.\n\nBest regards,\n{agent}"],
        ["Thank you!"],
    ])

S['pt', 'not_arrived'] = dict(
    to='support', agents=['ana'],
    subjects=['Pedido {order} não chegou', 'Atraso na entrega do pedido {order}',
              'Cadê meu pedido {order}?'],
    turns=[
        ["Olá,\n\nFiz o pedido {order} no dia {odate} e até agora não recebi. O "
         "rastreamento está parado em \"objeto em trânsito\" há mais de uma semana. "
         "Vocês podem verificar o que aconteceu?\n\n{g:Obrigado|Obrigada},\n{cfull}"],
        ["Olá, {cname},\n\nObrigada pelo contato e desculpe pela demora. Verifiquei o "
         "pedido {order}: ele saiu do nosso armazém em {shipdate} pelos Correios, "
         "código de rastreio {tracking}. Pelo que vejo, a encomenda ficou retida na "
         "fiscalização aduaneira em Curitiba, o que infelizmente é comum em envios "
         "internacionais.\n\nJá abri uma reclamação e aviso assim que tiver resposta."
         "\n\nAtenciosamente,\n{agent}\nSuporte Lumen Books"],
        ["Oi {agentfirst}, alguma novidade? Recebi um aviso dos Correios pedindo para "
         "pagar uma taxa de importação. Isso está certo? No site de vocês dizia que "
         "não haveria taxas.\n\n{cname}"],
        ["Olá, {cname},\n\nVocê tem razão: como o pedido foi feito com a opção "
         "\"impostos incluídos\", a taxa é por nossa conta. Pode pagar e nos enviar o "
         "comprovante, que reembolsamos o valor integral em até 5 dias úteis. Ou, se "
         "preferir, recuse a entrega e enviamos outro exemplar por transportadora.\n\n"
         "Um abraço,\n{agent}"],
        ["Paguei e segue o comprovante. O livro chegou hoje, muito {g:obrigado|obrigada} "
         "pela ajuda!"],
    ])
S['pt', 'refund'] = dict(
    to='support', agents=['ana'],
    subjects=['Reembolso do pedido {order}', 'Estorno não apareceu na fatura',
              'Pedido {order} cancelado e cobrado'],
    turns=[
        ["Boa tarde,\n\nCancelei o pedido {order} no mesmo dia da compra, mas o valor "
         "de {amount} continua na fatura do meu cartão. Gostaria de saber quando o "
         "estorno será feito.\n\nAtenciosamente,\n{cfull}"],
        ["Boa tarde, {cname},\n\nO estorno de {amount} foi solicitado à operadora do "
         "cartão em {shipdate}. Dependendo do banco, ele pode aparecer em até duas "
         "faturas. Se não aparecer até o próximo fechamento, me avise que envio o "
         "comprovante da operação.\n\nAtenciosamente,\n{agent}"],
        ["Olá {agentfirst}, a fatura fechou e o estorno não veio. Pode me mandar o "
         "comprovante, por favor?"],
        ["Claro, {cname}. O código da operação é {ref}. Com ele o banco consegue "
         "localizar o crédito.\n\nAbraço,\n{agent}"],
        ["Deu certo, o banco encontrou. {g:Obrigado|Obrigada}!"],
    ])
S['pt', 'invoice'] = dict(
    to='billing', agents=['ana'],
    subjects=['Fatura do pedido {order}', 'Preciso da fatura com CNPJ ({order})',
              'Fatura em nome da empresa - pedido {order}'],
    turns=[
        ["Olá,\n\nPreciso de uma fatura do pedido {order} em nome da empresa:\n\n"
         "  {company}\n  CNPJ {cnpj}\n  {street}\n\nÉ possível?\n\n"
         "{g:Obrigado|Obrigada},\n{cfull}"],
        ["Olá, {cname},\n\nSegue em anexo a fatura do pedido {order} com os dados da "
         "empresa. Como somos uma empresa portuguesa, emitimos fatura (invoice) e não "
         "nota fiscal brasileira, mas ela é aceita para fins de comprovação de "
         "despesa.\n\nAtenciosamente,\n{agent}\nLumen Books - Faturação+pdf"],
        ["{g:Obrigado|Obrigada}. Só um detalhe: o nome da empresa saiu sem o \"Ltda.\" "
         "no final. Pode corrigir?"],
        ["Corrigido, segue a nova fatura em anexo.\n\n{agent}+pdf"],
        ["Perfeito, {g:obrigado|obrigada}!"],
    ])
S['pt', 'login'] = dict(
    to='support', agents=['ana'],
    subjects=['Não consigo acessar minha conta', 'Problema com login no app',
              'Não recebo o e-mail de redefinição de senha'],
    turns=[
        ["Olá, não consigo entrar na minha conta. Coloco o e-mail e a senha e aparece "
         "\"erro inesperado\". Já tentei no celular e no computador. Comprei dois "
         "e-books e preciso baixar.\n\n{cname}"],
        ["Olá, {cname},\n\nTivemos uma instabilidade no login ontem à noite que já foi "
         "corrigida. Pode tentar de novo? Se ainda der erro, limpe os cookies do "
         "navegador ou use uma janela anônima.\n\nAtenciosamente,\n{agent}"],
        ["Agora entrou, mas os e-books não aparecem na biblioteca."],
        ["Olá, {cname},\n\nOs dois e-books foram vinculados à sua conta manualmente. "
         "Basta atualizar a página da biblioteca.\n\nAbraço,\n{agent}"],
        ["Apareceram! {g:Obrigado|Obrigada}."],
    ])
S['pt', 'damaged'] = dict(
    to='support', agents=['ana'],
    subjects=['Livro chegou danificado ({order})', 'Livro molhado no pedido {order}',
              'Capa rasgada - pedido {order}'],
    turns=[
        ["Olá,\n\nRecebi hoje o pedido {order}, mas o livro {title} chegou com a capa "
         "rasgada e várias páginas amassadas. A caixa estava toda molhada. Envio uma "
         "foto em anexo.\n\nComo faço para trocar?\n\n{cfull}+png"],
        ["Olá, {cname},\n\nQue pena! Sinto muito. Já providenciei o envio de um novo "
         "exemplar de {title}, sem custo. Não precisa devolver o danificado.\n\n"
         "Atenciosamente,\n{agent}"],
        ["{g:Obrigado|Obrigada}! Tem código de rastreio?"],
        ["Sim: {tracking2}. Deve chegar em 8 a 12 dias úteis.\n\n{agent}"],
        ["Chegou perfeito, {g:obrigado|obrigada} pelo atendimento."],
    ])
S['pt', 'wholesale'] = dict(
    to='sales', agents=['ana'],
    subjects=['Compra em quantidade para livraria', 'Desconto para {company}',
              'Parceria com a {company}'],
    turns=[
        ["Prezados,\n\nSou {g:responsável|responsável} pelas compras da {company}, em "
         "{city}, e temos interesse em revender alguns títulos de vocês, especialmente "
         "{title}. Vocês trabalham com desconto para livrarias? Qual o pedido mínimo e "
         "como funciona o envio para o Brasil?\n\nAtenciosamente,\n{cfull}\n{company}"],
        ["Prezado(a) {cname},\n\nObrigada pelo interesse. Para livrarias oferecemos 35% "
         "de desconto a partir de 10 exemplares, e frete grátis acima de 25. O envio "
         "para o Brasil é feito por transportadora, com impostos pagos na origem (DDP). "
         "Em anexo segue o nosso catálogo.\n\nAtenciosamente,\n{agent}\n"
         "Lumen Books - Vendas+pdf"],
        ["Ótimo. Queremos 15 exemplares de {title} e 10 de {title2}. Como fazemos o "
         "pagamento?"],
        ["Enviaremos a fatura com os dados bancários amanhã. Após a confirmação do "
         "pagamento, o envio sai em 2 dias úteis.\n\nAtenciosamente,\n{agent}"],
        ["Combinado, {g:obrigado|obrigada}!"],
    ])

S['ru', 'not_arrived'] = dict(
    to='support', agents=['dmitri'],
    subjects=['Заказ {order} не доставлен', 'Где мой заказ {order}?',
              'Задержка доставки заказа {order}'],
    turns=[
        ["Здравствуйте!\n\nЯ {g:оформил|оформила} заказ {order} {odate}, но до сих пор "
         "его не {g:получил|получила}. Трек-номер не отслеживается уже десять дней. "
         "Подскажите, пожалуйста, что случилось с посылкой?\n\nС уважением,\n{cfull}"],
        ["Здравствуйте, {cname}!\n\nСпасибо за обращение. Заказ {order} был отправлен "
         "{shipdate}, трек-номер {tracking}. По данным перевозчика, посылка прошла "
         "таможню и передана в почтовую службу. Обычно после этого доставка занимает "
         "ещё 5–7 дней.\n\nЯ слежу за отправлением и напишу, если что-то изменится.\n\n"
         "С уважением,\n{agent}\nСлужба поддержки Lumen Books"],
        ["{agentfirst}, добрый день. Посылка так и не пришла, в отделении говорят, что "
         "её нет."],
        ["Здравствуйте, {cname}!\n\nПочтовая служба признала посылку утерянной. Мы "
         "отправили вам новый экземпляр книги «{title}» курьерской службой, трек-номер "
         "{tracking2}. Приносим извинения за неудобства.\n\nС уважением,\n{agent}"],
        ["{g:Получил|Получила}, спасибо большое!"],
    ])
S['ru', 'refund'] = dict(
    to='support', agents=['dmitri'],
    subjects=['Возврат денег за заказ {order}', 'Не пришёл возврат средств ({order})',
              'Отмена заказа {order} и возврат'],
    turns=[
        ["Добрый день!\n\nЯ {g:отменил|отменила} заказ {order}, но деньги ({amount}) до "
         "сих пор не вернулись на карту. Прошло уже две недели. Когда ожидать "
         "возврат?\n\n{cfull}"],
        ["Здравствуйте, {cname}!\n\nВозврат на сумму {amount} был оформлен {shipdate}. "
         "Срок зачисления зависит от банка и обычно составляет до 10 рабочих дней.\n\n"
         "С уважением,\n{agent}"],
        ["Прошло 10 рабочих дней, денег нет. Банк просит номер транзакции."],
        ["{cname}, номер транзакции: {ref}. Передайте его в банк, пожалуйста.\n\n{agent}"],
        ["Деньги пришли, спасибо."],
    ])
S['ru', 'invoice'] = dict(
    to='billing', agents=['dmitri'],
    subjects=['Счёт для юридического лица по заказу {order}', 'Нужен счёт на оплату ({order})',
              'Закрывающие документы по заказу {order}'],
    turns=[
        ["Здравствуйте!\n\nПрошу выставить счёт на организацию:\n\n  ООО «{company}»\n"
         "  ИНН {inn}\n  {street}\n\nЗаказ {order}.\n\nСпасибо,\n{cfull}"],
        ["Здравствуйте, {cname}!\n\nСчёт во вложении. Обратите внимание: мы европейская "
         "компания, поэтому счёт выставлен в евро и без российского НДС.\n\n"
         "С уважением,\n{agent}+pdf"],
        ["Спасибо. А можно указать в счёте номер договора?"],
        ["Да, исправленный счёт во вложении.\n\n{agent}+pdf"],
        ["Отлично, спасибо!"],
    ])
S['ru', 'login'] = dict(
    to='support', agents=['dmitri'],
    subjects=['Не могу войти в личный кабинет', 'Не приходит письмо для сброса пароля',
              'Аккаунт заблокирован'],
    turns=[
        ["Здравствуйте. Не могу войти в аккаунт, пишет «Слишком много попыток входа». "
         "Письмо для сброса пароля не приходит. Помогите, пожалуйста.\n\n{cname}"],
        ["Здравствуйте, {cname}!\n\nАккаунт был временно заблокирован после нескольких "
         "неудачных попыток входа. Я снял блокировку. Письма от no-reply@lumen.example "
         "иногда попадают в спам — проверьте, пожалуйста, эту папку.\n\n"
         "С уважением,\n{agent}"],
        ["Письмо нашлось в спаме, пароль {g:поменял|поменяла}. Спасибо!"],
        ["Рад помочь! Хорошего дня.\n\n{agent}"],
    ])
S['ru', 'damaged'] = dict(
    to='support', agents=['dmitri'],
    subjects=['Книга пришла повреждённой ({order})', 'Повреждённая книга в заказе {order}',
              'Брак в заказе {order}'],
    turns=[
        ["Здравствуйте!\n\nСегодня {g:получил|получила} заказ {order}. Книга «{title}» "
         "пришла с помятым углом и порванной суперобложкой. Фото во вложении. Можно "
         "ли заменить?\n\n{cfull}+png"],
        ["Здравствуйте, {cname}!\n\nПриносим извинения. Мы отправим вам новый "
         "экземпляр, повреждённую книгу возвращать не нужно.\n\nС уважением,\n{agent}"],
        ["Спасибо! Когда примерно ждать?"],
        ["Отправили сегодня, трек-номер {tracking2}, срок доставки 7–10 дней.\n\n{agent}"],
        ["Книга пришла, всё в порядке. Спасибо!"],
    ])
S['ru', 'wholesale'] = dict(
    to='sales', agents=['dmitri'],
    subjects=['Оптовые закупки для книжного магазина', 'Оптовый заказ для {company}',
              'Сотрудничество с магазином «{company}»'],
    turns=[
        ["Добрый день!\n\nМы — книжный магазин «{company}» в {city}. Интересует оптовая "
         "закупка ваших изданий, в том числе «{title}». Подскажите условия: скидки, "
         "минимальная партия, доставка.\n\nС уважением,\n{cfull}"],
        ["Здравствуйте, {cname}!\n\nСпасибо за интерес. Оптовая скидка — 35% от 10 "
         "экземпляров, бесплатная доставка от 25 экземпляров. Срок доставки около "
         "трёх недель. Каталог во вложении.\n\nС уважением,\n{agent}+pdf"],
        ["Спасибо, условия подходят. Готовы заказать 20 экземпляров «{title}». "
         "Пришлите, пожалуйста, счёт."],
        ["Счёт отправит наш отдел бухгалтерии в течение дня.\n\nС уважением,\n{agent}"],
    ])

S['fa', 'not_arrived'] = dict(
    to='support', agents=['farah'],
    subjects=['سفارش {order} هنوز نرسیده', 'پیگیری سفارش {order}',
              'تأخیر در ارسال سفارش {order}'],
    turns=[
        ["سلام،\n\nمن {odate} سفارش {order} را ثبت کردم ولی هنوز به دستم نرسیده است. "
         "کد رهگیری هم در سایت پست چیزی نشان نمی\u200cدهد. لطفاً بررسی کنید.\n\n"
         "با تشکر،\n{cfull}"],
        ["سلام {cname} عزیز،\n\nاز پیام شما متشکرم. سفارش {order} در تاریخ {shipdate} "
         "ارسال شده و کد رهگیری آن {tracking} است. طبق اطلاعات شرکت حمل، بسته در گمرک "
         "است. موضوع را پیگیری می\u200cکنم و به محض دریافت خبر به شما اطلاع می\u200cدهم."
         "\n\nبا احترام،\n{agent}\nپشتیبانی Lumen Books"],
        ["سلام {agentfirst}، خبری نشد؟ هنوز بسته نرسیده."],
        ["سلام {cname} عزیز،\n\nبسته از گمرک ترخیص شد و طبق اعلام شرکت پست، تا سه روز "
         "کاری آینده تحویل داده می\u200cشود. بابت تأخیر عذرخواهی می\u200cکنم.\n\n"
         "با احترام،\n{agent}"],
        ["کتاب امروز رسید. خیلی ممنون از پیگیری\u200cتان."],
    ])
S['fa', 'refund'] = dict(
    to='support', agents=['farah'],
    subjects=['درخواست بازپرداخت وجه سفارش {order}', 'بازگشت وجه سفارش {order} انجام نشده',
              'لغو سفارش {order} و استرداد وجه'],
    turns=[
        ["سلام،\n\nسفارش {order} را لغو کردم اما مبلغ {amount} هنوز به حسابم برنگشته "
         "است. لطفاً راهنمایی کنید.\n\n{cfull}"],
        ["سلام {cname} عزیز،\n\nبازپرداخت مبلغ {amount} در تاریخ {shipdate} انجام شده "
         "است. بسته به بانک، ممکن است تا ده روز کاری طول بکشد.\n\nبا احترام،\n{agent}"],
        ["ده روز گذشته و هنوز واریز نشده. بانک شماره\u200cی تراکنش می\u200cخواهد."],
        ["شماره\u200cی تراکنش: {ref}\nلطفاً آن را به بانک بدهید.\n\n{agent}"],
        ["مبلغ واریز شد. متشکرم."],
    ])
S['fa', 'invoice'] = dict(
    to='billing', agents=['farah'],
    subjects=['درخواست فاکتور برای سفارش {order}', 'فاکتور رسمی با نام شرکت ({order})',
              'صورتحساب سفارش {order}'],
    turns=[
        ["سلام،\n\nلطفاً برای سفارش {order} یک فاکتور به نام شرکت صادر کنید:\n\n"
         "  شرکت {company}\n  {street}\n\nممنونم،\n{cfull}"],
        ["سلام {cname} عزیز،\n\nفاکتور سفارش {order} پیوست شده است.\n\nبا احترام،\n"
         "{agent}+pdf"],
        ["متشکرم. لطفاً نشانی شرکت را هم به انگلیسی بنویسید."],
        ["فاکتور اصلاح\u200cشده پیوست است.\n\n{agent}+pdf"],
    ])
S['fa', 'login'] = dict(
    to='support', agents=['farah'],
    subjects=['نمی\u200cتوانم وارد حساب کاربری\u200cام شوم', 'مشکل ورود به حساب',
              'ایمیل بازیابی رمز عبور نمی\u200cرسد'],
    turns=[
        ["سلام،\n\nاز دیروز نمی\u200cتوانم وارد حسابم شوم. ایمیل بازیابی رمز عبور هم "
         "نمی\u200cرسد. کتاب الکترونیکی خریده\u200cام و باید دانلودش کنم.\n\n{cname}"],
        ["سلام {cname} عزیز،\n\nحساب شما را بررسی کردم. ایمیل\u200cهای ما توسط "
         "سرویس\u200cدهنده\u200cی ایمیل شما مسدود شده بود. یک لینک ورود یک\u200cبار مصرف "
         "برایتان فرستادم که تا ۲۴ ساعت معتبر است.\n\nبا احترام،\n{agent}"],
        ["لینک کار کرد، ممنونم!"],
    ])
S['fa', 'damaged'] = dict(
    to='support', agents=['farah'],
    subjects=['کتاب آسیب\u200cدیده رسید ({order})', 'جلد پاره در سفارش {order}',
              'کتاب سفارش {order} خیس شده بود'],
    turns=[
        ["سلام،\n\nسفارش {order} امروز رسید اما کتاب «{title}» آسیب دیده است؛ جلد پاره "
         "شده و چند صفحه خیس شده\u200cاند. عکس را پیوست کرده\u200cام.\n\n{cfull}+png"],
        ["سلام {cname} عزیز،\n\nبسیار متأسفم. یک نسخه\u200cی جدید از «{title}» برایتان "
         "ارسال می\u200cکنیم و نیازی به بازگرداندن نسخه\u200cی آسیب\u200cدیده نیست.\n\n"
         "با احترام،\n{agent}"],
        ["ممنون. کد رهگیری دارد؟"],
        ["بله، کد رهگیری: {tracking2}\n\n{agent}"],
        ["رسید، سالم بود. سپاس."],
    ])
S['fa', 'wholesale'] = dict(
    to='sales', agents=['farah'],
    subjects=['خرید عمده برای کتابفروشی', 'همکاری با کتابفروشی {company}',
              'تخفیف برای سفارش عمده\u200cی {company}'],
    turns=[
        ["سلام وقت بخیر،\n\nاز کتابفروشی «{company}» در {city} تماس می\u200cگیرم. مایلیم "
         "چند عنوان از کتاب\u200cهای شما، به\u200cویژه «{title}»، را به صورت عمده "
         "خریداری کنیم. شرایط تخفیف و ارسال را بفرمایید.\n\nبا سپاس،\n{cfull}"],
        ["سلام {cname} عزیز،\n\nبرای سفارش\u200cهای بالای ۱۰ نسخه ۳۵٪ تخفیف می\u200cدهیم. "
         "در حال حاضر امکان ارسال مستقیم به ایران را نداریم، اما می\u200cتوانیم به "
         "نشانی\u200cای در ترکیه یا امارات ارسال کنیم.\n\nبا احترام،\n{agent}"],
        ["ممنون. نشانی دفترمان در استانبول را می\u200cفرستم."],
    ])

FOLLOWUP = {   # a customer writing twice before the agent answers
    'en': 'Sorry, I forgot to add: the order was paid with PayPal, in case that matters.'
          '\n\n{cname}',
    'pt': 'Esqueci de dizer: paguei com Pix, se isso ajudar.\n\n{cname}',
    'ru': 'Забыл{g:|а} добавить: оплата была через PayPal.\n\n{cname}',
    'fa': 'یادم رفت بگویم: پرداخت با پی\u200cپال انجام شد.\n\n{cname}',
}
ATTRIB = {
    'en': 'On {wd}, {d} {mon} {y} at {hm}, {name} <{addr}> wrote:',
    'pt': 'Em {d} de {mon} de {y}, às {hm}, {name} <{addr}> escreveu:',
    'ru': '{d} {mon} {y} г., в {hm}, {name} <{addr}> написал(а):',
    'fa': 'در تاریخ {d} {mon} {y} ساعت {hm}، {name} <{addr}> نوشت:',
}
WD_EN = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
MON_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct',
            'Nov', 'Dec']


def attribution(lang, m):
    d = m.date.astimezone(m.date.tzinfo)
    if lang == 'en':
        mon = MON_ABBR[d.month - 1]
    elif lang == 'pt':
        mon = MONTHS_PT[d.month - 1][:3] + '.'
    elif lang == 'ru':
        mon = MONTHS_RU[d.month - 1]
    else:
        mon = 'نوامبر'
    s = ATTRIB[lang].format(wd=WD_EN[d.weekday()], d=d.day, mon=mon, y=d.year,
                            hm=d.strftime('%H:%M'), name=m.name or '', addr=m.addr)
    s = s.replace(' <', ' <' if m.name else '<', 1)
    if lang == 'fa':
        s = s.translate(FA_DIGITS)
    return s


# --------------------------------------------------------------- helpers

CROCK = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'


def rstr(alpha, n):
    return ''.join(R.choice(alpha) for _ in range(n))


def rhex(n, upper=False):
    s = rstr('0123456789abcdef', n)
    return s.upper() if upper else s


def with_gender(text, g):
    return re.sub(r'\{g:([^|}]*)\|([^}]*)\}', lambda m: m.group(1 if g == 'm' else 2), text)


def is_ascii(s):
    return all(ord(c) < 128 for c in s)


def ew_b(s, charset='UTF-8'):
    """Encode s as a list of B encoded words, each at most 75 chars."""
    words, cur = [], ''
    for ch in s:
        if len((cur + ch).encode()) > 42:
            words.append(cur)
            cur = ''
        cur += ch
    if cur:
        words.append(cur)
    return ['=?%s?B?%s?=' % (charset, base64.b64encode(w.encode()).decode())
            for w in words]


def q_char(ch):
    out = ''
    for b in ch.encode():
        c = chr(b)
        if c == ' ':
            out += '_'
        elif c.isalnum() and b < 128 or c in '!*+-/':
            out += c
        else:
            out += '=%02X' % b
    return out


def ew_q(s, charset='UTF-8'):
    words, cur = [], ''
    pre = '=?%s?Q?' % charset
    for ch in s:
        e = q_char(ch)
        if len(pre) + len(cur) + len(e) + 2 > 75:
            words.append(cur)
            cur = ''
        cur += e
    if cur:
        words.append(cur)
    return [pre + w + '?=' for w in words]


def encode_phrase(s, mode, fold=False, charset='UTF-8', prefix=''):
    """A header value for s.  mode 'B'/'Q': whole text as encoded words;
    'Qw': only the non-ASCII words (Apple Mail style).  prefix stays ASCII.
    Returns (value, folded) with folding as '\\n ' between words."""
    if is_ascii(s):
        return prefix + s
    if mode == 'Qw':
        toks = s.split(' ')
        out, run = [], []
        for t in toks + [None]:
            if t is not None and not is_ascii(t):
                run.append(t)
                continue
            if run:
                out.extend(ew_q(' '.join(run), charset))
                run = []
            if t is not None:
                out.append(t)
        words = out
    elif mode == 'B':
        words = ew_b(s, charset)
    else:
        words = ew_q(s, charset)
    # plain words between encoded words are joined with a space; folding
    # puts line breaks between words, keeping lines under 78 characters
    line = prefix
    lines = []
    for w in words:
        if line and len(line) + 1 + len(w) > (40 if fold else 66) and line != prefix:
            lines.append(line)
            line = w
        else:
            line = w if line == '' else (line + ('' if line == prefix and prefix.endswith(' ') else ' ') + w)
    lines.append(line)
    return '\n '.join(lines)


def addr_header(name, addr, mode='B'):
    if name is None:
        return addr
    if is_ascii(name):
        if re.search(r"[^A-Za-z0-9 !#$%&'*+/=?^_`{|}~-]", name):
            return '"%s" <%s>' % (name, addr)
        return '%s <%s>' % (name, addr)
    return '%s <%s>' % (encode_phrase(name, mode), addr)


def qp(text):
    return quopri.encodestring(text.encode('utf-8')).decode('ascii')


def b64(data):
    return base64.encodebytes(data).decode('ascii')


def wrap(text, width=72):
    """Wrap paragraphs at width, keeping short lines and indentation."""
    out = []
    for line in text.split('\n'):
        if len(line) <= width or line.startswith(' '):
            out.append(line)
            continue
        cur = ''
        for w in line.split(' '):
            if cur and len(cur) + 1 + len(w) > width:
                out.append(cur)
                cur = w
            else:
                cur = w if not cur else cur + ' ' + w
        out.append(cur)
    return '\n'.join(out)


def rfc2822(d, obsolete=None, pad=True):
    s = ('%s, %02d %s %d %02d:%02d:%02d' if pad else '%s, %d %s %d %02d:%02d:%02d') % (
        WD_EN[d.weekday()], d.day, MON_ABBR[d.month - 1],
                                          d.year, d.hour, d.minute, d.second)
    if obsolete:
        return s + ' ' + obsolete
    off = d.utcoffset()
    mins = int(off.total_seconds() // 60)
    sign = '+' if mins >= 0 else '-'
    mins = abs(mins)
    return s + ' %s%02d%02d' % (sign, mins // 60, mins % 60)


def ctime(d):
    d = d.astimezone(UTC)
    return '%s %s %2d %02d:%02d:%02d %d' % (WD_EN[d.weekday()], MON_ABBR[d.month - 1],
                                             d.day, d.hour, d.minute, d.second, d.year)


def png_bytes(w=24, h=16, seed=0):
    def chunk(t, data):
        c = struct.pack('>I', len(data)) + t + data
        return c + struct.pack('>I', zlib.crc32(t + data) & 0xffffffff)
    raw = b''
    for y in range(h):
        raw += b'\0'
        for x in range(w):
            raw += bytes(((x * 9 + seed) % 256, (y * 13 + seed * 3) % 256, (x * y + 90) % 256))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def pdf_bytes(title, lines):
    text = ' '.join('(%s) Tj T*' % l.replace('(', '[').replace(')', ']') for l in lines)
    stream = ('BT /F1 11 Tf 14 TL 56 780 Td (%s) Tj T* T* %s ET' % (title, text)).encode()
    objs = [b'<< /Type /Catalog /Pages 2 0 R >>',
            b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] '
            b'/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>',
            b'<< /Length %d >>\nstream\n' % len(stream) + stream + b'\nendstream',
            b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']
    out = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b'%d 0 obj\n' % i + o + b'\nendobj\n'
    x = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    for o in offs:
        out += b'%010d 00000 n \n' % o
    out += b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objs) + 1, x)
    return out


def base_subject(s):
    """RFC 5256 base subject, enough for the subjects made here."""
    s = ' '.join(s.split())
    pre = r'(?:re|fwd?|res|enc|rv|aw|wg|sv|vs|ответ|пересл|پاسخ|automatic reply)'
    while True:
        t = re.sub(r'\s*\(fwd\)$', '', s, flags=re.I).strip()
        t = re.sub(r'^(?:\[[^\[\]]*\]\s*)*' + pre + r'\s*(?:\[[^\[\]]*\]\s*)?:\s*', '', t,
                   flags=re.I)
        m = re.match(r'^\[[^\[\]]*\]\s*(.+)$', t)
        if m:
            t = m.group(1)
        if t == s:
            return s.lower()
        s = t


# -------------------------------------------------------------- messages

class Msg:
    def __init__(self, **kw):
        self.__dict__.update(dict(
            mid=None, irt=None, refs=None, parent=None, expect_parent='same',
            cc=None, extra=[], attach=None, client='tb', date_style=None,
            nodate=False, noid=False, delivered='support@lumen.example', raw=None,
            quote=None, html=False, reply_to=None, subject_mode='B', fold=False,
            envelope=None, thread_index=None, lang='en', kind='real', no_refs=False, no_irt=False, broken=False,
            formreply=False, ghost_parent=None, subject_prefix='', auto=None))
        self.__dict__.update(kw)


def client_mid(client, addr, d):
    dom = addr.split('@')[1]
    if client == 'gmail':
        return 'CA%s@mail.gmail.example' % rstr(B64 + '+_-', 44)
    if client == 'apple':
        return '%s-%s-%s-%s-%s@%s' % (rhex(8, 1), rhex(4, 1), rhex(4, 1), rhex(4, 1),
                                      rhex(12, 1), dom)
    if client == 'outlook':
        p = R.choice(['DB9PR03MB', 'AM6PR08MB', 'PAXPR10MB', 'LO2P265MB'])
        n = '%04d' % R.randint(1000, 9999)
        return '%s%s%s@%s%s.eurprd03.prod.outlook.example' % (p, n, rhex(32, 1), p, n)
    if client == 'yandex':
        return '%d%s@mail.yandex.example' % (R.randint(100000, 999999), rstr('0123456789', 9))
    if client == 'mutt':
        return '%s.GA%d@%s' % (d.astimezone(UTC).strftime('%Y%m%d%H%M%S'),
                               R.randint(1000, 32000), 'host.' + dom)
    if client == 'eudora':
        return '6.2.5.6.2.%s.%s@%s' % (d.strftime('%Y%m%d%H%M'), rhex(8), dom)
    # thunderbird and the agents
    return '%s-%s-%s-%s-%s@%s' % (rhex(8), rhex(4), rhex(4), rhex(4), rhex(12), dom)


def text_to_html(text, rtl=False):
    out = []
    for para in text.split('\n'):
        esc = (para.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
               .replace('"', '&quot;'))
        out.append('<div>%s</div>' % (esc if esc else '<br>'))
    return '<div dir="%s">%s</div>' % ('rtl' if rtl else 'ltr', '\n'.join(out))


def boundary(client):
    if client == 'gmail':
        return '000000000000%s' % rhex(12)
    if client == 'outlook':
        return '_000_%s_' % rstr('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 40)
    if client == 'apple':
        return 'Apple-Mail=_%s-%s-%s-%s-%s' % (rhex(8, 1), rhex(4, 1), rhex(4, 1),
                                              rhex(4, 1), rhex(12, 1))
    return '------------%s' % rstr('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 24)


def body_part(text, cte, flowed=False, charset='UTF-8'):
    ct = 'text/plain; charset=%s' % charset
    if flowed:
        ct += '; format=flowed'
    if cte == 'qp':
        return ct, 'quoted-printable', qp(text)
    if cte == 'b64':
        return ct, 'base64', b64(text.encode('utf-8'))
    return ct, '7bit', text


def render(m):
    """The message m as text (LF line ends), without the From_ line.
    Choices made while rendering come from a random source seeded by the
    message id, so rendering twice gives the same text."""
    global R
    if m.raw is not None:
        return m.raw if isinstance(m.raw, str) else m.raw()
    saved = R
    R = random.Random(m.mid)
    try:
        return render1(m)
    finally:
        R = saved


def render1(m):
    H = []
    lang = m.lang
    rtl = lang == 'fa'
    text = m.text
    if m.quote is not None:
        qm, style = m.quote
        q = '\n'.join((style + l) if l else style.rstrip() for l in qm.text.split('\n'))
        if m.client == 'outlook':
            text = text + '\n\n' + '_' * 32 + '\nFrom: %s <%s>\nSent: %s\nTo: %s\nSubject: %s\n\n%s' % (
                qm.name, qm.addr, qm.date.strftime('%A, %B %d, %Y %I:%M %p'),
                m.to, qm.subject_prefix + qm.subject, qm.text)
        else:
            text = text + '\n\n' + attribution(lang, qm) + '\n' + q
    ascii_body = is_ascii(text)
    client = m.client
    # content
    if client == 'gmail':
        cte = 'qp' if (not ascii_body or R.random() < 0.5) else '7bit'
        if not ascii_body and R.random() < 0.3:
            cte = 'b64'
    elif client in ('yandex', 'outlook'):
        cte = 'b64' if not ascii_body else 'qp'
    elif client == 'apple':
        cte = 'qp'
    else:
        cte = '7bit' if ascii_body else R.choice(['qp', 'qp', 'b64'])
    flowed = client in ('tb', 'agent') and ascii_body and cte == '7bit'
    ct, cte_name, payload = body_part(text, cte, flowed)
    if m.html:
        bd = boundary(client)
        hct, hcte, hpayload = ('text/html; charset=UTF-8', 'quoted-printable',
                               qp(text_to_html(text, rtl)))
        main = ('multipart/alternative; boundary="%s"' % bd, None,
                '--%s\nContent-Type: %s\nContent-Transfer-Encoding: %s\n\n%s\n'
                '--%s\nContent-Type: %s\nContent-Transfer-Encoding: %s\n\n%s\n--%s--\n'
                % (bd, ct, cte_name, payload.rstrip('\n'), bd, hct, hcte,
                   hpayload.rstrip('\n'), bd))
    else:
        main = (ct, cte_name, payload)
    if m.attach:
        fname, mtype, data = m.attach
        bd = boundary(client)
        inner = main
        part1 = 'Content-Type: %s\n' % inner[0]
        if inner[1]:
            part1 += 'Content-Transfer-Encoding: %s\n' % inner[1]
        part1 += '\n' + inner[2].rstrip('\n') + '\n'
        part2 = ('Content-Type: %s; name="%s"\nContent-Disposition: attachment; '
                 'filename="%s"\nContent-Transfer-Encoding: base64\n\n%s'
                 % (mtype, fname, fname, b64(data)))
        main = ('multipart/mixed; boundary="%s"' % bd, None,
                'This is a multi-part message in MIME format.\n--%s\n%s--%s\n%s--%s--\n'
                % (bd, part1, bd, part2, bd))
    # headers
    dom_from = m.addr.split('@')[1]
    rp = m.addr if m.envelope is None else m.envelope
    if rp == 'MAILER-DAEMON':
        rp = ''
    if m.client == 'form':
        arr = m.date.astimezone(UTC) + dt.timedelta(seconds=m.delay)
        H.append('Return-Path: <%s>' % rp)
        H.append('Delivered-To: %s' % m.delivered)
        H.append('Received: from web1.lumen.example (web1.lumen.example [10.20.1.5])\n'
                 '\tby mx.lumen.example (Postfix) with ESMTP id %s\n\tfor <%s>; %s (UTC)'
                 % (rstr(CROCK, 11), m.delivered, rfc2822(arr)))
    elif m.role == 'c' or m.role == 'auto':
        ip = '%s.%d' % (R.choice(['198.51.100', '203.0.113', '192.0.2']), R.randint(2, 250))
        host = 'mail-%s.%s' % (rstr('abcdefghijklmnopqrstuvwxyz', 2) + str(R.randint(1, 99)), dom_from)
        arr = m.date.astimezone(UTC) + dt.timedelta(seconds=m.delay)
        H.append('Return-Path: <%s>' % rp)
        H.append('Delivered-To: %s' % m.delivered)
        H.append('Received: from %s (%s [%s])\n\tby mx.lumen.example (Postfix) with ESMTPS id %s\n'
                 '\tfor <%s>; %s (UTC)' % (host, host, ip, rstr(CROCK, 11), m.delivered,
                                            rfc2822(arr).replace(' 0', '  ', 1) if arr.day < 10 else rfc2822(arr)))
    else:
        arr = m.date.astimezone(UTC) + dt.timedelta(seconds=m.delay)
        H.append('Return-Path: <%s>' % rp)
        H.append('Received: from [10.20.%d.%d] (desk.lumen.example [10.20.%d.%d])\n'
                 '\tby mail.lumen.example (Postfix) with ESMTPSA id %s;\n\t%s (UTC)'
                 % (3, 14, 3, 14, rstr(CROCK, 11), rfc2822(arr)))
    if m.nodate:
        date_h = None
    else:
        date_h = 'Date: ' + rfc2822(m.date, m.date_style,
                                    pad=client in ('outlook', 'yandex', 'form', 'eudora'))
    from_h = 'From: ' + addr_header(m.name, m.addr, 'Q' if client == 'apple' else 'B')
    to_h = 'To: ' + m.to
    subj_mode = m.subject_mode
    subj_h = 'Subject: ' + encode_phrase(m.subject, subj_mode, m.fold,
                                         'utf-8' if client == 'apple' else 'UTF-8',
                                         prefix=m.subject_prefix)
    mid_name = {'apple': 'Message-Id', 'yandex': 'Message-Id'}.get(client, 'Message-ID')
    mid_h = None if m.noid else '%s: <%s>' % (mid_name, m.mid)
    irt_h = refs_h = None
    if m.irt:
        irt_h = 'In-Reply-To: ' + ' '.join('<%s>' % i for i in m.irt)
    if m.refs:
        refs = ['<%s>' % i for i in m.refs]
        lines, cur = [], 'References:'
        for r in refs:
            if len(cur) + 1 + len(r) > 78 and cur != 'References:':
                lines.append(cur)
                cur = ' ' + r if client != 'outlook' else '\t' + r
            else:
                cur += ' ' + r
        lines.append(cur)
        refs_h = '\n'.join(lines)
    mime = ['MIME-Version: 1.0']
    if client == 'apple':
        mime = ['Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))']
    ctl = ['Content-Type: %s' % main[0]]
    if main[1]:
        ctl.append('Content-Transfer-Encoding: %s' % main[1])
    ua = {
        'tb': ['User-Agent: Mozilla Thunderbird', 'Content-Language: ' +
               {'en': 'en-US', 'pt': 'pt-BR', 'ru': 'ru', 'fa': 'fa-IR'}[lang]],
        'agent': ['User-Agent: Mozilla Thunderbird', 'Organization: Lumen Books'],
        'gmail': [], 'apple': ['X-Mailer: Apple Mail (2.3774.600.62)'],
        'yandex': ['X-Mailer: Yamail [ http://yandex.ru ] 5.0'],
        'mutt': ['User-Agent: Mutt/2.2.12 (2023-09-09)'],
        'eudora': ['X-Mailer: QUALCOMM Windows Eudora Version 7.1.0.9'],
        'outlook': ['Accept-Language: en-GB, en-US', 'Content-Language: en-GB',
                    'X-MS-Has-Attach: %s' % ('yes' if m.attach else ''),
                    'X-MS-TNEF-Correlator:'],
        'simple': ['X-Mailer: SimpleMail 1.2 (Android 9)'],
        'form': ['X-Mailer: PHP/8.1.2-1ubuntu2.14'],
    }[client]
    cc_h = ('Cc: ' + m.cc) if m.cc else None
    rt_h = ('Reply-To: ' + m.reply_to) if m.reply_to else None
    if client == 'gmail':
        order = mime + [date_h, mid_h, irt_h, refs_h, subj_h, from_h, to_h, cc_h] + ctl
    elif client == 'outlook':
        ti = ['Thread-Topic: ' + encode_phrase(m.thread_topic, 'B'),
              'Thread-Index: ' + m.thread_index]
        order = [from_h, to_h, cc_h, subj_h] + ti + [date_h, mid_h, refs_h, irt_h] + ua + ctl + mime
        ua = []
    elif client == 'apple':
        order = ctl + mime + [subj_h, from_h, irt_h, date_h, cc_h, to_h, refs_h, mid_h]
    elif client in ('tb', 'agent'):
        order = [mid_h, date_h, mime] + ua + [subj_h, refs_h, to_h, cc_h, from_h, rt_h, irt_h] + ctl
        ua = []
    else:
        order = [date_h, from_h, to_h, cc_h, subj_h, mid_h, irt_h, refs_h] + mime + ctl
    hl = []
    for x in order:
        if isinstance(x, list):
            hl.extend(x)
        elif x:
            hl.append(x)
    hl = H + hl + ua + m.extra
    if m.auto:
        hl = hl + m.auto
    return '\n'.join(hl) + '\n\n' + main[2].rstrip('\n') + '\n'


def mboxrd(m):
    txt = render(m)
    lines = txt.split('\n')
    esc = [('>' + l) if re.match(r'^>*From ', l) else l for l in lines]
    envelope = m.envelope if m.envelope is not None else m.addr
    return 'From %s %s\n%s\n' % (envelope, ctime(m.date + dt.timedelta(seconds=m.delay)),
                                 '\n'.join(esc))


# --------------------------------------------------------- conversations

LANG_PLAN = ['en'] * 46 + ['pt'] * 18 + ['ru'] * 13 + ['fa'] * 13
TOPICS = {
    'en': ['not_arrived', 'refund', 'invoice', 'login', 'damaged', 'wholesale', 'ebook',
           'address'],
    'pt': ['not_arrived', 'refund', 'invoice', 'login', 'damaged', 'wholesale'],
    'ru': ['not_arrived', 'refund', 'invoice', 'login', 'damaged', 'wholesale'],
    'fa': ['not_arrived', 'refund', 'invoice', 'login', 'damaged', 'wholesale'],
}
CLIENTS = {
    'en': ['gmail', 'gmail', 'tb', 'apple', 'outlook', 'mutt', 'gmail', 'apple'],
    'pt': ['gmail', 'gmail', 'apple', 'outlook', 'tb'],
    'ru': ['yandex', 'yandex', 'gmail', 'tb'],
    'fa': ['gmail', 'gmail', 'yandex', 'tb', 'apple'],
}
AMOUNTS = {'en': ['£18.40', '£24.90', '€31.50', '£42.00', '€27.80'],
           'pt': ['R$ 189,90', 'R$ 96,50', 'R$ 254,00'],
           'ru': ['42,50 €', '3 450 ₽', '28,90 €'],
           'fa': ['۴۵ یورو', '۳۲ یورو', '۲۸ یورو']}


def next_work(t, agent_tz):
    while True:
        lt = t.astimezone(agent_tz)
        if 8 <= lt.hour < 19 and lt.weekday() < 6:
            return t
        t += dt.timedelta(minutes=37)


def cust_time(t, ctz):
    while True:
        lt = t.astimezone(ctz)
        if 7 <= lt.hour < 23:
            return t
        t += dt.timedelta(minutes=41)


class Conv:
    pass


def make_conversations():
    convs = []
    used_subjects = set()
    langs = LANG_PLAN[:]
    R.shuffle(langs)
    cust_pool = {l: CUSTOMERS[l][:] for l in CUSTOMERS}
    for l in cust_pool:
        R.shuffle(cust_pool[l])
    cust_i = {l: 0 for l in CUSTOMERS}
    topic_i = {l: R.randrange(len(TOPICS[l])) for l in TOPICS}
    for n, lang in enumerate(langs):
        c = Conv()
        c.n = n + 1
        c.lang = lang
        pool = cust_pool[lang]
        c.cust = pool[cust_i[lang] % len(pool)]
        cust_i[lang] += 1
        # pick a topic whose subjects are not used up
        for _ in range(40):
            topic = TOPICS[lang][topic_i[lang] % len(TOPICS[lang])]
            topic_i[lang] += R.choice([1, 1, 2, 3])
            spec = S[lang, topic]
            c.topic = topic
            c.spec = spec
            c.vars = make_vars(c)
            cands = [s.format(**c.vars) for s in spec['subjects']]
            cands = [s for s in cands if base_subject(s) not in used_subjects]
            if cands:
                c.subject = R.choice(cands)
                used_subjects.add(base_subject(c.subject))
                break
        else:
            raise SystemExit('subjects used up for %s' % lang)
        c.agent = R.choice(spec['agents'])
        c.client = R.choice(CLIENTS[lang])
        c.ctz = R.choice(CUST_TZ[lang])
        nt = len(spec['turns'])
        c.nturns = min(nt, R.choices([2, 3, 4, 5], [22, 33, 30, 15])[0])
        c.token = rstr(CROCK, 8) if R.random() < 0.45 else None
        convs.append(c)
    return convs


def make_vars(c):
    lang = c.lang
    name, addr, g, first = c.cust
    od = START + dt.timedelta(days=R.randint(-12, 6))
    sd = od + dt.timedelta(days=R.randint(1, 3))
    titles = TITLES[lang][:]
    R.shuffle(titles)
    v = dict(
        order='LB-%05d' % R.randint(40000, 59999), title=titles[0], title2=titles[1],
        odate=human_date(lang, od), shipdate=human_date(lang, sd),
        carrier=R.choice(CARRIERS), tracking='LX%09dPT' % R.randint(10 ** 8, 10 ** 9 - 1),
        tracking2='LX%09dPT' % R.randint(10 ** 8, 10 ** 9 - 1),
        amount=R.choice(AMOUNTS[lang]), ref='RF-2026-%06d' % R.randint(0, 999999),
        company=R.choice(COMPANIES[lang]), vat='GB%09d' % R.randint(10 ** 8, 10 ** 9 - 1),
        cnpj='%02d.%03d.%03d/0001-%02d' % (R.randint(10, 99), R.randint(0, 999),
                                           R.randint(0, 999), R.randint(0, 99)),
        inn='77%08d' % R.randint(0, 10 ** 8 - 1),
        street=R.choice(STREETS[lang]), street0=R.choice(STREETS['en']),
        city=R.choice(CITIES[lang]), cname=first, cfull=name, email=addr.lower(),
    )
    v['reflower'] = v['ref'].lower().replace('rf-2026-', 'x')
    return v


def fill(text, c, agent):
    v = dict(c.vars)
    v['agent'] = AGENT_SIG[agent].get(c.lang, AGENT_SIG[agent]['en'])
    v['agentfirst'] = AGENT_FIRST[agent].get(c.lang, AGENTS[agent][0].split()[0])
    text = with_gender(text, c.cust[2])
    att = None
    for tag in ('+pdf', '+png'):
        if text.endswith(tag):
            text = text[:-len(tag)]
            att = tag[1:]
    return wrap(text.format(**v)), att


def reply_prefix(client, lang):
    if client == 'outlook':
        return 'RE: ' if lang != 'pt' else 'RES: '
    return 'Re: '


def build():
    convs = make_conversations()
    msgs = []
    # spread the starts over 2-17 November
    for c in convs:
        day = R.randint(0, 15)
        t = START + dt.timedelta(days=day, minutes=R.randint(0, 14 * 60))
        c.t0 = cust_time(t, c.ctz)
    convs.sort(key=lambda c: c.t0)
    for i, c in enumerate(convs):
        c.n = i + 1
    specials = assign_specials(convs)
    for c in convs:
        cm = conversation(c, specials)
        last = max(m.date for m in cm)
        if last > END:
            days = (last - END).days + 1
            for m in cm:
                m.date -= dt.timedelta(days=days)
            c.t0 -= dt.timedelta(days=days)
        assert min(m.date for m in cm) >= START - dt.timedelta(hours=3), c.subject
        msgs.extend(cm)
    msgs.extend(extra_messages(convs, msgs, specials))
    return convs, msgs


def assign_specials(convs):
    """Pick which conversations carry the special cases (deterministic)."""
    sp = {}

    def pick(pred, key):
        for c in convs:
            if pred(c) and not getattr(c, 'special', None):
                c.special = key
                sp[key] = c
                return c
        raise SystemExit('no conversation for ' + key)
    pick(lambda c: c.lang == 'en' and c.topic == 'wholesale' and c.nturns >= 3, 'outlook')
    pick(lambda c: c.lang == 'en' and c.topic == 'wholesale', 'dup')
    pick(lambda c: c.lang == 'pt' and c.topic == 'wholesale', 'ghost')
    pick(lambda c: c.lang == 'en' and c.topic == 'invoice' and c.nturns >= 3, 'bounce')
    pick(lambda c: c.lang == 'en' and c.nturns >= 3 and c.topic in ('refund', 'login'), 'eudora')
    pick(lambda c: c.lang == 'en' and c.nturns >= 3 and c.topic == 'not_arrived', 'fromline')
    pick(lambda c: c.lang == 'en' and c.nturns >= 3, 'mutt')
    pick(lambda c: c.lang == 'pt' and c.nturns >= 3, 'nodate')
    pick(lambda c: c.lang == 'en' and c.nturns >= 3, 'gmt')
    pick(lambda c: c.lang == 'en' and c.nturns >= 2 and c.topic == 'ebook', 'form')
    pick(lambda c: c.lang == 'en' and c.nturns >= 3, 'broken_en')
    pick(lambda c: c.lang == 'pt' and c.nturns >= 3, 'broken_pt')
    pick(lambda c: c.lang == 'ru' and c.nturns >= 3, 'broken_ru')
    pick(lambda c: c.lang == 'fa' and c.nturns >= 3, 'broken_fa')
    pick(lambda c: c.lang == 'en' and c.nturns >= 3, 'broken_en2')
    pick(lambda c: c.lang == 'ru' and c.nturns >= 3, 'autoreply_ru')
    pick(lambda c: c.lang == 'en' and c.nturns >= 3, 'vacation')
    pick(lambda c: c.lang == 'en' and c.nturns >= 3, 'refsonly')
    pick(lambda c: c.lang == 'fa' and c.nturns >= 3, 'followup_fa')
    pick(lambda c: c.lang == 'en' and c.nturns >= 3, 'followup_en')
    pick(lambda c: c.lang == 'pt' and c.nturns >= 3, 'sibling_pt')
    return sp


def new_msg(c, role, agent, t, text, att, parent, subject):
    lang = c.lang
    if role == 'c':
        name, addr, g, first = c.cust
        name = LATIN_NAMES.get(name, name)
        client = c.client
        to = {'support': 'support@lumen.example', 'sales': 'sales@lumen.example',
              'billing': 'billing@lumen.example'}[c.spec['to']]
        if parent is not None and parent.role == 'a':
            to = {'support': 'Lumen Books Support <support@lumen.example>',
                  'sales': 'Lumen Books Sales <sales@lumen.example>',
                  'billing': 'Lumen Books Billing <billing@lumen.example>'}[c.spec['to']]
    else:
        name, addr = AGENTS[agent][0], AGENTS[agent][1]
        client = 'agent'
        to = addr_header(LATIN_NAMES.get(c.cust[0], c.cust[0]), c.cust[1])
    m = Msg(conv=c, role=role, agent=agent, name=name, addr=addr, client=client,
            date=t, text=text, lang=lang, to=to, subject=subject, subject_prefix='',
            delay=R.randint(2, 40), auto=None)
    if role == 'a':
        m.reply_to = {'support': 'Lumen Books Support <support@lumen.example>',
                      'sales': 'Lumen Books Sales <sales@lumen.example>',
                      'billing': 'Lumen Books Billing <billing@lumen.example>'}[c.spec['to']]
        m.delivered = None
        m.envelope = addr
    else:
        m.delivered = {'support': 'support@lumen.example', 'sales': 'sales@lumen.example',
                       'billing': 'billing@lumen.example'}[c.spec['to']]
    m.html = client in ('gmail', 'outlook') and R.random() < 0.75
    m.mid = client_mid(client, addr, t)
    if parent is not None:
        m.parent = parent
        m.irt = [parent.mid]
        m.refs = (parent.refs or []) + [parent.mid]
        if len(m.refs) > 8:
            m.refs = m.refs[:1] + m.refs[-7:]
    if att == 'pdf':
        o = c.vars['order']
        lines = ['Lumen Books, Lda. - Rua do Almada 120, 4050-031 Porto, Portugal',
                 'Invoice FT 2026/%d' % R.randint(1000, 9999), 'Order %s' % o,
                 'Total: %s' % c.vars['amount'].replace('€', 'EUR ').replace('£', 'GBP ')
                 .replace('₽', 'RUB')]
        if c.topic == 'wholesale':
            fname = 'Lumen-Books-trade-catalogue-2026.pdf'
            data = pdf_bytes('Lumen Books trade catalogue 2026', ['35% trade discount'])
        else:
            fname = 'invoice-%s.pdf' % o
            data = pdf_bytes('Invoice', [l if is_ascii(l) else 'Total' for l in lines])
        m.attach = (fname, 'application/pdf', data)
    elif att == 'png':
        m.attach = ('IMG_%04d.png' % R.randint(1000, 9999), 'image/png',
                    png_bytes(24, 16, R.randint(0, 255)))
    return m


def conversation(c, sp):
    out = []
    spec = c.spec
    lang = c.lang
    t = c.t0
    agent = c.agent
    prev = None
    first_subject = c.subject
    special = getattr(c, 'special', None)
    if special == 'outlook':
        c.client = 'outlook'
    if special == 'mutt':
        c.client = 'mutt'
    if special == 'eudora':
        c.client = 'eudora'
    if special == 'nodate':
        c.client = 'simple'
    turns = spec['turns'][:c.nturns]
    ti_base = base64.b64encode(bytes(R.randrange(256) for _ in range(22))).decode()
    for k, variants in enumerate(turns):
        role = 'c' if k % 2 == 0 else 'a'
        if role == 'a':
            if k == 3 and c.lang == 'en' and len(spec['agents']) > 1 and R.random() < 0.3:
                agent = [a for a in spec['agents'] if a != agent][0]   # hand-over
            t = next_work(t + dt.timedelta(minutes=R.randint(25, 900)), AGENTS[agent][2])
        else:
            if k > 0:
                t = cust_time(t + dt.timedelta(minutes=R.randint(40, 2000)), c.ctz)
        text, att = fill(R.choice(variants), c, agent)
        if prev is None:
            subject = first_subject
        else:
            tok = ('[#%s] ' % c.token) if (c.token and role == 'a') or \
                (c.token and prev.subject.find('[#') >= 0) else ''
            pfx = 'Re: ' if role == 'a' else reply_prefix(c.client, lang)
            subject = pfx + tok + first_subject
        m = new_msg(c, role, agent, t, text, att, prev, subject)
        m.tz = c.ctz if role == 'c' else AGENTS[agent][2]
        m.date = t.astimezone(m.tz)
        if prev is not None:
            m.quote = (prev, '> ')
        if role == 'c' and c.client == 'mutt' and prev is not None:
            m.quote = (prev, '>')
        if role == 'c' and c.client in ('yandex', 'apple') and R.random() < 0.5:
            m.quote = None
        # encodings of the subject: B or Q, some folded
        if role == 'c':
            m.subject_mode = {'gmail': 'B', 'yandex': 'B', 'apple': 'Qw', 'outlook': 'B',
                              'tb': 'B'}.get(c.client, 'Q')
            if c.client == 'gmail' and m.subject.startswith('Re: '):
                m.subject_prefix, m.subject = 'Re: ', m.subject[4:]
        else:
            m.subject_mode = 'Q' if R.random() < 0.5 else 'B'
        m.fold = len(m.subject.encode()) > 30 and R.random() < 0.6
        if c.client == 'outlook' and role == 'c':
            m.thread_topic = first_subject
            nrep = sum(1 for x in out if x.role == 'c')
            raw = base64.b64decode(ti_base) + bytes(R.randrange(256) for _ in range(5 * nrep))
            m.thread_index = base64.b64encode(raw).decode()
        if c.client == 'eudora' and role == 'c':
            m.no_refs = True         # Eudora: In-Reply-To only
        if special == 'refsonly' and role == 'c':
            m.no_irt = True          # References only
        out.append(m)
        prev = m
        # a customer writing twice before the agent answers
        if k == 0 and special in ('followup_fa', 'followup_en'):
            t2 = t + dt.timedelta(minutes=R.randint(5, 50))
            ftext = wrap(with_gender(FOLLOWUP[lang], c.cust[2]).format(**c.vars))
            f = new_msg(c, 'c', agent, t2, ftext, None, m, reply_prefix(c.client, lang) + first_subject)
            f.tz = c.ctz
            f.date = t2.astimezone(c.ctz)
            f.subject_mode = 'B'
            out.append(f)
            prev = f if special == 'followup_en' else m   # fa: the agent answers the first
            t = t2
    # the agent answers the first message twice (a colleague did too): siblings
    if special == 'sibling_pt':
        first = out[0]
        t2 = out[1].date + dt.timedelta(minutes=R.randint(3, 30))
        s = new_msg(c, 'a', 'ana', t2.astimezone(UTC), wrap(
            'Olá, {cname},\n\nComplementando a mensagem anterior: o número do seu '
            'pedido é {order}, caso precise falar com a transportadora.\n\n'
            'Atenciosamente,\nAna Ribeiro'.format(**c.vars)), None, first,
            'Re: ' + first_subject)
        s.tz = AGENTS['ana'][2]
        s.date = t2.astimezone(s.tz)
        s.quote = (first, '> ')
        out.insert(2, s)
    return out


def extra_messages(convs, msgs, sp):
    """Apply the special cases that change or add messages."""
    extra = []
    bymid = {}
    # --- duplicate delivery: the first message of 'dup' went to sales@ and
    # (Cc) support@; the desk got both copies
    c = sp['dup']
    first = [m for m in msgs if m.conv is c][0]
    first.cc = 'support@lumen.example'
    first.delivered = 'sales@lumen.example'
    dup = Msg(**dict(first.__dict__))
    dup.delivered = 'support@lumen.example'
    dup.delay = first.delay + 3
    dup.kind = 'dup'
    extra.append(dup)
    # --- Outlook: the school library; auto-reply from a colleague's Exchange
    c = sp['outlook']
    cm = [m for m in msgs if m.conv is c]
    agent_reply = [m for m in cm if m.role == 'a'][0]
    t = agent_reply.date + dt.timedelta(minutes=1, seconds=12 + agent_reply.delay)
    oof = Msg(conv=c, role='auto', agent=None, name=c.cust[0], addr=c.cust[1],
              client='outlook', date=t.astimezone(tz(0)), lang='en',
              text='Thank you for your email. I am out of the office until %s with '
                   'limited access to email.\n\nFor urgent library matters please contact '
                   'the school office on 0117 496 0123.\n\n%s' % (
                       human_date('en', t + dt.timedelta(days=4)), c.cust[0]),
              to=addr_header(agent_reply.name, agent_reply.addr),
              subject='Automatic reply: ' + agent_reply.subject, subject_prefix='',
              delay=5, auto=['Auto-Submitted: auto-replied',
                             'X-Auto-Response-Suppress: All',
                             'X-MS-Exchange-Inbox-Rules-Loop: ' + c.cust[1]],
              mid=client_mid('outlook', c.cust[1], t), parent=agent_reply,
              irt=[agent_reply.mid], refs=(agent_reply.refs or []) + [agent_reply.mid],
              delivered='sales@lumen.example', subject_mode='B')
    oof.thread_topic = c.subject
    oof.thread_index = base64.b64encode(bytes(R.randrange(256) for _ in range(27))).decode()
    extra.append(oof)
    # --- Russian Yandex autoreply (In-Reply-To only)
    c = sp['autoreply_ru']
    cm = [m for m in msgs if m.conv is c]
    ar = [m for m in cm if m.role == 'a'][0]
    t = ar.date + dt.timedelta(seconds=40 + ar.delay)
    auto = Msg(conv=c, role='auto', agent=None, name=c.cust[0], addr=c.cust[1],
               client='yandex', date=t.astimezone(tz(3)), lang='ru',
               text='Здравствуйте!\n\nЯ в отпуске до %s и не проверяю почту. Отвечу после '
                    'возвращения.\n\n%s' % (human_date('ru', t + dt.timedelta(days=6)),
                                            c.cust[0]),
               to=addr_header(ar.name, ar.addr), subject='Автоответ: ' + ar.subject,
               subject_prefix='', delay=3,
               auto=['Auto-Submitted: auto-replied', 'X-Yandex-Autoreply: yes'],
               mid=client_mid('yandex', c.cust[1], t), parent=ar, irt=[ar.mid],
               refs=None, delivered='support@lumen.example', subject_mode='B', fold=True,
               no_refs=True)
    extra.append(auto)
    # --- sieve vacation reply from an English customer
    c = sp['vacation']
    cm = [m for m in msgs if m.conv is c]
    ar = [m for m in cm if m.role == 'a'][0]
    t = ar.date + dt.timedelta(seconds=25 + ar.delay)
    vac = Msg(conv=c, role='auto', agent=None, name=c.cust[0], addr=c.cust[1],
              client='tb', date=t.astimezone(tz(1)), lang='en',
              text="I'm travelling until the end of the month and will read your message "
                   "when I'm back.\n\n-- \n%s" % c.cust[0],
              to=ar.addr, subject='Auto: ' + ar.subject, subject_prefix='', delay=2,
              auto=['Auto-Submitted: auto-replied (vacation)', 'Precedence: bulk'],
              mid='dovecot-sieve-%d-%s-0@%s' % (R.randint(10 ** 9, 2 * 10 ** 9), rhex(16),
                                                 'mail.' + c.cust[1].split('@')[1]),
              parent=ar, irt=[ar.mid], refs=(ar.refs or []) + [ar.mid],
              delivered='support@lumen.example', subject_mode='B', envelope='MAILER-DAEMON')
    vac.extra = []
    extra.append(vac)
    # --- bounce: the agent's first answer went to a mistyped address
    c = sp['bounce']
    cm = [m for m in msgs if m.conv is c]
    a1 = [m for m in cm if m.role == 'a'][0]
    good_to = a1.to
    local, dom = c.cust[1].split('@')
    bad = local + '@' + ('exmaple.com' if dom != 'exmaple.com' else 'example.cmo')
    a1.to = addr_header(c.cust[0], bad)
    resend = Msg(**dict(a1.__dict__))
    resend.to = good_to
    resend.date = a1.date + dt.timedelta(minutes=14)
    resend.mid = client_mid('agent', a1.addr, resend.date)
    resend.text = 'Sorry, my previous message went to a wrong address. Resending.\n\n' + a1.text
    resend.delay = 6
    # later customer messages answer the resent one
    for m in cm:
        if m.parent is a1:
            m.parent = resend
            m.irt = [resend.mid]
            m.refs = (resend.refs or []) + [resend.mid]
            m.quote = (resend, m.quote[1]) if m.quote else None
    extra.append(resend)
    qid = rstr(CROCK, 11)
    bt = a1.date.astimezone(UTC) + dt.timedelta(seconds=a1.delay + 1)
    bd = '%s.%d/mail.lumen.example' % (qid, int(bt.timestamp()))
    def raw():
      orig_headers = render(a1).split('\n\n', 1)[0]
      return (
        'Return-Path: <>\nDelivered-To: %(agent)s\nReceived: by mail.lumen.example (Postfix)\n'
        '\tid %(qid)s; %(date)s (UTC)\nDate: %(date)s (UTC)\n'
        'From: MAILER-DAEMON@mail.lumen.example (Mail Delivery System)\n'
        'Subject: Undelivered Mail Returned to Sender\nTo: %(agent)s\n'
        'Auto-Submitted: auto-replied\nMIME-Version: 1.0\n'
        'Content-Type: multipart/report; report-type=delivery-status;\n'
        '\tboundary="%(bd)s"\nContent-Transfer-Encoding: 8bit\n'
        'Message-Id: <%(mid)s>\n\nThis is a MIME-encapsulated message.\n\n'
        '--%(bd)s\nContent-Description: Notification\n'
        'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n'
        'This is the mail system at host mail.lumen.example.\n\n'
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        'For further assistance, please send mail to postmaster.\n\n'
        'If you do so, please include this problem report. You can\n'
        'delete your own text from the attached returned message.\n\n'
        '                   The mail system\n\n'
        '<%(bad)s>: Host or domain name not found. Name service error for\n'
        '    name=%(baddom)s type=AAAA: Host not found\n\n'
        '--%(bd)s\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n'
        'Reporting-MTA: dns; mail.lumen.example\nX-Postfix-Queue-ID: %(qid)s\n'
        'X-Postfix-Sender: rfc822; %(agent)s\nArrival-Date: %(date)s (UTC)\n\n'
        'Final-Recipient: rfc822; %(bad)s\nOriginal-Recipient: rfc822;%(bad)s\n'
        'Action: failed\nStatus: 5.4.4\n'
        'Diagnostic-Code: X-Postfix; Host or domain name not found. Name service error\n'
        '    for name=%(baddom)s type=AAAA: Host not found\n\n'
        '--%(bd)s\nContent-Description: Undelivered Message Headers\n'
        'Content-Type: text/rfc822-headers\nContent-Transfer-Encoding: 8bit\n\n'
        '%(orig)s\n\n--%(bd)s--\n') % dict(
        agent=a1.addr, qid=qid, date=rfc2822(bt).replace(' 0', '  ', 1) if bt.day < 10
        else rfc2822(bt), bd=bd, mid='%s.%s@mail.lumen.example' % (bt.strftime('%Y%m%d%H%M%S'), qid),
        bad=bad, baddom=bad.split('@')[1], orig=orig_headers)

    bounce = Msg(conv=None, role='bounce', raw=raw, date=bt, delay=0,
                 mid='%s.%s@mail.lumen.example' % (bt.strftime('%Y%m%d%H%M%S'), qid),
                 envelope='MAILER-DAEMON', addr='MAILER-DAEMON', subject='Undelivered Mail '
                 'Returned to Sender', parent=None, irt=None, refs=None, lang='en')
    extra.append(bounce)
    return extra


def finish(convs, msgs):
    """Apply the remaining special cases; return the messages in file order."""
    sp = {c.special: c for c in convs if getattr(c, 'special', None)}

    def cmsgs(key):
        return [m for m in msgs if m.conv is sp[key]]
    # --- ghost: Ana's first mail to the bookshop left from her own mailbox
    c = sp['ghost']
    cm = cmsgs('ghost')
    ghost_mid = client_mid('agent', 'ana.ribeiro@lumen.example', cm[0].date)
    c.ghost_mid = ghost_mid
    first = cm[0]
    first.subject = 'Re: ' + first.subject
    if first.client == 'gmail':
        first.subject_prefix, first.subject = 'Re: ', first.subject[4:]
    first.ghost_parent = ghost_mid
    first.text = wrap(
        'Olá, Ana,\n\nFoi um prazer conhecê-la na feira do livro. Como combinamos, '
        'seguem nossas perguntas.\n\n') + '\n' + first.text
    # --- broken threading: a customer's reply without In-Reply-To/References
    for key, pfx in (('broken_en', 'Re: '), ('broken_pt', 'RES: '), ('broken_ru', 'Ответ: '),
                     ('broken_fa', 'پاسخ: '), ('broken_en2', 'RE: ')):
        cm = cmsgs(key)
        r = [m for m in cm if m.role == 'c' and m.parent is not None][0]
        r.broken = True
        r.subject_prefix = ''
        r.subject = pfx + cm[0].subject
        r.quote = None
        if key == 'broken_fa':
            r.subject_mode = 'B'
            r.fold = True
    # --- Eudora with an obsolete zone (EST), no References
    c = sp['eudora']
    for m in cmsgs('eudora'):
        if m.role == 'c':
            m.date = m.date.astimezone(tz(-5))
            m.date_style = 'EST'
            m.subject_mode = 'Q'
    # --- GMT
    for m in cmsgs('gmt'):
        if m.role == 'c' and m.parent is not None:
            m.date = m.date.astimezone(UTC)
            m.date_style = 'GMT'
            break
    # --- no Date
    for m in cmsgs('nodate'):
        if m.role == 'c' and m.parent is not None:
            m.nodate = True
            break
    # --- contact form: no Message-ID, so the agent answer cannot refer to it
    cm = cmsgs('form')
    f = cm[0]
    f.noid = True
    f.client = 'form'
    f.name = 'Lumen contact form'
    f.addr = 'www-data@web1.lumen.example'
    f.envelope = 'www-data@web1.lumen.example'
    f.reply_to = addr_header(f.conv.cust[0], f.conv.cust[1])
    f.to = 'support@lumen.example'
    f.subject = 'Contact form: ' + f.subject
    f.text = ('New message from the contact form on lumen.example\n\nName:    %s\n'
              'Email:   %s\nOrder:   %s\nTopic:   Ebooks\n\nMessage:\n%s\n\n--\n'
              'Sent from https://lumen.example/contact\n' % (
                  f.conv.cust[0], f.conv.cust[1], f.conv.vars['order'], f.text))
    f.extra = ['Reply-To: ' + f.reply_to]
    f.reply_to = None
    f.html = False
    for m in cm[1:]:
        if m.parent is f:
            m.formreply = True
            m.subject = 'Re: ' + f.subject
    # --- mutt: '>' quoting without a space turns "From our side" into
    # ">From our side", escaped as ">>From our side" in the mbox
    cm = cmsgs('mutt')
    a = [m for m in cm if m.role == 'a'][0]
    a.text = a.text.replace('\n\nI', '\n\nFrom our side, everything looks fine on the '
                            'account.\nI', 1) if '\n\nI' in a.text else \
        a.text + '\n\nFrom our side, everything looks fine.'
    # --- fromline: make sure a body line starts with "From "
    cm = cmsgs('fromline')
    cm[0].text = cm[0].text.replace('\n\n', '\n\nFrom the tracking page it looks like '
                                    'nothing has moved since last week.\n', 1)
    order = sorted(msgs, key=lambda m: (m.date.astimezone(UTC) + dt.timedelta(seconds=m.delay)))
    relink(order)
    return order


def relink(order):
    """Set In-Reply-To and References from the intended parents, the way
    each client would (parents come first: the order is by date)."""
    for m in order:
        if m.role == 'bounce' or m.kind == 'dup':
            continue
        p = m.parent
        if m.ghost_parent:
            m.irt, m.refs = [m.ghost_parent], [m.ghost_parent]
            continue
        if p is None or m.broken or m.formreply or p.noid:
            m.irt = m.refs = None
            continue
        assert p.date.astimezone(UTC) < m.date.astimezone(UTC) or m.kind == 'dup', m.subject
        base = p.refs if p.refs else (p.irt if p.irt and len(p.irt) == 1 else [])
        refs = base + [p.mid]
        if len(refs) > 8:
            refs = refs[:1] + refs[-7:]
        m.irt = None if m.no_irt else [p.mid]
        m.refs = None if m.no_refs else refs
    for m in order:
        if m.kind == 'dup':
            src = [x for x in order if x.mid == m.mid and x.kind != 'dup'][0]
            m.irt, m.refs = src.irt, src.refs


def sanity(order):
    ids = [m.mid for m in order if not m.noid]
    assert len(ids) == len(set(ids)) + 1, 'one duplicate only'


def expectations(convs, order):
    """Parents by the rule of the interface: a single In-Reply-To present in
    the input; else the deepest References entry present; else the last
    reference as a ghost; else, for a reply that carries only Outlook's
    Thread-Index, the first mail with the same first 22 bytes.  Checked
    against the intended structure."""
    real = [m for m in order if m.kind != 'dup']
    key = {id(m): ('NOMID' if m.noid else m.mid) for m in real}
    present = set(key.values())
    parent_of = {}
    # Outlook's Thread-Index: the first 22 bytes name the first mail
    def ti(m):
        raw = base64.b64decode(m.thread_index) if m.thread_index else b''
        return (raw[:22], len(raw) > 22) if len(raw) >= 22 and (len(raw) - 22) % 5 == 0 else (None, 0)
    ti_owner = {ti(m)[0]: key[id(m)] for m in real if ti(m)[0] and not ti(m)[1]}
    for m in real:
        p = None
        base, reply = ti(m)
        if m.irt and len(m.irt) == 1 and m.irt[0] in present:
            p = m.irt[0]
        elif m.refs and any(r in present for r in m.refs):
            p = [r for r in m.refs if r in present][-1]
        elif m.refs or m.irt:
            p = (m.refs or m.irt)[-1]
        elif reply and base in ti_owner:  # a reply that carries only Thread-Index
            p = ti_owner[base]
        parent_of[key[id(m)]] = p
        # the intended structure
        if m.broken and reply and base in ti_owner:
            assert p == ti_owner[base] and m.conv.n == [x for x in real if key[id(x)] == p][0].conv.n
        elif m.role == 'bounce' or m.broken or m.formreply or m.parent is None:
            assert p == m.ghost_parent, (m.subject, p)
        else:
            assert p == m.parent.mid, m.subject
    ghosts = sorted({p for p in parent_of.values() if p is not None and p not in parent_of})
    for g in ghosts:
        parent_of[g] = None

    def root(i):
        n = 0
        while parent_of[i] is not None:
            i = parent_of[i]
            n += 1
            assert n < 100
        return i
    conv_of = {}
    for m in real:
        conv_of[key[id(m)]] = ('c%02d' % m.conv.n) if m.conv is not None else 'bounce'
    for g in ghosts:
        conv_of[g] = [conv_of[k] for k, v in parent_of.items() if v == g][0]
    # roots must have base subjects unique to their conversation
    seen = {}
    for m in real:
        k = key[id(m)]
        if parent_of[k] is None:
            b = base_subject(m.subject_prefix + m.subject)
            assert seen.setdefault(b, conv_of[k]) == conv_of[k], b
    lines = []
    for m in real:
        k = key[id(m)]
        lines.append('%s\t%s\treal\t%s\t%s' % (k, parent_of[k] or '-', root(k), conv_of[k]))
    for g in ghosts:
        lines.append('%s\t-\tghost\t%s\t%s' % (g, g, conv_of[g]))
    return lines


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    convs, msgs = build()
    order = finish(convs, msgs)
    sanity(order)
    # render in date order so that quotes see the final text of earlier messages
    text = ''.join(mboxrd(m) for m in order)
    assert '\r' not in text
    with open(os.path.join(outdir, 'support.mbox'), 'w', encoding='utf-8', newline='\n') as f:
        f.write(text)
    lines = expectations(convs, order)
    with open(os.path.join(outdir, 'support.expect'), 'w', encoding='utf-8', newline='\n') as f:
        f.write('# id\tparent\tkind\tgroup\tsgroup  (generated by gen-support.py)\n')
        f.write('\n'.join(lines) + '\n')
    nreal = sum(1 for l in lines if '\treal\t' in l)
    print('%d messages (%d unique ids), %d conversations, %d threads, %d with --subject'
          % (len(order), nreal, len(convs),
             len({l.split('\t')[3] for l in lines}),
             len({l.split('\t')[4] for l in lines})), file=sys.stderr)


if __name__ == '__main__':
    main()
