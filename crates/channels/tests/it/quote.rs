//! Reply-quote stripping in the languages the desk meets, and Outlook's styles.

use ferrodesk_channels::email::{REPLY_ABOVE_MARKER, split_reply};

/// Splits `text` and checks the new text, that the quote starts with `quote_start`,
/// and that nothing was thrown away.
fn assert_split(text: &str, new_text: &str, quote_start: &str) {
    let reply = split_reply(text);
    assert_eq!(reply.new_text(), new_text, "in {text:?}");
    let quoted = reply
        .quoted()
        .unwrap_or_else(|| panic!("no quote found in {text:?}"));
    assert!(
        quoted.starts_with(quote_start),
        "quote starts {quoted:?}, expected {quote_start:?}"
    );
    assert_eq!(reply.full(), text);
}

#[test]
fn english_attribution_and_quoted_lines_are_folded() {
    assert_split(
        "Thanks, it works now.\n\nOn Tue, Mar 5, 2024 at 10:00 AM Desk <support@desk.example> wrote:\n> Please restart the printer.\n> Regards\n",
        "Thanks, it works now.",
        "On Tue, Mar 5, 2024",
    );
}

#[test]
fn attribution_wrapped_over_two_lines_is_folded() {
    assert_split(
        "Done.\n\nOn Tue, Mar 5, 2024 at 10:00 AM Service Desk <\nsupport@desk.example> wrote:\n\n> Please restart.\n",
        "Done.",
        "On Tue, Mar 5, 2024",
    );
}

#[test]
fn portuguese_attribution_is_folded() {
    assert_split(
        "Obrigado, resolvido.\n\nEm ter., 5 de mar. de 2024 às 10:00, Suporte <support@desk.example> escreveu:\n> Reinicie a impressora.\n",
        "Obrigado, resolvido.",
        "Em ter., 5 de mar.",
    );
}

#[test]
fn spanish_attribution_is_folded() {
    assert_split(
        "Gracias.\n\nEl mar, 5 mar 2024 a las 10:00, Soporte (<support@desk.example>) escribió:\n> Reinicie la impresora.\n",
        "Gracias.",
        "El mar, 5 mar 2024",
    );
}

#[test]
fn norwegian_attribution_is_folded() {
    assert_split(
        "Takk, det virker.\n\ntir. 5. mar. 2024 kl. 10:00 skrev Brukerstøtte <support@desk.example>:\n> Start skriveren på nytt.\n",
        "Takk, det virker.",
        "tir. 5. mar. 2024",
    );
}

#[test]
fn hungarian_attribution_is_folded() {
    assert_split(
        "Köszönöm, működik.\n\nÜgyfélszolgálat <support@desk.example> ezt írta (időpont: 2024. márc. 5., K, 10:00):\n> Indítsa újra a nyomtatót.\n",
        "Köszönöm, működik.",
        "Ügyfélszolgálat",
    );
    assert_split(
        "Rendben.\n\n2024. 03. 05. 10:00 keltezéssel, Ügyfélszolgálat írta:\n> Indítsa újra.\n",
        "Rendben.",
        "2024. 03. 05.",
    );
}

#[test]
fn polish_attribution_is_folded() {
    assert_split(
        "Dziękuję, działa.\n\nW dniu 5.03.2024 o 10:00, Pomoc <support@desk.example> napisał(a):\n> Proszę zrestartować drukarkę.\n",
        "Dziękuję, działa.",
        "W dniu 5.03.2024",
    );
    assert_split(
        "OK.\n\nwt., 5 mar 2024 o 10:00 Pomoc <support@desk.example> napisał:\n> Restart.\n",
        "OK.",
        "wt., 5 mar 2024",
    );
}

#[test]
fn german_and_french_attributions_are_folded() {
    assert_split(
        "Danke.\n\nAm Di., 5. März 2024 um 10:00 Uhr schrieb Support <support@desk.example>:\n> Bitte neu starten.\n",
        "Danke.",
        "Am Di., 5. März 2024",
    );
    assert_split(
        "Merci.\n\nLe mar. 5 mars 2024 à 10:00, Support <support@desk.example> a écrit :\n> Redémarrez.\n",
        "Merci.",
        "Le mar. 5 mars 2024",
    );
}

#[test]
fn outlook_original_message_separator_is_folded() {
    assert_split(
        "Fixed, thanks.\n\n-----Original Message-----\nFrom: Service Desk [mailto:support@desk.example]\nSent: Tuesday, March 05, 2024 10:00 AM\nTo: Ana\nSubject: [#10042] Printer\n\nPlease restart.\n",
        "Fixed, thanks.",
        "-----Original Message-----",
    );
    assert_split(
        "Danke.\n\n-----Ursprüngliche Nachricht-----\nVon: Support\nGesendet: Dienstag, 5. März 2024 10:00\n",
        "Danke.",
        "-----Ursprüngliche Nachricht-----",
    );
}

#[test]
fn outlook_header_block_is_folded_with_its_rule() {
    assert_split(
        "It works again.\n\n________________________________\nFrom: Service Desk <support@desk.example>\nSent: Tuesday, March 5, 2024 10:00\nTo: Ana Silva <ana@example.com>\nSubject: [#10042] Printer\n\nPlease restart.\n",
        "It works again.",
        "________________________________",
    );
    assert_split(
        "Gracias.\n\nDe: Soporte <support@desk.example>\nEnviado: martes, 5 de marzo de 2024 10:00\nPara: Ana\nAsunto: Impresora\n\nReinicie.\n",
        "Gracias.",
        "De: Soporte",
    );
}

#[test]
fn our_marker_line_starts_the_history_even_when_quoted() {
    let text = format!(
        "Yes, please close it.\n\n> {REPLY_ABOVE_MARKER}\n> Your ticket [#10042] was updated.\n"
    );
    assert_split(&text, "Yes, please close it.", "> ## Reply above");
    let plain = format!("Close it.\n{REPLY_ABOVE_MARKER}\nYour ticket was updated.\n");
    assert_split(&plain, "Close it.", REPLY_ABOVE_MARKER);
}

#[test]
fn trailing_quoted_lines_without_attribution_are_folded() {
    assert_split(
        "Same problem here.\n\n> The printer is jammed.\n> Again.\n",
        "Same problem here.",
        "> The printer",
    );
}

#[test]
fn text_without_quotes_is_all_new() {
    let reply = split_reply("Just a new message.\nNo history.\n");
    assert!(!reply.has_quote());
    assert_eq!(reply.quoted(), None);
    assert_eq!(reply.new_text(), "Just a new message.\nNo history.");
}
