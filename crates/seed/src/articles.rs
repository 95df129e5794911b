//! Sample knowledge-base articles: a hand-written set in the desk's languages
//! (English, Portuguese, Spanish, Norwegian, Hungarian, Polish), each using inflected
//! forms a search must match ("impressoras" finds "impressora"), plus any number of
//! generated troubleshooting guides for the bench tool, all through the store's bulk
//! path.

use crate::{Directory, SeedError};
use ferrodesk_domain::{ArticleContent, ArticleKind, ArticleStatus, Visibility};
use ferrodesk_store::{NewArticle, Store};
use jiff::Timestamp;

/// One hand-written article: language, kind, visibility, category path, title, body.
type Sample = (
    &'static str,
    ArticleKind,
    Visibility,
    &'static str,
    &'static str,
    &'static str,
);

/// The demo desk's articles.
const SAMPLES: &[Sample] = &[
    (
        "en",
        ArticleKind::Faq,
        Visibility::Public,
        "Access/Password",
        "How do I reset my password?",
        "1. Open the **self-service portal** and choose *Forgot password*.\n2. Enter your work email.\n3. Follow the link you receive within a few minutes.\n\nPasswords expire every 90 days; you will be reminded a week before.",
    ),
    (
        "en",
        ArticleKind::Troubleshooting,
        Visibility::Public,
        "Hardware/Printer",
        "Printer shows a paper jam",
        "Printers on every floor report jams when the paper is damp.\n\n1. Open tray 2 and remove any crumpled sheets.\n2. Check the rear door.\n3. Load fresh paper and print a test page.",
    ),
    (
        "en",
        ArticleKind::Troubleshooting,
        Visibility::Internal,
        "Network/VPN",
        "VPN drops every hour: renew the machine certificate",
        "Internal procedure for tier 2.\n\nThe VPN client disconnects hourly when the machine certificate is older than a year. Run `certutil -pulse` as admin, then reconnect. Escalate to Network & Infrastructure if it persists.",
    ),
    (
        "en",
        ArticleKind::Training,
        Visibility::Public,
        "Software/Email",
        "Getting started with shared mailboxes",
        "Shared mailboxes appear in Outlook automatically within an hour of being granted.\n\n- Send as the mailbox by choosing it in the *From* field.\n- Shared calendars open from *Calendar › Add › From directory*.",
    ),
    (
        "en",
        ArticleKind::Faq,
        Visibility::Public,
        "Network/Wi-Fi",
        "How do I connect to the guest Wi-Fi?",
        "Choose the **Guests** network. The password is printed at every reception desk and changes monthly.",
    ),
    (
        "pt",
        ArticleKind::Troubleshooting,
        Visibility::Public,
        "Hardware/Printer",
        "A impressora não imprime",
        "Quando as impressoras do andar não imprimem:\n\n1. Verifique se a impressora está ligada e com papel.\n2. Remova os trabalhos presos na fila de impressão.\n3. Reinicie o computador e tente imprimir novamente.",
    ),
    (
        "pt",
        ArticleKind::Faq,
        Visibility::Public,
        "Access/Password",
        "Como altero a minha senha?",
        "Abra o portal, escolha *Esqueci a senha* e siga as instruções enviadas para o seu email. As senhas expiram a cada 90 dias.",
    ),
    (
        "es",
        ArticleKind::Troubleshooting,
        Visibility::Public,
        "Hardware/Printer",
        "La impresora no imprime",
        "Si las impresoras de la planta no imprimen, compruebe el papel, cancele los documentos atascados en la cola y reinicie el equipo.",
    ),
    (
        "es",
        ArticleKind::Faq,
        Visibility::Public,
        "Network/VPN",
        "¿Cómo me conecto a la VPN desde casa?",
        "Instale el cliente VPN desde el portal, inicie sesión con su cuenta corporativa y acepte la notificación en el teléfono. Las conexiones se cierran tras ocho horas.",
    ),
    (
        "nb",
        ArticleKind::Troubleshooting,
        Visibility::Public,
        "Hardware/Printer",
        "Skriveren skriver ikke ut",
        "Når skriverne i etasjen ikke skriver ut: sjekk papiret, slett jobbene i utskriftskøen og start datamaskinen på nytt.",
    ),
    (
        "nb",
        ArticleKind::Faq,
        Visibility::Public,
        "Access/Password",
        "Hvordan bytter jeg passordet mitt?",
        "Åpne portalen, velg *Glemt passord* og følg lenken i e-posten. Passord utløper hver 90. dag.",
    ),
    (
        "hu",
        ArticleKind::Troubleshooting,
        Visibility::Public,
        "Hardware/Printer",
        "A nyomtató nem nyomtat",
        "Ha az emeleti nyomtatók nem nyomtatnak: ellenőrizze a papírt, törölje a beragadt nyomtatási feladatokat, majd indítsa újra a számítógépet. Ha a nyomtatót továbbra sem éri el, jelezze a problémát.",
    ),
    (
        "hu",
        ArticleKind::Faq,
        Visibility::Public,
        "Access/Password",
        "Hogyan változtathatom meg a jelszavamat?",
        "Nyissa meg a portált, válassza az *Elfelejtett jelszó* lehetőséget, és kövesse az e-mailben kapott utasításokat.",
    ),
    (
        "pl",
        ArticleKind::Troubleshooting,
        Visibility::Public,
        "Hardware/Printer",
        "Drukarka nie drukuje",
        "Jeśli drukarki na piętrze nie drukują: sprawdź papier, usuń zablokowane zadania z kolejki drukowania i uruchom ponownie komputer. Jeżeli drukarki nadal nie widać w sieci, zgłoś problem.",
    ),
    (
        "pl",
        ArticleKind::Faq,
        Visibility::Public,
        "Access/Password",
        "Jak zmienić hasło?",
        "Otwórz portal, wybierz *Nie pamiętam hasła* i postępuj zgodnie z instrukcjami z wiadomości e-mail. Hasła wygasają co 90 dni.",
    ),
];

/// How many hand-written articles the demo desk gets.
pub fn sample_count() -> usize {
    SAMPLES.len()
}

/// Subjects and fixes the generated guides combine.
const GENERATED_TOPICS: &[(&str, &str)] = &[
    (
        "Laptop battery drains quickly",
        "Lower the screen brightness, close background apps and update the BIOS.",
    ),
    (
        "Outlook keeps asking for the password",
        "Remove the saved credentials in Credential Manager and sign in again.",
    ),
    (
        "Monitor flickers when docked",
        "Replace the dock cable and update the dock firmware.",
    ),
    (
        "Teams has no sound in meetings",
        "Choose the right speaker in Teams settings and restart the app.",
    ),
    (
        "Cannot map the shared drive",
        "Reconnect to the VPN and map the drive with your full user name.",
    ),
    (
        "Keyboard types the wrong characters",
        "Switch the input language with Windows+Space.",
    ),
    (
        "Excel opens files read-only",
        "Close other sessions holding the file and clear the Office cache.",
    ),
    (
        "Phone does not receive email",
        "Remove and add the work account again in the phone's settings.",
    ),
];

fn content(
    language: &str,
    kind: ArticleKind,
    visibility: Visibility,
    title: String,
    body: String,
    category: Option<ferrodesk_domain::CategoryId>,
) -> ArticleContent {
    ArticleContent {
        title,
        body,
        kind,
        status: ArticleStatus::Published,
        visibility,
        language: language.to_owned(),
        category_id: category,
        service_ids: Vec::new(),
    }
}

/// Writes the hand-written articles and `generated` more, in bulk batches of 500.
///
/// # Errors
/// [`SeedError::Store`] when a batch is refused.
pub async fn seed_articles(
    store: &dyn Store,
    directory: &Directory,
    generated: usize,
    now: Timestamp,
) -> Result<usize, SeedError> {
    let author = directory.agents.first().map(|(id, _, _)| *id);
    let mut articles: Vec<NewArticle> = SAMPLES
        .iter()
        .map(
            |(language, kind, visibility, category, title, body)| NewArticle {
                content: content(
                    language,
                    *kind,
                    *visibility,
                    (*title).to_owned(),
                    (*body).to_owned(),
                    directory.categories.get(category).copied(),
                ),
                actor_id: author,
                now,
            },
        )
        .collect();
    articles.extend((0..generated).map(|n| {
        let (title, fix) = GENERATED_TOPICS[n % GENERATED_TOPICS.len()];
        let visibility = if n % 5 == 0 {
            Visibility::Internal
        } else {
            Visibility::Public
        };
        NewArticle {
            content: content(
                "en",
                ArticleKind::Troubleshooting,
                visibility,
                format!("{title} (guide {})", n + 1),
                format!(
                    "## Symptoms\n\n{title}.\n\n## Fix\n\n{fix}\n\nReference KB-{:05}.",
                    n + 1
                ),
                None,
            ),
            actor_id: author,
            now,
        }
    }));
    let mut created = 0;
    let mut rest = articles;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(500));
        created += store.bulk_create_articles(rest).await?.len();
        rest = tail;
    }
    Ok(created)
}
