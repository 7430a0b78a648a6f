//! The unit tests of [`super`] (core::channel).

use super::*;

fn http(status: u16, retry_after: Option<&str>, body: &str) -> Answer {
    Answer::Http {
        status,
        retry_after: retry_after.map(str::to_string),
        body: body.to_string(),
    }
}

const WA: WhatsApp = WhatsApp {
    api_url: "http://x",
    phone_number_id: "123",
    token: "T",
    templates: &[],
};
const TW: Twilio = Twilio {
    api_url: "http://x",
    account_sid: "AC1",
    from: "+15550001111",
    token: "T",
};

#[test]
fn channel_answers_are_classified_as_each_provider_documents_them() {
    assert_eq!(
        WA.classify(&http(200, None, r#"{"messages":[{"id":"wamid.X"}]}"#)),
        Outcome::Sent {
            provider_id: Some("wamid.X".into())
        }
    );
    assert_eq!(
        TW.classify(&http(201, None, r#"{"sid":"SM1"}"#)),
        Outcome::Sent {
            provider_id: Some("SM1".into())
        }
    );
    assert!(matches!(
        WA.classify(&http(429, Some("30"), "{}")),
        Outcome::Temporary {
            status: Some(429),
            retry_after: Some(30),
            ..
        }
    ));
    assert!(matches!(
        TW.classify(&http(503, None, "oops")),
        Outcome::Temporary {
            status: Some(503),
            retry_after: None,
            ..
        }
    ));
    assert!(matches!(
        WA.classify(&Answer::TimedOut),
        Outcome::Temporary { status: None, .. }
    ));
    assert_eq!(
        WA.classify(&http(
            400,
            None,
            r#"{"error":{"code":131026,"message":"Undeliverable"}}"#
        )),
        Outcome::Permanent {
            status: 400,
            code: Some("131026".into()),
            message: "Undeliverable".into()
        }
    );
    assert_eq!(
        TW.classify(&http(
            400,
            None,
            r#"{"code":21211,"message":"Invalid 'To'"}"#
        )),
        Outcome::Permanent {
            status: 400,
            code: Some("21211".into()),
            message: "Invalid 'To'".into()
        }
    );
    assert!(matches!(
        TW.classify(&http(404, None, "")),
        Outcome::Permanent {
            status: 404,
            code: None,
            ..
        }
    ));
}

#[test]
fn smtp_answers_are_classified_as_the_providers_are() {
    assert_eq!(
        smtp_outcome(&SmtpAnswer::Accepted, "<m@x>"),
        Outcome::Sent {
            provider_id: Some("<m@x>".into())
        }
    );
    assert_eq!(
        smtp_outcome(
            &SmtpAnswer::Reply {
                code: 550,
                text: "5.1.1 No such user".into()
            },
            "<m@x>"
        ),
        Outcome::Permanent {
            status: 550,
            code: Some("550".into()),
            message: "5.1.1 No such user".into()
        }
    );
    assert_eq!(
        smtp_outcome(
            &SmtpAnswer::Reply {
                code: 451,
                text: "4.3.0 Try later".into()
            },
            "<m@x>"
        ),
        Outcome::Temporary {
            status: Some(451),
            retry_after: None,
            reason: "451 4.3.0 Try later".into()
        }
    );
    for a in [SmtpAnswer::TimedOut, SmtpAnswer::Unreachable("no".into())] {
        assert!(matches!(
            smtp_outcome(&a, "<m@x>"),
            Outcome::Temporary { status: None, .. }
        ));
    }
}

/// The booking page's code: as the channel's authentication template
/// when it has one (the code its body's and its button's parameter),
/// else as text; by SMS, the text.
#[test]
fn a_code_goes_as_the_whatsapp_authentication_template_when_there_is_one() {
    let t = Template::parse("verification=appt_code:es").unwrap();
    assert!(t.placeholders.is_empty());
    assert!(Template::parse("verify=appt_code:es").is_err());
    let templates = [t];
    let with = WhatsApp {
        templates: &templates,
        ..WA
    };
    let r = with.code("+50370001111", "Su código es 123456", "123456");
    let Body::Json(b) = r.body else {
        panic!("JSON")
    };
    assert_eq!(b["type"], "template");
    assert_eq!(b["to"], "50370001111");
    assert_eq!(b["template"]["name"], "appt_code");
    assert_eq!(b["template"]["language"]["code"], "es");
    let c = &b["template"]["components"];
    assert_eq!(c[0]["parameters"][0]["text"], "123456");
    assert_eq!(
        (&c[1]["type"], &c[1]["sub_type"]),
        (&"button".into(), &"url".into())
    );
    assert_eq!(c[1]["parameters"][0]["text"], "123456");
    let Body::Json(b) = WA
        .code("+50370001111", "Su código es 123456", "123456")
        .body
    else {
        panic!("JSON")
    };
    assert_eq!(
        (&b["type"], &b["text"]["body"]),
        (&"text".into(), &"Su código es 123456".into())
    );
    let Body::Form(f) = TW
        .code("+50370001111", "Su código es 123456", "123456")
        .body
    else {
        panic!("form")
    };
    assert!(f.contains(&("Body".into(), "Su código es 123456".into())));
}

#[test]
fn a_whatsapp_reminder_is_a_template_outside_the_window_and_interactive_inside_it() {
    let fields = Fields {
        patient: "Ana".into(),
        date: "martes 16 de junio".into(),
        time: "10:00".into(),
        ..Fields::default()
    };
    let out = |kind, window_open| Outgoing {
        kind,
        id: "m1",
        text: "Hola Ana",
        language: Language::Es,
        fields: &fields,
        window_open,
        status_callback: None,
    };
    // Outside the window, no template for the kind: WhatsApp cannot carry it.
    assert!(WA
        .message("+50370001111", &out("reminder", false))
        .is_none());
    // Inside it, a reminder is an interactive message with both buttons.
    let r = WA.message("+50370001111", &out("reminder", true)).unwrap();
    let Body::Json(b) = r.body else {
        panic!("JSON")
    };
    assert_eq!(b["type"], "interactive");
    let buttons = &b["interactive"]["action"]["buttons"];
    assert_eq!(buttons[0]["reply"]["id"], "appt:confirm:m1");
    assert_eq!(buttons[0]["reply"]["title"], "Confirmar");
    assert_eq!(buttons[1]["reply"]["id"], "appt:cancel:m1");
    // Any other kind inside the window is plain text.
    let r = WA
        .message("+50370001111", &out("confirmation", true))
        .unwrap();
    let Body::Json(b) = r.body else {
        panic!("JSON")
    };
    assert_eq!(b["type"], "text");
}

#[test]
fn channel_requests_have_the_providers_shapes() {
    let r = WA.request("+50370001111", "hi");
    assert_eq!(r.url, "http://x/123/messages");
    assert_eq!(
        r.body,
        Body::Json(
            json!({"messaging_product":"whatsapp","to":"50370001111","type":"text","text":{"body":"hi"}})
        )
    );
    let r = TW.request("+50370001111", "hi");
    assert_eq!(r.url, "http://x/2010-04-01/Accounts/AC1/Messages.json");
    assert!(matches!(r.auth, Auth::Basic { ref user, .. } if user == "AC1"));
}

#[test]
fn channel_templates_and_settings_are_checked() {
    let t = Template::parse("reminder=appt_reminder:es").unwrap();
    assert_eq!(t.placeholders, DEFAULT_PLACEHOLDERS);
    let t = Template::parse("confirmation=conf:en_US:patient,time").unwrap();
    assert_eq!(t.placeholders, ["patient", "time"]);
    assert!(Template::parse("nope=x:es").is_err());
    assert!(Template::parse("reminder=x").is_err());
    assert!(Template::parse("reminder=x:es:shoe").is_err());
    assert!(check_api_url("https://u:p@host").is_err());
    assert_eq!(
        check_api_url("http://127.0.0.1:9/").unwrap(),
        "http://127.0.0.1:9"
    );
    assert!(check_smtp_url("smtps://clinic@mail.example:465").is_ok());
    assert!(check_smtp_url("smtps://clinic:pw@mail.example:465").is_err());
    assert!(check_smtp_url("smtp://mail.example:25").is_err());
    assert!(check_smtp_url("smtp://d@mail.example").is_err());
    assert!(check_smtp_url("smtps://d@mail.example:0").is_err());
    assert_eq!(
        SmtpUrl::parse("smtp://desk@clinic.example@mail.example:587/"),
        Some(SmtpUrl {
            tls: SmtpTls::StartTls,
            user: "desk@clinic.example".into(),
            host: "mail.example".into(),
            port: 587
        })
    );
    let v6 = SmtpUrl::parse("smtps://d@[::1]:465").unwrap();
    assert_eq!((v6.tls, v6.host.as_str()), (SmtpTls::Implicit, "::1"));
    assert!(check_sender("+15550001111").is_ok());
    assert!(check_sender("15550001111").is_err());
    assert!(check_address("desk@clinic.example").is_ok());
    assert!(check_address("desk").is_err());
    let s = Secrets {
        token: "sekret".into(),
        ..Secrets::default()
    };
    assert_eq!(format!("{s:?}"), "Secrets(***)");
    assert_eq!(s.scrub("bad sekret here"), "bad *** here");
}

/// `check --setup` reads each provider's own record of the account back:
/// a `GET` with the channel's credentials and nothing to send.
#[test]
fn a_probe_reads_the_account_back_and_sends_nothing() {
    let wa = WA.probe();
    assert_eq!(wa.url, "http://x/123?fields=id");
    assert!(matches!(wa.auth, Auth::Bearer(ref t) if t == "T"));
    assert_eq!(wa.body, Body::Empty);
    let tw = TW.probe();
    assert_eq!(tw.url, "http://x/2010-04-01/Accounts/AC1.json");
    assert!(
        matches!(tw.auth, Auth::Basic { ref user, ref password } if user == "AC1" && password == "T")
    );
    assert_eq!(tw.body, Body::Empty);
    // An account refused is a permanent failure with the provider's code.
    let refused = TW.classify(&http(
        401,
        None,
        r#"{"code":20003,"message":"Authenticate"}"#,
    ));
    assert_eq!(refused.why().as_deref(), Some("20003 Authenticate"));
}
