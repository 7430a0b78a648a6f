"""A real SMTP server for appt's e-mail tests (aiosmtpd), and a reader of
what it received (Python's own `email` package and `icalendar`), so that
nothing appt wrote judges appt's e-mail.

  smtp.py serve --mode smtps|starttls|plain --dir DIR [--cert F --key F]
                [--user U --password P] [--rcpt "CODE TEXT"]
      Serves on 127.0.0.1 and prints "PORT n" once it listens. `smtps`
      is TLS from the first byte, `starttls` offers STARTTLS and requires
      it, `plain` offers no TLS at all (and would take AUTH in the clear,
      so that a client that sends it is caught). AUTH PLAIN and LOGIN are
      checked against --user and --password. --rcpt answers every RCPT with
      that reply instead of 250. Every step goes to DIR/log.jsonl, one JSON
      object a line ({"event": "ehlo"|"auth"|"rcpt"|"message", "tls", …});
      each message taken is DIR/N.eml. Runs until killed.

  smtp.py read FILE.eml
      Prints, as JSON, what the `email` package (policy.default) and
      `icalendar` understood of one message: its headers, every MIME part
      (type, charset, disposition, filename, method, transfer encoding),
      the text and HTML bodies, the HTML's links, and each calendar part
      (METHOD, UID, SEQUENCE, STATUS, DTSTART as UTC and its TZID, …).
      Exits 1 when a parser finds a defect.
"""

import argparse
import asyncio
import datetime
import email
import email.policy
import html.parser
import json
import os
import socket
import ssl
import sys
import time


def serve(args):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    os.makedirs(args.dir, exist_ok=True)
    log_path = os.path.join(args.dir, "log.jsonl")

    def tls(server):
        t = server.transport
        return t is not None and t.get_extra_info("ssl_object") is not None

    def log(**fields):
        with open(log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(fields) + "\n")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = False
        login = None
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            password = auth_data.password.decode("utf-8", "replace")
            ok = login == args.user and password == args.password
        log(event="auth", mechanism=mechanism, login=login, ok=ok,
            tls=tls(server))
        return AuthResult(success=ok, handled=False)

    class Handler:
        def __init__(self):
            self.count = 0

        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            log(event="ehlo", hostname=hostname, tls=tls(server))
            session.host_name = hostname
            return responses

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            log(event="rcpt", to=address, tls=tls(server),
                authenticated=bool(session.authenticated))
            if args.rcpt:
                return args.rcpt
            envelope.rcpt_tos.append(address)
            return "250 2.1.5 OK"

        async def handle_DATA(self, server, session, envelope):
            self.count += 1
            name = f"{self.count}.eml"
            with open(os.path.join(args.dir, name), "wb") as f:
                f.write(envelope.original_content or envelope.content)
            log(event="message", file=name, mail_from=envelope.mail_from,
                rcpt_tos=envelope.rcpt_tos, tls=tls(server),
                authenticated=bool(session.authenticated))
            return "250 2.0.0 Ok: queued as TEST%d" % self.count

    context = None
    if args.mode in ("smtps", "starttls"):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    # A free port, chosen here so that the controller can be handed it.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    kwargs = dict(
        authenticator=authenticator,
        # aiosmtpd counts only STARTTLS as TLS for AUTH: smtps is TLS from
        # the first byte anyway, and plain is to catch a client's AUTH.
        auth_require_tls=args.mode == "starttls",
        auth_exclude_mechanism=[],
        decode_data=False,
    )
    if args.mode == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        ssl_context=context if args.mode == "smtps" else None,
        server_hostname="localhost",
        ready_timeout=10,
        **kwargs,
    )
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(v for k, v in attrs if k == "href")


def utc(dt):
    assert isinstance(dt, datetime.datetime), f"not a date-time: {dt!r}"
    assert dt.utcoffset() is not None, f"a floating time: {dt!r}"
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def calendar(data):
    import icalendar

    cal = icalendar.Calendar.from_ical(data)
    assert not cal.errors, cal.errors
    events = []
    for ev in cal.walk("VEVENT"):
        assert not ev.errors, ev.errors
        events.append(
            {
                "uid": str(ev["UID"]),
                "sequence": int(ev["SEQUENCE"]),
                "status": str(ev["STATUS"]) if "STATUS" in ev else None,
                "summary": str(ev["SUMMARY"]),
                "description": str(ev["DESCRIPTION"]) if "DESCRIPTION" in ev else None,
                "location": str(ev["LOCATION"]) if "LOCATION" in ev else None,
                "organizer": str(ev["ORGANIZER"]),
                "attendee": str(ev["ATTENDEE"]),
                "tzid": ev["DTSTART"].params.get("TZID"),
                "dtstart": utc(ev.decoded("DTSTART")),
                "dtend": utc(ev.decoded("DTEND")),
                "dtstamp": utc(ev.decoded("DTSTAMP")),
            }
        )
    return {
        "method": str(cal["METHOD"]) if "METHOD" in cal else None,
        "zones": [str(z["TZID"]) for z in cal.walk("VTIMEZONE")],
        "events": events,
    }


def read(args):
    with open(args.file, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [str(d) for part in msg.walk() for d in part.defects]
    assert not defects, defects
    parts = []
    calendars = []
    for part in msg.walk():
        parts.append(
            {
                "type": part.get_content_type(),
                "charset": part.get_content_charset(),
                "disposition": part.get_content_disposition(),
                "filename": part.get_filename(),
                "method": part.get_param("method"),
                "encoding": part.get("Content-Transfer-Encoding"),
            }
        )
        if part.get_content_type() in ("text/calendar", "application/ics"):
            data = part.get_payload(decode=True)
            calendars.append(dict(calendar(data), type=part.get_content_type()))
    text = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    links = Links()
    html = html_part.get_content() if html_part is not None else None
    if html is not None:
        links.feed(html)
    print(
        json.dumps(
            {
                "subject": msg["Subject"],
                "from": msg["From"],
                "to": msg["To"],
                "reply_to": msg["Reply-To"],
                "message_id": msg["Message-ID"],
                "date": msg["Date"],
                "mime_version": msg["MIME-Version"],
                "type": msg.get_content_type(),
                "parts": parts,
                "text": text.get_content() if text is not None else None,
                "html": html,
                "links": links.hrefs,
                "calendars": calendars,
                "ascii": all(b < 128 for b in raw),
            },
            ensure_ascii=False,
        )
    )


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--mode", choices=["smtps", "starttls", "plain"], required=True)
    s.add_argument("--dir", required=True)
    s.add_argument("--cert")
    s.add_argument("--key")
    s.add_argument("--user", default="desk@clinic.example")
    s.add_argument("--password", default="")
    s.add_argument("--rcpt")
    r = sub.add_parser("read")
    r.add_argument("file")
    args = p.parse_args()
    if args.command == "serve":
        serve(args)
    else:
        read(args)


if __name__ == "__main__":
    sys.exit(main())
