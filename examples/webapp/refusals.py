"""What the library refused, and a customer's history, in the page's language.

invitekit's exception messages are English, for logs.  A page never shows them:
it says what happened in its reader's language, chosen by what the library
exposes as stable values, never by reading the English message:

* the exception's type (``DuplicateCustomer``, ``GroupNotFound``...);
* ``ValidationError.code``, ``.field`` and ``.limit`` (``WeakPassword`` with
  code ``"too_short"`` and limit 10: "use at least 10 characters");
* ``LoginThrottled.retry_at``, ``InvitationRefused.reason``;
* for a history line, ``Event.kind``, ``Event.note`` and ``Event.note_value``.

The texts (``REFUSAL_TEXTS``) are merged into :data:`examples.webapp.texts.TEXTS`.
"""

from __future__ import annotations

from collections.abc import Callable

from invitekit.accounts import ResetAnswer
from invitekit.events import Event, EventKind, EventNote
from invitekit.exceptions import (
    Conflict,
    CustomerNotFound,
    DeliveryError,
    DuplicateCustomer,
    GroupNotFound,
    InvalidEmail,
    InvalidLocale,
    InvalidPolicy,
    InvitationRefused,
    LoginThrottled,
    PermanentDeliveryError,
    TemplateError,
    ValidationError,
    WeakPassword,
)

__all__ = ["REFUSAL_TEXTS", "describe_event", "describe_outbox_error", "describe_refusal"]

REFUSAL_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "r_pw_too_short": "This password is too short: use at least {limit} characters.",
        "r_pw_too_long": "This password is too long: use at most {limit} characters.",
        "r_pw_too_common": (
            "This password is one of the most common ones and easy to guess: choose another."
        ),
        "r_pw_personal": (
            "The password may not be your name, your email address or the name of {business}."
        ),
        "r_pw_characters": "This password contains characters that cannot be used.",
        "r_email_empty": "Enter an email address.",
        "r_email_space": "An email address contains no spaces.",
        "r_email_unchanged": "This is already the address of your profile.",
        "r_email_domain": "The part after the @ is not a domain that can receive email.",
        "r_email_too_long": "This email address is too long.",
        "r_where_line": "{field}, line {line}",
        "r_too_long": "{field}: at most {limit} characters.",
        "r_link": "{field}: no web address, email address or link.",
        "r_characters": (
            "{field}: contains a character that cannot be used"
            " (a line break or an invisible character)."
        ),
        "r_empty": "{field}: this cannot be empty.",
        "r_line_break": "{field}: one line only.",
        "r_not_allowed": "{field}: use only the placeholders listed.",
        "r_syntax": "{field}: a placeholder is incomplete or misspelt.",
        "r_too_complex": "{field}: too many nested conditions or parentheses.",
        "r_invalid": "{field}: this cannot be used.",
        "r_input": "This input cannot be used.",
        "r_locale": "This language is not offered.",
        "r_throttled": "Too many failed attempts. Try again from {date}.",
        "r_duplicate": "Another customer already has this email address.",
        "r_group_missing": "This group does not exist.",
        "r_customer_missing": "This customer does not exist.",
        "r_conflict": "Someone changed this at the same time: reload the page and try again.",
        "r_policy": "These settings cannot be saved: check the values of “{field}”.",
        "r_failed": "This could not be done.",
        "r_mail_temporary": "the mail server cannot be reached or is busy; try again later.",
        "r_mail_permanent": "the mail server refused the message.",
        "note_imported": "imported",
        "note_signed_up": "signed up on the booking page",
        "note_verified_email": "confirmed the email address",
        "note_signs_in_with": "signs in with {provider}",
        "note_another_method": "another method",
        "note_wrong_password": "wrong password",
        "note_not_activated": "profile not activated yet",
        "note_archived": "archived",
        "note_throttled": "too many attempts, blocked for a while",
        "note_hash_upgraded": "password hash renewed",
        "note_customer_accepted": "the customer activated the profile",
        "note_customer_archived": "the customer was archived",
        "note_email_changed": "the email address changed",
        "note_customer_unsubscribed": "the customer unsubscribed",
        "note_password_changed": "the password changed",
        "note_not_invitable": "the customer can no longer be invited",
        "note_not_remindable": "the customer can no longer be reminded",
        "note_replaced_by_invitation": "a new invitation replaces the reminder",
        "note_customer_complained": "the customer marked an email as spam",
        "note_address_bounced": "the address bounced",
        "note_customer_gone": "the customer is gone or archived",
        "note_address_changed": "the customer’s address changed",
        "note_email_change_replaced": "the email change was replaced or confirmed",
        "note_signup_gone": "the sign-up is no longer waiting",
        "note_customer_erased": "the customer was erased",
        "answer_nothing": "no email sent",
        "answer_provider_hint": "sent a reminder of how to sign in",
        "answer_activation_link": "sent an activation link",
        "answer_reset_link": "sent a link to choose a new password",
    },
    "es": {
        "r_pw_too_short": "Esta contraseña es demasiado corta: usa al menos {limit} caracteres.",
        "r_pw_too_long": "Esta contraseña es demasiado larga: usa como máximo {limit} caracteres.",
        "r_pw_too_common": (
            "Esta contraseña es de las más comunes y fácil de adivinar: elige otra."
        ),
        "r_pw_personal": (
            "La contraseña no puede ser tu nombre, tu correo electrónico ni el nombre"
            " de {business}."
        ),
        "r_pw_characters": "Esta contraseña contiene caracteres que no se pueden usar.",
        "r_email_empty": "Escribe una dirección de correo electrónico.",
        "r_email_space": "Una dirección de correo electrónico no lleva espacios.",
        "r_email_unchanged": "Esta ya es la dirección de tu perfil.",
        "r_email_domain": "La parte después de la @ no es un dominio que pueda recibir correo.",
        "r_email_too_long": "Esta dirección de correo electrónico es demasiado larga.",
        "r_where_line": "{field}, línea {line}",
        "r_too_long": "{field}: como máximo {limit} caracteres.",
        "r_link": "{field}: sin direcciones web, de correo electrónico ni enlaces.",
        "r_characters": (
            "{field}: contiene un carácter que no se puede usar"
            " (un salto de línea o un carácter invisible)."
        ),
        "r_empty": "{field}: no puede quedar vacío.",
        "r_line_break": "{field}: una sola línea.",
        "r_not_allowed": "{field}: usa solo las variables de la lista.",
        "r_syntax": "{field}: una variable está incompleta o mal escrita.",
        "r_too_complex": "{field}: demasiadas condiciones o paréntesis anidados.",
        "r_invalid": "{field}: no se puede usar.",
        "r_input": "Este dato no se puede usar.",
        "r_locale": "Este idioma no está disponible.",
        "r_throttled": "Demasiados intentos fallidos. Vuelve a intentarlo a partir del {date}.",
        "r_duplicate": "Otro cliente ya tiene esta dirección de correo electrónico.",
        "r_group_missing": "Este grupo no existe.",
        "r_customer_missing": "Este cliente no existe.",
        "r_conflict": (
            "Alguien lo ha cambiado al mismo tiempo: recarga la página e inténtalo de nuevo."
        ),
        "r_policy": "No se puede guardar esta configuración: revisa los valores de «{field}».",
        "r_failed": "No se ha podido hacer.",
        "r_mail_temporary": (
            "no se puede contactar con el servidor de correo o está ocupado; inténtalo más tarde."
        ),
        "r_mail_permanent": "el servidor de correo ha rechazado el mensaje.",
        "note_imported": "importado",
        "note_signed_up": "se registró en la página de reservas",
        "note_verified_email": "confirmó su dirección de correo",
        "note_signs_in_with": "inicia sesión con {provider}",
        "note_another_method": "otro método",
        "note_wrong_password": "contraseña incorrecta",
        "note_not_activated": "perfil aún sin activar",
        "note_archived": "archivado",
        "note_throttled": "demasiados intentos, bloqueado durante un rato",
        "note_hash_upgraded": "hash de la contraseña renovado",
        "note_customer_accepted": "el cliente activó su perfil",
        "note_customer_archived": "el cliente fue archivado",
        "note_email_changed": "cambió la dirección de correo",
        "note_customer_unsubscribed": "el cliente se dio de baja",
        "note_password_changed": "la contraseña cambió",
        "note_not_invitable": "ya no se puede invitar al cliente",
        "note_not_remindable": "ya no se puede enviar un recordatorio al cliente",
        "note_replaced_by_invitation": "una nueva invitación sustituye al recordatorio",
        "note_customer_complained": "el cliente marcó un correo como spam",
        "note_address_bounced": "la dirección rebotó",
        "note_customer_gone": "el cliente ya no existe o está archivado",
        "note_address_changed": "cambió la dirección del cliente",
        "note_email_change_replaced": "el cambio de dirección fue sustituido o confirmado",
        "note_signup_gone": "el registro ya no está pendiente",
        "note_customer_erased": "los datos del cliente se borraron",
        "answer_nothing": "no se envió ningún correo",
        "answer_provider_hint": "se envió un recordatorio de cómo iniciar sesión",
        "answer_activation_link": "se envió un enlace de activación",
        "answer_reset_link": "se envió un enlace para elegir otra contraseña",
    },
    "fr": {
        "r_pw_too_short": "Ce mot de passe est trop court : utilisez au moins {limit} caractères.",
        "r_pw_too_long": "Ce mot de passe est trop long : utilisez au plus {limit} caractères.",
        "r_pw_too_common": (
            "Ce mot de passe fait partie des plus courants et se devine facilement :"
            " choisissez-en un autre."
        ),
        "r_pw_personal": (
            "Le mot de passe ne peut être ni votre nom, ni votre adresse e-mail, ni le nom"
            " de {business}."
        ),
        "r_pw_characters": (
            "Ce mot de passe contient des caractères qui ne peuvent pas être utilisés."
        ),
        "r_email_empty": "Saisissez une adresse e-mail.",
        "r_email_space": "Une adresse e-mail ne contient pas d’espace.",
        "r_email_unchanged": "C’est déjà l’adresse de votre profil.",
        "r_email_domain": (
            "La partie après le @ n’est pas un domaine qui peut recevoir des e-mails."
        ),
        "r_email_too_long": "Cette adresse e-mail est trop longue.",
        "r_where_line": "{field}, ligne {line}",
        "r_too_long": "{field} : {limit} caractères au maximum.",
        "r_link": "{field} : ni adresse web, ni adresse e-mail, ni lien.",
        "r_characters": (
            "{field} : contient un caractère qui ne peut pas être utilisé"
            " (un saut de ligne ou un caractère invisible)."
        ),
        "r_empty": "{field} : ne peut pas être vide.",
        "r_line_break": "{field} : une seule ligne.",
        "r_not_allowed": "{field} : utilisez seulement les variables indiquées.",
        "r_syntax": "{field} : une variable est incomplète ou mal écrite.",
        "r_too_complex": "{field} : trop de conditions ou de parenthèses imbriquées.",
        "r_invalid": "{field} : ne peut pas être utilisé.",
        "r_input": "Cette saisie ne peut pas être utilisée.",
        "r_locale": "Cette langue n’est pas proposée.",
        "r_throttled": "Trop de tentatives échouées. Réessayez à partir du {date}.",
        "r_duplicate": "Un autre client a déjà cette adresse e-mail.",
        "r_group_missing": "Ce groupe n’existe pas.",
        "r_customer_missing": "Ce client n’existe pas.",
        "r_conflict": "Quelqu’un l’a modifié en même temps : rechargez la page et réessayez.",
        "r_policy": (
            "Ces réglages ne peuvent pas être enregistrés : vérifiez les valeurs de « {field} »."
        ),
        "r_failed": "Cela n’a pas pu être fait.",
        "r_mail_temporary": (
            "le serveur de messagerie est injoignable ou occupé ; réessayez plus tard."
        ),
        "r_mail_permanent": "le serveur de messagerie a refusé le message.",
        "note_imported": "importé",
        "note_signed_up": "inscrit sur la page de réservation",
        "note_verified_email": "a confirmé son adresse e-mail",
        "note_signs_in_with": "se connecte avec {provider}",
        "note_another_method": "un autre moyen",
        "note_wrong_password": "mot de passe incorrect",
        "note_not_activated": "profil pas encore activé",
        "note_archived": "archivé",
        "note_throttled": "trop de tentatives, bloqué pour un moment",
        "note_hash_upgraded": "empreinte du mot de passe renouvelée",
        "note_customer_accepted": "le client a activé son profil",
        "note_customer_archived": "le client a été archivé",
        "note_email_changed": "l’adresse e-mail a changé",
        "note_customer_unsubscribed": "le client s’est désabonné",
        "note_password_changed": "le mot de passe a changé",
        "note_not_invitable": "le client ne peut plus être invité",
        "note_not_remindable": "le client ne peut plus recevoir de rappel",
        "note_replaced_by_invitation": "une nouvelle invitation remplace le rappel",
        "note_customer_complained": "le client a signalé un e-mail comme spam",
        "note_address_bounced": "l’adresse a été rejetée",
        "note_customer_gone": "le client n’existe plus ou est archivé",
        "note_address_changed": "l’adresse du client a changé",
        "note_email_change_replaced": "le changement d’adresse a été remplacé ou confirmé",
        "note_signup_gone": "l’inscription n’est plus en attente",
        "note_customer_erased": "les données du client ont été effacées",
        "answer_nothing": "aucun e-mail envoyé",
        "answer_provider_hint": "rappel du mode de connexion envoyé",
        "answer_activation_link": "lien d’activation envoyé",
        "answer_reset_link": "lien pour choisir un nouveau mot de passe envoyé",
    },
    "de": {
        "r_pw_too_short": "Dieses Passwort ist zu kurz: Nimm mindestens {limit} Zeichen.",
        "r_pw_too_long": "Dieses Passwort ist zu lang: Nimm höchstens {limit} Zeichen.",
        "r_pw_too_common": (
            "Dieses Passwort gehört zu den häufigsten und ist leicht zu erraten:"
            " Wähle ein anderes."
        ),
        "r_pw_personal": (
            "Das Passwort darf nicht dein Name, deine E-Mail-Adresse oder der Name"
            " von {business} sein."
        ),
        "r_pw_characters": "Dieses Passwort enthält Zeichen, die nicht verwendet werden können.",
        "r_email_empty": "Gib eine E-Mail-Adresse ein.",
        "r_email_space": "Eine E-Mail-Adresse enthält keine Leerzeichen.",
        "r_email_unchanged": "Das ist bereits die Adresse deines Profils.",
        "r_email_domain": "Der Teil nach dem @ ist keine Domain, die E-Mails empfangen kann.",
        "r_email_too_long": "Diese E-Mail-Adresse ist zu lang.",
        "r_where_line": "{field}, Zeile {line}",
        "r_too_long": "{field}: höchstens {limit} Zeichen.",
        "r_link": "{field}: keine Web- oder E-Mail-Adresse und kein Link.",
        "r_characters": (
            "{field}: enthält ein Zeichen, das nicht verwendet werden kann"
            " (einen Zeilenumbruch oder ein unsichtbares Zeichen)."
        ),
        "r_empty": "{field}: darf nicht leer sein.",
        "r_line_break": "{field}: nur eine Zeile.",
        "r_not_allowed": "{field}: nur die aufgeführten Platzhalter verwenden.",
        "r_syntax": "{field}: Ein Platzhalter ist unvollständig oder falsch geschrieben.",
        "r_too_complex": "{field}: zu viele verschachtelte Bedingungen oder Klammern.",
        "r_invalid": "{field}: kann nicht verwendet werden.",
        "r_input": "Diese Eingabe kann nicht verwendet werden.",
        "r_locale": "Diese Sprache wird nicht angeboten.",
        "r_throttled": "Zu viele fehlgeschlagene Versuche. Versuch es ab {date} noch einmal.",
        "r_duplicate": "Diese E-Mail-Adresse gehört schon zu jemand anderem aus der Kundschaft.",
        "r_group_missing": "Diese Gruppe gibt es nicht.",
        "r_customer_missing": "Diesen Eintrag in der Kundschaft gibt es nicht.",
        "r_conflict": (
            "Jemand hat das gleichzeitig geändert: Lade die Seite neu und versuch es noch einmal."
        ),
        "r_policy": (
            "Diese Einstellungen können nicht gespeichert werden: Prüf die Werte bei „{field}“."
        ),
        "r_failed": "Das hat nicht geklappt.",
        "r_mail_temporary": (
            "Der Mailserver ist nicht erreichbar oder ausgelastet; versuch es später noch einmal."
        ),
        "r_mail_permanent": "Der Mailserver hat die Nachricht abgelehnt.",
        "note_imported": "importiert",
        "note_signed_up": "auf der Buchungsseite registriert",
        "note_verified_email": "hat die E-Mail-Adresse bestätigt",
        "note_signs_in_with": "meldet sich mit {provider} an",
        "note_another_method": "einem anderen Verfahren",
        "note_wrong_password": "falsches Passwort",
        "note_not_activated": "Profil noch nicht aktiviert",
        "note_archived": "archiviert",
        "note_throttled": "zu viele Versuche, vorübergehend gesperrt",
        "note_hash_upgraded": "Passwort-Hash erneuert",
        "note_customer_accepted": "hat das Profil aktiviert",
        "note_customer_archived": "wurde archiviert",
        "note_email_changed": "E-Mail-Adresse geändert",
        "note_customer_unsubscribed": "hat die Einladungen abbestellt",
        "note_password_changed": "Passwort wurde geändert",
        "note_not_invitable": "kann nicht mehr eingeladen werden",
        "note_not_remindable": "kann nicht mehr erinnert werden",
        "note_replaced_by_invitation": "eine neue Einladung ersetzt die Erinnerung",
        "note_customer_complained": "hat eine E-Mail als Spam gemeldet",
        "note_address_bounced": "die Adresse ist unzustellbar",
        "note_customer_gone": "gibt es nicht mehr oder archiviert",
        "note_address_changed": "E-Mail-Adresse wurde geändert",
        "note_email_change_replaced": "Adressänderung ersetzt oder bestätigt",
        "note_signup_gone": "Registrierung wartet nicht mehr",
        "note_customer_erased": "die Kundendaten wurden gelöscht",
        "answer_nothing": "keine E-Mail gesendet",
        "answer_provider_hint": "Hinweis zur Anmeldung gesendet",
        "answer_activation_link": "Aktivierungslink gesendet",
        "answer_reset_link": "Link für ein neues Passwort gesendet",
    },
}

#: The name of each input a refusal can be about: a key of the page texts.
_FIELDS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "locale": "language",
    "email": "email",
    "password": "password",
    "subject": "b_subject",
    "body": "b_text",
    "name": "b_name",
    "cancel": "b_rule_cancel",
    "reschedule": "b_rule_reschedule",
}
_PASSWORD_CODES = {"too_short", "too_long", "too_common", "personal"}
_EMAIL_CODES = {"empty", "space", "domain", "too_long", "unchanged"}
_FIELD_CODES = {
    "too_long",
    "link",
    "empty",
    "line_break",
    "not_allowed",
    "syntax",
    "too_complex",
}


def describe_refusal(error: Exception, *, t: Callable[..., str], when: Callable[..., str]) -> str:
    """What ``error`` means for the reader, in the page's language (``t`` gives the texts)."""
    if isinstance(error, ValidationError):
        return _validation(error, t)
    if isinstance(error, LoginThrottled):
        return t("r_throttled", date=when(error.retry_at))
    if isinstance(error, DuplicateCustomer):
        return t("r_duplicate")
    if isinstance(error, InvitationRefused):
        return t(f"skip_{error.reason}")
    if isinstance(error, GroupNotFound):
        return t("r_group_missing")
    if isinstance(error, CustomerNotFound):
        return t("r_customer_missing")
    if isinstance(error, Conflict):
        return t("r_conflict")
    if isinstance(error, PermanentDeliveryError):
        return t("r_mail_permanent")
    if isinstance(error, DeliveryError):  # temporary, or a mailer's own failure
        return t("r_mail_temporary")
    if isinstance(error, InvalidPolicy):
        head = (error.field or "").split(".")[0]
        return t("r_policy", field=t(_FIELDS.get(head, "b_settings")))
    return t("r_failed")


def _validation(error: ValidationError, t: Callable[..., str]) -> str:
    code = error.code
    if isinstance(error, WeakPassword):
        return t(
            f"r_pw_{code}" if code in _PASSWORD_CODES else "r_pw_characters", limit=error.limit
        )
    if isinstance(error, InvalidEmail):
        return t(f"r_email_{code}" if code in _EMAIL_CODES else "invalid_email")
    if isinstance(error, InvalidLocale):
        return t("r_locale")
    if error.field not in _FIELDS:
        return t("r_input")
    field = t(_FIELDS[error.field])
    lineno = error.lineno if isinstance(error, TemplateError) else None
    if lineno is not None and code != "line_break":
        field = t("r_where_line", field=field, line=lineno)
    if code in {"control_character", "invisible_character", "invalid_text", "not_text"}:
        return t("r_characters", field=field)
    return t(f"r_{code}" if code in _FIELD_CODES else "r_invalid", field=field, limit=error.limit)


def describe_outbox_error(last_error: str | None, *, t: Callable[..., str]) -> str:
    """Why an outbox message was withdrawn, in the page's language; a mail server's as is."""
    if not last_error:
        return ""
    try:
        note = EventNote(last_error)
    except ValueError:
        return last_error  # the mail server's own words
    return t(f"note_{note.name.lower()}")


def describe_event(event: Event, *, t: Callable[..., str], w: Callable[[str, object], str]) -> str:
    """The detail of a history line in the page's language (data, such as an address, as is)."""
    note = event.note
    if note is EventNote.SIGNS_IN_WITH:
        provider = event.note_value
        named = t("note_another_method") if provider == "another method" else provider.title()
        return t("note_signs_in_with", provider=named)
    if note is not None:
        return t(f"note_{note.name.lower()}")
    if event.kind is EventKind.DELIVERED:
        return w("kind", event.detail)
    if event.kind is EventKind.UPDATED:
        names = [name.strip() for name in event.detail.split(",") if name.strip()]
        return ", ".join(t(_FIELDS[name]) if name in _FIELDS else name for name in names)
    if event.kind is EventKind.PASSWORD_RESET_REQUESTED and event.detail in set(ResetAnswer):
        return t(f"answer_{ResetAnswer(event.detail).name.lower()}")
    # The old address, a group's name, the mail server's answer: data, shown as it is.
    return event.detail
