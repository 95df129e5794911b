//! The words of the desk's mail, per language: English, Portuguese, Spanish, Norwegian
//! (Bokmål), Hungarian and Polish. The requester's language picks the set (`pt-BR` →
//! `pt`); anything else gets English.
//!
//! Each notification is the desk's greeting, what happened, the agent's words or the
//! new status, the agent's signature and the desk's name, below the marker line that
//! tells where a reply should be written (see `REPLY_ABOVE_MARKER`).

use ferrodesk_domain::TicketStatus;

/// The words of one language.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Words {
    /// "Hello {name},"
    pub(crate) greeting: &'static str,
    /// Receipt: "We received your request ... {ticket}".
    pub(crate) receipt: &'static str,
    /// Reply intro: "{agent} answered your request {ticket}:".
    pub(crate) replied: &'static str,
    /// Status intro: "Your request {ticket} is now: {status}".
    pub(crate) status: &'static str,
    /// Resolution: "Your request {ticket} was resolved ..."
    pub(crate) resolved: &'static str,
    /// Above the rating link in a resolution: "How did we do? Rate ... (1-5):"
    pub(crate) rate: &'static str,
    /// "To answer, reply to this message."
    pub(crate) how_to_answer: &'static str,
    /// "Kind regards,"
    pub(crate) regards: &'static str,
    /// Status names: new, open, pending customer, pending vendor, scheduled, resolved, closed.
    pub(crate) statuses: [&'static str; 7],
}

const EN: Words = Words {
    greeting: "Hello {name},",
    receipt: "we received your request and opened ticket {ticket}. We will get back to you soon.",
    replied: "{agent} answered your request {ticket}:",
    status: "your request {ticket} is now: {status}.",
    resolved: "your request {ticket} was resolved. If the problem is not solved, reply to this message and we will open it again.",
    rate: "How did we do? Rate the resolution from 1 to 5:",
    how_to_answer: "To answer, reply to this message and keep the ticket number in the subject.",
    regards: "Kind regards,",
    statuses: [
        "new",
        "open",
        "waiting for your answer",
        "waiting for a vendor",
        "scheduled",
        "resolved",
        "closed",
    ],
};

const PT: Words = Words {
    greeting: "Olá {name},",
    receipt: "recebemos o seu pedido e abrimos o chamado {ticket}. Entraremos em contato em breve.",
    replied: "{agent} respondeu ao seu pedido {ticket}:",
    status: "o seu pedido {ticket} está agora: {status}.",
    resolved: "o seu pedido {ticket} foi resolvido. Se o problema continuar, responda a esta mensagem e nós o reabriremos.",
    rate: "Como nos saímos? Avalie a resolução de 1 a 5:",
    how_to_answer: "Para responder, responda a esta mensagem mantendo o número do chamado no assunto.",
    regards: "Atenciosamente,",
    statuses: [
        "novo",
        "aberto",
        "aguardando a sua resposta",
        "aguardando um fornecedor",
        "agendado",
        "resolvido",
        "fechado",
    ],
};

const ES: Words = Words {
    greeting: "Hola {name}:",
    receipt: "hemos recibido su solicitud y abierto el ticket {ticket}. Le responderemos pronto.",
    replied: "{agent} respondió a su solicitud {ticket}:",
    status: "su solicitud {ticket} está ahora: {status}.",
    resolved: "su solicitud {ticket} ha sido resuelta. Si el problema persiste, responda a este mensaje y la reabriremos.",
    rate: "¿Qué tal lo hicimos? Valore la resolución de 1 a 5:",
    how_to_answer: "Para contestar, responda a este mensaje manteniendo el número del ticket en el asunto.",
    regards: "Saludos cordiales,",
    statuses: [
        "nuevo",
        "abierto",
        "esperando su respuesta",
        "esperando a un proveedor",
        "programado",
        "resuelto",
        "cerrado",
    ],
};

const NB: Words = Words {
    greeting: "Hei {name},",
    receipt: "vi har mottatt henvendelsen din og opprettet sak {ticket}. Vi kommer tilbake til deg snart.",
    replied: "{agent} har svart på henvendelsen din {ticket}:",
    status: "henvendelsen din {ticket} har nå status: {status}.",
    resolved: "henvendelsen din {ticket} er løst. Hvis problemet ikke er løst, svar på denne e-posten, så åpner vi saken igjen.",
    rate: "Hvordan gjorde vi det? Gi løsningen en karakter fra 1 til 5:",
    how_to_answer: "Svar på denne e-posten for å svare, og behold saksnummeret i emnefeltet.",
    regards: "Vennlig hilsen",
    statuses: [
        "ny",
        "åpen",
        "venter på svar fra deg",
        "venter på leverandør",
        "planlagt",
        "løst",
        "lukket",
    ],
};

const HU: Words = Words {
    greeting: "Kedves {name}!",
    receipt: "megkaptuk a kérését, és megnyitottuk a(z) {ticket} jegyet. Hamarosan jelentkezünk.",
    replied: "{agent} válaszolt a(z) {ticket} kérésére:",
    status: "a(z) {ticket} kérés állapota mostantól: {status}.",
    resolved: "a(z) {ticket} kérését megoldottuk. Ha a probléma továbbra is fennáll, válaszoljon erre az üzenetre, és újranyitjuk.",
    rate: "Hogyan teljesítettünk? Értékelje a megoldást 1-től 5-ig:",
    how_to_answer: "Válaszhoz válaszoljon erre az üzenetre, és hagyja a jegyszámot a tárgyban.",
    regards: "Üdvözlettel:",
    statuses: [
        "új",
        "nyitott",
        "válaszára vár",
        "beszállítóra vár",
        "ütemezett",
        "megoldva",
        "lezárva",
    ],
};

const PL: Words = Words {
    greeting: "Dzień dobry {name},",
    receipt: "otrzymaliśmy Twoje zgłoszenie i założyliśmy zgłoszenie {ticket}. Wkrótce się odezwiemy.",
    replied: "{agent} odpowiedział(a) na Twoje zgłoszenie {ticket}:",
    status: "Twoje zgłoszenie {ticket} ma teraz status: {status}.",
    resolved: "Twoje zgłoszenie {ticket} zostało rozwiązane. Jeśli problem nadal występuje, odpowiedz na tę wiadomość, a otworzymy je ponownie.",
    rate: "Jak nam poszło? Oceń rozwiązanie w skali od 1 do 5:",
    how_to_answer: "Aby odpowiedzieć, odpisz na tę wiadomość, zachowując numer zgłoszenia w temacie.",
    regards: "Z poważaniem,",
    statuses: [
        "nowe",
        "otwarte",
        "czeka na Twoją odpowiedź",
        "czeka na dostawcę",
        "zaplanowane",
        "rozwiązane",
        "zamknięte",
    ],
};

/// The words for a language tag (`pt-BR`, `nb`, `no`, `en-GB`), English by default.
pub(crate) fn words(locale: &str) -> &'static Words {
    match language(locale) {
        "pt" => &PT,
        "es" => &ES,
        "nb" => &NB,
        "hu" => &HU,
        "pl" => &PL,
        _ => &EN,
    }
}

/// The desk's language for a locale (`pt-BR` → `pt`, `no`/`nn` → `nb`); `en` for any
/// other.
fn language(locale: &str) -> &'static str {
    let primary = locale
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match primary.as_str() {
        "pt" => "pt",
        "es" => "es",
        "nb" | "no" | "nn" => "nb",
        "hu" => "hu",
        "pl" => "pl",
        _ => "en",
    }
}

/// The words of the mail to staff (their notifications and digests), in one language.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StaffWords {
    /// Above the ticket's link: "Open the ticket:"
    pub(crate) open_ticket: &'static str,
    /// A digest's subject: "{count} unread notifications"
    pub(crate) digest_subject: &'static str,
    /// A digest's first line: "Your unread notifications:"
    pub(crate) digest_intro: &'static str,
    /// The footer: "Choose which notifications are mailed to you:"
    pub(crate) preferences: &'static str,
}

const STAFF_EN: StaffWords = StaffWords {
    open_ticket: "Open the ticket:",
    digest_subject: "{count} unread notifications",
    digest_intro: "Your unread notifications:",
    preferences: "Choose which notifications are mailed to you:",
};
const STAFF_PT: StaffWords = StaffWords {
    open_ticket: "Abrir o chamado:",
    digest_subject: "{count} notificações não lidas",
    digest_intro: "As suas notificações não lidas:",
    preferences: "Escolha quais notificações recebe por e-mail:",
};
const STAFF_ES: StaffWords = StaffWords {
    open_ticket: "Abrir el ticket:",
    digest_subject: "{count} notificaciones sin leer",
    digest_intro: "Sus notificaciones sin leer:",
    preferences: "Elija qué notificaciones recibe por correo:",
};
const STAFF_NB: StaffWords = StaffWords {
    open_ticket: "Åpne saken:",
    digest_subject: "{count} uleste varsler",
    digest_intro: "Dine uleste varsler:",
    preferences: "Velg hvilke varsler du får på e-post:",
};
const STAFF_HU: StaffWords = StaffWords {
    open_ticket: "A jegy megnyitása:",
    digest_subject: "{count} olvasatlan értesítés",
    digest_intro: "Olvasatlan értesítései:",
    preferences: "Válassza ki, mely értesítéseket kapja e-mailben:",
};
const STAFF_PL: StaffWords = StaffWords {
    open_ticket: "Otwórz zgłoszenie:",
    digest_subject: "Nieprzeczytane powiadomienia: {count}",
    digest_intro: "Twoje nieprzeczytane powiadomienia:",
    preferences: "Wybierz, które powiadomienia dostajesz e-mailem:",
};

/// The staff words for a locale, as [`words`] picks them.
pub(crate) fn staff_words(locale: &str) -> &'static StaffWords {
    match language(locale) {
        "pt" => &STAFF_PT,
        "es" => &STAFF_ES,
        "nb" => &STAFF_NB,
        "hu" => &STAFF_HU,
        "pl" => &STAFF_PL,
        _ => &STAFF_EN,
    }
}

impl Words {
    /// A status's name in this language.
    pub(crate) fn status_name(&self, status: TicketStatus) -> &'static str {
        let index = match status {
            TicketStatus::New => 0,
            TicketStatus::Open => 1,
            TicketStatus::PendingCustomer => 2,
            TicketStatus::PendingVendor => 3,
            TicketStatus::PendingScheduled => 4,
            TicketStatus::Resolved => 5,
            TicketStatus::Closed => 6,
        };
        self.statuses.get(index).copied().unwrap_or("")
    }
}

/// Fills `{name}`-style placeholders.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (key, value)| {
            text.replace(&format!("{{{key}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_pick_their_words_and_fall_back_to_english() {
        assert_eq!(words("pt-BR").regards, "Atenciosamente,");
        assert_eq!(words("nb_NO").regards, "Vennlig hilsen");
        assert_eq!(
            words("pl").status_name(TicketStatus::Resolved),
            "rozwiązane"
        );
        assert_eq!(words("de").regards, "Kind regards,");
        assert_eq!(words("").regards, "Kind regards,");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill(EN.greeting, &[("name", "Ana")]), "Hello Ana,");
    }
}
